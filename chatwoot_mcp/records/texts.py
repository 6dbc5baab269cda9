"""The records' user-facing texts (pt-BR), in one place."""

from __future__ import annotations

TRIGGER_NAMES = {
    "handoff_tool": "o modelo pediu um humano",
    "marker": "marcador [HANDOFF]",
    "customer_asked": "o cliente pediu uma pessoa",
    "failsafe": "falha do bot (fail-safe)",
    "loop_guard": "limite de respostas (proteção contra laço)",
    "person_replied": "uma pessoa respondeu",
    "take_over": "assumido (chatwoot_take_over)",
    "return_to_bot": "devolvido ao bot",
    "hand_off": "transferido (chatwoot_hand_off)",
    "webhook_failed": "o Chatwoot abriu após falha do webhook",
    "resolved": "resolvida",
    "reopened": "reaberta",
    "chatwoot_opened": "aberta no Chatwoot",
    "chatwoot_assigned": "atribuída no Chatwoot",
    "chatwoot_unassigned": "desatribuída no Chatwoot",
    "chatwoot_pending": "devolvida ao bot no Chatwoot",
}
COLUMNS = (
    ("day", "dia"),
    ("ai_to_human", "IA→humano"),
    ("human_to_ai", "humano→IA"),
    ("with_person_avg", "com pessoa (média)"),
    ("with_person_median", "com pessoa (mediana)"),
    ("send_success_rate", "envios ok"),
    ("webhook_p50", "webhook p50"),
    ("webhook_p99", "webhook p99"),
    ("assistant_replies", "respostas da IA"),
    ("chatwoot_bot_handoffs", "Chatwoot: bot_handoffs_count"),
)
TITLE = "Números do dia a dia (handoffs e respostas), {days} dia(s) até {until} UTC"
NO_REPORTS = "Coluna do Chatwoot omitida: {why}."
REPORTS_FORBIDDEN = "o token não pode ler os relatórios do Chatwoot (só administradores)"
REPORTS_MISSING = "esta instalação do Chatwoot não tem a API de relatórios v2"
REPORTS_UNREACHABLE = "não foi possível ler os relatórios do Chatwoot ({error})"
CHATWOOT_COUNTS_NOTE = (
    "O Chatwoot conta só a primeira passagem do bot para humanos de cada conversa, feita com o token do AgentBot, "
    "e nenhuma volta ao bot."
)
TRIGGERS_HEADER = "Motivos das passagens IA→humano:"
DAY_FIGURES_TITLE = "Números de hoje"
