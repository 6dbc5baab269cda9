"""Each tool's public schema is snapshotted in toolsnaps/<tool>.json; UPDATE_TOOLSNAPS=1 rewrites them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server

pytestmark = pytest.mark.anyio

SNAPS = Path(__file__).parent / "toolsnaps"
UPDATE = os.environ.get("UPDATE_TOOLSNAPS") == "1"


async def current_snapshots() -> dict[str, dict[str, Any]]:
    async with Client(build_server(Settings())) as client:
        tools = (await client.list_tools()).tools
    return {
        tool.name: {
            "name": tool.name,
            "title": tool.title,
            "description": tool.description,
            "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None,
            "inputSchema": tool.input_schema,
            "outputSchema": tool.output_schema,
        }
        for tool in tools
    }


def render(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


async def test_every_tool_matches_its_schema_snapshot() -> None:
    snapshots = await current_snapshots()
    if UPDATE:
        SNAPS.mkdir(exist_ok=True)
        for stale in SNAPS.glob("*.json"):
            if stale.stem not in snapshots:
                stale.unlink()
        for name, snapshot in snapshots.items():
            (SNAPS / f"{name}.json").write_text(render(snapshot), encoding="utf-8")
    stored = {path.stem for path in SNAPS.glob("*.json")}
    assert stored == set(snapshots), "tools and snapshots differ; run with UPDATE_TOOLSNAPS=1 and review the diff"
    changed = [name for name, snap in snapshots.items() if (SNAPS / f"{name}.json").read_text("utf-8") != render(snap)]
    assert not changed, f"tool schemas changed: {changed}; run with UPDATE_TOOLSNAPS=1 and review the diff"


async def test_a_changed_description_is_detected(tmp_path: Path) -> None:
    snapshots = await current_snapshots()
    name, snapshot = next(iter(snapshots.items()))
    altered = dict(snapshot, description=snapshot["description"] + " Changed.")
    assert render(altered) != (SNAPS / f"{name}.json").read_text("utf-8")
