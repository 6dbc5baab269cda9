"""`make bench`: every benchmark in one run against one sandbox; prints medians and ratios."""

from __future__ import annotations

import sys

from bench import mcp_bench, records_bench, webhook_bench
from bench.common import sandbox


BENCHES = {"mcp": mcp_bench, "webhooks": webhook_bench, "records": records_bench}


def main(argv: list[str]) -> int:
    """`python -m bench [mcp] [webhooks]`: the named benchmarks, or all of them."""
    unknown = [name for name in argv if name not in BENCHES]
    if unknown:
        print(f"unknown benchmark {unknown}; choose from {sorted(BENCHES)}", file=sys.stderr)
        return 2
    with sandbox("--webhook-secret", webhook_bench.SECRET) as box:
        for bench in [BENCHES[name] for name in argv] or BENCHES.values():
            section = bench.main(box)
            print("\n".join(section), flush=True)
            print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
