"""Ports of spec/controllers/api/v1/widget/messages_controller_spec.rb over HTTP: the web widget's messages
(`GET`, `POST /api/v1/widget/messages`, `PUT /api/v1/widget/messages/:id`).

The spec's `contact` (no e-mail) and `token` are a widget visitor's anonymous contact and its session's
`X-Auth-Token`. Its `conversation` is opened on that contact inbox through the account API as the administrator, and
its two factory messages (incoming) are the visitor's, posted through the widget: the first brings the e-mail collect
pair, as in the spec. `conversation.destroy!` is a visitor with no conversation yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.rspec.support import PNG
from tests.sandbox.widget_support import widget_inbox, widget_request, widget_session


@dataclass(frozen=True)
class Visitor:
    website_token: str
    inbox_id: int
    token: str
    contact_id: int


def _visitor(box: Sandbox, website_token: str | None = None) -> Visitor:
    """A widget visitor: a new widget inbox (or the one named by `website_token`) and a session on it."""
    if website_token is None:
        inbox = widget_inbox(box)
        website_token, inbox_id = inbox["website_token"], inbox["id"]
    else:
        inbox_id = next(
            i["id"] for i in box.api("GET", "inboxes").json()["payload"] if i.get("website_token") == website_token
        )
    session = widget_session(box, website_token)
    return Visitor(website_token, inbox_id, session["website_channel_config"]["auth_token"], session["contact"]["id"])


def _post_message(box: Sandbox, display_id: int, **fields: Any) -> dict[str, Any]:
    response = box.api("POST", f"conversations/{display_id}/messages", json={"content": "Incoming Message", **fields})
    assert response.status_code == 200, response.text
    return response.json()


def _conversation(box: Sandbox, visitor: Visitor) -> tuple[int, list[int]]:
    """The spec's `conversation` on the visitor's contact inbox with its two messages: display id and message ids."""
    opened = box.api("POST", "conversations", json={"inbox_id": visitor.inbox_id, "contact_id": visitor.contact_id})
    assert opened.status_code == 200, opened.text
    ids = []
    for _ in range(2):
        sent = _send(box, visitor, message={"content": "Incoming Message"})
        assert sent.status_code == 200, sent.text
        ids.append(sent.json()["id"])
    return opened.json()["id"], ids


def _messages(box: Sandbox, display_id: int) -> list[dict[str, Any]]:
    response = box.api("GET", f"conversations/{display_id}/messages")
    assert response.status_code == 200, response.text
    return response.json()["payload"]


def _chat(box: Sandbox, display_id: int) -> list[dict[str, Any]]:
    """The conversation's messages less activities."""
    return [m for m in _messages(box, display_id) if m["message_type"] != 2]


def _conversation_of(box: Sandbox, display_id: int) -> dict[str, Any]:
    response = box.api("GET", f"conversations/{display_id}")
    assert response.status_code == 200, response.text
    return response.json()


def _counts(box: Sandbox) -> tuple[int, int]:
    state = box.control("GET", "state")
    return len(state["conversations"]), sum(len(c["messages"]) for c in state["conversations"])


def _send(box: Sandbox, visitor: Visitor, **params: Any) -> httpx2.Response:
    """POST /api/v1/widget/messages as JSON, with the spec's `message` hash (`content`, `timestamp`) by default."""
    body = {"website_token": visitor.website_token, "message": {"content": "hello world", "timestamp": "now"}}
    return widget_request(box, "POST", "messages", visitor.token, json={**body, **params})


def _put(box: Sandbox, visitor: Visitor, message_id: int, email: str | None) -> httpx2.Response:
    body = {"website_token": visitor.website_token, "contact": {"email": email}}
    return widget_request(box, "PUT", f"messages/{message_id}", visitor.token, json=body)


def _contact(box: Sandbox, contact_id: int) -> httpx2.Response:
    return box.api("GET", f"contacts/{contact_id}")


def _label(box: Sandbox, title: str) -> None:
    """The account's label `title` (the seed has some, `vip` among them)."""
    if title not in [x["title"] for x in box.api("GET", "labels").json()["payload"]]:
        response = box.api("POST", "labels", json={"title": title})
        assert response.status_code == 200, response.text


def _set_status(box: Sandbox, display_id: int, status: str) -> None:
    response = box.api("POST", f"conversations/{display_id}/toggle_status", json={"status": status})
    assert response.status_code == 200, response.text


def test_returns_messages_in_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'returns messages in conversation' (the two
    messages and the two the e-mail collect hook adds after the first)."""
    visitor = _visitor(sandbox)
    _conversation(sandbox, visitor)
    response = widget_request(
        sandbox, "GET", "messages", visitor.token, params={"website_token": visitor.website_token}
    )
    assert response.status_code == 200
    assert len(response.json()["payload"]) == 4
    assert response.json()["meta"]


def test_returns_empty_messages(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'returns empty messages' (a visitor with no
    conversation)."""
    visitor = _visitor(sandbox)
    response = widget_request(
        sandbox, "GET", "messages", visitor.token, params={"website_token": visitor.website_token}
    )
    assert response.status_code == 200
    assert response.json()["payload"] == []


def test_rejects_the_message_and_does_not_create_a_new_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'rejects the message and does not create a new
    conversation' (a resolved conversation on an inbox that does not allow messages after resolution)."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    updated = sandbox.api("PATCH", f"inboxes/{visitor.inbox_id}", json={"allow_messages_after_resolved": False})
    assert updated.status_code == 200, updated.text
    _set_status(sandbox, display_id, "resolved")
    before = _counts(sandbox)
    response = _send(sandbox, visitor)
    assert response.status_code == 403
    assert response.json()["error"] == "Conversation is resolved and does not accept new messages"
    assert _counts(sandbox) == before


def test_accepts_the_message_when_the_inbox_allows_messages_after_resolved(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'accepts the message when the inbox allows
    messages after resolved'. `messages.last` is read among the non-activity messages: the reopening's activity
    comes from a job the spec does not run."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    for allowed in (False, True):
        updated = sandbox.api("PATCH", f"inboxes/{visitor.inbox_id}", json={"allow_messages_after_resolved": allowed})
        assert updated.status_code == 200, updated.text
    _set_status(sandbox, display_id, "resolved")
    conversations_before, _ = _counts(sandbox)
    response = _send(sandbox, visitor)
    assert response.status_code == 200
    assert _counts(sandbox)[0] == conversations_before
    assert response.json()["conversation_id"] == display_id
    assert _chat(sandbox, display_id)[-1]["content"] == "hello world"


def test_creates_message_in_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'creates message in conversation' (no
    conversation yet: the message opens one)."""
    visitor = _visitor(sandbox)
    response = _send(sandbox, visitor)
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == "hello world"
    # the e-mail collect pair follows the visitor's first message
    saved = next(m for m in _messages(sandbox, body["conversation_id"]) if m["id"] == body["id"])
    assert saved["content"] == "hello world"


def test_creates_conversation_with_custom_attributes_when_first_message_is_sent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'creates conversation with custom_attributes
    when first message is sent'."""
    visitor = _visitor(sandbox)
    response = _send(sandbox, visitor, custom_attributes={"plan": "enterprise", "source": "website"})
    assert response.status_code == 200
    custom = _conversation_of(sandbox, response.json()["conversation_id"])["custom_attributes"]
    assert custom["plan"] == "enterprise" and custom["source"] == "website"


def test_creates_conversation_with_labels_when_first_message_is_sent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'creates conversation with labels when first
    message is sent'."""
    visitor = _visitor(sandbox)
    _label(sandbox, "vip")
    response = _send(sandbox, visitor, labels=["vip"])
    assert response.status_code == 200
    assert "vip" in _conversation_of(sandbox, response.json()["conversation_id"])["labels"]


def test_ignores_invalid_labels_when_creating_conversation_with_first_message(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'ignores invalid labels when creating
    conversation with first message'."""
    visitor = _visitor(sandbox)
    _label(sandbox, "valid-label")
    response = _send(sandbox, visitor, labels=["valid-label", "nonexistent"])
    assert response.status_code == 200
    labels = _conversation_of(sandbox, response.json()["conversation_id"])["labels"]
    assert "valid-label" in labels
    assert "nonexistent" not in labels


def test_does_not_apply_labels_or_custom_attributes_when_conversation_already_exists(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'does not apply labels or custom_attributes
    when conversation already exists'."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    _label(sandbox, "vip")
    response = _send(sandbox, visitor, custom_attributes={"plan": "enterprise"}, labels=["vip"])
    assert response.status_code == 200
    assert response.json()["conversation_id"] == display_id
    conversation = _conversation_of(sandbox, display_id)
    assert "plan" not in conversation["custom_attributes"]
    assert "vip" not in conversation["labels"]


def test_does_not_create_the_message(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'does not create the message' (content of
    150,001 characters)."""
    visitor = _visitor(sandbox)
    response = _send(sandbox, visitor, message={"content": "h" * 150_000 + "a", "timestamp": "now"})
    assert response.status_code == 422
    assert response.json()["message"] == "Content is too long (maximum is 150000 characters)"


def test_creates_message_in_conversation_with_a_valid_reply_to(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'creates message in conversation with a valid
    reply to'."""
    visitor = _visitor(sandbox)
    _, (first, _) = _conversation(sandbox, visitor)
    message = {"content": "hello world reply", "timestamp": "now", "reply_to": first}
    response = _send(sandbox, visitor, message=message)
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == "hello world reply"
    assert body["content_attributes"]["in_reply_to"] == first
    assert body["content_attributes"]["in_reply_to_external_id"] is None


def test_creates_message_in_conversation_with_an_in_valid_reply_to(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'creates message in conversation with an
    in-valid reply to'."""
    visitor = _visitor(sandbox)
    _, (first, _) = _conversation(sandbox, visitor)
    message = {"content": "hello world reply", "timestamp": "now", "reply_to": first + 300}
    response = _send(sandbox, visitor, message=message)
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == "hello world reply"
    assert body["content_attributes"]["in_reply_to"] is None
    assert body["content_attributes"]["in_reply_to_external_id"] is None


def test_creates_attachment_message_in_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'creates attachment message in conversation'
    (a multipart body)."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    form = {"website_token": visitor.website_token, "message[content]": "hello world", "message[timestamp]": "now"}
    files = {"message[attachments][]": ("avatar.png", PNG, "image/png")}
    response = widget_request(sandbox, "POST", "messages", visitor.token, data=form, files=files)
    assert response.status_code == 200, response.text
    assert response.json()["content"] == "hello world"
    (attachment,) = _messages(sandbox, display_id)[-1]["attachments"]
    assert attachment["file_type"] == "image"
    assert httpx2.get(attachment["data_url"], timeout=10, follow_redirects=True).content == PNG


def test_does_not_reopen_conversation_when_conversation_is_muted(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'does not reopen conversation when
    conversation is muted'."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    assert sandbox.api("POST", f"conversations/{display_id}/mute").status_code == 200
    response = _send(sandbox, visitor)
    assert response.status_code == 200
    assert _messages(sandbox, display_id)[-1]["content"] == "hello world"
    assert _conversation_of(sandbox, display_id)["status"] == "resolved"


def test_does_not_create_resolved_activity_messages_when_snoozed_conversation_is_opened(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'does not create resolved activity messages
    when snoozed conversation is opened'. The job the spec says is not enqueued is read as the activity it would
    write."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    _set_status(sandbox, display_id, "snoozed")
    response = _send(sandbox, visitor)
    assert response.status_code == 200
    assert _conversation_of(sandbox, display_id)["status"] == "open"
    activities = [m["content"] for m in _messages(sandbox, display_id) if m["message_type"] == 2]
    assert not any(text.startswith("Conversation was resolved by") for text in activities)


def _input_email(box: Sandbox, display_id: int) -> int:
    """A `content_type: 'input_email'` message, as the factory makes it (here the agent's)."""
    return _post_message(box, display_id, content_type="input_email")["id"]


def _submitted_email(box: Sandbox, display_id: int, message_id: int) -> Any:
    found = next(m for m in _messages(box, display_id) if m["id"] == message_id)
    return found["content_attributes"].get("submitted_email")


def test_does_not_update_the_foreign_message(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'does not update the foreign message' (an
    `input_email` message of another visitor of the same widget)."""
    visitor = _visitor(sandbox)
    _conversation(sandbox, visitor)
    other = _visitor(sandbox, visitor.website_token)
    other_display, _ = _conversation(sandbox, other)
    foreign = _input_email(sandbox, other_display)
    original = _submitted_email(sandbox, other_display, foreign)
    response = _put(sandbox, visitor, foreign, "someone@example.com")
    assert response.status_code == 404
    assert _submitted_email(sandbox, other_display, foreign) == original


def test_updates_message_in_conversation_and_creates_a_new_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'updates message in conversation and creates a
    new contact' (an e-mail no contact holds)."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    message_id = _input_email(sandbox, display_id)
    response = _put(sandbox, visitor, message_id, "maria.silva@example.com")
    assert response.status_code == 200
    assert _submitted_email(sandbox, display_id, message_id) == "maria.silva@example.com"
    contact = _conversation_of(sandbox, display_id)["meta"]["sender"]
    assert contact["email"] == "maria.silva@example.com"
    assert contact["name"] == "maria.silva"


def test_rescues_the_error(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'rescues the error' (`email: nil`)."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    response = _put(sandbox, visitor, _input_email(sandbox, display_id), None)
    assert response.status_code == 200


def _existing(box: Sandbox, email: str, name: str = "John Doe") -> int:
    response = box.api("POST", "contacts", json={"email": email, "name": name})
    assert response.status_code == 200, response.text
    return response.json()["payload"]["contact"]["id"]


def test_updates_message_in_conversation_and_deletes_the_current_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'updates message in conversation and deletes
    the current contact' (an e-mail another contact holds: the visitor merges into it, whose name stays)."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    message_id = _input_email(sandbox, display_id)
    existing = _existing(sandbox, "john.doe@example.com")
    response = _put(sandbox, visitor, message_id, "john.doe@example.com")
    assert response.status_code == 200
    assert _contact(sandbox, existing).json()["payload"]["name"] == "John Doe"
    assert _contact(sandbox, visitor.contact_id).status_code == 404


def test_ignores_the_casing_of_email_updates_message_in_conversation_and_deletes_the_current_contact(
    sandbox: Sandbox,
) -> None:
    """spec/controllers/api/v1/widget/messages_controller_spec.rb: it 'ignores the casing of email, updates message
    in conversation and deletes the current contact'."""
    visitor = _visitor(sandbox)
    display_id, _ = _conversation(sandbox, visitor)
    message_id = _input_email(sandbox, display_id)
    _existing(sandbox, "john.doe@example.com")
    response = _put(sandbox, visitor, message_id, "JOHN.DOE@EXAMPLE.COM")
    assert response.status_code == 200
    assert _contact(sandbox, visitor.contact_id).status_code == 404
