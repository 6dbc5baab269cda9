"""People and bots as Chatwoot renders them: push data, the agent view, agent bots, teams and the profile."""

from __future__ import annotations

from typing import Any

from .render_common import iso
from .state import AgentBot, Store, Team, User


def user_push(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "available_name": user.name,
        "avatar_url": "",
        "type": "user",
        "availability_status": user.availability_status,
        "thumbnail": "",
    }


def agent(user: User, account_id: int) -> dict[str, Any]:
    return {
        "id": user.id,
        "account_id": account_id,
        "availability_status": user.availability_status,
        "auto_offline": user.auto_offline,
        "confirmed": True,
        "email": user.email,
        "provider": "email",
        "available_name": user.name,
        "name": user.name,
        "role": user.role,
        "thumbnail": "",
        "custom_role_id": None,
    }


def bot_push(bot: AgentBot) -> dict[str, Any]:
    return {"id": bot.id, "name": bot.name, "avatar_url": bot.avatar_url, "type": "agent_bot"}


def bot_slim(bot: AgentBot) -> dict[str, Any]:
    return {
        "id": bot.id,
        "name": bot.name,
        "description": bot.description,
        "thumbnail": bot.avatar_url,
        "outgoing_url": bot.outgoing_url,
        "bot_type": bot.bot_type,
    }


def agent_bot(bot: AgentBot, account_id: int, *, admin: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": bot.id,
        "name": bot.name,
        "description": bot.description,
        "thumbnail": bot.avatar_url,
        "outgoing_url": bot.outgoing_url,
        "bot_type": bot.bot_type,
        "bot_config": bot.bot_config,
        "account_id": bot.account_id,
    }
    if bot.account_id == account_id:
        body["access_token"] = bot.access_token
    if admin and bot.account_id is not None:
        body["secret"] = bot.secret
    body["system_bot"] = bot.account_id is None
    return body


def team(store: Store, record: Team, viewer: User | None) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "description": record.description,
        "allow_auto_assign": record.allow_auto_assign,
        "account_id": record.account_id,
        "is_member": viewer is not None and viewer.id in record.member_ids,
    }


def team_record(record: Team) -> dict[str, Any]:
    """`render json: @team`: the ActiveRecord attributes."""
    return {
        "id": record.id,
        "name": record.name,
        "description": record.description,
        "allow_auto_assign": record.allow_auto_assign,
        "account_id": record.account_id,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
    }


def profile(store: Store, user: User) -> dict[str, Any]:
    accounts = [
        {
            "id": acc_id,
            "name": store.accounts[acc_id].name,
            "status": "active",
            "onboarding_step": "completed",
            "active_at": iso(user.created_at),
            "role": user.role,
            "permissions": [user.role],
            "availability": user.availability_status,
            "availability_status": user.availability_status,
            "auto_offline": user.auto_offline,
            "custom_role_id": None,
            "custom_role": None,
        }
        for acc_id in user.account_ids
    ]
    return {
        "access_token": user.access_token,
        "account_id": user.account_ids[0],
        "available_name": user.name,
        "avatar_url": "",
        "confirmed": True,
        "display_name": None,
        "message_signature": None,
        "email": user.email,
        "id": user.id,
        "inviter_id": None,
        "name": user.name,
        "provider": "email",
        "pubsub_token": user.pubsub_token,
        # `custom_attributes` is written only when present, and `type` is the STI column, null for every non-super-admin
        "role": user.role,
        "ui_settings": {},
        "uid": user.email,
        "type": None,
        "accounts": accounts,
    }
