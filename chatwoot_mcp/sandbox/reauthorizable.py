"""Reauthorizable (app/models/concerns/reauthorizable.rb): a channel counts the provider's authorization errors and,
past its threshold, is flagged for reauthorization. Chatwoot keeps both in Redis; here they live on the channel."""

from __future__ import annotations

from typing import Any

AUTHORIZATION_ERROR_THRESHOLD = 2  # the concern's default; Channel::Whatsapp does not override it
COUNT = "authorization_error_count"
FLAG = "reauthorization_required"


def authorization_error(channel: dict[str, Any], threshold: int = AUTHORIZATION_ERROR_THRESHOLD) -> None:
    """`authorization_error!`: count one, and prompt the reauthorization once the count reaches the threshold."""
    channel[COUNT] = channel.get(COUNT, 0) + 1
    if channel[COUNT] >= threshold:
        prompt_reauthorization(channel)


def prompt_reauthorization(channel: dict[str, Any]) -> None:
    """`prompt_reauthorization!` (its e-mail to the administrators has no counterpart here)."""
    channel[FLAG] = True


def reauthorization_required(channel: dict[str, Any]) -> bool:
    return bool(channel.get(FLAG))


def reauthorized(channel: dict[str, Any]) -> None:
    """`reauthorized!`: the count and the flag go (InboxesController#update calls it before changing a channel)."""
    channel.pop(COUNT, None)
    channel.pop(FLAG, None)
