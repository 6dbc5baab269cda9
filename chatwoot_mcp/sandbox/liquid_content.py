"""Liquidable: an outgoing or template message's content is a Liquid template over the contact, agent,
conversation, inbox and account drops (every channel, private notes too); code spans stay literal, and content
whose Liquid does not parse is kept as written."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import liquid

from .state import AgentBot, Conversation, Store, User

CODE_SPAN = re.compile(r"`(.*?)`", re.DOTALL)


@cache
def _environment() -> liquid.Environment:
    return liquid.Environment()


def _words(name: str | None) -> list[str]:
    return [word.capitalize() for word in (name or "").split()]


def _person(name: str | None, email: str | None, phone_number: str | None = None) -> dict[str, Any]:
    """ContactDrop / UserDrop: the name capitalized word by word, first and last names for a name of two words
    or more."""
    words = _words(name)
    return {
        "name": " ".join(words),
        "email": email,
        "phone_number": phone_number,
        "first_name": words[0] if len(words) > 1 else None,
        "last_name": words[-1] if len(words) > 1 else None,
    }


def _drops(store: Store, conv: Conversation, sender: tuple[str, int] | None) -> dict[str, Any]:
    contact = store.contacts[conv.contact_id]
    agent: dict[str, Any] = {}
    kind, sender_id = sender or ("User", conv.assignee_id or 0)  # `sender || conversation.assignee`
    if kind == "User" and sender_id in store.users:
        user: User = store.users[sender_id]
        agent = {**_person(user.name, user.email), "available_name": user.name}
    elif kind == "AgentBot" and sender_id in store.bots:
        bot: AgentBot = store.bots[sender_id]
        agent = {"name": bot.name}
    account = store.accounts.get(conv.account_id)
    return {
        "contact": _person(contact.name, contact.email, contact.phone_number),
        "agent": agent,
        "conversation": {"display_id": conv.display_id},
        "inbox": {"name": store.inboxes[conv.inbox_id].name},
        "account": {"name": account.name if account else None},
    }


def render(store: Store, conv: Conversation, sender: tuple[str, int] | None, content: str) -> str:
    """Liquidable#process_liquid_in_content for a message about to be created."""
    source = CODE_SPAN.sub(lambda m: "{% raw %}`" + m.group(1) + "`{% endraw %}", content)
    try:
        return _environment().from_string(source).render(**_drops(store, conv, sender))
    except liquid.exceptions.LiquidError:
        return content
