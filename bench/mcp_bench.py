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
    return StdioServerParameters(command=sys.executable, args=["-m", "bench.bare_server"], env=dict(os.environ), cwd=str(REPO))


def child_pids(cmd_part: str) -> list[int]:
    return [p.pid for p in psutil.Process().children(recursive=True) if cmd_part in p.cmdline()]


async def time_tool_calls(params: StdioServerParameters, tool: str, args: dict[str, Any]) -> tuple[list[float], float]:
    watch = Stopwatch()
    async with Client(params) as client:
        for _ in range(10):  # warm-up: connection pools, imports, caches
            await client.call_tool(tool, args)
        for _ in range(CALLS):
            with watch.lap():
                result = await client.call_tool(tool, args)
            if result.is_error:
                raise RuntimeError(f"{tool} failed during the benchmark: {result.content}")
        pids = child_pids(params.args[-1])
        rss = peak_rss_mb(pids[0]) if pids else float("nan")
    return watch.samples, rss


async def time_direct_get(box: dict[str, Any]) -> list[float]:
    watch = Stopwatch()
    url = f"{box['base_url']}/api/v1/accounts/{box['account_id']}/conversations"
    async with httpx2.AsyncClient(headers={"api_access_token": box["admin_token"]}) as http:
        for _ in range(10):
            (await http.get(url, params={"status": "pending"})).raise_for_status()
        for _ in range(CALLS):
            with watch.lap():
                (await http.get(url, params={"status": "pending"})).raise_for_status()
    return watch.samples


async def time_cold_start(params: StdioServerParameters) -> list[float]:
    samples = []
    for _ in range(STARTS):
        start = time.perf_counter()
        async with Client(params) as client:
            await client.list_tools()
            samples.append(time.perf_counter() - start)
    return samples


async def run(box: dict[str, Any]) -> list[str]:
    tool_calls, rss = await time_tool_calls(server_params(box), "chatwoot_list_conversations", {"status": "pending"})
    direct = await time_direct_get(box)
    echo, bare_rss = await time_tool_calls(bare_params(), "echo", {"text": "hi"})
    cold = await time_cold_start(server_params(box))
    bare_cold = await time_cold_start(bare_params())
    call_ms, get_ms, echo_ms = median_ms(tool_calls), median_ms(direct), median_ms(echo)
    call_ratio = call_ms / (echo_ms + get_ms)
    cold_ratio = median_ms(cold) / median_ms(bare_cold)
    return [
        f"MCP server ({CALLS} calls, {STARTS} starts, medians)",
        row("chatwoot_list_conversations over stdio", call_ms, "ms"),
        row("direct GET /conversations with httpx2", get_ms, "ms"),
        row("bare MCPServer echo over stdio", echo_ms, "ms"),
        row("tool call / (echo + direct GET)", call_ratio, "x", "target <= 1.10" + (" OK" if call_ratio <= 1.10 else " MISSED")),
        row("cold start to first tools/list", median_ms(cold), "ms"),
        row("bare MCPServer cold start", median_ms(bare_cold), "ms"),
        row("cold start / bare", cold_ratio, "x", "target <= 1.30" + (" OK" if cold_ratio <= 1.30 else " MISSED")),
        row("server peak RSS", rss, "MiB"),
        row("bare server peak RSS", bare_rss, "MiB"),
    ]


def main(box: dict[str, Any]) -> list[str]:
    return anyio.run(run, box)
