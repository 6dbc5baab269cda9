"""The Grafana dashboard in the repository queries only metrics the bot exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.metrics import BotMetrics

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "handoffs.json"


def test_every_metric_the_dashboard_queries_is_one_the_bot_exports() -> None:
    exported = set()
    for family in BotMetrics().registry.collect():
        exported |= {sample.name for sample in family.samples} | {family.name, f"{family.name}_total"}
    for suffix in ("_bucket", "_count", "_sum"):
        exported |= {f"chatwoot_bot_webhook_ack_seconds{suffix}", f"chatwoot_bot_reply_seconds{suffix}",
                     f"chatwoot_bot_time_with_person_seconds{suffix}"}  # fmt: skip
    queried = set()
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            queried |= set(re.findall(r"chatwoot_bot_[a-z_]+", target["expr"]))
    assert queried and queried <= exported, queried - exported
