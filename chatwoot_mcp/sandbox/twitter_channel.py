"""Channel::TwitterProfile: Chatwoot makes one only in Twitter's OAuth callback, so the sandbox makes one through
`POST /_sandbox/twitter_inboxes` (the specs' `create(:channel_twitter_profile)`); its one editable attribute and
the `_inbox` jbuilder's `tweets_enabled`."""

from __future__ import annotations

import secrets
from typing import Any

from .inbox_settings import default_settings
from .parsing import to_bool
from .state import Inbox, Store

TWITTER = "Channel::TwitterProfile"
EDITABLE = ("tweets_enabled",)


def changes(params: dict[str, Any]) -> dict[str, Any]:
    """`Channel::TwitterProfile::EDITABLE_ATTRS`, cast as the boolean column casts them."""
    channel = params.get("channel")
    if not isinstance(channel, dict):
        return {}
    return {key: to_bool(channel[key]) for key in EDITABLE if key in channel}


def twitter_keys(record: Inbox) -> dict[str, Any]:
    return {"tweets_enabled": record.channel["tweets_enabled"]}


def create_inbox(store: Store, account_id: int, name: str, tweets_enabled: bool) -> Inbox:
    """A connected Twitter profile's inbox, as the OAuth callback leaves it (no members, UTC)."""
    same_kind = [i.channel_id for i in store.inboxes.values() if i.channel_type == TWITTER]
    inbox = Inbox(
        id=store.next_id("inbox"),
        account_id=account_id,
        channel_id=store.next_id(f"channel:{TWITTER}", max(same_kind, default=0) + 1),
        name=name,
        inbox_identifier="",
        secret=secrets.token_urlsafe(18),
        hmac_token=secrets.token_urlsafe(18),
        member_ids=set(),
        channel_type=TWITTER,
        settings={**default_settings(), "timezone": "UTC"},
        channel={"profile_id": str(secrets.randbelow(10**12)), "tweets_enabled": tweets_enabled},
        created_at=store.now(),
    )
    store.inboxes[inbox.id] = inbox
    return inbox
