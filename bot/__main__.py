"""`python -m bot` runs the sidecar, as the `chatwoot-bot` command does."""

import sys

from bot.cli import main

sys.exit(main())
