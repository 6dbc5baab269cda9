"""Configuration: environment over credentials file, aliases, clear errors, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatwoot_mcp.config import ConfigError, load_settings

FILE = """
[chatwoot]
api_url = "http://chatwoot-rails:3000/"
api_token = "file-token-123"
account_id = 1
inbox_id = 4
webhook_secret = "file-secret"
human_team_id = 2

[openai]
api_key = "sk-file"
model = "gpt-4o-mini"
"""


@pytest.fixture
def credentials(tmp_path: Path) -> Path:
    path = tmp_path / "credentials.toml"
    path.write_text(FILE)
    return path


def test_credentials_file_tables_fill_the_settings(credentials: Path) -> None:
    settings = load_settings({"CHATWOOT_CREDENTIALS_FILE": str(credentials)})
    assert settings.chatwoot_url == "http://chatwoot-rails:3000"
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "file-token-123"
    assert (settings.account_id, settings.inbox_id, settings.human_team_id) == (1, 4, 2)
    assert settings.openai_model == "gpt-4o-mini"
    assert settings.webhook_secret is not None and settings.webhook_secret.get_secret_value() == "file-secret"


def test_environment_wins_over_the_credentials_file(credentials: Path) -> None:
    env = {
        "CHATWOOT_CREDENTIALS_FILE": str(credentials),
        "CHATWOOT_API_KEY": "env-token",
        "CHATWOOT_ACCOUNT_ID": "7",
        "OPENAI_MODEL": "gpt-4.1",
    }
    settings = load_settings(env)
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "env-token"
    assert settings.account_id == 7
    assert settings.openai_model == "gpt-4.1"
    assert settings.inbox_id == 4  # not in the environment: still from the file


def test_aliases_are_accepted_and_the_primary_name_wins(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    settings = load_settings(
        {"CHATWOOT_BASE_URL": "https://cw.example.com", "CHATWOOT_API_TOKEN": "alias-token"},
        credentials_file=missing,
    )
    assert settings.chatwoot_url == "https://cw.example.com"
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "alias-token"
    both = load_settings(
        {"CHATWOOT_URL": "https://a.example.com", "CHATWOOT_BASE_URL": "https://b.example.com"},
        credentials_file=missing,
    )
    assert both.chatwoot_url == "https://a.example.com"


def test_missing_chatwoot_settings_are_named_with_where_they_were_looked_for(tmp_path: Path) -> None:
    settings = load_settings({}, credentials_file=tmp_path / "absent.toml")
    with pytest.raises(ConfigError) as info:
        settings.require_chatwoot()
    message = str(info.value)
    for name in ("chatwoot_url", "api_token", "account_id", "CHATWOOT_URL", "CHATWOOT_API_KEY", "CHATWOOT_ACCOUNT_ID"):
        assert name in message
    assert "absent.toml" in message


def test_a_malformed_value_names_the_setting_but_never_the_secret_values(tmp_path: Path) -> None:
    env = {"CHATWOOT_ACCOUNT_ID": "not-a-number", "CHATWOOT_API_KEY": "super-secret-token-xyz"}
    with pytest.raises(ConfigError) as info:
        load_settings(env, credentials_file=tmp_path / "absent.toml")
    message = str(info.value)
    assert "account_id" in message and "CHATWOOT_ACCOUNT_ID" in message
    assert "super-secret-token-xyz" not in message
    assert "not-a-number" not in message


def test_a_bad_url_is_rejected_with_the_setting_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="chatwoot_url"):
        load_settings({"CHATWOOT_URL": "chatwoot.local:3000"}, credentials_file=tmp_path / "absent.toml")


def test_a_credentials_file_that_is_not_toml_gives_a_clear_error_without_its_contents(tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text('[chatwoot]\napi_token = "leaky-secret\n')
    with pytest.raises(ConfigError) as info:
        load_settings({"CHATWOOT_CREDENTIALS_FILE": str(path)})
    assert "could not be read as TOML" in str(info.value)
    assert "leaky-secret" not in str(info.value)


def test_an_explicit_credentials_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"CHATWOOT_CREDENTIALS_FILE": str(tmp_path / "nope.toml")})


def test_secrets_do_not_show_in_the_settings_repr(credentials: Path) -> None:
    settings = load_settings({"CHATWOOT_CREDENTIALS_FILE": str(credentials), "CHATWOOT_MCP_TOKEN": "mcp-bearer"})
    text = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in ("file-token-123", "file-secret", "sk-file", "mcp-bearer"):
        assert secret not in text


def test_toolsets_and_flags_are_parsed_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "CHATWOOT_MCP_TOOLSETS": "conversations, Handoff ,",
            "CHATWOOT_MCP_READ_ONLY": "true",
            "CHATWOOT_MCP_ALLOW_SETUP": "false",
        },
        credentials_file=tmp_path / "absent.toml",
    )
    assert settings.mcp_toolsets == frozenset({"conversations", "handoff"})
    assert settings.mcp_read_only is True
    assert settings.mcp_allow_setup is False
