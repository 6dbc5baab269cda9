"""Every pt-BR user-facing text of the bot, in one place so a team can change them."""

from __future__ import annotations

# Sent to the customer by the runner.
APOLOGY = (
    "Desculpe, tive um problema para responder agora. "
    "Vou te transferir para alguém da nossa equipe, que já continua o seu atendimento."
)
HANDOFF_NOTICE = (
    "Certo! Vou te transferir para um atendente humano. "
    "Em instantes alguém da nossa equipe continua o seu atendimento."
)

# Private notes for the agents (fields in braces are filled with str.format).
HANDOFF_NOTE = "🤖 Conversa transferida pelo bot para atendimento humano.\nMotivo: {reason}\nResumo: {summary}"
FAILED_JOB_NOTE = (
    "⚠️ O bot não conseguiu responder a esta conversa e a transferiu para a equipe.\nErro: {error}"
)
RATE_LIMIT_NOTE = (
    "⚠️ Muitas mensagens em pouco tempo nesta conversa: o bot parou de responder "
    "e a transferiu para a equipe."
)
NO_SUMMARY = "(sem resumo)"

# Log lines for operators.
TAKEOVER_LOG = "Conversa {conversation_id}: um humano assumiu o atendimento; o bot fica em silêncio."
RETURN_LOG = "Conversa {conversation_id}: devolvida ao bot; o bot volta a responder."
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
    "Desculpe, não entendi. Pode escrever de outro jeito? "
    "Se preferir falar com uma pessoa, é só escrever \"atendente\"."
)

# Event turns the bot core puts into BotContext.history.
EVENT_BACK_TO_BOT = "O atendimento humano terminou; você voltou a atender esta conversa."

# `python -m bot.demo` transcript labels.
DEMO_CUSTOMER = "Cliente"
DEMO_BOT = "Bot"
DEMO_ADMIN = "Admin"
DEMO_SYSTEM = "Sistema"
DEMO_NOTE = "Nota privada"
DEMO_CHECK_OK = "✔"
DEMO_CHECK_FAILED = "✘"
DEMO_DESCRIPTION = (
    "Demonstração: sandbox do Chatwoot + bot, e os quatro fluxos de transferência "
    "(Chatwoot sandbox + bot, and the four handoff flows)."
)
DEMO_FLOW_1 = "1. O cliente escreve e o bot responde (a customer writes, the bot answers)"
DEMO_FLOW_2 = "2. Um admin assume a conversa (an admin takes over with chatwoot_take_over)"
DEMO_FLOW_3 = "3. O admin devolve ao bot (the admin hands it back with chatwoot_return_to_bot)"
DEMO_FLOW_4 = "4. O cliente pede uma pessoa e o bot transfere sozinho (the bot hands off by itself)"
DEMO_SANDBOX_UP = "Sandbox do Chatwoot no ar (sandbox up): {url}"
DEMO_BOT_UP = "Bot no ar (bot up): {url} — respondedor (responder): {responder}"
DEMO_RESPONDER_OPENAI = "OpenAI (OPENAI_API_KEY definida)"
DEMO_RESPONDER_RULES = "regras offline (no OPENAI_API_KEY: built-in rules)"
DEMO_ALL_OK = "\nTodos os fluxos funcionaram (all flows passed) em {seconds:.1f} s."
DEMO_FAILED = "Um passo da demonstração falhou (a demo step failed)"
DEMO_HOW_TO_KEEP = (
    "Para deixar o sandbox e o bot rodando e conectar o Claude Desktop ou outro cliente MCP, use "
    "`python -m bot.demo --keep-running` (keep them running to connect an MCP client)."
)
DEMO_KEEP_RUNNING = (
    "\nSandbox e bot seguem rodando; Ctrl-C para parar (still running; Ctrl-C stops them).\n"
    "Sandbox: {url}\n"
    "Para o Claude Desktop ou outro cliente MCP, acrescente ao mcp.json / claude_desktop_config.json "
    "(add this to your MCP client's config):"
)
