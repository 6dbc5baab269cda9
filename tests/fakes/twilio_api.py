"""A fake of the Twilio REST calls a Twilio SMS inbox's health check and webhook set-up make: an account, its
incoming phone numbers (list by number, update) and messaging services (fetch, update), behind HTTP basic auth
with the account SID and auth token. One server stands in for both api.twilio.com (`/2010-04-01/…`) and
messaging.twilio.com (`/v1/Services/…`); error bodies are Twilio's (`code`, `message`, `more_info`, `status`).
It imports nothing from the project.
"""

from __future__ import annotations

import base64
import itertools
import re
import threading
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .threaded import ThreadedServer

_sids = itertools.count(1)
ACCOUNT = "/2010-04-01/Accounts/{account_sid}"


@dataclass(frozen=True)
class TwilioRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


def twilio_error(status: int, code: int, message: str, **extra: Any) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse({**body, **extra}, status_code=status)


def _sid(prefix: str) -> str:
    return f"{prefix}{next(_sids):032x}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _value(raw: str) -> Any:
    return {"true": True, "false": False}.get(raw, raw)


class FakeTwilio:
    """`with FakeTwilio() as twilio:` serves on a free port; `twilio.url` replaces both Twilio hosts."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.numbers: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, str] = {}
        self._requests: list[TwilioRequest] = []
        self._lock = threading.Lock()
        number = ACCOUNT + "/IncomingPhoneNumbers"
        app = Starlette(
            routes=[
                Route(ACCOUNT + ".json", self._account, methods=["GET"]),
                Route(number + ".json", self._list_numbers, methods=["GET"]),
                Route(number + "/{sid}.json", self._update_number, methods=["POST"]),
                Route("/v1/Services/{sid}", self._service, methods=["GET", "POST"]),
            ]
        )
        self._server = ThreadedServer(app, "fake-twilio")

    @property
    def url(self) -> str:
        return self._server.url

    def add_account(self, sid: str, auth_token: str, **fields: Any) -> dict[str, Any]:
        account = {"sid": sid, "friendly_name": "Acme Support", "status": "active", "type": "Full", **fields}
        with self._lock:
            self.accounts[sid] = account
            self._tokens[sid] = auth_token
        return account

    def add_number(self, account_sid: str, phone_number: str, **fields: Any) -> dict[str, Any]:
        sid = _sid("PN")
        number = {
            "sid": sid,
            "account_sid": account_sid,
            "phone_number": phone_number,
            "friendly_name": phone_number,
            "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
            "sms_url": "",
            "sms_method": "POST",
            "sms_application_sid": "",
            "voice_url": "",
            "voice_method": "POST",
            "trunk_sid": None,
            **fields,
        }
        with self._lock:
            self.numbers[sid] = number
        return number

    def add_service(self, account_sid: str, **fields: Any) -> dict[str, Any]:
        sid = _sid("MG")
        service = {
            "sid": sid,
            "account_sid": account_sid,
            "friendly_name": "Acme notifications",
            "inbound_request_url": None,
            "inbound_method": "POST",
            "use_inbound_webhook_on_number": False,
            **fields,
        }
        with self._lock:
            self.services[sid] = service
        return service

    def reset(self) -> None:
        with self._lock:
            for records in (self.accounts, self.numbers, self.services, self._tokens):
                records.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[TwilioRequest]:
        with self._lock:
            return list(self._requests)

    def __enter__(self) -> FakeTwilio:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    # the endpoints -------------------------------------------------------------------------------
    async def _signed_in(self, request: Request) -> tuple[str | None, dict[str, str]]:
        """The account the request's basic auth signs in to (None when it does not), and its form."""
        form = {k: str(v) for k, v in (await request.form()).items()} if request.method == "POST" else {}
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        user, _, password = base64.b64decode(encoded or "").decode(errors="replace").partition(":")
        with self._lock:
            self._requests.append(TwilioRequest(request.method, request.url.path, dict(request.query_params), form))
            known = scheme.lower() == "basic" and self._tokens.get(user) == password
        return (user if known else None), form

    def _refused(self) -> JSONResponse:
        return twilio_error(401, 20003, "Authenticate", detail="Your AccountSid or AuthToken was incorrect.")

    def _missing(self, request: Request) -> JSONResponse:
        return twilio_error(404, 20404, f"The requested resource {request.url.path} was not found")

    async def _account(self, request: Request) -> JSONResponse:
        account, _ = await self._signed_in(request)
        if account is None:
            return self._refused()
        if account != request.path_params["account_sid"]:
            return self._missing(request)
        return JSONResponse(self.accounts[account])

    async def _list_numbers(self, request: Request) -> JSONResponse:
        account, _ = await self._signed_in(request)
        if account is None:
            return self._refused()
        wanted = request.query_params.get("PhoneNumber")
        with self._lock:
            found = [
                n
                for n in self.numbers.values()
                if n["account_sid"] == account == request.path_params["account_sid"]
                and (wanted is None or n["phone_number"] == wanted)
            ]
        uri = request.url.path
        page = {"first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None, "page": 0, "page_size": 50}
        return JSONResponse(
            {**page, "start": 0, "end": max(len(found) - 1, 0), "uri": uri, "incoming_phone_numbers": found}
        )

    async def _update_number(self, request: Request) -> JSONResponse:
        account, form = await self._signed_in(request)
        if account is None:
            return self._refused()
        with self._lock:
            number = self.numbers.get(request.path_params["sid"])
            if number is None or number["account_sid"] != account:
                return self._missing(request)
            number.update({_snake(k): _value(v) for k, v in form.items()})
            return JSONResponse(dict(number))

    async def _service(self, request: Request) -> JSONResponse:
        account, form = await self._signed_in(request)
        if account is None:
            return self._refused()
        with self._lock:
            service = self.services.get(request.path_params["sid"])
            if service is None or service["account_sid"] != account:
                return self._missing(request)
            service.update({_snake(k): _value(v) for k, v in form.items()})
            return JSONResponse(dict(service))
