"""The one place where Chatwoot client failures become tool errors a model can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mcp.server.mcpserver.exceptions import ToolError

from chatwoot_mcp.client.errors import (
    AuthenticationError,
    ChatwootError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    UnprocessableError,
)
from chatwoot_mcp.server.sanitize import clean

# What to do next when an id is unknown, by the kind of thing that was looked up.
_NOT_FOUND_HINTS = {
    "conversation": "list conversations (chatwoot_list_conversations) to get a valid id",
    "inbox": "list inboxes (chatwoot_list_inboxes) to get a valid id",
    "team": "list teams (chatwoot_list_teams) to get a valid id",
    "agent": "list agents (chatwoot_list_agents) to get a valid id",
    "message": "list the conversation's messages (chatwoot_list_messages) to get a valid id",
    "account": "run chatwoot_setup to see the accounts this token can reach",
}


def _chatwoot_said(exc: ChatwootError) -> str:
    text, _ = clean(exc.error_text or "", 200)
    return f' (Chatwoot said: "{text}")' if text else ""


def describe(exc: ChatwootError, *, doing: str, subject: str | None = None, account_id: int | None = None) -> str:
    """One sentence: what failed, why, and what to do next. Built from fields, never from the raw request."""
    account = f" in account {account_id}" if account_id is not None else ""
    error_text = (exc.error_text or "").lower()
    if isinstance(exc, NotFoundError):
        if subject:
            kind = subject.split(" ", 1)[0]
            hint = _NOT_FOUND_HINTS.get(kind, "check the id and try again")
            return f"{subject} was not found{account}; {hint}"
        return f"Chatwoot could not find what was needed to {doing}{account}; check the ids and try again"
    if isinstance(exc, AuthenticationError):
        if "not authorized for bots" in error_text:
            return (
                f"could not {doing}: Chatwoot does not let an AgentBot token use this endpoint; "
                "configure a user (agent or administrator) access token and run chatwoot_setup"
            )
        if "invalid access token" in error_text or "sign in" in error_text:
            return (
                f"could not {doing}: Chatwoot rejected the API token as invalid; copy a valid access token "
                "from Chatwoot (Profile settings → Access token) and run chatwoot_setup"
            )
        if "access this account" in error_text:
            return (
                f"could not {doing}: the token's user has no access to account {account_id}; "
                "run chatwoot_setup to see the accounts this token can reach"
            )
        target = f" on {subject}" if subject else ""
        return (
            f"could not {doing}: the token's user is not allowed to do this{target}{_chatwoot_said(exc)}; "
            "ask an administrator for access (inbox or team membership) or use another conversation"
        )
    if isinstance(exc, PermissionDeniedError):
        return f"could not {doing}: Chatwoot denied permission{_chatwoot_said(exc)}; this action is not allowed here"
    if isinstance(exc, UnprocessableError):
        return f"Chatwoot rejected the request to {doing}{_chatwoot_said(exc)}; fix the arguments and try again"
    if isinstance(exc, RateLimitedError):
        wait = f"{exc.retry_after:g} seconds" if exc.retry_after else "a minute"
        return f"could not {doing}: Chatwoot is rate limiting requests; wait {wait} and try again"
    if isinstance(exc, ServerError):
        return (
            f"could not {doing}: Chatwoot failed with HTTP {exc.status}; try again in a moment, "
            "and if it keeps failing check the Chatwoot server"
        )
    if isinstance(exc, TransportError):
        return (
            f"could not {doing}: Chatwoot did not answer (connection failed or timed out); "
            "check that Chatwoot is up and the base URL is right (chatwoot_setup shows it), then try again"
        )
    if isinstance(exc, UnexpectedResponseError):
        return (
            f"could not {doing}: Chatwoot's answer could not be read; check that the base URL points at "
            "Chatwoot itself and not at a proxy or login page"
        )
    status = f" with HTTP {exc.status}" if exc.status else ""
    return f"could not {doing}: Chatwoot answered{status}{_chatwoot_said(exc)}"


@contextmanager
def chatwoot_errors(doing: str, *, subject: str | None = None, account_id: int | None = None) -> Iterator[None]:
    """Turn any client failure inside the block into a ToolError describing it."""
    try:
        yield
    except ChatwootError as exc:
        raise ToolError(describe(exc, doing=doing, subject=subject, account_id=account_id)) from None


class Steps:
    """The parts of a multi-call change that were applied, for an error that says what already happened."""

    def __init__(self) -> None:
        self.applied: list[str] = []

    def done(self, what: str) -> None:
        self.applied.append(what)

    @contextmanager
    def step(self, doing: str, *, subject: str | None = None, account_id: int | None = None) -> Iterator[None]:
        try:
            yield
        except ChatwootError as exc:
            message = describe(exc, doing=doing, subject=subject, account_id=account_id)
            if self.applied:
                message += f". Already applied before this failure: {'; '.join(self.applied)}"
            else:
                message += ". Nothing was changed"
            raise ToolError(message) from None
