"""`python -m chatwoot_mcp.sandbox`: start the sandbox and print its one JSON line."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
