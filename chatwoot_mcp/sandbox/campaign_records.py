"""A Campaign row (Chatwoot's `campaigns` table), kept apart from state.py so that module stays small."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Campaign:
    id: int
    display_id: int  # per account, as the `camp_dpid_seq_<account>` trigger numbers them; the API's `id`
    account_id: int
    inbox_id: int
    title: str
    message: str
    created_at: float
    description: str | None = None
    sender_id: int | None = None
    enabled: bool = True
    campaign_type: str = "ongoing"  # "one_off" on SMS, Twilio SMS and WhatsApp inboxes
    campaign_status: str = "active"
    scheduled_at: float | None = None
    audience: list[Any] = field(default_factory=list)
    trigger_rules: dict[str, Any] = field(default_factory=dict)
    trigger_only_during_business_hours: bool = False
    template_params: dict[str, Any] | None = None
