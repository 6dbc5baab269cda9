"""Ports of spec/builders/messages/message_builder_spec.rb's email-channel contexts, seen through
POST .../messages in a conversation of an email inbox made with POST /inboxes."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx2
import pytest

from tests.conftest import Sandbox

from .support import PNG

_numbers = itertools.count(1)


@pytest.fixture
def email_conv(sandbox: Sandbox) -> int:
    """`create(:channel_email)` and a conversation of its inbox with John (john@example.com): its display id."""
    number = next(_numbers)
    inbox = sandbox.api(
        "POST", "inboxes", json={"name": "Email", "channel": {"type": "email", "email": f"care{number}@example.com"}}
    )
    assert inbox.status_code == 200, inbox.text
    contact = sandbox.api("POST", "contacts", json={"name": "John", "email": f"john{number}@example.com"})
    assert contact.status_code == 200, contact.text
    contact_id = contact.json()["payload"]["contact"]["id"]
    conv = sandbox.api("POST", "conversations", json={"inbox_id": inbox.json()["id"], "contact_id": contact_id})
    assert conv.status_code == 200, conv.text
    return conv.json()["id"]


def _post(box: Sandbox, conv: int, **body: Any) -> httpx2.Response:
    return box.api("POST", f"conversations/{conv}/messages", json=body)


def _create(box: Sandbox, conv: int, **body: Any) -> dict[str, Any]:
    response = _post(box, conv, **body)
    assert response.status_code == 200, response.text
    return response.json()


def _email(message: dict[str, Any]) -> dict[str, Any] | None:
    return message["content_attributes"].get("email")


def _count(box: Sandbox, conv: int) -> int:
    return len(box.api("GET", f"conversations/{conv}/messages").json()["payload"])


def test_creates_throws_error_when_channel_is_not_api(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'creates throws error when channel is not api'."""
    response = _post(sandbox, email_conv, content="test", message_type="incoming")
    assert response.status_code == 422
    assert response.json() == {"error": "Incoming messages are only allowed in Api inboxes"}


def test_creates_message_with_content_attributes_for_cc_and_bcc_email_addresses(
    sandbox: Sandbox, email_conv: int
) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'creates message with content_attributes for cc and bcc
    email addresses'."""
    message = _create(sandbox, email_conv, cc_emails="test_cc_mail@test.com", bcc_emails="test_bcc_mail@test.com")
    assert message["content_attributes"]["cc_emails"] == ["test_cc_mail@test.com"]
    assert message["content_attributes"]["bcc_emails"] == ["test_bcc_mail@test.com"]


def test_does_not_create_message_with_wrong_cc_and_bcc_email_addresses(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'does not create message with wrong cc and bcc email
    addresses'."""
    before = _count(sandbox, email_conv)
    response = _post(sandbox, email_conv, cc_emails="test.com", bcc_emails="test_bcc.com")
    assert response.status_code == 422
    assert response.json() == {"error": "Invalid email address"}
    assert _count(sandbox, email_conv) == before


def test_strips_off_whitespace_before_saving_cc_emails_and_bcc_emails(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'strips off whitespace before saving cc_emails and
    bcc_emails'."""
    message = _create(
        sandbox,
        email_conv,
        cc_emails=" test1@test.com , test2@test.com, test3@test.com",
        bcc_emails="test1@test.com,test2@test.com, test3@test.com ",
    )
    expected = ["test1@test.com", "test2@test.com", "test3@test.com"]
    assert message["content_attributes"]["cc_emails"] == expected
    assert message["content_attributes"]["bcc_emails"] == expected


def test_handles_semicolon_whitespace_separated_and_array_email_lists(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'handles semicolon, whitespace separated, and array email
    lists'."""
    message = _create(
        sandbox,
        email_conv,
        cc_emails="test1@test.com; test2@test.com test3@test.com",
        bcc_emails=["test4@test.com", " test5@test.com "],
    )
    assert message["content_attributes"]["cc_emails"] == ["test1@test.com", "test2@test.com", "test3@test.com"]
    assert message["content_attributes"]["bcc_emails"] == ["test4@test.com", "test5@test.com"]


def test_normalizes_incidental_whitespace_within_individual_email_addresses(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'normalizes incidental whitespace within individual email
    addresses'."""
    message = _create(
        sandbox, email_conv, cc_emails="user1 @example.com, user2@ example.com", bcc_emails="user3 @example.com"
    )
    assert message["content_attributes"]["cc_emails"] == ["user1@example.com", "user2@example.com"]
    assert message["content_attributes"]["bcc_emails"] == ["user3@example.com"]


def test_saves_the_subject_on_the_message(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'saves the subject on the message'."""
    email = _email(_create(sandbox, email_conv, content="test", subject="Refund approved"))
    assert email is not None and email["subject"] == "Refund approved"
    assert email["html_content"]["full"]


def test_does_not_save_a_blank_subject(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'does not save a blank subject'."""
    email = _email(_create(sandbox, email_conv, content="test", subject=" "))
    assert email is not None and "subject" not in email


def test_does_not_save_the_subject_on_a_private_note(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'does not save the subject on a private note'."""
    assert _email(_create(sandbox, email_conv, content="test", subject="Refund approved", private=True)) is None


def _with_attachment(box: Sandbox, conv: int) -> tuple[int, int]:
    """A message of the conversation with one image: its id and its attachment's id (the spec's is incoming; the
    builder does not look at the forwarded message's type)."""
    response = box.api(
        "POST",
        f"conversations/{conv}/messages",
        data={"content": "photo"},
        files={"attachments[]": ("avatar.png", PNG, "image/png")},
    )
    assert response.status_code == 200, response.text
    return response.json()["id"], response.json()["attachments"][0]["id"]


def _forward(box: Sandbox, conv: int, forwarded: int, attachment_ids: list[int], **extra: Any) -> httpx2.Response:
    body = {
        "content": "Forwarding this",
        "private": "false",
        "to_emails": "vendor@example.com",
        "email_html_content": "<p>Forwarding this</p><p>Edited body</p>",
        "content_attributes": json.dumps({"forwarded_message_id": forwarded}),
        "forwarded_attachment_ids": attachment_ids,
        **extra,
    }
    return box.api("POST", f"conversations/{conv}/messages", json=body)


def test_copies_the_selected_attachments_of_the_forwarded_message(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'copies the selected attachments of the forwarded
    message'."""
    forwarded, attachment = _with_attachment(sandbox, email_conv)
    source = sandbox.api("GET", f"conversations/{email_conv}/messages").json()["payload"][-1]
    response = _forward(sandbox, email_conv, forwarded, [attachment])
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["content_attributes"]["forwarded_message_id"] == forwarded
    assert message["content_attributes"]["to_emails"] == ["vendor@example.com"]
    assert [a["data_url"] for a in message["attachments"]] == [source["attachments"][0]["data_url"]]


def test_keeps_the_edited_html_when_the_private_flag_arrives_as_a_multipart_string(
    sandbox: Sandbox, email_conv: int
) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'keeps the edited html when the private flag arrives as a
    multipart string'."""
    forwarded, attachment = _with_attachment(sandbox, email_conv)
    response = _forward(sandbox, email_conv, forwarded, [attachment])
    assert response.status_code == 200, response.text
    assert response.json()["private"] is False
    email = _email(response.json())
    assert email is not None and email["html_content"]["reply"] == "<p>Forwarding this</p><p>Edited body</p>"


def test_rejects_a_private_forward(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'rejects a private forward'."""
    forwarded, attachment = _with_attachment(sandbox, email_conv)
    response = _forward(sandbox, email_conv, forwarded, [attachment], private=True)
    assert response.status_code == 422
    assert response.json() == {"error": "Forwarded emails cannot be private"}


def test_ignores_attachments_that_do_not_belong_to_the_forwarded_message(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'ignores attachments that do not belong to the forwarded
    message'."""
    forwarded, _ = _with_attachment(sandbox, email_conv)
    _, other_attachment = _with_attachment(sandbox, email_conv)
    response = _forward(sandbox, email_conv, forwarded, [other_attachment])
    assert response.status_code == 200, response.text
    assert response.json().get("attachments", []) == []


def test_raises_when_the_forwarded_message_belongs_to_another_conversation(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'raises when the forwarded message belongs to another
    conversation' (messages#create rescues the RecordNotFound as a 422)."""
    elsewhere = sandbox.api("POST", "conversations/1/messages", json={"content": "elsewhere"}).json()["id"]
    before = _count(sandbox, email_conv)
    response = _forward(sandbox, email_conv, elsewhere, [])
    assert response.status_code == 422
    assert response.json()["error"].startswith(f"Couldn't find Message with 'id'={elsewhere}")
    assert _count(sandbox, email_conv) == before


def test_raises_when_no_recipient_is_given(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'raises when no recipient is given'."""
    forwarded, attachment = _with_attachment(sandbox, email_conv)
    response = _forward(sandbox, email_conv, forwarded, [attachment], to_emails="")
    assert response.status_code == 422
    assert response.json() == {"error": "Forwarded emails need a recipient"}


def test_creates_message_with_custom_html_email_content(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'creates message with custom HTML email content'."""
    html = "<p>Custom <strong>HTML</strong> content</p>"
    email = _email(_create(sandbox, email_conv, content="Regular message content", email_html_content=html))
    assert email is not None
    assert email["html_content"] == {"full": html, "reply": html}
    assert email["text_content"] == {"full": "Regular message content", "reply": "Regular message content"}


def test_does_not_process_custom_email_content_for_private_messages(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'does not process custom email content for private
    messages'."""
    message = _create(
        sandbox,
        email_conv,
        content="Regular message content",
        email_html_content="<p>Custom HTML content</p>",
        private=True,
    )
    email = _email(message) or {}
    assert email.get("html_content") is None and email.get("text_content") is None


def test_falls_back_to_default_behavior_when_no_custom_email_content_is_provided(
    sandbox: Sandbox, email_conv: int
) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'falls back to default behavior when no custom email
    content is provided'."""
    email = _email(_create(sandbox, email_conv, content="Regular **markdown** content"))
    assert email is not None
    assert "<strong>markdown</strong>" in email["html_content"]["full"]
    assert email["text_content"]["full"] == "Regular **markdown** content"


def _john(box: Sandbox, conv: int) -> dict[str, Any]:
    return box.api("GET", f"conversations/{conv}").json()["meta"]["sender"]


def test_processes_liquid_variables_in_email_content(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'processes liquid variables in email content'."""
    address = _john(sandbox, email_conv)["email"]
    email = _email(_create(sandbox, email_conv, content="Hello {{contact.name}}, your email is {{contact.email}}"))
    assert email is not None
    assert "Hello John" in email["html_content"]["full"] and address in email["html_content"]["full"]
    assert email["text_content"]["full"] == f"Hello John, your email is {address}"


def test_does_not_process_liquid_in_code_blocks(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'does not process liquid in code blocks'."""
    email = _email(_create(sandbox, email_conv, content="Hello {{contact.name}}, use this code: `{{contact.email}}`"))
    assert email is not None
    assert email["text_content"]["full"] == "Hello John, use this code: `{{contact.email}}`"


def test_handles_broken_liquid_syntax_gracefully(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'handles broken liquid syntax gracefully'."""
    email = _email(_create(sandbox, email_conv, content="Hello {{contact.name}  {{invalid}}"))
    assert email is not None
    assert email["text_content"]["full"] == "Hello {{contact.name}  {{invalid}}"


def test_does_not_process_liquid_for_private_messages(sandbox: Sandbox, email_conv: int) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'does not process liquid for private messages'."""
    email = _email(_create(sandbox, email_conv, content="Hello {{contact.name}}", private=True)) or {}
    assert email.get("html_content") is None and email.get("text_content") is None
