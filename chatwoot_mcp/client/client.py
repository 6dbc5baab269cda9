"""`ChatwootClient`: one account of one Chatwoot, its resources reached as attributes (`cw.conversations`)."""

from __future__ import annotations

import random
from types import TracebackType
from typing import Self

import anyio
import httpx2
from pydantic import SecretStr

from ._http import HTTPCore, Sleep
from .account import Agents, Contacts, Labels, Teams
from .admin import AgentBots, Webhooks
from .conversations import Conversations
from .inboxes import Inboxes
from .messages import Messages
from .profile import ProfileResource
from .reports import Reports


class ChatwootClient:
    """Async client for Chatwoot's application API, authenticated with a user or AgentBot access token."""

    def __init__(
        self,
        base_url: str,
        api_token: str | SecretStr,
        account_id: int,
        *,
        timeout: float = 15.0,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        transport: httpx2.AsyncBaseTransport | None = None,
        sleep: Sleep = anyio.sleep,
        user_agent: str = "chatwoot-mcp/0.1",
        rng: random.Random | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http:// or https:// URL")
        token = api_token if isinstance(api_token, SecretStr) else SecretStr(api_token or "")
        if not token.get_secret_value().strip():
            raise ValueError("api_token must not be empty")
        if isinstance(account_id, bool) or not isinstance(account_id, int) or account_id <= 0:
            raise ValueError(f"account_id must be a positive integer, got {account_id!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError("max_retries must be an integer >= 0")
        if timeout <= 0 or backoff_base < 0:
            raise ValueError("timeout must be > 0 and backoff_base >= 0")
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self._http = HTTPCore(
            self.base_url,
            token,
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            transport=transport,
            sleep=sleep,
            user_agent=user_agent,
            rng=rng,
        )
        self.profile = ProfileResource(self._http, account_id)
        self.inboxes = Inboxes(self._http, account_id)
        self.conversations = Conversations(self._http, account_id)
        self.messages = Messages(self._http, account_id)
        self.agents = Agents(self._http, account_id)
        self.teams = Teams(self._http, account_id)
        self.contacts = Contacts(self._http, account_id)
        self.labels = Labels(self._http, account_id)
        self.agent_bots = AgentBots(self._http, account_id)
        self.webhooks = Webhooks(self._http, account_id)
        self.reports = Reports(self._http, account_id)

    def __repr__(self) -> str:
        return f"ChatwootClient(base_url={self.base_url!r}, account_id={self.account_id})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
