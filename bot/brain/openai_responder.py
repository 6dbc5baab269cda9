"""The LLM responder: chat completions on any OpenAI-compatible server, tools bound to one conversation."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import anyio
import openai
from openai.types.chat import ChatCompletion

from bot import texts
from bot.brain.base import BotContext, BrainError, Outcome
from bot.brain.prompt import (
    TOOL_NAMES,
    TOOLS,
    build_messages,
    last_customer_text,
    strip_agent_tag,
    strip_handoff_marker,
)

logger = logging.getLogger(__name__)

_SAFE_CODE = re.compile(r"^[a-z0-9_.\-]{1,64}$")
_SUMMARY_LIMIT = 500


@dataclass
class _Turnout:
    """What the model asked for so far in one `respond` call."""

    replies: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    handoff_reason: str | None = None
    summary: str | None = None
    handoff: bool = False


class OpenAIResponder:
    """Answers with a chat model; the model can only reply, hand off or note, in the conversation at hand.

    Retries (429, 5xx, timeouts, connection errors) are the openai client's own, with backoff; once they
    are spent `respond` raises `BrainError`, and the runner apologises and hands off.
    """

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        model: str = "gpt-4o",
        system_prompt: str,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_rounds: int = 3,
        total_timeout: float = 120.0,
    ) -> None:
        if max_rounds < 1:
            raise ValueError("max_rounds must be at least 1")
        self.model = model
        self.system_prompt = system_prompt
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_rounds = max_rounds
        self.total_timeout = total_timeout
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)

    def __repr__(self) -> str:
        return f"OpenAIResponder(model={self.model!r})"

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> OpenAIResponder:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def respond(self, ctx: BotContext) -> Outcome:
        try:
            with anyio.fail_after(self.total_timeout):
                return await self._respond(ctx)
        except TimeoutError:
            raise BrainError(f"the model gave no answer within {self.total_timeout:g} s") from None

    async def _respond(self, ctx: BotContext) -> Outcome:
        messages = build_messages(ctx, self.system_prompt)
        got = _Turnout()
        for round_number in range(1, self.max_rounds + 1):
            message = await self._complete(messages)
            calls = [call for call in (message.tool_calls or []) if call.type == "function"]
            text = (message.content or "").strip()
            logger.info(
                "conversation %s: model round %d: %d tool call(s)%s",
                ctx.conversation_id,
                round_number,
                len(calls),
                ", text" if text else "",
            )
            if not calls:
                if text:
                    got.replies.append(text)
                break
            messages.append(_assistant_message(message.content, calls))
            refused = False
            for call in calls:
                result, accepted = _apply(call.function.name, call.function.arguments, got)
                refused = refused or not accepted
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
            if text and not got.replies and not refused:
                got.replies.append(text)  # some models write the answer beside their tool calls
            if got.replies or got.handoff:
                break
        return _outcome(ctx, got)

    async def _complete(self, messages: list[dict[str, Any]]) -> Any:
        attempts = self.max_retries + 1
        try:
            # The client's own POST with its response model: `chat.completions.create` first walks the tool
            # schemas and messages again to transform typed dicts that are already what goes on the wire, a cost
            # a burst of customers feels (`python -m bench burst`; figures in docs/architecture.md).
            completion = await self._client.post(
                "/chat/completions",
                body={"model": self.model, "messages": messages, "tools": TOOLS, "tool_choice": "auto"},
                cast_to=ChatCompletion,
            )
        except openai.APITimeoutError:
            raise BrainError(f"the model did not answer within {self.timeout:g} s ({attempts} attempt(s))") from None
        except openai.APIConnectionError:
            raise BrainError(f"could not reach the model API ({attempts} attempt(s))") from None
        except openai.APIStatusError as exc:
            # Provider error messages can quote part of the API key: keep only status and error code.
            code = exc.code if isinstance(exc.code, str) and _SAFE_CODE.match(exc.code) else None
            detail = f", {code}" if code else ""
            raise BrainError(f"the model API answered HTTP {exc.status_code}{detail} ({attempts} attempt(s))") from None
        except openai.OpenAIError as exc:
            raise BrainError(f"the model API failed: {exc.__class__.__name__}") from None
        if not completion.choices:
            raise BrainError("the model API returned no choices")
        return completion.choices[0].message


def _assistant_message(content: str | None, calls: list[Any]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": call.function.arguments},
            }
            for call in calls
        ],
    }


def _apply(name: str, raw_arguments: str, got: _Turnout) -> tuple[str, bool]:
    """Record one tool call; returns the tool result the model sees if another round is needed, and whether
    the call was accepted (a refused call means the text beside it is not trusted as the reply)."""
    if name not in TOOL_NAMES:
        return (
            f"Erro: a ferramenta {name[:64]!r} não existe. Você só pode usar reply, handoff_to_human "
            "e add_private_note, e só nesta conversa.",
            False,
        )
    try:
        arguments = json.loads(raw_arguments or "{}")
    except json.JSONDecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        return "Erro: os argumentos não são um objeto JSON válido; chame a ferramenta de novo.", False

    def text_arg(key: str) -> str:
        value = arguments.get(key)
        return value.strip() if isinstance(value, str) else ""

    if name == "reply":
        text = text_arg("text")
        if not text:
            return "Erro: `text` está vazio; escreva a mensagem para o cliente.", False
        got.replies.append(text)
        return "Mensagem enviada ao cliente.", True
    if name == "handoff_to_human":
        got.handoff = True
        got.handoff_reason = text_arg("reason") or got.handoff_reason
        got.summary = text_arg("summary") or got.summary
        return "Conversa transferida para a equipe humana.", True
    note = text_arg("text")
    if not note:
        return "Erro: `text` está vazio; escreva a nota.", False
    got.notes.append(note)
    return "Nota registrada. Agora responda ao cliente com reply ou transfira com handoff_to_human.", True


def _outcome(ctx: BotContext, got: _Turnout) -> Outcome:
    visible: list[str] = []
    for raw in got.replies:
        cleaned, marked = strip_handoff_marker(strip_agent_tag(raw))
        if marked and not got.handoff:
            got.handoff = True
            got.handoff_reason = got.handoff_reason or texts.MARKER_HANDOFF_REASON
        if cleaned:
            visible.append(cleaned)
    reply = "\n\n".join(visible) or None
    if reply is None and not got.handoff:
        # Never leave the customer in silence: the runner turns this into an apology and a handoff.
        raise BrainError("the model gave neither a reply nor a handoff")
    if not got.handoff:
        return Outcome(reply=reply, notes=tuple(got.notes))
    summary = got.summary or _fallback_summary(ctx)
    return Outcome(
        reply=reply,
        handoff_reason=got.handoff_reason or texts.MARKER_HANDOFF_REASON,
        summary=summary,
        notes=tuple(got.notes),
    )


def _fallback_summary(ctx: BotContext) -> str:
    text = " ".join(last_customer_text(ctx).split())
    if not text:
        return texts.NO_SUMMARY
    if len(text) > _SUMMARY_LIMIT:
        text = text[: _SUMMARY_LIMIT - 1] + "…"
    return texts.LAST_CUSTOMER_MESSAGE.format(text=text)
