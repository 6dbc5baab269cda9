"""chatwoot_setup: check (or, unless the operator locked it, change) which Chatwoot this server uses."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, SecretStr

from chatwoot_mcp.client import ChatwootClient
from chatwoot_mcp.client.errors import AuthenticationError, ChatwootError
from chatwoot_mcp.server.connection import Connection
from chatwoot_mcp.server.errors import describe
from chatwoot_mcp.server.registry import tool, toolsets_problem
from chatwoot_mcp.server.sanitize import clean_name
from chatwoot_mcp.server.tools.directory import InboxView, inbox_views

USER_CAPABILITIES = [
    "list and read conversations, messages, inboxes, agents, teams and contacts",
    "reply and post private notes",
    "change status, assignee, team, priority and labels; take over and return to the bot",
]
BOT_CAPABILITIES = [
    "reply, change status, assign, set labels and priority, read one conversation by id",
    "NOT list conversations, messages, inboxes, agents, teams or contacts (Chatwoot allows bots only a few "
    "endpoints); use a user (agent or administrator) access token for those",
]


class UserView(BaseModel):
    id: int
    name: str | None = None
    email: str | None = None
    role: str | None = Field(None, description="The user's role in the selected account")


class AccountView(BaseModel):
    id: int
    name: str | None = None
    role: str | None = None


class SetupResult(BaseModel):
    connected: bool = Field(description="True when Chatwoot accepted the token for the account")
    changed: bool = Field(description="True when this call switched the server to new connection settings")
    setup_locked: bool = Field(description="True when the operator disabled changing the connection")
    base_url: str | None = None
    account_id: int | None = None
    token_kind: Literal["user", "agent_bot", "unknown"] = "unknown"
    user: UserView | None = None
    accounts: list[AccountView] = Field(default=[], description="Accounts the token's user belongs to")
    inboxes: list[InboxView] = []
    can: list[str] = Field(default=[], description="What this token can do")
    acting_as_bot: bool = Field(False, description="True when bot-allowed writes go with the AgentBot token")
    notes: list[str] = []


@tool(
    "chatwoot_setup",
    title="Check or change the Chatwoot connection",
    toolset="admin",
    read_only=True,
    destructive=False,
    idempotent=True,
    open_world=True,
)
async def setup(
    conn: Connection,
    base_url: Annotated[
        str | None, Field(description="Chatwoot's address, e.g. https://chat.example.com", max_length=500)
    ] = None,
    api_token: Annotated[
        str | None, Field(description="A user's access token (Chatwoot → Profile settings → Access token)")
    ] = None,
    account_id: Annotated[
        int | None, Field(description="The account to work in; default: the token's active account", ge=1)
    ] = None,
) -> SetupResult:
    """Check the Chatwoot connection, or change it for this server: call with no arguments first.

    Returns the token's user and role, the accounts it can reach, the inboxes (and whether a bot answers each)
    and what the token can do. Given base_url, api_token or account_id, it validates them against Chatwoot and
    switches every later call to them, only if they work. The token is never shown. The operator may lock the
    connection; then this tool only checks it.
    """
    wants_change = any(v is not None for v in (base_url, api_token, account_id))
    # Read-only mode locks it too: the tool is annotated read-only, so it must not repoint the server there.
    locked = not conn.settings.mcp_allow_setup or conn.settings.mcp_read_only
    if wants_change and locked:
        raise ToolError(
            "changing the connection is disabled by the operator (CHATWOOT_MCP_ALLOW_SETUP=false or "
            "CHATWOOT_MCP_READ_ONLY=true); call chatwoot_setup without arguments to check the configured connection"
        )
    if api_token is not None and not api_token.strip():
        raise ToolError("api_token is empty; pass a user's access token, or omit it to keep the current one")
    url = _clean_url(base_url) if base_url is not None else conn.base_url
    if url != conn.base_url and api_token is None and conn.api_token is not None:
        # Never send the configured token to an address the operator did not configure.
        raise ToolError(
            "a new base_url needs its own api_token: the configured token is only ever sent to the configured "
            "Chatwoot; call chatwoot_setup with base_url and api_token together"
        )
    token = SecretStr(api_token.strip()) if api_token is not None else conn.api_token
    account = account_id if account_id is not None else conn.account_id
    missing = [name for name, value in (("base_url", url), ("api_token", token)) if not value]
    problem = toolsets_problem(conn.settings.mcp_toolsets)
    if missing or url is None or token is None:
        raise ToolError(
            f"Chatwoot is not configured (missing {', '.join(missing)}); call chatwoot_setup with base_url and "
            "api_token (and account_id if the user has several accounts)" + (f". Also: {problem}" if problem else "")
        )
    result = await _check(conn, url, token, account)
    result.setup_locked = locked
    if problem is not None:
        result.notes.append(problem)
    if wants_change:
        if result.connected and result.token_kind == "user":
            conn.base_url, conn.api_token, conn.account_id = url, token, result.account_id
            conn.user_id = result.user.id if result.user else None
            result.changed = True
        else:
            result.notes.append("the new settings were NOT applied; the previous connection is still in use")
    return result


def _clean_url(value: str) -> str:
    url = value.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ToolError(f"base_url must start with http:// or https:// (got {clean_name(_shown(url))!r})")
    if "@" in urlsplit(url).netloc:
        raise ToolError("base_url must not carry credentials (user:password@); pass the token as api_token")
    return url


def _shown(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


async def _check(conn: Connection, url: str, token: SecretStr, account: int | None) -> SetupResult:
    result = SetupResult(
        connected=False,
        changed=False,
        setup_locked=False,
        base_url=url,
        account_id=account,
        acting_as_bot=conn.uses_bot_token,
    )
    # The profile is not account-scoped, so any account id does for this first call.
    async with ChatwootClient(url, token.get_secret_value(), account or 1) as cw:
        try:
            profile = await cw.profile.get()
        except AuthenticationError as exc:
            if "bots" in (exc.error_text or "").lower():
                result.token_kind = "agent_bot"
                result.can = BOT_CAPABILITIES
                result.notes.append(
                    "this is an AgentBot token: Chatwoot does not let it read the profile or list anything; "
                    "configure a user (agent or administrator) access token and keep the bot token as "
                    "CHATWOOT_BOT_TOKEN"
                )
                return result
            raise ToolError(describe(exc, doing="check the connection", account_id=account)) from None
        except ChatwootError as exc:
            raise ToolError(describe(exc, doing="check the connection", account_id=account)) from None
    result.token_kind = "user"
    accounts = [AccountView(id=a.id, name=clean_name(a.name), role=a.role) for a in profile.accounts]
    result.accounts = accounts
    if account is None:
        account = profile.account_id or (accounts[0].id if accounts else None)
        result.account_id = account
    chosen = next((a for a in accounts if a.id == account), None)
    result.user = UserView(
        id=profile.id,
        name=clean_name(profile.available_name or profile.name),
        email=profile.email,
        role=chosen.role if chosen else profile.role,
    )
    if account is None or (accounts and chosen is None):
        reachable = ", ".join(f"{a.id} ({a.name})" for a in accounts) or "none"
        result.notes.append(f"the token's user has no access to account {account}; accounts it can reach: {reachable}")
        return result
    async with ChatwootClient(url, token.get_secret_value(), account) as cw:
        try:
            result.inboxes = await inbox_views(cw, list(await cw.inboxes.list()))
        except ChatwootError as exc:
            result.notes.append(describe(exc, doing="list inboxes", account_id=account))
            return result
    result.connected = True
    result.can = (
        USER_CAPABILITIES
        if result.user.role == "administrator"
        else USER_CAPABILITIES + ["agents see only the inboxes and teams they belong to"]
    )
    if conn.settings.bot_token is None:
        result.notes.append("no AgentBot token is configured (CHATWOOT_BOT_TOKEN); writes go with this user token")
    return result


__all__ = ["AccountView", "SetupResult", "UserView"]
