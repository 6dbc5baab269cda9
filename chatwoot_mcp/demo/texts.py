"""The demo's transcript labels and messages (pt-BR first, English in parentheses), in one place."""

from __future__ import annotations

CUSTOMER = "Cliente"
BOT = "Bot"
ADMIN = "Admin"
SYSTEM = "Sistema"
NOTE = "Nota privada"
CHECK_OK = "✔"
CHECK_FAILED = "✘"
DESCRIPTION = (
    "Demonstração: sandbox do Chatwoot + bot + console, e os quatro fluxos de transferência "
    "(Chatwoot sandbox, bot and console, and the four handoff flows)."
)
FLOW_1 = "1. O cliente escreve e o bot responde (a customer writes, the bot answers)"
FLOW_2 = "2. Um admin assume a conversa (an admin takes over with chatwoot_take_over)"
FLOW_3 = "3. O admin devolve ao bot (the admin hands it back with chatwoot_return_to_bot)"
FLOW_4 = "4. O cliente pede uma pessoa e o bot transfere sozinho (the bot hands off by itself)"
SANDBOX_UP = "Sandbox do Chatwoot no ar (sandbox up): {url}"
BOT_UP = "Bot no ar (bot up): {url} — respondedor (responder): {responder}"
RESPONDER_OPENAI = "OpenAI (OPENAI_API_KEY definida)"
RESPONDER_RULES = "regras offline (no OPENAI_API_KEY: built-in rules)"
ALL_OK = "\nTodos os fluxos funcionaram (all flows passed) em {seconds:.1f} s."
FAILED = "Um passo da demonstração falhou (a demo step failed)"
HOW_TO_KEEP = (
    "Para deixar o sandbox e o bot rodando e conectar o Claude Desktop ou outro cliente MCP, use "
    "`chatwoot-mcp demo --keep-running` (keep them running to connect an MCP client)."
)
KEEP_RUNNING = (
    "\nSandbox, bot e central seguem rodando; Ctrl-C para parar (still running; Ctrl-C stops them).\n"
    "Sandbox: {url}\n"
    "Para o Claude Desktop ou outro cliente MCP, acrescente ao mcp.json / claude_desktop_config.json "
    "(add this to your MCP client's config):"
)
RECORDED = "registro de handoff: {name} ({trigger}) (handoff record with the tool's trigger)"
CONSOLE_UP = "Central de atendimento no ar (console up): {url}"
CONSOLE_SIGN_IN = (
    "\nCentral de atendimento (handoff console): {url}\n"
    "  Entre como administradora ({admin}) com o token: {admin_token}\n"
    "    ou com e-mail e senha: {admin_email} / {admin_password}\n"
    "  Entre como agente ({agent}) com o token: {agent_token}\n"
    "    ou com e-mail e senha: {agent_email} / {agent_password}\n"
    '  (sign in with one of these tokens in the "Token de acesso" field, or with the e-mail and password)\n'
    "  Números dos handoffs em gráficos (administradores): {url}/stats"
)
