"""`chatwoot-mcp check`: test the configuration against the configured Chatwoot and print a report with fixes."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Literal

import anyio
import httpx2

from chatwoot_mcp.client import ChatwootClient, Profile
from chatwoot_mcp.client.errors import (
    AuthenticationError,
    ChatwootError,
    TransportError,
)
from chatwoot_mcp.config import ConfigError, Settings, load_settings

BOT_ONLY = "Access to this endpoint is not authorized for bots"

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Finding:
    level: Level
    what: str
    fix: str = ""


async def token_kind(client: ChatwootClient) -> tuple[str, Profile | None]:
    """Return ("user", profile), ("bot", None) or ("invalid", None) for the client's token."""
    try:
        return "user", await client.profile.get()
    except AuthenticationError as exc:
        if exc.error_text == BOT_ONLY:
            return "bot", None
        return "invalid", None


async def run_check(settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None) -> list[Finding]:
    """Check reachability, the token, the account, the inboxes and their bots; never raises for Chatwoot errors."""
    try:
        settings.require_chatwoot()
    except ConfigError as exc:
        return [Finding("fail", str(exc), "set the missing settings (see README, Configuration)")]
    assert settings.chatwoot_url and settings.api_token and settings.account_id
    findings: list[Finding] = []
    async with ChatwootClient(
        settings.chatwoot_url, settings.api_token, settings.account_id, max_retries=1, transport=transport
    ) as client:
        try:
            kind, profile = await token_kind(client)
        except TransportError:
            return [
                Finding(
                    "fail",
                    f"Chatwoot is not reachable at {settings.chatwoot_url}",
                    "check CHATWOOT_URL (scheme, host, port) and that Chatwoot is running; from Docker use the "
                    "service name, not localhost",
                )
            ]
        except ChatwootError as exc:
            return [
                Finding("fail", f"Chatwoot answered the profile request with an error: {exc}", "check CHATWOOT_URL")
            ]
        findings.append(Finding("ok", f"Chatwoot reachable at {settings.chatwoot_url}"))
        if kind == "invalid":
            findings.append(
                Finding(
                    "fail",
                    "CHATWOOT_API_KEY is not a valid access token (401 Invalid Access Token)",
                    "copy the token from Chatwoot: Profile Settings > Access Token",
                )
            )
            return findings
        if kind == "bot":
            findings.append(
                Finding(
                    "fail",
                    "CHATWOOT_API_KEY is an AgentBot token: it can reply and hand off but cannot list "
                    "conversations, inboxes, messages, agents or contacts",
                    "use a user's token (Profile Settings > Access Token) as CHATWOOT_API_KEY and put the bot's "
                    "token in CHATWOOT_BOT_TOKEN",
                )
            )
            return findings
        assert profile is not None  # a user's token ("invalid" and "bot" returned above)
        accounts = {a.id: a for a in profile.accounts}
        name = profile.name or "?"
        account = accounts.get(settings.account_id)
        if account is None:
            findings.append(
                Finding(
                    "fail",
                    f"the token's user ({name}) has no access to account {settings.account_id}",
                    f"set CHATWOOT_ACCOUNT_ID to one of {sorted(accounts) or 'the accounts of this user'}",
                )
            )
            return findings
        findings.append(Finding("ok", f"user token of {name}, role {account.role} in account {settings.account_id}"))
        findings.extend(await check_inboxes(client, settings))
    if settings.bot_token is not None:
        findings.append(await check_bot_token(settings, transport))
    if settings.webhook_secret is None:
        findings.append(
            Finding(
                "warn",
                "CHATWOOT_WEBHOOK_SECRET is not set: the bot accepts unsigned webhooks",
                "copy the AgentBot's secret (Chatwoot 4.13+) into CHATWOOT_WEBHOOK_SECRET",
            )
        )
    if settings.openai_api_key is None:
        findings.append(Finding("warn", "OPENAI_API_KEY is not set: the bot uses its offline rule responder"))
    return findings


async def check_inboxes(client: ChatwootClient, settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    inboxes = await client.inboxes.list()
    if not inboxes:
        return [Finding("warn", "no inbox is visible to this user", "add the user to an inbox, or use an admin token")]
    for inbox in inboxes:
        try:
            bot = await client.inboxes.agent_bot(inbox.id)
        except ChatwootError:
            bot = None
        if bot is not None:
            findings.append(Finding("ok", f"inbox {inbox.id} {inbox.name!r}: AgentBot {bot.name!r} connected"))
        elif settings.inbox_id == inbox.id:
            findings.append(
                Finding(
                    "fail",
                    f"inbox {inbox.id} {inbox.name!r} (CHATWOOT_INBOX_ID) has no AgentBot: conversations start "
                    "open and the bot never answers",
                    "Settings > Inboxes > the inbox > Bot configuration: select the bot",
                )
            )
        else:
            findings.append(Finding("ok", f"inbox {inbox.id} {inbox.name!r}: no bot connected"))
    if settings.inbox_id is not None and settings.inbox_id not in {i.id for i in inboxes}:
        findings.append(
            Finding(
                "fail",
                f"CHATWOOT_INBOX_ID {settings.inbox_id} is not an inbox this user can see",
                f"use one of {sorted(i.id for i in inboxes)}",
            )
        )
    return findings


async def check_bot_token(settings: Settings, transport: httpx2.AsyncBaseTransport | None) -> Finding:
    assert settings.chatwoot_url and settings.bot_token and settings.account_id
    async with ChatwootClient(
        settings.chatwoot_url, settings.bot_token, settings.account_id, max_retries=1, transport=transport
    ) as bot_client:
        try:
            kind, _ = await token_kind(bot_client)
        except ChatwootError:
            kind = "invalid"
    if kind == "bot":
        return Finding("ok", "CHATWOOT_BOT_TOKEN is an AgentBot token")
    if kind == "user":
        return Finding(
            "warn",
            "CHATWOOT_BOT_TOKEN is a user's token, not an AgentBot's: handoffs will not count as bot handoffs",
            "Settings > Bots > your bot: copy its access token",
        )
    return Finding(
        "fail", "CHATWOOT_BOT_TOKEN is not a valid token", "Settings > Bots > your bot: copy its access token"
    )


MARKS = {"ok": "✔", "warn": "!", "fail": "✘"}


def render(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        lines.append(f"{MARKS[finding.level]} {finding.what}")
        if finding.fix and finding.level != "ok":
            lines.append(f"    fix: {finding.fix}")
    return "\n".join(lines)


HELP = """\
Checks the configuration against Chatwoot, step by step, and prints a fix for each problem: is Chatwoot
reachable at CHATWOOT_URL; is CHATWOOT_API_KEY a valid user token (not an AgentBot's) with access to
CHATWOOT_ACCOUNT_ID; which inboxes it sees and which AgentBot answers each (CHATWOOT_INBOX_ID must have one
for the bot to answer); is CHATWOOT_BOT_TOKEN an AgentBot's token. Settings come from the environment, then
the credentials file (CHATWOOT_CREDENTIALS_FILE, default .secrets/credentials.toml); tokens are never printed.

exit status: 0 when nothing failed (warnings allowed), 1 when a check failed, 2 on a usage error."""


def parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="chatwoot-mcp check",
        description="Test the Chatwoot configuration and print what to fix.",
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: list[str] | None = None) -> int:
    parser().parse_args(argv if argv is not None else [])
    try:
        settings = load_settings(os.environ)
    except ConfigError as exc:
        print(f"✘ {exc}")
        return 1
    findings = anyio.run(run_check, settings)
    print(render(findings))
    return 1 if any(f.level == "fail" for f in findings) else 0
