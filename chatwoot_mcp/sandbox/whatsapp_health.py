"""Whatsapp::HealthService#fetch_health_status for a WhatsApp Cloud inbox: one Graph API read of the phone number.

Read at the stored version whose answer matches inboxes_controller_spec.rb's stub (code index id 51966370962: the
fields, the formatted keys, `business_id` from the provider config, the failure message). The later stored version
(id 60135468443) adds what this one lacks and the reauthorization rows need: an error with Meta's code 190 (the
access token was refused) counts one of Reauthorizable's authorization errors."""

from __future__ import annotations

from typing import Any

from . import reauthorizable
from .outside import Answer, call, not_reached

API_VERSION = "v22.0"  # GlobalConfigService.load('WHATSAPP_API_VERSION', 'v22.0')
FIELDS = (
    "id",
    "quality_rating",
    "messaging_limit_tier",
    "code_verification_status",
    "account_mode",
    "display_phone_number",
    "name_status",
    "verified_name",
    "webhook_configuration",
    "throughput",
    "last_onboarded_time",
    "platform_type",
    "certificate",
)
AUTHORIZATION_ERROR_CODE = 190  # Graph API: the access token is invalid or expired


class HealthError(Exception):
    """What the service raises; InboxHealthManagement#health renders its message as a 422."""


def _validate(config: dict[str, Any]) -> None:
    """`validate_channel!`: ArgumentErrors before any request."""
    if not config.get("api_key"):
        raise HealthError("API key is missing")
    if not config.get("phone_number_id"):
        raise HealthError("Phone number ID is missing")


def _failed(channel: dict[str, Any], answer: Answer) -> HealthError:
    body = answer.json()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and str(error.get("code")) == str(AUTHORIZATION_ERROR_CODE):
        reauthorizable.authorization_error(channel)
    return HealthError(f"WhatsApp API request failed: {answer.status} - {answer.text}")


async def fetch_health_status(channel: dict[str, Any], graph_url: str | None, frontend_url: str) -> dict[str, Any]:
    """The formatted health of the channel's phone number; HealthError for anything Chatwoot would raise."""
    config = channel.get("provider_config") or {}
    _validate(config)
    if graph_url is None:
        raise not_reached("Meta's Graph API")
    try:
        answer = await call(
            "GET",
            f"{graph_url}/{API_VERSION}/{config['phone_number_id']}",
            params={"fields": ",".join(FIELDS), "access_token": config["api_key"]},
        )
    except ConnectionError as exc:
        raise HealthError(str(exc)) from None
    if not answer.ok:
        raise _failed(channel, answer)
    data = answer.json()
    data = data if isinstance(data, dict) else {}
    return {
        "id": data.get("id"),
        "display_phone_number": data.get("display_phone_number"),
        "verified_name": data.get("verified_name"),
        "name_status": data.get("name_status"),
        "quality_rating": data.get("quality_rating"),
        "messaging_limit_tier": data.get("messaging_limit_tier"),
        "account_mode": data.get("account_mode"),
        "code_verification_status": data.get("code_verification_status"),
        "webhook_configuration": data.get("webhook_configuration"),
        "expected_webhook_url": f"{frontend_url}/webhooks/whatsapp",
        "throughput": data.get("throughput"),
        "last_onboarded_time": data.get("last_onboarded_time"),
        "platform_type": data.get("platform_type"),
        "certificate": data.get("certificate"),
        "business_id": config.get("business_account_id"),
    }
