"""OnlineStatusTracker: who is online, as ActionCable's RoomChannel records it, with its expiry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .state import Store

PRESENCE_DURATION = 20.0  # OnlineStatusTracker::PRESENCE_DURATION (ENV PRESENCE_DURATION, default 20 s)
Kind = Literal["Contact", "User"]


@dataclass
class Presence:
    """The two sorted sets per account (`ONLINE_PRESENCE_CONTACTS`, `…_USERS`): id -> last seen (whole seconds)."""

    seen: dict[tuple[int, Kind], dict[int, int]] = field(default_factory=dict)

    def update(self, account_id: int, kind: Kind, obj_id: int, now: float) -> None:
        """`update_presence`: ZADD with `Time.now.to_i`, so a newer call moves the id to the end."""
        members = self.seen.setdefault((account_id, kind), {})
        members.pop(obj_id, None)
        members[obj_id] = int(now)

    def is_present(self, account_id: int, kind: Kind, obj_id: int, now: float) -> bool:
        """`get_presence`: seen strictly after now - PRESENCE_DURATION."""
        stamp = self.seen.get((account_id, kind), {}).get(obj_id)
        return stamp is not None and stamp > int(now - PRESENCE_DURATION)

    def available_ids(self, account_id: int, kind: Kind, now: float) -> list[int]:
        """`get_available_contact_ids` (and the users' range): ids seen since now - PRESENCE_DURATION, oldest
        first; older ones are dropped as the tracker's ZREMRANGEBYSCORE does."""
        start = int(now - PRESENCE_DURATION)
        members = self.seen.get((account_id, kind), {})
        for stale in [i for i, stamp in members.items() if stamp < start]:
            del members[stale]
        return sorted(members, key=lambda i: members[i])


def contact_online(store: Store, account_id: int, contact_id: int) -> bool:
    return store.presence.is_present(account_id, "Contact", contact_id, store.now())


def available_contact_ids(store: Store, account_id: int) -> list[int]:
    return store.presence.available_ids(account_id, "Contact", store.now())


def available_contacts(store: Store, account_id: int) -> dict[str, str]:
    """`get_available_contacts`: `{id: "online"}` with ids as the strings Redis holds."""
    return {str(i): "online" for i in available_contact_ids(store, account_id)}


def available_users(store: Store, account_id: int) -> dict[str, str]:
    """`get_available_users`: users seen lately plus those whose account user is not auto-offline, each with their
    availability."""
    ids = [str(i) for i in store.presence.available_ids(account_id, "User", store.now())]
    ids += [str(u.id) for u in store.account_users(account_id) if not u.auto_offline]
    return {i: store.users[int(i)].availability_status for i in dict.fromkeys(ids) if int(i) in store.users}
