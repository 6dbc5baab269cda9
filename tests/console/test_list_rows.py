"""The list's rows: what each shows (worked out in Python once per row) and that the row template escapes it."""

from __future__ import annotations

import time
from typing import Any

from chatwoot_mcp.console import texts
from chatwoot_mcp.console.pages import list_rows
from chatwoot_mcp.console.sessions import Person, Session
from chatwoot_mcp.console.web import templates

ANA = Person(1, "Ana", "administrator", frozenset({1, 2}))


def session_of(person: Person) -> Session:
    return Session("sid", person, None, 0.0, 0.0, inboxes={1: "WhatsApp", 2: "Site"})  # type: ignore[arg-type]


def conversation(**fields: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "owner": "bot",
        "inbox_id": 1,
        "contact": {"id": 3, "name": "Cliente"},
        "unread_count": 0,
        "last_message": "Olá",
        "last_activity_at": int(time.time()) - 7200,
    } | fields


def test_a_row_shows_the_owner_from_the_viewers_side_the_contact_inbox_last_message_wait_and_unread() -> None:
    mine = {"id": 1, "name": "Ana", "type": "user"}
    bruno = {"id": 2, "name": "Bruno", "type": "user"}
    rows = list_rows(
        [
            conversation(),
            conversation(id=8, owner="human", assignee=mine, unread_count=3),
            conversation(id=9, owner="human", assignee=bruno, inbox_id=99, contact=None, last_message=None),
            conversation(id=10, owner="queue", last_activity_at=None),
        ],
        session_of(ANA),
        "BIA",
    )
    bot, yours, brunos, queued = rows
    assert (bot.id, bot.owner, bot.badge_class, bot.badge_text) == (7, "bot", "bot", "🤖 BIA")
    assert (bot.contact, bot.inbox, bot.last, bot.ago) == ("Cliente", "WhatsApp", "Olá", texts.AGO_HOURS.format(n=2))
    assert (bot.unread, bot.unread_title) == (0, "")
    assert (yours.badge_class, yours.badge_text) == ("you", texts.BADGE_YOU)
    assert (yours.unread, yours.unread_title) == (3, texts.UNREAD.format(count=3))
    assert (brunos.badge_class, brunos.badge_text) == ("human", texts.BADGE_HUMAN.format(name="Bruno"))
    assert (brunos.contact, brunos.inbox, brunos.last) == ("—", "", "")
    assert (queued.badge_text, queued.ago) == (texts.BADGE_QUEUE, "")


def test_the_row_template_escapes_what_customers_wrote() -> None:
    rows = list_rows(
        [conversation(contact={"id": 3, "name": "<b>Eve</b>"}, last_message='<script>alert("x")</script>')],
        session_of(ANA),
        "BIA",
    )
    html = templates.get_template("_row.html").render(rows=rows)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert 'data-id="7"' in html and 'hx-trigger="sse:conv-7 delay:50ms"' in html
