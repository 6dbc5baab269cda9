"""The bot's Prometheus metrics (prometheus-client), in a registry of the app's own; no conversation ids in
labels, so the series stay few whatever the traffic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

# Seconds: an acknowledgement should take milliseconds (Chatwoot gives up at 5 s); a reply waits for the
# debounce and a model that takes seconds.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
REPLY_BUCKETS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0, 120.0)
ACK_ROUTES = ("bot", "records")  # the AgentBot's webhook routes, and the account webhook's
HELD_BUCKETS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0)


class HandoffCounts(Collector):
    """Changes of hands by direction and trigger, as the records hold them: every source counts (a take-over made
    from another process, a change in Chatwoot's screen), and a record a later report explained counts under its
    final trigger. Read from the mirror when /metrics is asked for."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], int] = {}

    def collect(self):  # type: ignore[no-untyped-def]
        family = CounterMetricFamily(
            "chatwoot_bot_handoffs",
            "Changes of hands recorded, by direction and trigger",
            labels=["direction", "trigger"],
        )
        for (way, trigger), count in sorted(self.values.items()):
            family.add_metric([way, trigger], count)
        yield family


class BotMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.webhook_ack = Histogram(
            "chatwoot_bot_webhook_ack_seconds", "Time to acknowledge a webhook delivery", ["route"],
            buckets=ACK_BUCKETS, registry=r,
        )  # fmt: skip
        self.reply = Histogram(
            "chatwoot_bot_reply_seconds", "From a customer's message arriving to the bot's reply posted",
            buckets=REPLY_BUCKETS, registry=r,
        )  # fmt: skip
        self.handoffs = HandoffCounts()
        r.register(self.handoffs)
        self.sent = Counter("chatwoot_bot_messages_sent", "Messages the bot posted, by result", ["result"], registry=r)
        self.held = Histogram(
            "chatwoot_bot_time_with_person_seconds", "How long people held a conversation the bot handed over",
            buckets=HELD_BUCKETS, registry=r,
        )  # fmt: skip
        self.jobs_waiting = Gauge("chatwoot_bot_jobs_waiting", "Customer messages waiting for the bot", registry=r)
        self.records_waiting = Gauge(
            "chatwoot_bot_records_waiting", "Records not yet written to the mirror database", registry=r
        )
        self.records_dropped = Counter(
            "chatwoot_bot_records_dropped", "Records given up (queue full, or refused by the database)", registry=r
        )
        # Each series looked up once here: labels() takes a lock and builds a key on every call.
        self.ack_by_route = {route: self.webhook_ack.labels(route) for route in ACK_ROUTES}
        self.sent_ok, self.sent_failed = self.sent.labels("ok"), self.sent.labels("failed")

    def render(self) -> bytes:
        return generate_latest(self.registry)


def metrics_endpoint(
    metrics: BotMetrics, refresh: Callable[[], Awaitable[None]]
) -> Callable[[Request], Awaitable[Response]]:
    """GET /metrics: refresh the gauges read from elsewhere (jobs waiting), then the text format."""

    async def endpoint(request: Request) -> Response:
        await refresh()
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return endpoint
