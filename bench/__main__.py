"""`make bench`: every benchmark in one run against one sandbox; prints medians and ratios."""

from __future__ import annotations

import sys

from bench import mcp_bench, webhook_bench
from bench.common import sandbox


def main() -> int:
    lines: list[str] = []
    with sandbox() as box:
        for bench in (mcp_bench, webhook_bench):
            section = bench.main(box)
            print("\n".join(section), flush=True)
            print(flush=True)
            lines.extend(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
