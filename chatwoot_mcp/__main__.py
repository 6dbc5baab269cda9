"""`python -m chatwoot_mcp` is the `chatwoot-mcp` command."""

import sys

from chatwoot_mcp.cli import main

sys.exit(main())
