import sys

from chatwoot_mcp.console.cli import main

sys.exit(main())
