"""Output schemas in the cheapest equivalent form: `$ref`s inlined and `anyOf [X, null]` folded into type lists.

MCP clients validate every structured result against the tool's output schema. Pydantic writes nullable fields
as `anyOf` and nested models as `$ref`s, which a validator must resolve and branch on for every field of every
item; the folded form accepts exactly the same documents and costs a fraction of that.
"""

from __future__ import annotations

from typing import Any

# Keywords that, like `type`, only constrain values of their own JSON type, so a null still passes them.
_TYPED_KEYWORDS = {
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "format",
    "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains",
    "properties", "required", "additionalProperties", "minProperties", "maxProperties",
}  # fmt: skip
_ANNOTATIONS = {"title", "description", "default", "examples"}


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema with local `$defs` references inlined (unless recursive) and nullable unions folded."""
    defs = schema.get("$defs", {})
    body = {key: value for key, value in schema.items() if key != "$defs"}
    return _walk(body, defs, ())


def _walk(node: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_walk(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        if name in defs and name not in seen:
            merged = {**defs[name], **{k: v for k, v in node.items() if k != "$ref"}}
            return _walk(merged, defs, (*seen, name))
        raise ValueError(f"cannot inline the recursive or unknown reference {ref}")
    walked = {key: _walk(value, defs, seen) for key, value in node.items()}
    return _fold_nullable(walked)


def _fold_nullable(node: dict[str, Any]) -> dict[str, Any]:
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return node
    other = next(option for option in options if option != {"type": "null"})
    kind = other.get("type")
    foldable = isinstance(kind, str) and set(other) <= {"type"} | _TYPED_KEYWORDS | _ANNOTATIONS
    if not foldable and "enum" in other and set(other) <= {"enum", "type"} | _ANNOTATIONS:
        folded = {**other, "enum": [*other["enum"], None]}
        folded.pop("type", None)
    elif foldable:
        folded = {**other, "type": [kind, "null"]}
    else:
        return node
    return {**{k: v for k, v in node.items() if k != "anyOf"}, **folded}
