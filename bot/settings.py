"""BotSettings: the Chatwoot Settings plus the sidecar's own knobs (env `BOT_*`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from chatwoot_mcp.config import ConfigError, Settings, load_settings

# field -> environment variable
BOT_ENV: dict[str, str] = {
    "host": "BOT_HOST",
    "port": "BOT_PORT",
    "debounce_seconds": "BOT_DEBOUNCE_SECONDS",
    "database_url": "BOT_DATABASE_URL",
    "mcp_url": "BOT_MCP_URL",
    "mcp_token": "BOT_MCP_TOKEN",
    "open_on_human_reply": "BOT_OPEN_ON_HUMAN_REPLY",
    "log_content": "BOT_LOG_CONTENT",
    "system_prompt_file": "BOT_SYSTEM_PROMPT_FILE",
    "faq_file": "BOT_FAQ_FILE",
    "max_replies_per_minute": "BOT_MAX_REPLIES_PER_MINUTE",
    "verify_failures_per_minute": "BOT_VERIFY_FAILURES_PER_MINUTE",
    "max_body_bytes": "BOT_MAX_BODY_BYTES",
    "signature_tolerance_seconds": "BOT_SIGNATURE_TOLERANCE_SECONDS",
    "agent_bot_id": "BOT_AGENT_BOT_ID",
    "max_attempts": "BOT_MAX_ATTEMPTS",
    "concurrency": "BOT_CONCURRENCY",
    "model_concurrency": "BOT_MODEL_CONCURRENCY",
    "settle_seconds": "BOT_SETTLE_SECONDS",
    "retry_base_seconds": "BOT_RETRY_BASE_SECONDS",
    "retention_days": "BOT_RETENTION_DAYS",
    "lease_seconds": "BOT_LEASE_SECONDS",
    "read_timeout_seconds": "BOT_READ_TIMEOUT_SECONDS",
    "mirror_webhook_secret": "MIRROR_WEBHOOK_SECRET",
    "mirror_samples_retention_days": "MIRROR_SAMPLES_RETENTION_DAYS",
}


class BotSettings(BaseModel):
    """Frozen settings of the sidecar; `chatwoot` carries the shared Chatwoot/OpenAI settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chatwoot: Settings
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    debounce_seconds: float = Field(default=1.5, ge=0)
    database_url: str = "sqlite:///.data/bot.sqlite3"
    mcp_url: str | None = None
    mcp_token: SecretStr | None = None
    open_on_human_reply: bool = True
    log_content: bool = False
    system_prompt_file: Path | None = None
    faq_file: Path | None = None
    max_replies_per_minute: int = Field(default=6, ge=1)
    verify_failures_per_minute: int = Field(default=100, ge=1)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    signature_tolerance_seconds: int = Field(default=300, ge=1)
    # Our AgentBot's id, to tell "assigned to us" from "assigned to another bot"; unset: any AgentBot
    # assignee counts as us.
    agent_bot_id: int | None = Field(default=None, ge=1)
    # A job that fails this many times ends in a handoff to a human with a private note.
    max_attempts: int = Field(default=5, ge=1)
    # First retry delay of a failed job; doubles per attempt (with jitter), capped at a minute.
    retry_base_seconds: float = Field(default=0.5, gt=0)
    # Accepted events, dedup keys and finished jobs are kept this long (Chatwoot redelivers within minutes).
    retention_days: float = Field(default=7.0, gt=0)
    # Conversations whose Chatwoot and store work runs at the same time (each one is still strictly sequential);
    # a batch gives its slot back while its model call runs. Each batch waits on several Chatwoot requests, so a
    # few slots would leave the bot idle while a burst of customers waits.
    concurrency: int = Field(default=32, ge=1)
    # Model calls in flight at once, apart from the above: a model answers in seconds and costs the bot no CPU
    # meanwhile, so a burst of customers should not queue behind a few; lower it to fit the provider's rate limit.
    model_concurrency: int = Field(default=256, ge=1)
    # How long a reply whose post failed without an answer (a timeout, a 5xx) may still be created by Chatwoot:
    # nothing newer is posted in its conversation before it is found there or this long has passed.
    settle_seconds: float = Field(default=60.0, ge=0)
    # PostgreSQL with several bot processes: a conversation's lease lasts this long unless its holder renews it
    # (every quarter of it), so a replica that died has its conversations taken over within about this time.
    lease_seconds: float = Field(default=10.0, ge=1)
    # A client must send a whole request (headers and body) within this many seconds, or it is disconnected.
    read_timeout_seconds: float = Field(default=5.0, gt=0)
    # Secret of the account webhook that feeds the handoff records (POST /webhooks/records).
    mirror_webhook_secret: SecretStr | None = None
    # Acknowledgement and send counts (per minute) for the daily figures are deleted after this many days.
    mirror_samples_retention_days: float = Field(default=30.0, gt=0)


def load_bot_settings(environ: Mapping[str, str], *, credentials_file: Path | None = None) -> BotSettings:
    """Read BotSettings from `environ`; errors name the variable, never its value."""
    chatwoot = load_settings(environ, credentials_file=credentials_file)
    values: dict[str, Any] = {}
    for field, env in BOT_ENV.items():
        raw = environ.get(env, "").strip()
        if raw:
            values[field] = raw
    try:
        return BotSettings(chatwoot=chatwoot, **values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(f"- {BOT_ENV.get(field, field)}: {error['msg']}")
        raise ConfigError("Invalid bot configuration:\n" + "\n".join(problems)) from None
