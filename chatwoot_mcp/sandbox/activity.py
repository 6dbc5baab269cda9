"""The activity messages Chatwoot's ActivityMessageHandler writes when a person or a bot changes a conversation."""

from __future__ import annotations

from typing import Any

from .state import Conversation, Store

BOT_FAILURE_TEXT = "Conversation was marked open by system due to an error with the agent bot."
# conversations.activity.status.system_auto_open: a contact's message reopened a resolved conversation of an API inbox
SYSTEM_REOPEN_TEXT = "System reopened the conversation due to a new incoming message."


def _status(conv: Conversation, name: str) -> str:
    return {
        "open": f"Conversation was reopened by {name}",
        "resolved": f"Conversation was marked resolved by {name}",
        "pending": f"Conversation was marked as pending by {name}",
        "snoozed": f"Conversation was snoozed by {name}",
    }[conv.status]


def _priority(conv: Conversation, before: dict[str, Any], name: str) -> str:
    if conv.priority is None:
        return f"{name} removed priority"
    if before["priority"] is None:
        return f"{name} set the priority to {conv.priority}"
    return f"{name} changed the priority from {before['priority']} to {conv.priority}"


def _labels(conv: Conversation, before: dict[str, Any], name: str) -> list[str]:
    added = [label for label in conv.labels if label not in before["label_list"]]
    removed = [label for label in before["label_list"] if label not in conv.labels]
    texts = []
    if added:
        texts.append(f"{name} added {', '.join(added)}")
    if removed:
        texts.append(f"{name} removed {', '.join(removed)}")
    return texts


def assignee_name(store: Store, conv: Conversation) -> str | None:
    if conv.assignee_agent_bot_id in store.bots:
        return store.bots[conv.assignee_agent_bot_id].name
    if conv.assignee_id in store.users:
        return store.users[conv.assignee_id].name
    return None


def _assignee(store: Store, conv: Conversation, name: str) -> str:
    assignee = assignee_name(store, conv)
    if assignee is None:
        return f"Conversation unassigned by {name}"
    if assignee == name:
        return f"{name} self-assigned this conversation"
    return f"Assigned to {assignee} by {name}"


def _team(store: Store, conv: Conversation, before: dict[str, Any], name: str) -> list[str]:
    if conv.team_id is not None and conv.team_id in store.teams:
        return [f"Assigned to {store.teams[conv.team_id].name} by {name}"]
    if before["team_id"] in store.teams:
        return [f"Unassigned from {store.teams[before['team_id']].name} by {name}"]
    return []


def texts(store: Store, conv: Conversation, before: dict[str, Any], changed: list[str], name: str) -> list[str]:
    """The activity messages for one save by `name`, in the order Chatwoot enqueues them."""
    found: list[str] = []
    if "status" in changed:
        found.append(_status(conv, name))
    if "priority" in changed:
        found.append(_priority(conv, before, name))
    if "label_list" in changed:
        found.extend(_labels(conv, before, name))
    if "assignee_id" in changed or "assignee_agent_bot_id" in changed:
        found.append(_assignee(store, conv, name))
    if "team_id" in changed:
        found.extend(_team(store, conv, before, name))
    return found
