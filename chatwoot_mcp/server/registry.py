"""Every tool's name, title, toolset and annotations, declared next to its function with `@tool(...)`.

Toolsets (settings.mcp_toolsets selects among them; None means all):
  conversations  chatwoot_list_conversations, chatwoot_get_conversation, chatwoot_mark_read,
                 chatwoot_update_conversation
  messages       chatwoot_list_messages, chatwoot_send_message
  handoff        chatwoot_take_over, chatwoot_return_to_bot, chatwoot_hand_off, chatwoot_handoff_stats
  contacts       chatwoot_search_contacts
  admin          chatwoot_setup, chatwoot_list_inboxes, chatwoot_list_agents, chatwoot_list_teams,
                 chatwoot_list_labels

open_world_hint is true for tools whose effects reach customers or an arbitrary URL; read_only_hint is what
settings.mcp_read_only filters on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from mcp_types import ToolAnnotations

Toolset = Literal["conversations", "messages", "handoff", "contacts", "admin"]
TOOLSETS: tuple[Toolset, ...] = ("conversations", "messages", "handoff", "contacts", "admin")

# The order tools are listed in: setup first, then reads before the writes they lead to.
TOOL_ORDER = (
    "chatwoot_setup",
    "chatwoot_list_inboxes",
    "chatwoot_list_conversations",
    "chatwoot_get_conversation",
    "chatwoot_list_messages",
    "chatwoot_mark_read",
    "chatwoot_send_message",
    "chatwoot_update_conversation",
    "chatwoot_take_over",
    "chatwoot_return_to_bot",
    "chatwoot_hand_off",
    "chatwoot_handoff_stats",
    "chatwoot_list_agents",
    "chatwoot_list_teams",
    "chatwoot_list_labels",
    "chatwoot_search_contacts",
)

_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    toolset: Toolset
    fn: Callable[..., Any]
    annotations: ToolAnnotations

    @property
    def read_only(self) -> bool:
        return bool(self.annotations.read_only_hint)

    @property
    def description(self) -> str:
        return _dedent(self.fn.__doc__ or "")


def _dedent(doc: str) -> str:
    """Paragraphs of the docstring, each joined on one line: easier for a model to read than hard wraps."""
    paragraphs = [" ".join(part.split()) for part in doc.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


REGISTRY: list[ToolSpec] = []


def tool(
    name: str,
    *,
    title: str,
    toolset: Toolset,
    read_only: bool,
    destructive: bool,
    idempotent: bool,
    open_world: bool,
) -> Callable[[_F], _F]:
    """Register a tool function (its first parameter is the Connection, bound at build time)."""

    def decorator(fn: _F) -> _F:
        REGISTRY.append(
            ToolSpec(
                name=name,
                title=title,
                toolset=toolset,
                fn=fn,
                annotations=ToolAnnotations(
                    title=title,
                    read_only_hint=read_only,
                    destructive_hint=destructive,
                    idempotent_hint=idempotent,
                    open_world_hint=open_world,
                ),
            )
        )
        return fn

    return decorator


def all_specs() -> list[ToolSpec]:
    """Every tool, importing the tool modules so their decorators have run."""
    from chatwoot_mcp.server.tools import load  # noqa: F401 - import registers the tools

    load()
    return sorted(REGISTRY, key=lambda spec: TOOL_ORDER.index(spec.name))


def toolsets_problem(toolsets: frozenset[str] | None) -> str | None:
    """A sentence about unknown names in CHATWOOT_MCP_TOOLSETS, or None when every name is known."""
    unknown = sorted(set(toolsets or ()) - set(TOOLSETS))
    if not unknown:
        return None
    return (
        f"CHATWOOT_MCP_TOOLSETS names unknown toolsets {unknown}, which were ignored; choose from "
        f"{', '.join(TOOLSETS)} and restart the server"
    )


def selected_specs(*, read_only: bool, toolsets: frozenset[str] | None) -> list[ToolSpec]:
    """The tools a server with these settings exposes: a filter on annotations and toolsets, nothing else.

    Unknown toolset names are ignored, and chatwoot_setup is then always exposed: the server starts, and a client
    learns why through it (and the server's instructions) instead of seeing the connection close."""
    specs = all_specs()
    if toolsets is not None:
        keep_setup = toolsets_problem(toolsets) is not None
        specs = [s for s in specs if s.toolset in toolsets or (keep_setup and s.name == "chatwoot_setup")]
    if read_only:
        specs = [s for s in specs if s.read_only]
    return specs
