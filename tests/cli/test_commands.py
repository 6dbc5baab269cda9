"""Commands a new user runs first: their help texts and what they print."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import httpx2
import pytest

from tests.conftest import REPO


def test_bench_help_lists_the_benchmarks_and_exits_zero() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "  mcp " in result.stdout and "  webhooks " in result.stdout


def test_bench_with_an_unknown_name_is_a_usage_error_naming_the_choices() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "nope"], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "unknown benchmark ['nope']" in result.stderr and "mcp" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None and os.environ.get("CI") != "true", reason="make is not installed")
def test_make_sandbox_prints_only_the_json_line() -> None:
    # -o: treat the venv as installed; this checks the recipe's own output, not a first install's.
    with subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "sandbox", "SANDBOX_PORT=0"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
    ) as make:  # fmt: skip
        try:
            assert make.stdout is not None
            first = make.stdout.readline()
            info = json.loads(first)
            assert httpx2.get(f"{info['base_url']}/_sandbox/info", timeout=10).status_code == 200
        finally:
            os.killpg(make.pid, signal.SIGTERM)
            make.wait(timeout=10)
            assert make.stdout is not None
            rest = make.stdout.read()
    assert set(info) >= {"base_url", "account_id", "admin_token"}
    assert rest.strip() == ""
