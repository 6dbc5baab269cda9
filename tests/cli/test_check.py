"""`chatwoot-mcp check` against the sandbox: a report with a fix for each failure, and no secret in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from chatwoot_mcp.check import render, run_check
from chatwoot_mcp.config import Settings
from tests.conftest import REPO, Sandbox


def settings_for(sandbox: Sandbox, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "chatwoot_url": sandbox.base_url,
        "api_token": SecretStr(sandbox.admin_token),
        "account_id": sandbox.account_id,
        "webhook_secret": SecretStr("s3cret"),
        "openai_api_key": SecretStr("sk-test"),
    }
    values.update(overrides)
    return Settings(**values)


@pytest.mark.anyio
async def test_a_good_admin_configuration_passes_and_lists_the_inboxes_with_their_bot(sandbox: Sandbox) -> None:
    findings = await run_check(settings_for(sandbox, bot_token=SecretStr(sandbox.bot_token)))
    assert [f for f in findings if f.level == "fail"] == []
    text = render(findings)
    assert "role administrator" in text
    for inbox in sandbox.info["inboxes"]:
        assert f"inbox {inbox['id']} {inbox['name']!r}: AgentBot" in text
    assert "CHATWOOT_BOT_TOKEN is an AgentBot token" in text


@pytest.mark.anyio
async def test_an_invalid_token_fails_with_where_to_get_a_valid_one(sandbox: Sandbox) -> None:
    findings = await run_check(settings_for(sandbox, api_token=SecretStr("wrong-token-value")))
    failed = [f for f in findings if f.level == "fail"]
    assert len(failed) == 1 and "not a valid access token" in failed[0].what
    assert "Profile Settings" in failed[0].fix
    assert "wrong-token-value" not in render(findings)


@pytest.mark.anyio
async def test_a_bot_token_in_the_api_key_is_recognised_and_explained(sandbox: Sandbox) -> None:
    findings = await run_check(settings_for(sandbox, api_token=SecretStr(sandbox.bot_token)))
    failed = [f for f in findings if f.level == "fail"]
    assert any("AgentBot token" in f.what and "CHATWOOT_BOT_TOKEN" in f.fix for f in failed)
    assert sandbox.bot_token not in render(findings)


@pytest.mark.anyio
async def test_an_account_the_user_cannot_reach_fails_naming_the_reachable_ones(sandbox: Sandbox) -> None:
    findings = await run_check(settings_for(sandbox, account_id=999))
    failed = [f for f in findings if f.level == "fail"]
    assert len(failed) == 1 and "account 999" in failed[0].what
    assert str(sandbox.account_id) in failed[0].fix


@pytest.mark.anyio
async def test_an_unreachable_chatwoot_fails_with_a_fix_about_the_url() -> None:
    settings = Settings(chatwoot_url="http://127.0.0.1:9", api_token=SecretStr("t"), account_id=1)
    findings = await run_check(settings)
    assert findings[0].level == "fail" and "not reachable" in findings[0].what
    assert "CHATWOOT_URL" in findings[0].fix


@pytest.mark.anyio
async def test_an_inbox_id_that_does_not_exist_fails(sandbox: Sandbox) -> None:
    findings = await run_check(settings_for(sandbox, inbox_id=4242))
    assert any(f.level == "fail" and "CHATWOOT_INBOX_ID 4242" in f.what for f in findings)


def test_the_check_command_exits_non_zero_and_names_missing_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATWOOT_", "OPENAI_"))}
    result = subprocess.run(
        [sys.executable, "-m", "chatwoot_mcp", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "CHATWOOT_URL" in result.stdout and "CHATWOOT_API_KEY" in result.stdout


def test_the_check_command_reports_ok_against_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CHATWOOT_", "OPENAI_"))},
        "CHATWOOT_URL": sandbox.base_url,
        "CHATWOOT_API_KEY": sandbox.admin_token,
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id),
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        [sys.executable, "-m", "chatwoot_mcp", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Chatwoot reachable" in result.stdout
    assert sandbox.admin_token not in result.stdout + result.stderr


def test_check_help_explains_the_checks_and_exits_zero(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chatwoot_mcp", "check", "--help"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: chatwoot-mcp check")
    assert "CHATWOOT_BOT_TOKEN" in result.stdout and "exit status" in result.stdout


def test_check_with_an_unknown_argument_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chatwoot_mcp", "check", "--bogus"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "unrecognized arguments: --bogus" in result.stderr
