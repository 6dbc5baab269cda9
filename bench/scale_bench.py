"""Sandbox at scale: a conversation list page, a conversation search, a contact list page, a contact search and a
contact creation in an account of about 100 conversations and contacts against one of about 10,000, in alternating
rounds; the ratios should stay near 1."""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

import httpx2

from bench.common import Stopwatch, median_ms, percentile_ms, row, sandbox

ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "150"))
SEEDED = 6  # the sandbox's own conversations and contacts
SIZES = {"small": 100, "large": 10_000}
MEASURES = ("list", "conversation search", "contact list", "contact search", "create")


def _seed_args(total: int) -> tuple[str, ...]:
    extra = str(total - SEEDED)
    return ("--seed-conversations", extra, "--seed-contacts", extra)


class Account:
    """One sandbox and the three requests, each timed on its own stopwatch."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.http = httpx2.Client(
            base_url=f"{info['base_url']}/api/v1/accounts/{info['account_id']}",
            headers={"api_access_token": info["admin_token"]},
            timeout=30,
        )
        self.watches = {what: Stopwatch() for what in MEASURES}
        self.created = 0

    def round(self, label: str) -> None:
        with self.watches["list"].lap():
            self.http.get("/conversations", params={"status": "open"}).raise_for_status()
        with self.watches["conversation search"].lap():
            # one conversation in either account: the bulk conversation number 42 mentions order #20042
            searched = self.http.get("/conversations", params={"q": "#20042"})
        searched.raise_for_status()
        assert searched.json()["data"]["meta"]["all_count"] == 1
        with self.watches["contact list"].lap():
            self.http.get("/contacts", params={"sort": "-last_activity_at", "page": 2}).raise_for_status()
        with self.watches["contact search"].lap():
            # one contact in either account: `.42@exemplo` is the bulk contact number 42's e-mail
            found = self.http.get("/contacts/search", params={"q": ".42@exemplo"})
        found.raise_for_status()
        assert len(found.json()["payload"]) == 1
        self.created += 1
        body = {
            "name": f"Bench {self.created}",
            "email": f"{label}.{self.created}@bench.example",
            "phone_number": f"+5599{self.created:09d}",
        }
        with self.watches["create"].lap():
            self.http.post("/contacts", json=body).raise_for_status()


def main(_box: dict[str, Any] | None = None) -> list[str]:
    with ExitStack() as stack:
        accounts = {name: Account(stack.enter_context(sandbox(*_seed_args(size)))) for name, size in SIZES.items()}
        for account in accounts.values():
            stack.callback(account.http.close)
            account.round("warmup")
        for watch in (w for a in accounts.values() for w in a.watches.values()):
            watch.samples.clear()
        for n in range(ROUNDS):  # alternate which account goes first, so the machine's noise hits both alike
            for name in sorted(accounts, reverse=bool(n % 2)):
                accounts[name].round(name)
    lines = [f"sandbox at scale: {ROUNDS} rounds, {SIZES['small']} vs {SIZES['large']} conversations and contacts"]
    for what in MEASURES:
        small = accounts["small"].watches[what].samples
        large = accounts["large"].watches[what].samples
        ratio = median_ms(large) / median_ms(small)
        lines.append(
            row(f"{what}: median at {SIZES['small']}", median_ms(small), "ms", f"p90 {percentile_ms(small, 90):.2f} ms")
        )
        lines.append(
            row(f"{what}: median at {SIZES['large']}", median_ms(large), "ms", f"p90 {percentile_ms(large, 90):.2f} ms")
        )
        lines.append(row(f"{what}: {SIZES['large']} / {SIZES['small']}", ratio, "x", "target: about 1"))
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
