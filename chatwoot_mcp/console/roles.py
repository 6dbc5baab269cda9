"""Who sees what ("Permissões" in the design): administrators everything; agents what is assigned to them, plus,
when the operator allows it, the bot's and the waiting conversations of their inboxes. Pure functions, checked
on the list, the conversation page, the live stream and every action."""

from __future__ import annotations

from typing import Any

from chatwoot_mcp.console.sessions import Person

# owner tab -> the list tool's (status, assignee_type)
OWNER_QUERIES: dict[str, tuple[str, str]] = {
    "all": ("all", "all"),
    "bot": ("bot", "unassigned"),
    "queue": ("open", "unassigned"),
    "human": ("open", "assigned"),
    "mine": ("all", "me"),
    "closed": ("resolved", "all"),
    "snoozed": ("snoozed", "all"),
}
QUEUE_OWNERS = ("bot", "queue")


def owner_tabs(person: Person, agents_see_queue: bool) -> list[str]:
    if person.is_admin:
        return list(OWNER_QUERIES)
    return ["mine", *QUEUE_OWNERS] if agents_see_queue else ["mine"]


def default_owner(person: Person) -> str:
    return "all" if person.is_admin else "mine"


def may_see(person: Person, conversation: dict[str, Any], agents_see_queue: bool) -> bool:
    """`conversation` is a tool result (ConversationSummary's fields: owner, assignee, inbox_id)."""
    if person.is_admin:
        return True
    assignee = conversation.get("assignee") or {}
    if assignee.get("type", "user") == "user" and assignee.get("id") == person.id:
        return True
    owner = conversation.get("owner")
    return agents_see_queue and owner in QUEUE_OWNERS and conversation.get("inbox_id") in person.inbox_ids


def may_take_over(person: Person, conversation: dict[str, Any], agents_see_queue: bool) -> bool:
    return may_see(person, conversation, agents_see_queue)


def may_see_event(person: Person, facts: dict[str, Any], agents_see_queue: bool) -> bool:
    """Whether a live event about a conversation concerns this viewer: `facts` holds what the webhook said now
    (assignee_id, inbox_id, owner) and who it was assigned to before (previous_assignee_id), so an agent also
    hears that a conversation left them."""
    if person.is_admin:
        return True
    if person.id in (facts.get("assignee_id"), facts.get("previous_assignee_id")):
        return True
    return (
        agents_see_queue
        and facts.get("inbox_id") in person.inbox_ids
        and (facts.get("owner") in QUEUE_OWNERS or facts.get("previous_owner") in QUEUE_OWNERS)
    )
