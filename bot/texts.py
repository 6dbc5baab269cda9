"""Every pt-BR user-facing text of the bot, in one place so a team can change them."""

from __future__ import annotations

# Sent to the customer by the runner.
APOLOGY = (
    "Desculpe, tive um problema para responder agora. "
    "Vou te transferir para alguém da nossa equipe, que já continua o seu atendimento."
)
HANDOFF_NOTICE = (
    "Certo! Vou te transferir para um atendente humano. Em instantes alguém da nossa equipe continua o seu atendimento."
)

# Private notes for the agents (fields in braces are filled with str.format).
HANDOFF_NOTE = "🤖 Conversa transferida pelo bot para atendimento humano.\nMotivo: {reason}\nResumo: {summary}"
FAILED_JOB_NOTE = "⚠️ O bot não conseguiu responder a esta conversa e a transferiu para a equipe.\nErro: {error}"
RATE_LIMIT_NOTE = (
    "⚠️ Muitas mensagens em pouco tempo nesta conversa: o bot parou de responder e a transferiu para a equipe."
)
NO_SUMMARY = "(sem resumo)"

# Log lines for operators.
TAKEOVER_LOG = "Conversa {conversation_id}: um humano assumiu o atendimento; o bot fica em silêncio."
RESPONDER_OPENAI_LOG = "Respondedor: OpenAI (modelo {model})."
RESPONDER_RULES_LOG = (
    "Respondedor: regras offline (OPENAI_API_KEY não definida): saudação, perguntas frequentes "
    "e transferência para humano."
)

# Handoff reasons the brain itself writes into HANDOFF_NOTE.
MARKER_HANDOFF_REASON = "A assistente pediu um atendente humano."
CUSTOMER_ASKED_HUMAN_REASON = "O cliente pediu para falar com uma pessoa."
NOT_UNDERSTOOD_REASON = "O bot não entendeu o cliente duas vezes seguidas."
LAST_CUSTOMER_MESSAGE = "Última mensagem do cliente: {text}"

# The offline rules responder.
RULES_GREETING = "Olá{name}! Eu sou a {bot_name}, assistente virtual. Como posso ajudar?"
RULES_FALLBACK = (
    'Desculpe, não entendi. Pode escrever de outro jeito? Se preferir falar com uma pessoa, é só escrever "atendente".'
)

# Event turns the bot core puts into BotContext.history.
EVENT_BACK_TO_BOT = "O atendimento humano terminou; você voltou a atender esta conversa."
