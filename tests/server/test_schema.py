"""Compact output schemas accept exactly what pydantic's schemas accept, with no $ref or nullable anyOf left."""

from __future__ import annotations

import json
from typing import Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel, Field

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from chatwoot_mcp.server.schema import compact_schema


class Person(BaseModel):
    id: int = Field(ge=1)
    name: str | None = Field(None, max_length=5)
    kind: Literal["user", "agent_bot"] | None = None


class Page(BaseModel):
    owner: Person | None = None
    people: list[Person] = []
    next_page: int | None = Field(None, ge=2)


ORIGINAL = Page.model_json_schema()
COMPACT = compact_schema(ORIGINAL)

DOCUMENTS: list[tuple[dict[str, Any], bool]] = [
    ({}, True),
    ({"owner": None, "people": [], "next_page": None}, True),
    ({"owner": {"id": 1, "name": "Ana", "kind": "user"}, "people": [{"id": 2, "name": None}]}, True),
    ({"owner": {"id": 1, "kind": None}}, True),
    ({"owner": {"id": 0}}, False),  # minimum kept
    ({"owner": {"id": 1, "name": "too long"}}, False),  # maxLength kept
    ({"owner": {"id": 1, "kind": "robot"}}, False),  # enum kept
    ({"owner": {"name": "Ana"}}, False),  # required kept inside the folded object
    ({"owner": "nobody"}, False),
    ({"people": [None]}, False),  # items are not nullable
    ({"next_page": 1}, False),
    ({"next_page": "2"}, False),
]


@pytest.mark.parametrize(("document", "valid"), DOCUMENTS, ids=[json.dumps(d) for d, _ in DOCUMENTS])
def test_the_compact_schema_accepts_and_rejects_what_the_original_does(document: dict[str, Any], valid: bool) -> None:
    assert jsonschema.Draft202012Validator(ORIGINAL).is_valid(document) is valid
    assert jsonschema.Draft202012Validator(COMPACT).is_valid(document) is valid


def test_the_compact_schema_has_no_references_or_nullable_unions() -> None:
    text = json.dumps(COMPACT)
    assert "$ref" not in text and "$defs" not in text and "anyOf" not in text
    assert COMPACT["properties"]["owner"]["type"] == ["object", "null"]
    assert COMPACT["properties"]["owner"]["properties"]["kind"]["enum"] == ["user", "agent_bot", None]


@pytest.mark.anyio
async def test_every_listed_output_schema_is_compact_and_valid() -> None:
    for tool in await build_server(Settings()).list_tools():
        assert tool.output_schema is not None, tool.name
        jsonschema.Draft202012Validator.check_schema(tool.output_schema)
        assert "$ref" not in json.dumps(tool.output_schema), tool.name
