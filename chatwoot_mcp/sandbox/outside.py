"""What Chatwoot reaches outside itself: the providers' base URLs (Meta's Graph API, Twilio's REST hosts) and the
job queue's injected failures. A provider without a URL is not reached (the sandbox answers as before)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx2

from .errors import ApiError

TIMEOUT_SECONDS = 10.0
# Outside's URL fields: the providers Chatwoot calls, and the real base URLs they stand for.
PROVIDERS = {
    "meta_graph_url": "Meta's Graph API (https://graph.facebook.com)",
    "twilio_api_url": "Twilio's API (https://api.twilio.com)",
    "twilio_messaging_url": "Twilio's Messaging API (https://messaging.twilio.com)",
}


@dataclass
class JobFault:
    """The next `count` enqueues of `job` raise StandardError(`error`), as a queue that cannot take jobs does."""

    job: str
    error: str
    count: int = 1

    def describe(self) -> dict[str, Any]:
        return {"job": self.job, "error": self.error, "count": self.count}


@dataclass
class Outside:
    meta_graph_url: str | None = None
    twilio_api_url: str | None = None
    twilio_messaging_url: str | None = None
    job_faults: list[JobFault] = field(default_factory=list)

    def urls(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in PROVIDERS}

    def set_urls(self, given: Any) -> None:
        """`POST /_sandbox/providers`: the named base URLs (null: not reached); ValueError for anything else."""
        if not isinstance(given, dict) or not given:
            raise ValueError('a JSON object of base URLs, e.g. {"meta_graph_url": "http://127.0.0.1:9000"}')
        names = self.urls()
        for name, value in given.items():
            if name not in names:
                raise ValueError(f"unknown provider URL {name!r}; known: {', '.join(names)}")
            if value is not None and not (isinstance(value, str) and value.startswith(("http://", "https://"))):
                raise ValueError(f"{name} must be an http(s) URL or null")
        for name, value in given.items():
            setattr(self, name, value.rstrip("/") if value else None)

    def enqueue(self, job: str) -> None:
        """`perform_later`: the sandbox runs no job, but an injected queue failure raises here."""
        fault = next((f for f in self.job_faults if f.job == job), None)
        if fault is None:
            return
        fault.count -= 1
        if fault.count <= 0:
            self.job_faults.remove(fault)
        raise RuntimeError(fault.error)


def parse_job_fault(data: dict[str, Any]) -> JobFault:
    job, error, count = data.get("job"), data.get("error", "Job failed"), data.get("count", 1)
    if not isinstance(job, str) or not job:
        raise ValueError("job must be a job class name, e.g. Channels::Whatsapp::TemplatesSyncJob")
    if not isinstance(error, str) or not isinstance(count, int) or count < 1:
        raise ValueError("error must be a string and count a positive integer")
    return JobFault(job, error, count)


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def not_reached(provider: str) -> ApiError:
    """A provider the sandbox was given no URL for: 502, as a gateway that cannot reach it."""
    return ApiError(502, {"error": f"The sandbox does not reach {provider} (no base URL configured)"})


async def call(method: str, url: str, **kwargs: Any) -> Answer:
    """One request to a provider; a transport failure raises ConnectionError with the reason, as Net::HTTP's
    errors reach Chatwoot's `rescue StandardError`."""
    try:
        async with httpx2.AsyncClient(trust_env=False, timeout=TIMEOUT_SECONDS) as client:
            response = await client.request(method, url, **kwargs)
    except httpx2.HTTPError as exc:
        raise ConnectionError(f"Failed to open TCP connection to {httpx2.URL(url).host}: {exc}") from None
    return Answer(response.status_code, response.text)
