"""`sign_in_with_password` against the sandbox's `POST /auth/sign_in`: the token on success, the client's own
exceptions otherwise, and never the password in an error."""

from __future__ import annotations

import pytest

from chatwoot_mcp.client.auth import sign_in_with_password
from chatwoot_mcp.client.errors import AuthenticationError, ServerError, TransportError, UnexpectedResponseError
from tests.conftest import Sandbox
from tests.server.conftest import fault

pytestmark = pytest.mark.anyio


async def test_the_right_password_gives_the_persons_access_token(sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent", 0)
    token = await sign_in_with_password(sandbox.base_url, agent["email"], agent["password"])
    assert token.get_secret_value() == agent["access_token"]


async def test_a_wrong_password_raises_an_authentication_error_without_the_password(sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent", 0)
    with pytest.raises(AuthenticationError) as caught:
        await sign_in_with_password(sandbox.base_url, agent["email"], "s3cret-wrong")
    assert caught.value.status == 401 and "Invalid login credentials" in str(caught.value)
    assert "s3cret-wrong" not in repr(caught.value) + str(caught.value)


async def test_an_answer_without_a_token_or_a_failing_chatwoot_is_told_apart(sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent", 0)
    fault(sandbox, "POST", r"/auth/sign_in", 200, body={"mfa_required": True})
    with pytest.raises(UnexpectedResponseError, match="no access token"):
        await sign_in_with_password(sandbox.base_url, agent["email"], agent["password"])
    fault(sandbox, "POST", r"/auth/sign_in", 503)
    with pytest.raises(ServerError):
        await sign_in_with_password(sandbox.base_url, agent["email"], agent["password"])
    with pytest.raises(TransportError):
        await sign_in_with_password("http://127.0.0.1:9", agent["email"], agent["password"], timeout=2)
