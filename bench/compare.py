"""`python -m bench.compare REV`: the bot's intake from this tree against the bot from git revision REV, in one run.

This machine's noise moves the intake ratio by more than most changes do, so a change is judged side by side:
both bots and the bare endpoint run at once, and each round sends the same load to all three in a rotating
order. The figure is the median, over rounds, of this tree's throughput over REV's in the same round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.common import REPO, row, sandbox
from bench.webhook_bench import SECRET, bot_env, free_port, load, process, template


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A detached checkout of `revision` in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(folder), revision], cwd=REPO, check=True, stdout=subprocess.DEVNULL
    )
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=REPO, check=False)


def quartiles(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[len(ordered) // 4]:.2f}-{ordered[(3 * len(ordered)) // 4]:.2f}"


def compare(box: dict[str, Any], checkout: Path, revision: str, rounds: int, tmp: Path) -> list[str]:
    base = template()
    bare_port, head_port, rev_port = free_port(), free_port(), free_port()
    url = "http://127.0.0.1:{}/webhooks/chatwoot"
    head_env = bot_env(box, head_port, tmp / "head.sqlite3", BOT_DEBOUNCE_SECONDS="3600")
    rev_env = bot_env(box, rev_port, tmp / "rev.sqlite3", BOT_DEBOUNCE_SECONDS="3600", PYTHONPATH=str(checkout))
    rates: dict[str, list[float]] = {"bare": [], "head": [], "rev": []}
    cpus: dict[str, list[float]] = {"bare": [], "head": [], "rev": []}
    with ExitStack() as stack:
        pids = {
            "bare": stack.enter_context(
                process(
                    [sys.executable, "-m", "bench.bare_webhook", str(bare_port)],
                    dict(os.environ),
                    url.format(bare_port),
                )
            ).pid,
            "head": stack.enter_context(
                process([sys.executable, "-m", "bot"], head_env, f"http://127.0.0.1:{head_port}/health")
            ).pid,
            "rev": stack.enter_context(
                process([sys.executable, "-m", "bot"], rev_env, f"http://127.0.0.1:{rev_port}/health", cwd=checkout)
            ).pid,
        }
        ports = {"bare": bare_port, "head": head_port, "rev": rev_port}
        order = ["bare", "head", "rev"]
        for round_ in range(rounds):
            for name in order[round_ % 3 :] + order[: round_ % 3]:
                result, cpu = load(url.format(ports[name]), base, round_, pids[name])
                if set(result.statuses) != {200}:
                    raise SystemExit(f"the {name} server answered {result.statuses} in round {round_}")
                rates[name].append(result.per_second)
                if cpu is not None:
                    cpus[name].append(cpu * 1e6)
    head_vs_rev = [h / r for h, r in zip(rates["head"], rates["rev"], strict=True)]
    head_vs_bare = [h / b for h, b in zip(rates["head"], rates["bare"], strict=True)]
    rev_vs_bare = [r / b for r, b in zip(rates["rev"], rates["bare"], strict=True)]
    return [
        f"Bot intake, this tree against {revision} ({rounds} rounds in rotating order; medians, quartiles)",
        row("this tree / bare", statistics.median(head_vs_bare), "x", quartiles(head_vs_bare)),
        row(f"{revision} / bare", statistics.median(rev_vs_bare), "x", quartiles(rev_vs_bare)),
        row(f"this tree / {revision}", statistics.median(head_vs_rev), "x", quartiles(head_vs_rev)),
        # CPU per request is the figure the machine's load moves least.
        *(
            row(f"{label} CPU per webhook (all threads)", statistics.median(cpus[name]), "us", quartiles(cpus[name]))
            for name, label in (("bare", "bare"), ("head", "this tree"), ("rev", revision))
            if cpus[name]
        ),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="a git revision to compare this tree with, e.g. HEAD~1 or main")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    with worktree(args.revision) as checkout, tempfile.TemporaryDirectory() as tmp:
        with sandbox("--webhook-secret", SECRET) as box:
            print("\n".join(compare(box, checkout, args.revision, max(3, args.rounds), Path(tmp))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
