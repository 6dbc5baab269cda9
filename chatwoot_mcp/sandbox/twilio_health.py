"""Twilio::HealthService#perform and Twilio::WebhookSetupService#perform for a Twilio SMS channel (read at
chatwoot/chatwoot@03c9b669 and the stored version index id 66386651270): what Twilio has configured for the
number or messaging service against the sandbox's `/twilio/callback`, and pointing it there. The sandbox's Twilio
channels have no voice, so only the messaging webhook is checked."""

from __future__ import annotations

from typing import Any

from .twilio_rest import RestError, TwilioClient

HTTP_METHOD = "POST"  # Chatwoot's Twilio routes are POST-only


class NumberNotFound(Exception):
    pass


def callback_url(frontend_url: str) -> str:
    """`twilio_callback_index_url`."""
    return f"{frontend_url}/twilio/callback"


def _webhook(name: str, expected: str, actual: Any, method: Any = None, override: str | None = None) -> dict[str, Any]:
    actual = actual or None
    if override:
        reason: str | None = override
    elif actual is None:
        reason = "not_set"
    elif actual != expected:
        reason = "url_mismatch"
    elif method != HTTP_METHOD:
        reason = "wrong_http_method"
    else:
        reason = None
    return {
        "name": name,
        "expected": expected,
        "actual": actual,
        "method": method,
        "configured": reason is None,
        "reason": reason,
    }


async def _number(client: TwilioClient, phone_number: str) -> dict[str, Any]:
    found = await client.incoming_phone_numbers(phone_number)
    if not found:
        raise NumberNotFound(f"Phone number {phone_number} was not found in the connected Twilio account")
    return found[0]


async def _account(client: TwilioClient) -> dict[str, Any] | None:
    """Supplementary only: a restricted API key may not read the Account resource."""
    try:
        account = await client.fetch_account()
    except RestError:
        return None
    return {key: account.get(key) for key in ("sid", "friendly_name", "status", "type")}


async def health(channel: dict[str, Any], client: TwilioClient, frontend_url: str) -> dict[str, Any]:
    expected = callback_url(frontend_url)
    service_sid = channel.get("messaging_service_sid")
    if service_sid:
        service = await client.fetch_service(service_sid)
        override = "overridden_by_number" if service.get("use_inbound_webhook_on_number") else None
        webhooks = [
            _webhook("messaging", expected, service.get("inbound_request_url"), service.get("inbound_method"), override)
        ]
        sender: dict[str, Any] = {
            "type": "messaging_service",
            "sid": service.get("sid"),
            "label": service.get("friendly_name"),
        }
    else:
        number = await _number(client, str(channel.get("phone_number")))
        override = "overridden_by_application" if number.get("sms_application_sid") else None
        webhooks = [_webhook("messaging", expected, number.get("sms_url"), number.get("sms_method"), override)]
        sender = {
            "type": "phone_number",
            "sid": number.get("sid"),
            "label": number.get("phone_number"),
            "friendly_name": number.get("friendly_name"),
            "capabilities": {str(k).lower(): v for k, v in (number.get("capabilities") or {}).items()},
        }
    return {
        "status": "healthy" if all(w["configured"] for w in webhooks) else "misconfigured",
        "account": await _account(client),
        "sender": sender,
        "voice_enabled": False,
        "webhooks": webhooks,
    }


async def register_webhook(channel: dict[str, Any], client: TwilioClient, frontend_url: str) -> None:
    """The messaging service's or the number's inbound webhook, set to the callback; a number Twilio does not
    list is only logged by Chatwoot (TWILIO_PHONE_NUMBER_NOT_FOUND), and the answer is still a success."""
    url = callback_url(frontend_url)
    service_sid = channel.get("messaging_service_sid")
    if service_sid:
        form = {"InboundMethod": HTTP_METHOD, "InboundRequestUrl": url, "UseInboundWebhookOnNumber": "false"}
        await client.update_service(service_sid, form)
        return
    found = await client.incoming_phone_numbers(str(channel.get("phone_number")))
    if found:
        await client.update_incoming_phone_number(str(found[0].get("sid")), {"SmsMethod": HTTP_METHOD, "SmsUrl": url})
