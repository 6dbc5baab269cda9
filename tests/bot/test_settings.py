"""BotSettings from the environment: BOT_* knobs on top of the shared Chatwoot settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import BotSettings, load_bot_settings
from chatwoot_mcp.config import ConfigError

BASE = {"CHATWOOT_URL": "http://chatwoot.local", "CHATWOOT_API_TOKEN": "tok-123", "CHATWOOT_ACCOUNT_ID": "1"}


def test_defaults_follow_the_documented_contract(tmp_path: Path) -> None:
    settings = load_bot_settings(BASE, credentials_file=tmp_path / "none.toml")
    assert (settings.host, settings.port, settings.debounce_seconds) == ("127.0.0.1", 8000, 1.5)
    assert settings.database_url == "sqlite:///.data/bot.sqlite3"
    assert settings.open_on_human_reply and not settings.log_content
    assert (settings.max_replies_per_minute, settings.verify_failures_per_minute) == (6, 100)
    assert (settings.max_body_bytes, settings.signature_tolerance_seconds) == (1_000_000, 300)
    assert settings.chatwoot.account_id == 1


def test_bot_variables_override_the_defaults(tmp_path: Path) -> None:
    env = BASE | {
        "BOT_HOST": "0.0.0.0",
        "BOT_PORT": "9000",
        "BOT_DEBOUNCE_SECONDS": "0.25",
        "BOT_DATABASE_URL": "postgresql://db/bot?schema=bia",
        "BOT_OPEN_ON_HUMAN_REPLY": "false",
        "BOT_LOG_CONTENT": "true",
        "BOT_MCP_URL": "http://mcp:8765/mcp",
        "BOT_MCP_TOKEN": "mcp-secret",
        "BOT_AGENT_BOT_ID": "3",
    }
    settings = load_bot_settings(env, credentials_file=tmp_path / "none.toml")
    assert (settings.host, settings.port, settings.debounce_seconds) == ("0.0.0.0", 9000, 0.25)
    assert settings.database_url.endswith("schema=bia")
    assert not settings.open_on_human_reply and settings.log_content
    assert settings.mcp_token is not None and "mcp-secret" not in repr(settings)
    assert settings.agent_bot_id == 3
    assert "tok-123" not in repr(settings) and "tok-123" not in str(settings.model_dump())


def test_a_bad_value_names_the_variable_but_not_the_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_bot_settings(BASE | {"BOT_PORT": "eighty", "BOT_DEBOUNCE_SECONDS": "-1"}, credentials_file=tmp_path / "x")
    message = str(info.value)
    assert "BOT_PORT" in message and "BOT_DEBOUNCE_SECONDS" in message
    assert "eighty" not in message


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings: BotSettings = load_bot_settings(BASE, credentials_file=tmp_path / "none.toml")
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1  # type: ignore[misc]
