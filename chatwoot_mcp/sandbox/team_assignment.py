"""AssignmentHandler#find_assignee_from_team: a conversation given to a team that auto-assigns goes to an available
member of both the team and the inbox."""

from __future__ import annotations

from .state import Conversation, Store


def team_assignee(store: Store, conv: Conversation) -> int | None:
    """The first available member by id (the round robin's first turn): online and not auto-offline, since the
    sandbox has no presence; None when the team does not auto-assign or nobody is available."""
    team = store.teams.get(conv.team_id or 0)
    if team is None or not team.allow_auto_assign:
        return None
    members = sorted(store.inboxes[conv.inbox_id].member_ids & team.member_ids)
    available = [i for i in members if i in store.users and not store.users[i].auto_offline]
    return next((i for i in available if store.users[i].availability_status == "online"), None)
