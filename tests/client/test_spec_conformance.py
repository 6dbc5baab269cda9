"""The requests the client sends, as the sandbox logged them, map to operations of Chatwoot's OpenAPI spec."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from .helpers import open_client

pytestmark = pytest.mark.anyio

# Where API-FACTS.md (read from Chatwoot's code) overrules the spec, and why.
UNDOCUMENTED_OPERATIONS = {
    ("POST", "/api/v1/accounts/{account_id}/agent_bots/{id}/reset_secret"): "§3: reset_secret is not in the swagger",
}
UNDOCUMENTED_QUERY = {
    ("GET", "/api/v1/accounts/{account_id}/conversations"): {"sort_by"},  # §2.5/§3: sort_by is not documented
}


def body_as_documented(method: str, template: str, body: Any) -> Any:
    """The body with API-FACTS' known departures from the spec taken out; None means "nothing left to check"."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if template.endswith("/assignments"):
        body.pop("assignee_type", None)  # §1.3/§3: assignee_type "AgentBot" is not documented
        if body.get("assignee_id", 0) is None:
            body.pop("assignee_id")  # §2.8: {"assignee_id": null} unassigns
    if template.endswith("/set_agent_bot") and body.get("agent_bot", 0) is None:
        return None  # §2.4: {"agent_bot": null} detaches the bot
    if template.endswith("/toggle_priority") and body.get("priority", "") is None:
        return None  # §2.7: an empty priority clears it (the spec's "none" would be a 500)
    if template.endswith("/toggle_status") and "status" not in body:
        return None  # §1.4: without status, Chatwoot toggles open <-> resolved
    if "/webhooks" in template and isinstance(body.get("webhook"), dict):
        body = body["webhook"]  # §2.11: the controller requires params under "webhook"
    if template.endswith("/messages"):
        body.pop("echo_id", None)  # §3: echo_id is not documented for the application API
        body.pop("source_id", None)  # §2.6: accepted by MessageBuilder, not documented
    if template.endswith("/conversations") and method == "POST":
        body.setdefault("source_id", "documented-as-required")  # §2.5: Chatwoot creates a contact_inbox without it
    return body


def inline(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """The schema with every local $ref replaced by its target (the spec's request schemas are not recursive)."""
    if depth > 40:
        raise RecursionError("schema nesting too deep")
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return inline(target, root, depth + 1)
        return {key: inline(value, root, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [inline(item, root, depth + 1) for item in node]
    return node


class Spec:
    def __init__(self, path: Path) -> None:
        self.doc = json.loads(path.read_text())
        templates = [t for t in self.doc["paths"] if t.startswith("/api/v1/")]
        templates += [t for _, t in UNDOCUMENTED_OPERATIONS if t not in self.doc["paths"]]
        # Literal segments beat parameters: /conversations/meta must not match /conversations/{conversation_id}.
        templates.sort(key=lambda t: t.count("{"))
        self.routes = [(t, re.compile(re.sub(r"\{[^}]+\}", "[^/]+", t))) for t in templates]

    def template(self, path: str) -> str | None:
        return next((t for t, pattern in self.routes if pattern.fullmatch(path)), None)

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        return self.doc["paths"].get(template, {}).get(method.lower())

    def query_names(self, template: str, operation: dict[str, Any]) -> set[str]:
        params = self.doc["paths"][template].get("parameters", []) + operation.get("parameters", [])
        return {inline(p, self.doc)["name"] for p in params if inline(p, self.doc).get("in") == "query"}

    def body_schema(self, operation: dict[str, Any]) -> dict[str, Any] | None:
        content = operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return None if schema is None else inline(schema, self.doc)


async def exercise_every_method(sandbox) -> None:
    bot_id, team_id = sandbox.agent_bot_id, sandbox.info["teams"][0]["id"]
    whatsapp, site = sandbox.inbox("WhatsApp")["id"], sandbox.inbox("Site")["id"]
    rows = [{"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"], "query_operator": "AND"}]
    async with open_client(sandbox) as cw:
        await cw.profile.get()
        await cw.inboxes.list()
        await cw.inboxes.get(whatsapp)
        await cw.inboxes.agent_bot(whatsapp)
        await cw.inboxes.set_agent_bot(site, None)
        await cw.inboxes.set_agent_bot(site, bot_id)
        await cw.conversations.list(
            status="all", assignee_type="all", inbox_id=whatsapp, team_id=team_id,
            labels=["vip", "entrega"], q="pedido", page=1, sort_by="created_at_asc",
        )  # fmt: skip
        await cw.conversations.meta(status="all", inbox_id=whatsapp, labels=["vip"], q="pedido")
        await cw.conversations.filter(rows, page=1)
        await cw.conversations.get(3)
        created = await cw.conversations.create(inbox_id=whatsapp, contact_id=11, message="Oi",
                                                snoozed_until=int(time.time()) + 60)  # fmt: skip
        await cw.conversations.toggle_status(created.id, "snoozed", snoozed_until=int(time.time()) + 3600)
        await cw.conversations.toggle_status(created.id, "open")
        await cw.conversations.toggle_status(created.id)
        await cw.conversations.toggle_priority(3, "low")
        await cw.conversations.toggle_priority(3, None)
        await cw.conversations.assign_agent(4, sandbox.agent("agent")["id"])
        await cw.conversations.assign_agent(4, None)
        await cw.conversations.assign_team(4, team_id)
        await cw.conversations.assign_team(4, None)
        await cw.conversations.assign_agent_bot(4, bot_id)
        await cw.conversations.labels(3)
        await cw.conversations.set_labels(3, ["vip"])
        await cw.messages.list(3)
        await cw.messages.list(3, before=10_000, after=1)
        await cw.messages.create(3, "Olá", private=False, message_type="outgoing", content_type="text",
                                 content_attributes={}, source_id="s-1", echo_id="e-1")  # fmt: skip
        await cw.agents.list()
        await cw.teams.list()
        await cw.contacts.search("Silva", page=1)
        bot = await cw.agent_bots.create(name="Spec", outgoing_url="http://127.0.0.1:9/x", description="d")
        await cw.agent_bots.list()
        await cw.agent_bots.get(bot.id)
        await cw.agent_bots.update(bot.id, name="Spec 2")
        await cw.agent_bots.reset_secret(bot.id)
        await cw.agent_bots.delete(bot.id)
        hook = await cw.webhooks.create(url="http://127.0.0.1:9/h", subscriptions=["message_created"], name="h")
        await cw.webhooks.list()
        await cw.webhooks.update(hook.id, subscriptions=["conversation_updated"])
        await cw.webhooks.delete(hook.id)


async def test_every_request_the_client_sends_is_a_spec_operation_with_a_valid_body(sandbox, swagger_path) -> None:
    spec = Spec(swagger_path)
    sandbox.control("DELETE", "requests")
    await exercise_every_method(sandbox)
    log = sandbox.control("GET", "requests")
    assert len(log) == 39  # one request per call: nothing retried, nothing read behind the caller's back
    problems: list[str] = []
    checked_bodies = 0
    for record in log:
        method, path = record["method"], record["path"]
        where = f"{method} {path}"
        template = spec.template(path)
        if template is None:
            problems.append(f"{where}: no path in the spec")
            continue
        if (method, template) in UNDOCUMENTED_OPERATIONS:
            continue
        operation = spec.operation(method, template)
        if operation is None:
            problems.append(f"{where}: the spec has no {method} on {template}")
            continue
        query = record.get("query") or {}
        names = set(query) if isinstance(query, dict) else {k for k, _ in re.findall(r"([^&=]+)=([^&]*)", query)}
        names = {name.removesuffix("[]").removesuffix("%5B%5D") for name in names}
        unknown = names - spec.query_names(template, operation) - UNDOCUMENTED_QUERY.get((method, template), set())
        if unknown:
            problems.append(f"{where}: undocumented query parameters {sorted(unknown)}")
        schema = spec.body_schema(operation)
        body = body_as_documented(method, template, record.get("json"))
        if schema is not None and body is not None:
            checked_bodies += 1
            for error in Draft202012Validator(schema).iter_errors(body):
                problems.append(f"{where}: body {error.json_path}: {error.message}")
    assert problems == []
    assert checked_bodies >= 15
