"""Every pt-BR text of the console, in one place so a team can change them (templates read them as `t.NAME`)."""

from __future__ import annotations

TITLE = "Central de atendimento"
LOGIN_TITLE = "Entrar"
LOGIN_HELP = (
    "Entre com o seu e-mail e senha do Chatwoot, ou com o seu token de acesso (Chatwoot → Configurações do "
    "perfil → Token de acesso). Você age como você mesmo: o Chatwoot registra quem fez cada ação."
)
LOGIN_EMAIL_LABEL = "E-mail"
LOGIN_PASSWORD_LABEL = "Senha do Chatwoot"
LOGIN_WITH_PASSWORD = "Com e-mail e senha"
LOGIN_WITH_TOKEN = "Com o token de acesso"
LOGIN_TOKEN_LABEL = "Token de acesso"
LOGIN_BUTTON = "Entrar"
LOGIN_BAD_PASSWORD = "E-mail ou senha inválidos: o Chatwoot não os aceitou."
LOGIN_EMAIL_EMPTY = "Informe o e-mail e a senha."
LOGIN_NO_TOKEN = (
    "O Chatwoot pediu uma verificação a mais (ou não devolveu o token de acesso). Entre com o seu token de acesso."
)
LOGIN_BAD_TOKEN = "Token inválido: o Chatwoot não o aceitou. Confira o token no seu perfil do Chatwoot."
LOGIN_BOT_TOKEN = "Este é o token de um bot. Entre com o token de acesso de uma pessoa (agente ou administrador)."
LOGIN_NO_ACCOUNT = "Este usuário não tem acesso à conta {account_id} do Chatwoot."
LOGIN_BAD_ROLE = "Só administradores e agentes podem usar a central."
LOGIN_EMPTY = "Informe o token de acesso."
LOGIN_TOO_MANY = "Muitas tentativas de entrada. Espere um minuto e tente de novo."
LOGIN_UNAVAILABLE = "Não foi possível falar com o Chatwoot agora: {detail}"
LOGIN_EXPIRED = "Sua sessão expirou. Entre de novo."
LOGOUT = "Sair"
CSRF_FAILED = "Formulário inválido ou expirado (proteção CSRF). Recarregue a página e tente de novo."
FORBIDDEN = "Você não tem permissão para ver esta conversa."
NOT_FOUND = "Conversa não encontrada."
SIGNED_IN_AS = "{name} · {role}"
ROLES = {"administrator": "administrador", "agent": "agente"}

# The list.
LIST_TITLE = "Conversas"
OWNERS = {
    "all": "Todas",
    "bot": "🤖 Com a {bot_name}",
    "queue": "⏳ Aguardando pessoa",
    "human": "👤 Com pessoas",
    "mine": "🙋 Minhas",
    "closed": "✔ Encerradas",
    "snoozed": "💤 Adiadas",
}
FILTER_INBOX = "Caixa de entrada"
FILTER_AGENT = "Agente"
FILTER_LABEL = "Etiqueta"
FILTER_ANY = "Todas"
FILTER_ANY_AGENT = "Todos"
SEARCH_LABEL = "Buscar nas mensagens"
SEARCH_BUTTON = "Filtrar"
EMPTY_LIST = "Nenhuma conversa aqui."
PREVIOUS = "← Anteriores"
NEXT = "Próximas →"
PAGE = "Página {page}"
COL_OWNER = "Com quem"
COL_CONTACT = "Contato"
COL_INBOX = "Caixa"
COL_LAST = "Última mensagem"
COL_WAITING = "Última atividade"
COL_UNREAD = "Não lidas"
UNREAD = "{count} não lidas"
LIVE_ON = "ao vivo"
SOUND = "Som ao transferir"
HANDED_TO_PEOPLE = "🔔 Conversa {id} ({contact}) foi transferida para pessoas."
AGO_NOW = "agora"
AGO_MINUTES = "há {n} min"
AGO_HOURS = "há {n} h"
AGO_DAYS = "há {n} d"

# Owner badges.
BADGE_BOT = "🤖 {bot_name}"
BADGE_HUMAN = "👤 {name}"
BADGE_YOU = "👤 Você"
BADGE_QUEUE = "⏳ Aguardando pessoa"
BADGE_CLOSED = "✔ Encerrada"
BADGE_SNOOZED = "💤 Adiada"

# A conversation.
BACK = "← Conversas"
CONVERSATION_TITLE = "Conversa {id}"
TAKE_OVER = "🤖 Assumir atendimento"
RETURN = "Devolver para a {bot_name}"
REPLY_LABEL = "Mensagem"
REPLY_BUTTON = "Enviar"
PRIVATE_SWITCH = "Nota privada (só a equipe vê)"
BOT_OWNS_HINT = (
    "A {bot_name} está atendendo: o que você escrever aqui vira nota privada até você assumir o atendimento."
)
OTHER_OWNS_HINT = "{name} está atendendo esta conversa."
KIND_CUSTOMER = "Cliente"
KIND_BOT = "{bot_name}"
KIND_PERSON = "Atendente"
KIND_NOTE = "Nota privada"
KIND_ACTIVITY = "Atividade"
OLDER_HIDDEN = "Mostrando as 20 mensagens mais recentes."
TOOK_OVER = "Você assumiu o atendimento; o cliente foi avisado."
ALREADY_YOURS = "A conversa já estava com você; nada mudou."
RETURNED = "Conversa devolvida para a {bot_name}; o cliente foi avisado."
ALREADY_BOT = "A conversa já estava com a {bot_name}; nada mudou."
SENT = "Mensagem enviada."
NOTE_SENT = "Nota privada adicionada."
SOMEONE_ELSE = "{name} assumiu esta conversa antes de você; nada foi alterado."
CHANGED_HANDS = "A conversa mudou de mãos ({owner}) antes do envio; nada foi enviado. Confira e tente de novo."
ACTION_FAILED = "Não foi possível concluir: {detail}"
EMPTY_MESSAGE = "Escreva a mensagem antes de enviar."

# Inside Chatwoot (Dashboard App).
EMBED_WAITING = "Abra uma conversa no Chatwoot para ver quem está atendendo."
EMBED_SIGN_IN = "Entre na central para agir daqui."
EMBED_OPEN_LOGIN = "Abrir a central para entrar"
EMBED_RELOAD = "Já entrei"
EMBED_OPEN_FULL = "Abrir na central"

# Start-up lines (stderr) for the operator.
WEBHOOK_REGISTERED = "console: webhook da conta {action} em {url} (eventos: {events})"
WEBHOOK_NOT_ADMIN = (
    "console: o token configurado (CHATWOOT_API_KEY) não é de um administrador (ou não foi definido), então a "
    "central não registrou "
    "o próprio webhook. Em Chatwoot → Configurações → Integrações → Webhooks, adicione {url} com os eventos "
    "{events} e copie o segredo para CONSOLE_WEBHOOK_SECRET; até lá as páginas se atualizam a cada {seconds} s."
)
WEBHOOK_FAILED = (
    "console: não foi possível registrar o webhook da conta ({detail}); as páginas se atualizam a cada {seconds} s."
)
WEBHOOK_UNSIGNED = (
    "console: sem segredo de webhook conhecido; eventos sem assinatura serão aceitos (eles só fazem as páginas "
    "relerem o Chatwoot). Defina CONSOLE_WEBHOOK_SECRET para exigi-la."
)
RANDOM_SECRET = (
    "console: CONSOLE_SESSION_SECRET não definido; usando um segredo aleatório (as sessões acabam ao reiniciar)."
)
GONE = "Esta conversa não está mais entre as que você vê."

# The figures page (administrators).
STATS_LINK = "📊 Números"
STATS_TITLE = "Números dos handoffs"
STATS_FORBIDDEN = "Só administradores veem os números da conta."
STATS_UNAVAILABLE = "Não foi possível ler os números: {detail}"
STATS_PERIOD = "Período"
STATS_DAYS = "{n} dias"
STATS_SHOW = "Mostrar"
STATS_HELP = (
    "Por dia (UTC), dos registros de handoff do bot: contam também as mudanças feitas na tela do próprio Chatwoot."
)
STATS_TO_PEOPLE = "IA → pessoa"
STATS_BACK_TO_BOT = "pessoa → IA"
STATS_CHATWOOT = "Chatwoot: bot_handoffs_count"
STATS_WAITING = "de espera média por uma pessoa"
STATS_NO_CHATWOOT = "A contagem do próprio Chatwoot (bot_handoffs_count) não aparece: {why}."
# The stats tool explains in English for models; the page says the same in pt-BR (matched by the reason's start).
STATS_NO_CHATWOOT_WHY = (
    ("Chatwoot is not configured", "o console não tem o endereço do Chatwoot configurado"),
    ("the token may not read", "só administradores do Chatwoot podem ler os relatórios"),
    ("this Chatwoot has no reports", "este Chatwoot não tem a API de relatórios v2"),
    ("Chatwoot's reports could not be read", "os relatórios do Chatwoot não puderam ser lidos agora"),
)
STATS_NO_CHATWOOT_OTHER = "o Chatwoot não respondeu com os relatórios"
STATS_HANDOFFS = "Handoffs por dia"
STATS_HANDOFFS_DESC = (
    "Barras por dia: conversas passadas da IA para pessoas e devolvidas por pessoas à IA"
    " (e a contagem do Chatwoot, quando disponível)."
)
STATS_HELD = "Tempo com uma pessoa"
STATS_HELD_DESC = "Barras por dia: minutos, em média e na mediana, que pessoas ficaram com o que a IA passou."
STATS_AVG = "média"
STATS_MEDIAN = "mediana"
STATS_REPLIES = "Respostas da IA"
STATS_REPLIES_DESC = "Barras por dia: respostas da assistente aceitas pelo Chatwoot."
STATS_REPLIES_SERIES = "respostas"
STATS_SENDS = "Envios bem-sucedidos"
STATS_SENDS_DESC = "Barras por dia: porcentagem das respostas da assistente que o Chatwoot aceitou."
STATS_SENDS_SERIES = "envios ok"
STATS_WEBHOOK = "Latência do webhook"
STATS_WEBHOOK_DESC = "Linhas por dia: tempo de confirmação dos webhooks pelo bot, p50 e p99, em milissegundos."
STATS_NOTHING = "Nada registrado no período."
STATS_WHY = "Por que foram para pessoas"
STATS_REASONS = "Motivos mais frequentes"
STATS_TABLE = "Tabela por dia"
STATS_COLUMNS = (
    "Dia",
    "IA → pessoa",
    "pessoa → IA",
    "Com pessoa (média)",
    "Com pessoa (mediana)",
    "Respostas da IA",
    "Envios ok",
    "Webhook p50",
    "Webhook p99",
)
