"""The few Twilio REST calls Chatwoot makes through twilio-ruby for a Twilio SMS channel's health and webhook:
the account, the account's incoming phone numbers, a messaging service. Failures raise RestError with
twilio-ruby's message (`[HTTP 401] 20003 : Unable to fetch page` and Twilio's own message and link)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .outside import Answer, Outside, call, not_reached

API_VERSION = "2010-04-01"


class RestError(Exception):
    """Twilio::REST::RestError: Twilio answered an error status."""

    def __init__(self, action: str, answer: Answer) -> None:
        body = answer.json()
        body = body if isinstance(body, dict) else {}
        message = f"[HTTP {answer.status}] {body.get('code', answer.status)} : {action}"
        for key in ("message", "details"):
            if body.get(key):
                message += f"\n{body[key]}"
        if body.get("more_info"):
            message += f"\n{body['more_info']}\n\n"
        super().__init__(message)


@dataclass(frozen=True)
class TwilioClient:
    """Channel::TwilioSms#client: an API key signs in with the auth token as its secret, for the channel's account."""

    api_url: str | None
    messaging_url: str | None
    username: str
    password: str
    account_sid: str

    @classmethod
    def for_channel(cls, channel: dict[str, Any], outside: Outside) -> TwilioClient:
        account_sid = str(channel.get("account_sid") or "")
        username = str(channel.get("api_key_sid") or account_sid)
        password = str(channel.get("auth_token") or "")
        return cls(outside.twilio_api_url, outside.twilio_messaging_url, username, password, account_sid)

    async def _request(
        self, base: str | None, host: str, action: str, method: str, path: str, **kwargs: Any
    ) -> dict[str, Any]:
        if base is None:
            raise not_reached(host)
        answer = await call(method, f"{base}{path}", auth=(self.username, self.password), **kwargs)
        if not answer.ok:
            raise RestError(action, answer)
        body = answer.json()
        return body if isinstance(body, dict) else {}

    def _account_path(self, suffix: str = "") -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}{suffix}.json"

    async def fetch_account(self) -> dict[str, Any]:
        return await self._request(self.api_url, "Twilio's API", "Unable to fetch record", "GET", self._account_path())

    async def incoming_phone_numbers(self, phone_number: str) -> list[dict[str, Any]]:
        page = await self._request(
            self.api_url,
            "Twilio's API",
            "Unable to fetch page",
            "GET",
            self._account_path("/IncomingPhoneNumbers"),
            params={"PhoneNumber": phone_number},
        )
        return list(page.get("incoming_phone_numbers") or [])

    async def update_incoming_phone_number(self, sid: str, form: dict[str, str]) -> None:
        path = self._account_path(f"/IncomingPhoneNumbers/{sid}")
        await self._request(self.api_url, "Twilio's API", "Unable to update record", "POST", path, data=form)

    async def fetch_service(self, sid: str) -> dict[str, Any]:
        host = "Twilio's Messaging API"
        return await self._request(self.messaging_url, host, "Unable to fetch record", "GET", f"/v1/Services/{sid}")

    async def update_service(self, sid: str, form: dict[str, str]) -> None:
        host = "Twilio's Messaging API"
        await self._request(
            self.messaging_url, host, "Unable to update record", "POST", f"/v1/Services/{sid}", data=form
        )
