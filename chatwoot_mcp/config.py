"""Settings for every process: read once from the environment and `.secrets/credentials.toml`, then passed down."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

DEFAULT_CREDENTIALS_FILE = Path(".secrets/credentials.toml")

# setting name -> (environment variables, first wins; (table, key) in the credentials file or None)
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, str] | None]] = {
    "chatwoot_url": (("CHATWOOT_URL", "CHATWOOT_BASE_URL"), ("chatwoot", "api_url")),
    "api_token": (("CHATWOOT_API_KEY", "CHATWOOT_API_TOKEN"), ("chatwoot", "api_token")),
    "account_id": (("CHATWOOT_ACCOUNT_ID",), ("chatwoot", "account_id")),
    "inbox_id": (("CHATWOOT_INBOX_ID",), ("chatwoot", "inbox_id")),
    "bot_token": (("CHATWOOT_BOT_TOKEN",), ("chatwoot", "bot_token")),
    "webhook_secret": (("CHATWOOT_WEBHOOK_SECRET",), ("chatwoot", "webhook_secret")),
    "human_team_id": (("CHATWOOT_HUMAN_TEAM_ID",), ("chatwoot", "human_team_id")),
    "openai_api_key": (("OPENAI_API_KEY",), ("openai", "api_key")),
    "openai_base_url": (("OPENAI_BASE_URL",), ("openai", "base_url")),
    "openai_model": (("OPENAI_MODEL",), ("openai", "model")),
    "mcp_allow_setup": (("CHATWOOT_MCP_ALLOW_SETUP",), None),
    "mcp_read_only": (("CHATWOOT_MCP_READ_ONLY",), None),
    "mcp_toolsets": (("CHATWOOT_MCP_TOOLSETS",), None),
    "mcp_token": (("CHATWOOT_MCP_TOKEN",), None),
    "mcp_allowed_hosts": (("CHATWOOT_MCP_ALLOWED_HOSTS",), None),
    "bot_name": (("BOT_NAME",), None),
    "takeover_message": (("CHATWOOT_MCP_TAKEOVER_MESSAGE",), None),
    "return_message": (("CHATWOOT_MCP_RETURN_MESSAGE",), None),
}

REQUIRED_FOR_CHATWOOT = ("chatwoot_url", "api_token", "account_id")


class ConfigError(ValueError):
    """A missing or malformed setting; the message names it and where it was looked for."""


def describe_source(field: str, credentials_file: Path | None) -> str:
    envs, file_key = SOURCES[field]
    where = " or ".join(envs)
    if file_key:
        file_name = credentials_file or DEFAULT_CREDENTIALS_FILE
        where += f", or [{file_key[0]}] {file_key[1]} in {file_name}"
    return where


class Settings(BaseModel):
    """Everything the MCP server and the bot need to reach Chatwoot and the LLM. Secrets are SecretStr."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chatwoot_url: str | None = None
    api_token: SecretStr | None = None
    account_id: int | None = Field(default=None, ge=1)
    inbox_id: int | None = Field(default=None, ge=1)
    bot_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    human_team_id: int | None = Field(default=None, ge=1)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o"
    mcp_allow_setup: bool = True
    mcp_read_only: bool = False
    mcp_toolsets: frozenset[str] | None = None
    mcp_token: SecretStr | None = None
    # Host names (host or host:port) the HTTP transport answers to besides loopback and its bind address.
    mcp_allowed_hosts: frozenset[str] | None = None
    bot_name: str = "BIA"
    takeover_message: str | None = None
    return_message: str | None = None
    credentials_file: Path | None = None

    @field_validator("chatwoot_url", "openai_base_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("mcp_toolsets", "mcp_allowed_hosts", mode="before")
    @classmethod
    def _split_toolsets(cls, value: Any) -> Any:
        if isinstance(value, str):
            names = {part.strip().lower() for part in value.split(",") if part.strip()}
            return frozenset(names) or None
        return value

    def require_chatwoot(self) -> None:
        """Raise one ConfigError naming every missing Chatwoot setting and where it was looked for."""
        missing = [f for f in REQUIRED_FOR_CHATWOOT if getattr(self, f) is None]
        if missing:
            lines = [f"- {name}: set {describe_source(name, self.credentials_file)}" for name in missing]
            raise ConfigError("Chatwoot is not configured. Missing:\n" + "\n".join(lines))


def read_credentials_file(path: Path) -> dict[str, dict[str, Any]]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, OSError) as exc:
        # The decoder's message carries a line and column, never a value from the file.
        raise ConfigError(f"{path} could not be read as TOML: {exc}") from None
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def load_settings(environ: Mapping[str, str], *, credentials_file: Path | None = None) -> Settings:
    """Build Settings: the environment wins over the credentials file; errors name the setting, never its value."""
    from_env = environ.get("CHATWOOT_CREDENTIALS_FILE", "").strip()
    path = credentials_file or (Path(from_env) if from_env else DEFAULT_CREDENTIALS_FILE)
    if from_env and credentials_file is None and not path.exists():
        raise ConfigError(f"CHATWOOT_CREDENTIALS_FILE points to {path}, which does not exist")
    tables = read_credentials_file(path)
    values: dict[str, Any] = {}
    for field, (envs, file_key) in SOURCES.items():
        for env in envs:
            if environ.get(env, "").strip():
                values[field] = environ[env].strip()
                break
        else:
            if file_key and file_key[1] in tables.get(file_key[0], {}):
                raw = tables[file_key[0]][file_key[1]]
                values[field] = raw.strip() if isinstance(raw, str) else raw
    values["credentials_file"] = path
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            where = describe_source(field, path) if field in SOURCES else field
            # error["msg"] describes the rule broken; error["input"] (the value) is deliberately left out.
            problems.append(f"- {field} ({where}): {error['msg']}")
        raise ConfigError("Invalid configuration:\n" + "\n".join(problems)) from None
