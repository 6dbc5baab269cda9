"""Which Chatwoot this server talks to, with which tokens; `chatwoot_setup` may repoint it for the process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import SecretStr

from chatwoot_mcp.client import ChatwootClient
from chatwoot_mcp.config import Settings


@dataclass
class Connection:
    """Mutable connection state, owned by one server instance (one per stdio process or HTTP app)."""

    settings: Settings
    act_as_bot: bool = False
    base_url: str | None = None
    api_token: SecretStr | None = None
    account_id: int | None = None
    # The token's own user, filled by chatwoot_setup or the first take-over that needs it.
    user_id: int | None = field(default=None, repr=False)
    _clients: dict[tuple[str, str, int], ChatwootClient] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, act_as_bot: bool = False) -> Connection:
        return cls(
            settings=settings,
            act_as_bot=act_as_bot,
            base_url=settings.chatwoot_url,
            api_token=settings.api_token,
            account_id=settings.account_id,
        )

    @property
    def uses_bot_token(self) -> bool:
        return self.act_as_bot and self.settings.bot_token is not None

    def missing(self) -> list[str]:
        names = {"base_url": self.base_url, "api_token": self.api_token, "account_id": self.account_id}
        return [name for name, value in names.items() if value is None]

    def require(self) -> tuple[str, SecretStr, int]:
        missing = self.missing()
        if missing or self.base_url is None or self.api_token is None or self.account_id is None:
            raise ToolError(
                f"Chatwoot is not configured (missing {', '.join(missing)}); call chatwoot_setup with "
                "base_url, api_token and account_id, or set CHATWOOT_URL, CHATWOOT_API_TOKEN and "
                "CHATWOOT_ACCOUNT_ID for the server"
            )
        return self.base_url, self.api_token, self.account_id

    def _client(self, base_url: str, token: SecretStr, account_id: int) -> ChatwootClient:
        # One long-lived client (and connection pool) per target: a new client per call costs a TLS
        # context and a TCP handshake, several times the cost of the request itself.
        key = (base_url, token.get_secret_value(), account_id)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = ChatwootClient(base_url, token, account_id)
        return client

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[ChatwootClient]:
        """A client with the user token: every read, and writes when not acting as the bot."""
        base_url, token, account_id = self.require()
        yield self._client(base_url, token, account_id)

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[ChatwootClient]:
        """A client for the bot-allowed writes: the AgentBot token when acting as the bot."""
        base_url, token, account_id = self.require()
        if self.uses_bot_token and self.settings.bot_token is not None:
            token = self.settings.bot_token
        yield self._client(base_url, token, account_id)

    @asynccontextmanager
    async def bot_writer(self) -> AsyncIterator[ChatwootClient]:
        """The AgentBot's token whenever one is configured (a bot handoff counts only when the bot makes it)."""
        base_url, token, account_id = self.require()
        yield self._client(base_url, self.settings.bot_token or token, account_id)

    async def aclose(self) -> None:
        """Close every pooled client; the server's lifespan calls this when a session or process ends."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
