import sys

from chatwoot_mcp.demo.cli import main

sys.exit(main())
