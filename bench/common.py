"""Helpers shared by the benchmarks: a sandbox process, timing, medians, peak RSS."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def sandbox(*extra: str) -> Iterator[dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_mcp.sandbox", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    try:
        box = json.loads(proc.stdout.readline())
        box["pid"] = proc.pid  # the benchmarks read its CPU time
        yield box
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def percentile_ms(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index] * 1000


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a live process: its peak resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def row(name: str, value: float, unit: str, note: str = "") -> str:
    return f"  {name:<52} {value:>10.2f} {unit:<6} {note}"


class Stopwatch:
    def __init__(self) -> None:
        self.samples: list[float] = []

    @contextmanager
    def lap(self) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.samples.append(time.perf_counter() - start)
