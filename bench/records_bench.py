"""What the handoff records add to a customer's wait: the same bot with its mirror on and off, in alternating
rounds against one sandbox; each customer message's time until the bot's reply is visible in Chatwoot."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx2

from bench.common import percentile_ms, row
from bench.webhook_bench import SECRET, bot_env, free_port, process

ROUNDS = int(os.environ.get("BENCH_RECORDS_ROUNDS", "6"))
MESSAGES = int(os.environ.get("BENCH_RECORDS_MESSAGES", "25"))


def reply_times(box: dict[str, Any], http: httpx2.Client, bot_url: str, round_: int) -> list[float]:
    """Each of MESSAGES customers writes once; seconds from the POST to the bot's reply listed by Chatwoot."""
    admin = {"api_access_token": box["admin_token"]}
    api = f"{box['base_url']}/api/v1/accounts/{box['account_id']}"
    http.patch(
        f"{api}/agent_bots/{box['agent_bot_id']}", json={"outgoing_url": bot_url}, headers=admin
    ).raise_for_status()
    inbox = box["inboxes"][0]["inbox_identifier"]
    public = f"{box['base_url']}/public/api/v1/inboxes/{inbox}"
    times = []
    for i in range(MESSAGES):
        contact = http.post(f"{public}/contacts", json={"name": f"Cliente {round_}-{i}"}).json()
        source = contact["source_id"]
        conversation = http.post(f"{public}/contacts/{source}/conversations", json={}).json()["id"]
        started = time.perf_counter()
        http.post(f"{public}/contacts/{source}/conversations/{conversation}/messages", json={"content": "Bom dia!"})
        deadline = started + 20
        while time.perf_counter() < deadline:
            listed = http.get(f"{public}/contacts/{source}/conversations/{conversation}/messages").json()
            if any(m.get("message_type") == 1 for m in listed):
                times.append(time.perf_counter() - started)
                break
            time.sleep(0.002)
    return times


def main(box: dict[str, Any]) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-records-"))
    ports = {"on": free_port(), "off": free_port()}
    envs = {
        "on": bot_env(box, ports["on"], tmp / "on.sqlite3", BOT_DEBOUNCE_SECONDS="0"),
        "off": bot_env(box, ports["off"], tmp / "off.sqlite3", BOT_DEBOUNCE_SECONDS="0", MIRROR_DATABASE_URL="off"),
    }
    samples: dict[str, list[float]] = {"on": [], "off": []}
    ratios = []
    with ExitStack() as stack, httpx2.Client(timeout=10) as http:
        for name, port in ports.items():
            stack.enter_context(process([sys.executable, "-m", "bot"], envs[name], f"http://127.0.0.1:{port}/health"))
        for round_ in range(ROUNDS):
            medians = {}
            for name in ("on", "off") if round_ % 2 == 0 else ("off", "on"):
                got = reply_times(box, http, f"http://127.0.0.1:{ports[name]}/webhooks/chatwoot", round_)
                samples[name] += got
                medians[name] = statistics.median(got)
            ratios.append(medians["on"] / medians["off"])
    return [
        "## A reply's wait with the handoff records on and off (rules responder, no debounce)",
        row("reply, records on, p50", percentile_ms(samples["on"], 50), "ms"),
        row("reply, records off, p50", percentile_ms(samples["off"], 50), "ms"),
        row("reply, records on, p99", percentile_ms(samples["on"], 99), "ms"),
        row("reply, records off, p99", percentile_ms(samples["off"], 99), "ms"),
        row(
            "on / off, median of round ratios",
            statistics.median(ratios),
            "x",
            f"rounds {min(ratios):.2f}-{max(ratios):.2f}",
        ),
    ]


if __name__ == "__main__":
    from bench.common import sandbox

    with sandbox("--webhook-secret", SECRET) as info:
        print("\n".join(main(info)))
