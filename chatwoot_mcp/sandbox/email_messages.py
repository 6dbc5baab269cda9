"""MessageBuilder's email handling for a message in an email inbox: cc, bcc and to lists, a forward with the
forwarded message's chosen attachments, and the outgoing email's subject, HTML and text content."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from markdown_it import MarkdownIt

from .errors import unprocessable
from .parsing import present, to_int
from .state import OUTGOING, Attachment, Conversation, Message, Store

# URI::MailTo::EMAIL_REGEXP
EMAIL_RE = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
SEPARATORS = re.compile(r"[,;]")


@cache
def _markdown() -> MarkdownIt:
    """CommonMark, as ChatwootMarkdownRenderer's CommonMarker renders a reply's HTML."""
    return MarkdownIt("commonmark")


def _valid(address: str) -> bool:
    return EMAIL_RE.fullmatch(address) is not None


def _addresses(piece: str) -> list[str]:
    """One comma or semicolon separated piece: addresses separated by whitespace, or one address with stray
    whitespace inside (`user1 @example.com`)."""
    words = piece.split()
    if len(words) > 1 and all(_valid(word) for word in words):
        return words
    return ["".join(words)] if words else []


def email_list(value: Any) -> list[str]:
    """A list param (string with `,`, `;` or whitespace separators, or an array) as clean addresses; 422
    `Invalid email address` for any that is not one."""
    if value is None:
        return []
    items = [str(item) for item in value] if isinstance(value, list) else [str(value)]
    found = [address for item in items for piece in SEPARATORS.split(item) for address in _addresses(piece)]
    for address in found:
        if not _valid(address):
            raise unprocessable("Invalid email address")
    return found


def _forwarded(conv: Conversation, attributes: dict[str, Any]) -> Message:
    """The forwarded message, found among the conversation's (`@conversation.messages.find`)."""
    message_id = to_int(attributes.get("forwarded_message_id"))
    found = next((m for m in conv.messages if m.id == message_id), None)
    if found is None:
        raise unprocessable(
            f"Couldn't find Message with 'id'={attributes.get('forwarded_message_id')} "
            '[WHERE "messages"."conversation_id" = $1]'
        )
    return found


def forward(
    store: Store, conv: Conversation, params: dict[str, Any], attributes: dict[str, Any], private: bool
) -> list[Attachment]:
    """A forward: public, with a recipient; the attachments chosen among the forwarded message's share its blobs."""
    if private:
        raise unprocessable("Forwarded emails cannot be private")
    if not email_list(params.get("to_emails")):
        raise unprocessable("Forwarded emails need a recipient")
    source = _forwarded(conv, attributes)
    attributes["forwarded_message_id"] = source.id
    chosen = params.get("forwarded_attachment_ids")
    wanted = {to_int(item) for item in chosen} if isinstance(chosen, list) else set()
    return [
        Attachment(store.next_id("attachment"), conv.account_id, 0, item.file_type, item.blob, dict(item.meta))
        for item in source.attachments
        if item.id in wanted
    ]


def apply(
    params: dict[str, Any],
    attributes: dict[str, Any],
    *,
    content: str | None,
    private: bool,
    message_type: int,
) -> None:
    """The cc, bcc and to lists, then (a public outgoing message) the email's subject and content: the given
    `email_html_content`, else the content rendered from Markdown; the text is the content as written."""
    for key in ("cc_emails", "bcc_emails", "to_emails"):
        attributes[key] = email_list(params.get(key))
    if private or message_type != OUTGOING:
        return
    email: dict[str, Any] = {}
    subject = params.get("subject")
    if isinstance(subject, str) and present(subject):
        email["subject"] = subject.strip()
    custom = params.get("email_html_content")
    if present(custom) or present(content):
        html = str(custom) if present(custom) else _markdown().render(content or "").strip()
        email["html_content"] = {"full": html, "reply": html}
        email["text_content"] = {"full": content or "", "reply": content or ""}
    if email:
        attributes["email"] = email
