"""`make bench`: every benchmark in one run against one sandbox; prints medians and ratios."""

from __future__ import annotations

import argparse
import sys

from bench import burst, console_bench, mcp_bench, scale_bench, webhook_bench
from bench.common import sandbox

BENCHES = {"mcp": mcp_bench, "webhooks": webhook_bench, "burst": burst, "scale": scale_bench, "console": console_bench}


def _first_clause(doc: str | None) -> str:
    text = " ".join((doc or "").split())
    return text.split("; ")[0].split(". ")[0].rstrip(".")


def parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<10} {_first_clause(bench.__doc__)}" for name, bench in BENCHES.items())
    return argparse.ArgumentParser(
        prog="python -m bench",
        description="Run benchmarks against one sandbox; each prints medians and ratios against a baseline "
        "measured in the same run.",
        epilog=f"benchmarks:\n{listing}\n\nWith no name, all of them run. Also: python -m bench.compare --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: list[str]) -> int:
    """`python -m bench [mcp] [webhooks] [burst] [scale] [console]`: the named benchmarks, or all of them."""
    command = parser()
    command.add_argument("names", nargs="*", metavar="benchmark", help=f"one of: {', '.join(BENCHES)}")
    names = command.parse_args(argv).names
    unknown = [name for name in names if name not in BENCHES]
    if unknown:
        command.error(f"unknown benchmark {unknown}; choose from {sorted(BENCHES)}")
    with sandbox("--webhook-secret", webhook_bench.SECRET) as box:
        for bench in [BENCHES[name] for name in names] or BENCHES.values():
            section = bench.main(box)
            print("\n".join(section), flush=True)
            print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
