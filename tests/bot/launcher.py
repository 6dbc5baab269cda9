"""`python -m tests.bot.launcher`: the `chatwoot-bot` command with a test responder (see responders.responder_from),
for tests that start, kill and restart the bot as a process."""

from __future__ import annotations

import os
import sys

from bot.cli import main
from tests.bot.responders import responder_from

if __name__ == "__main__":
    sys.exit(main(responder=responder_from(os.environ)))
