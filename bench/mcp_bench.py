"""MCP server cost: a tool call over stdio vs the bare GET plus a bare echo call; cold start; peak RSS."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import anyio
import httpx2
import psutil
from mcp import Client, StdioServerParameters

from bench.common import REPO, Stopwatch, median_ms, peak_rss_mb, row

CALLS = int(os.environ.get("BENCH_CALLS", "200"))
STARTS = int(os.environ.get("BENCH_STARTS", "5"))


def server_params(box: dict[str, Any]) -> StdioServerParameters:
    env = {
        **os.environ,
        "CHATWOOT_URL": box["base_url"],
        "CHATWOOT_API_KEY": box["admin_token"],
        "CHATWOOT_ACCOUNT_ID": str(box["account_id"]),
        "CHATWOOT_MCP_LOG_LEVEL": "WARNING",
    }
    return StdioServerParameters(command=sys.executable, args=["-m", "chatwoot_mcp"], env=env, cwd=str(REPO))


def bare_params() -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "bench.bare_server"], env=dict(os.environ), cwd=str(REPO)
    )


def child_pids(cmd_part: str) -> list[int]:
    return [p.pid for p in psutil.Process().children(recursive=True) if cmd_part in p.cmdline()]


async def time_calls(box: dict[str, Any]) -> tuple[dict[str, list[float]], float, float]:
    """Interleave the three measurements round by round, so machine noise hits all of them alike."""
    url = f"{box['base_url']}/api/v1/accounts/{box['account_id']}/conversations"
    ours, bare = server_params(box), bare_params()
    watches = {"tool": Stopwatch(), "get": Stopwatch(), "echo": Stopwatch()}
    async with (
        Client(ours) as tool_client,
        Client(bare) as echo_client,
        httpx2.AsyncClient(headers={"api_access_token": box["admin_token"]}) as http,
    ):

        async def tool() -> None:
            result = await tool_client.call_tool("chatwoot_list_conversations", {"status": "pending"})
            if result.is_error:
                raise RuntimeError(f"chatwoot_list_conversations failed during the benchmark: {result.content}")

        async def get() -> None:
            (await http.get(url, params={"status": "pending"})).raise_for_status()

        async def echo() -> None:
            await echo_client.call_tool("echo", {"text": "hi"})

        steps = {"tool": tool, "get": get, "echo": echo}
        for _ in range(10):  # warm-up: connection pools, imports, caches
            for step in steps.values():
                await step()
        for _ in range(CALLS):
            for name, step in steps.items():
                with watches[name].lap():
                    await step()
        rss = peak_rss_mb(child_pids(ours.args[-1])[0])
        bare_rss = peak_rss_mb(child_pids(bare.args[-1])[0])
    return {name: watch.samples for name, watch in watches.items()}, rss, bare_rss


async def time_cold_start(params: StdioServerParameters) -> list[float]:
    start = time.perf_counter()
    async with Client(params) as client:
        await client.list_tools()
        return [time.perf_counter() - start]


async def run(box: dict[str, Any]) -> list[str]:
    samples, rss, bare_rss = await time_calls(box)
    cold, bare_cold = [], []
    for _ in range(STARTS):  # alternate the two servers, for the same reason as above
        cold += await time_cold_start(server_params(box))
        bare_cold += await time_cold_start(bare_params())
    call_ms, get_ms, echo_ms = median_ms(samples["tool"]), median_ms(samples["get"]), median_ms(samples["echo"])
    call_ratio = call_ms / (echo_ms + get_ms)
    cold_ratio = median_ms(cold) / median_ms(bare_cold)
    return [
        f"MCP server ({CALLS} calls, {STARTS} starts, medians)",
        row("chatwoot_list_conversations over stdio", call_ms, "ms"),
        row("direct GET /conversations with httpx2", get_ms, "ms"),
        row("bare MCPServer echo over stdio", echo_ms, "ms"),
        row(
            "tool call / (echo + direct GET)",
            call_ratio,
            "x",
            "target <= 1.20" + (" OK" if call_ratio <= 1.20 else " MISSED"),
        ),
        row("cold start to first tools/list", median_ms(cold), "ms"),
        row("bare MCPServer cold start", median_ms(bare_cold), "ms"),
        row("cold start / bare", cold_ratio, "x", "target <= 1.30" + (" OK" if cold_ratio <= 1.30 else " MISSED")),
        row("server peak RSS", rss, "MiB"),
        row("bare server peak RSS", bare_rss, "MiB"),
    ]


def main(box: dict[str, Any]) -> list[str]:
    return anyio.run(run, box)
