"""ConsoleSettings: the Chatwoot Settings plus the console's own knobs (env `CONSOLE_*`), read once in `main()`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from chatwoot_mcp.config import ConfigError, Settings, load_settings

# field -> environment variable
CONSOLE_ENV: dict[str, str] = {
    "public_url": "CONSOLE_PUBLIC_URL",
    "session_secret": "CONSOLE_SESSION_SECRET",
    "session_hours": "CONSOLE_SESSION_HOURS",
    "idle_minutes": "CONSOLE_IDLE_MINUTES",
    "agents_see_queue": "CONSOLE_AGENTS_SEE_QUEUE",
    "cookie_samesite": "CONSOLE_COOKIE_SAMESITE",
    "cookie_secure": "CONSOLE_COOKIE_SECURE",
    "chatwoot_origin": "CONSOLE_CHATWOOT_ORIGIN",
    "webhook_secret": "CONSOLE_WEBHOOK_SECRET",
    "register_webhook": "CONSOLE_REGISTER_WEBHOOK",
    "reread_seconds": "CONSOLE_REREAD_SECONDS",
    "login_attempts_per_minute": "CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE",
}


class ConsoleSettings(BaseModel):
    """Frozen settings of the console; `chatwoot` carries the shared Chatwoot settings (its token is only used to
    register the console's webhook: every person acts with their own)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chatwoot: Settings
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=0, le=65535)
    # Where Chatwoot reaches the console (the webhook's address); default: the address it listens on.
    public_url: str | None = None
    # Signs the session cookie and derives the CSRF tokens; default: a random one per start (sessions then
    # end with the process, which they do anyway: they are held in memory).
    session_secret: SecretStr | None = None
    session_hours: float = Field(default=12.0, gt=0)
    idle_minutes: float = Field(default=120.0, gt=0)
    # The design's default: agents see only the conversations assigned to them. True adds the bot's and the
    # waiting conversations of their inboxes, so they can pick one up.
    agents_see_queue: bool = False
    # `none` (with https) when Chatwoot and the console are on different sites and the Dashboard App must work.
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    cookie_secure: bool | None = None
    # The origin allowed to frame /embed and to send it `appContext`; default: CHATWOOT_URL's origin.
    chatwoot_origin: str | None = None
    # The account webhook's secret when someone registered it by hand (an administrator's token registers it).
    webhook_secret: SecretStr | None = None
    register_webhook: bool = True
    # Open pages re-read what they show this often even without events (a missed webhook heals by itself).
    reread_seconds: int = Field(default=30, ge=5)
    login_attempts_per_minute: int = Field(default=10, ge=1)

    @property
    def frame_origin(self) -> str | None:
        source = self.chatwoot_origin or self.chatwoot.chatwoot_url
        if not source:
            return None
        parts = urlsplit(source)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None

    def secure_cookie(self, base_url: str) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.cookie_samesite == "none" or base_url.startswith("https://")


def load_console_settings(
    environ: Mapping[str, str], *, credentials_file: Path | None = None, **overrides: Any
) -> ConsoleSettings:
    """Read ConsoleSettings from `environ` (plus command-line `overrides`); errors name the variable, never its
    value."""
    chatwoot = load_settings(environ, credentials_file=credentials_file)
    values: dict[str, Any] = {}
    for field, env in CONSOLE_ENV.items():
        raw = environ.get(env, "").strip()
        if raw:
            values[field] = raw.lower() if field == "cookie_samesite" else raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ConsoleSettings(chatwoot=chatwoot, **values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(f"- {CONSOLE_ENV.get(field, field)}: {error['msg']}")
        raise ConfigError("Invalid console configuration:\n" + "\n".join(problems)) from None
