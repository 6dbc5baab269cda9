"""The widget's conversations beyond Chatwoot's spec: the events a visitor's first message sends, the
`additional_attributes` the widget records, and the answers for a session that has no conversation yet."""

from __future__ import annotations

import json

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, wait_for
from tests.sandbox.rspec.support import subscribe
from tests.sandbox.widget_support import UNKNOWN_BROWSER, widget_inbox, widget_post, widget_request, widget_session


def _session(box: Sandbox) -> tuple[str, str]:
    website_token = widget_inbox(box)["website_token"]
    return website_token, widget_session(box, website_token)["website_channel_config"]["auth_token"]


def test_the_first_message_sends_conversation_created_then_message_created(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """The conversation carries the browser, referer and start time the widget sent (BaseController
    #conversation_params); its creation and the visitor's message reach the account webhooks in that order."""
    subscribe(sandbox, receiver.url, ["conversation_created", "message_created"])
    website_token, token = _session(sandbox)
    body = {
        "website_token": website_token,
        "message": {"content": "Oi", "referer_url": "https://loja.example/precos", "timestamp": "1700000000"},
    }
    headers = {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.8"}
    response = widget_post(sandbox, "conversations", token, headers=headers, json=body)
    assert response.status_code == 200, response.text
    # the visitor has no e-mail: the e-mail collect pair follows (MessageTemplates::HookExecutionService)
    wait_for(lambda: receiver.events() == ["conversation_created"] + ["message_created"] * 3)
    with receiver.lock:
        created, message, *pair = (json.loads(r.body) for r in receiver.received)
    assert [p["message_type"] for p in pair] == ["template", "template"]
    assert created["id"] == response.json()["id"]
    assert created["additional_attributes"] == {
        "browser_language": "pt",
        "browser": UNKNOWN_BROWSER,
        "initiated_at": {"timestamp": "1700000000"},
        "referer": "https://loja.example/precos",
    }
    assert message["content"] == "Oi" and message["message_type"] == "incoming"
    assert message["conversation"]["id"] == created["id"]


def test_a_session_without_a_conversation(sandbox: Sandbox) -> None:
    """`index` renders `{}`, `update_last_seen` is a no-op 200, `transcript` a 429, the others `head :not_found`."""
    website_token, token = _session(sandbox)
    params = {"website_token": website_token}
    assert widget_request(sandbox, "GET", "conversations", token, params=params).json() == {}
    assert widget_request(sandbox, "POST", "conversations/update_last_seen", token, json=params).status_code == 200
    assert widget_request(sandbox, "POST", "conversations/transcript", token, json=params).status_code == 429
    for path in ("toggle_typing", "set_custom_attributes", "destroy_custom_attributes"):
        response = widget_request(sandbox, "POST", f"conversations/{path}", token, json=params)
        assert response.status_code == 404 and response.content == b"", path
