"""The offline rules responder, the FAQ parser, the [HANDOFF] marker, and build_responder's choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from bot.brain import BotContext, Outcome, Turn, build_responder
from bot.brain.faq import BrainConfigError, load_faq, normalize, parse_faq
from bot.brain.openai_responder import OpenAIResponder
from bot.brain.prompt import strip_handoff_marker
from bot.brain.rules import RulesResponder
from bot.settings import BotSettings
from chatwoot_mcp.config import Settings

SHIPPED_FAQ = load_faq(None)
HOURS = next(e.answer for e in SHIPPED_FAQ if "horário" in e.question)
PAYMENT = next(e.answer for e in SHIPPED_FAQ if "pagamento" in e.question)
RETURNS = next(e.answer for e in SHIPPED_FAQ if "troca" in e.question)


def ask(*history: Turn, customer_name: str | None = None) -> Outcome:
    ctx = BotContext(conversation_id=3, customer_name=customer_name, history=history, bot_name="BIA")
    return RulesResponder(faq=SHIPPED_FAQ).decide(ctx)


def said(text: str) -> Outcome:
    return ask(Turn("customer", text))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Oi", "greeting"),
        ("Olá, tudo bem?", "greeting"),
        ("BOM DIA!!", "greeting"),
        ("Qual o HORARIO de vocês?", HOURS),
        ("que horário vocês abrem?", HOURS),
        ("Oi! Vocês aceitam pix?", PAYMENT),
        ("posso pagar no cartão", PAYMENT),
        ("quero TROCAR meu pedido", RETURNS),
        ("Quero falar com um humano", "handoff"),
        ("ATENDENTE por favor", "handoff"),
        ("Tem alguma pessoa aí?", "handoff"),
        ("quero falar com alguém", "handoff"),
        ("Vocês vendem pessoal de TI?", "fallback"),
        ("asdfgh qwerty", "fallback"),
    ],
)
def test_rules_responder_truth_table(message: str, expected: str) -> None:
    outcome = said(message)
    if expected == "handoff":
        assert outcome.reply is None
        assert outcome.handoff_reason == texts.CUSTOMER_ASKED_HUMAN_REASON
        assert outcome.summary == f"Última mensagem do cliente: {message}"
    elif expected == "greeting":
        assert outcome == Outcome(reply="Olá! Eu sou a BIA, assistente virtual. Como posso ajudar?")
    elif expected == "fallback":
        assert outcome == Outcome(reply=texts.RULES_FALLBACK)
    else:
        assert outcome == Outcome(reply=expected)


def test_the_greeting_uses_the_customers_first_name() -> None:
    outcome = ask(Turn("customer", "oi"), customer_name="Ana Souza")
    assert outcome.reply == "Olá, Ana! Eu sou a BIA, assistente virtual. Como posso ajudar?"


def test_all_the_trailing_customer_turns_are_read_together() -> None:
    outcome = ask(Turn("bot", "Como posso ajudar?"), Turn("customer", "oi"), Turn("customer", "e o boleto?"))
    assert outcome.reply == PAYMENT


def test_not_understanding_twice_in_a_row_hands_off() -> None:
    outcome = ask(Turn("customer", "xyz"), Turn("bot", texts.RULES_FALLBACK), Turn("customer", "abc"))
    assert outcome.reply is None
    assert outcome.handoff_reason == texts.NOT_UNDERSTOOD_REASON


def test_after_a_return_to_bot_event_the_rules_responder_answers_again() -> None:
    outcome = ask(
        Turn("customer", "quero um atendente"),
        Turn("bot", texts.HANDOFF_NOTICE),
        Turn("agent", "Resolvido!"),
        Turn("event", texts.EVENT_BACK_TO_BOT),
        Turn("customer", "Obrigado! Qual o prazo de entrega?"),
    )
    assert outcome.handoff_reason is None
    assert outcome.reply is not None and "dias úteis" in outcome.reply


def test_an_event_with_no_customer_turn_after_it_gets_a_greeting_not_silence() -> None:
    outcome = ask(Turn("agent", "Pronto."), Turn("event", texts.EVENT_BACK_TO_BOT))
    assert outcome.reply is not None and "BIA" in outcome.reply


def test_faq_parsing_takes_keywords_normalised_and_falls_back_to_the_question_words() -> None:
    faq = parse_faq(
        "# FAQ\nintro ignored\n## Vocês entregam no sábado?\nPalavras-chave: Sábado, ENTREGA rápida\n"
        "Sim, aos sábados.\n\n## Garantia dos produtos\nTodos têm 1 ano.\n## Sem resposta\n"
    )
    assert [(e.question, e.keywords, e.answer) for e in faq] == [
        ("Vocês entregam no sábado?", ("sabado", "entrega rapida"), "Sim, aos sábados."),
        ("Garantia dos produtos", ("garantia", "produtos"), "Todos têm 1 ano."),
    ]
    assert normalize("  Ação!! É  já? ") == "acao e ja"


def test_a_custom_faq_file_is_used_by_the_rules_responder(tmp_path: Path) -> None:
    faq_file = tmp_path / "faq.md"
    faq_file.write_text("## Tem estacionamento?\nPalavras-chave: estacionamento, vaga\nSim, gratuito.\n")
    responder = RulesResponder(faq=load_faq(faq_file))
    ctx = BotContext(1, None, (Turn("customer", "Tem VAGA pra carro?"),), "BIA")
    assert responder.decide(ctx) == Outcome(reply="Sim, gratuito.")


def test_an_unreadable_faq_file_is_a_clear_start_up_error(tmp_path: Path) -> None:
    with pytest.raises(BrainConfigError, match="BOT_FAQ_FILE .*missing.md cannot be read"):
        load_faq(tmp_path / "missing.md")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vou te transferir. [HANDOFF]", "Vou te transferir."),
        ("[HANDOFF] Um momento.", "Um momento."),
        ("Um [handoff] momento", "Um momento"),
        ("Linha 1\n[HANDOFF]\nLinha 2", "Linha 1\n\nLinha 2"),
        ("[HANDOFF]", None),
        ("  [ HANDOFF ]  \n", None),
    ],
)
def test_the_handoff_marker_and_the_blanks_it_leaves_are_removed(text: str, expected: str | None) -> None:
    assert strip_handoff_marker(text) == (expected, True)


def test_text_without_the_marker_is_left_untouched() -> None:
    assert strip_handoff_marker("  Olá!  ") == ("  Olá!  ", False)


def test_build_responder_picks_rules_without_an_openai_key() -> None:
    responder = build_responder(BotSettings(chatwoot=Settings(openai_api_key="  ")))
    assert isinstance(responder, RulesResponder) and responder.name == "rules"
    assert len(responder.faq) == len(SHIPPED_FAQ) > 0


@pytest.mark.anyio
async def test_build_responder_picks_openai_with_a_key_and_reads_the_settings(tmp_path: Path) -> None:
    prompt_file = tmp_path / "prompt.md"
    prompt_file.write_text("Sou {bot_name}.", encoding="utf-8")
    settings = BotSettings(
        chatwoot=Settings(openai_api_key="sk-abc", openai_base_url="http://127.0.0.1:1/v1", openai_model="m-1"),
        system_prompt_file=prompt_file,
    )
    responder = build_responder(settings)
    try:
        assert isinstance(responder, OpenAIResponder) and responder.name == "openai"
        assert responder.model == "m-1"
        assert responder.system_prompt.startswith("Sou {bot_name}.")
        assert "sk-abc" not in repr(responder)
    finally:
        await responder.aclose()


def test_build_responder_fails_clearly_on_a_missing_system_prompt_file(tmp_path: Path) -> None:
    settings = BotSettings(chatwoot=Settings(openai_api_key="sk-abc"), system_prompt_file=tmp_path / "nope.md")
    with pytest.raises(BrainConfigError, match="BOT_SYSTEM_PROMPT_FILE"):
        build_responder(settings)
