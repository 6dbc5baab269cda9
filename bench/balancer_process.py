"""`python -m bench.balancer_process URL...`: the tests' round-robin balancer in a process of its own, for the burst
benchmark (in the benchmark's own process it would share one interpreter lock with the customers' load and the fake
model). Prints its URL, and serves until its standard input is closed."""

from __future__ import annotations

import sys

from tests.fakes.balancer import Balancer


def main(backends: list[str]) -> int:
    with Balancer(backends, timeout=30) as balancer:
        print(balancer.url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
