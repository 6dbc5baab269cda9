"""The sandbox's starting data: account "Acme Suporte", its people, inboxes, bot and conversations."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from . import seed_extras
from .state import (
    ACTIVITY,
    INCOMING,
    OUTGOING,
    Account,
    AgentBot,
    Clock,
    Contact,
    ContactInbox,
    Conversation,
    Inbox,
    Message,
    Store,
    Team,
    User,
)

ACCOUNT_ID = 1
OTHER_ACCOUNT_ID = 2
ADMIN_ID, AGENT_ID, AGENT2_ID = 1, 2, 3
OTHER_ADMIN_ID = 4  # the second account's administrator, so a test can build what the specs' other_account holds
BOT_ID = 1
TEAM_ID = 1
WHATSAPP_ID, SITE_ID = 1, 2


def _token() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Secrets:
    """Random per process, kept across resets so clients keep working."""

    admin_token: str = field(default_factory=_token)
    agent_token: str = field(default_factory=_token)
    agent2_token: str = field(default_factory=_token)
    bot_token: str = field(default_factory=_token)
    other_admin_token: str = field(default_factory=_token)
    passwords: tuple[str, str, str] = field(default_factory=lambda: (_token(), _token(), _token()))
    whatsapp_identifier: str = field(default_factory=_token)
    site_identifier: str = field(default_factory=_token)
    whatsapp_secret: str = field(default_factory=_token)
    site_secret: str = field(default_factory=_token)
    secret_key_base: str = field(default_factory=_token)  # signs the widget's JWTs (Widget::TokenService)


@dataclass(frozen=True)
class SeedOptions:
    webhook_url: str | None = None
    webhook_secret: str | None = None
    bulk_conversations: int = 0  # --seed-conversations: a large account for benchmarks
    bulk_contacts: int = 0  # --seed-contacts
    inbox_webhook_url: str | None = (
        None  # the WhatsApp API inbox's Channel::Api#webhook_url, as a spec's factory sets it
    )
    provider_urls: dict[str, str] = field(default_factory=dict)  # Outside's base URLs: --meta-graph-url, …


CONTACTS: list[tuple[str, str, str | None]] = [
    ("Maria Silva", "+5511987654321", "maria.silva@example.com.br"),
    ("João Santos", "+5521998765432", None),
    ("Ana Oliveira", "+5531991234567", "ana.oliveira@example.com.br"),
    ("Pedro Costa", "+5541992345678", None),
    ("Juliana Pereira", "+5551993456789", "juliana@example.com.br"),
    ("Lucas Almeida", "+5561994567890", None),
]


def build_store(keys: Secrets, options: SeedOptions, clock: Clock) -> Store:
    store = Store(clock=clock)
    if options.provider_urls:
        store.outside.set_urls(options.provider_urls)
    now = clock.now()
    start = now - 3 * 3600
    store.accounts[ACCOUNT_ID] = Account(
        ACCOUNT_ID, "Acme Suporte", details={"domain": "acme.com.br", "support_email": "suporte@acme.com.br"}
    )
    store.accounts[OTHER_ACCOUNT_ID] = Account(OTHER_ACCOUNT_ID, "Outra Empresa")
    people = [
        (ADMIN_ID, "Ana Administradora", "admin@acme.com.br", "administrator", keys.admin_token),
        (AGENT_ID, "Bruno Agente", "bruno@acme.com.br", "agent", keys.agent_token),
        (AGENT2_ID, "Carla Atendente", "carla@acme.com.br", "agent", keys.agent2_token),
    ]
    for (user_id, name, email, role, token), password in zip(people, keys.passwords, strict=True):
        store.users[user_id] = User(
            user_id, name, email, role, token, (ACCOUNT_ID,), _token(), created_at=start, password=password
        )
        store.next_id("user")
    store.users[OTHER_ADMIN_ID] = User(
        OTHER_ADMIN_ID,
        "Otávio Outra",
        "admin@outra.com.br",
        "administrator",
        keys.other_admin_token,
        (OTHER_ACCOUNT_ID,),
        _token(),
        created_at=start,
        password=_token(),
    )
    store.next_id("user")
    store.bots[BOT_ID] = AgentBot(
        id=BOT_ID,
        name="BIA",
        description="Assistente virtual da Acme",
        outgoing_url=options.webhook_url,
        secret=options.webhook_secret,
        access_token=keys.bot_token,
        account_id=ACCOUNT_ID,
    )
    store.next_id("bot")
    store.teams[TEAM_ID] = Team(TEAM_ID, ACCOUNT_ID, "Humanos", "Atendimento humano", True, {AGENT_ID}, start, start)
    store.next_id("team")
    store.inboxes[WHATSAPP_ID] = Inbox(
        WHATSAPP_ID,
        ACCOUNT_ID,
        1,
        "WhatsApp",
        keys.whatsapp_identifier,
        keys.whatsapp_secret,
        _token(),
        {AGENT_ID, AGENT2_ID},
        BOT_ID,
        webhook_url=options.inbox_webhook_url,
    )
    store.inboxes[SITE_ID] = Inbox(
        SITE_ID, ACCOUNT_ID, 2, "Site", keys.site_identifier, keys.site_secret, _token(), {AGENT_ID}, BOT_ID
    )
    store.next_id("inbox")
    store.next_id("inbox")
    for index, (contact_name, phone, contact_email) in enumerate(CONTACTS):
        contact_id = store.next_id("contact", 11)
        store.contacts[contact_id] = Contact(
            contact_id, ACCOUNT_ID, contact_name, contact_email, phone, None, start + index
        )

    def conversation(contact_index: int, inbox_id: int, status: str, minutes_ago: int) -> Conversation:
        contact_id = 11 + contact_index
        ci_id = store.next_id("contact_inbox", 31)
        created = now - minutes_ago * 60
        store.contact_inboxes[ci_id] = ContactInbox(ci_id, contact_id, inbox_id, str(uuid.uuid4()), _token(), created)
        conv_id = store.next_id("conversation", 101)
        conv = Conversation(
            id=conv_id,
            display_id=store.next_id("display:1"),
            account_id=ACCOUNT_ID,
            inbox_id=inbox_id,
            contact_id=contact_id,
            contact_inbox_id=ci_id,
            uuid=str(uuid.uuid4()),
            status=status,
            created_at=created,
            updated_at=created,
            last_activity_at=created,
        )
        store.add_conversation(conv)
        return conv

    def say(conv: Conversation, content: str, kind: int, sender: tuple[str, int] | None, at: float) -> None:
        msg_id = store.next_id("message", 1001)
        sender_type, sender_id = sender if sender else (None, None)
        msg = Message(
            msg_id,
            ACCOUNT_ID,
            conv.inbox_id,
            conv.id,
            content,
            kind,
            at,
            at,
            sender_type=sender_type,
            sender_id=sender_id,  # type: ignore[arg-type]
        )
        store.messages[msg_id] = msg
        conv.messages.append(msg)
        conv.last_activity_at = at
        conv.updated_at = at
        if kind == INCOMING and conv.waiting_since is None:
            conv.waiting_since = at
        if kind == INCOMING:
            store.contacts[conv.contact_id].last_activity_at = at

    def contact_of(conv: Conversation) -> tuple[str, int]:
        return ("Contact", conv.contact_id)

    bot = ("AgentBot", BOT_ID)
    c1 = conversation(0, WHATSAPP_ID, "pending", 50)
    say(c1, "Olá! Preciso de ajuda com meu pedido #1029", INCOMING, contact_of(c1), c1.created_at + 2)

    c2 = conversation(1, SITE_ID, "pending", 40)
    say(c2, "Vocês entregam em Campinas?", INCOMING, contact_of(c2), c2.created_at + 1)
    say(c2, "Entregamos sim! O prazo é de 2 dias úteis.", OUTGOING, bot, c2.created_at + 5)
    say(c2, "E qual o valor do frete?", INCOMING, contact_of(c2), c2.created_at + 60)
    c2.waiting_since = c2.created_at + 60

    c3 = conversation(2, WHATSAPP_ID, "open", 90)
    c3.assignee_id = ADMIN_ID
    c3.team_id = TEAM_ID
    c3.priority = "high"
    c3.labels = ["reclamacao"]
    say(c3, "Meu produto chegou quebrado.", INCOMING, contact_of(c3), c3.created_at + 1)
    say(c3, "Conversation was reopened by BIA", ACTIVITY, None, c3.created_at + 20)
    say(c3, "Sinto muito, Ana! Vamos trocar o produto.", OUTGOING, ("User", ADMIN_ID), c3.created_at + 120)
    c3.waiting_since = None
    c3.first_reply_created_at = c3.created_at + 120

    c4 = conversation(3, SITE_ID, "open", 30)
    say(c4, "Quero falar com um atendente.", INCOMING, contact_of(c4), c4.created_at + 1)
    say(c4, "Vou transferir você para um atendente humano.", OUTGOING, bot, c4.created_at + 3)
    c4.waiting_since = c4.created_at + 4

    c5 = conversation(4, WHATSAPP_ID, "resolved", 240)
    c5.labels = ["entrega"]
    c5.assignee_id = AGENT_ID
    say(c5, "Meu pedido já chegou, obrigada!", INCOMING, contact_of(c5), c5.created_at + 1)
    say(c5, "Que ótimo, Juliana! Até a próxima.", OUTGOING, ("User", AGENT_ID), c5.created_at + 30)
    c5.waiting_since = None
    c5.first_reply_created_at = c5.created_at + 30

    c6 = conversation(5, SITE_ID, "snoozed", 120)
    c6.snoozed_until = float(int(now + 86400))
    c6.assignee_id = AGENT_ID
    say(c6, "Posso pagar o boleto amanhã?", INCOMING, contact_of(c6), c6.created_at + 1)
    say(c6, "Pode sim, aguardamos o pagamento.", OUTGOING, ("User", AGENT_ID), c6.created_at + 50)
    c6.waiting_since = None
    c6.first_reply_created_at = c6.created_at + 50

    for conv in (c3, c5, c6):
        conv.agent_last_seen_at = conv.last_activity_at
    seed_extras.add_library(store, ACCOUNT_ID, start)
    seed_extras.add_story_events(store, ACCOUNT_ID)
    seed_extras.add_bulk(
        store, ACCOUNT_ID, conversations=options.bulk_conversations, contacts=options.bulk_contacts, now=now
    )
    return store


def startup_info(store: Store, keys: Secrets, base_url: str) -> dict[str, object]:
    """The one JSON line printed when the sandbox is ready."""
    tokens = {ADMIN_ID: keys.admin_token, AGENT_ID: keys.agent_token, AGENT2_ID: keys.agent2_token}
    return {
        "base_url": base_url,
        "account_id": ACCOUNT_ID,
        "admin_token": keys.admin_token,
        "agent_token": keys.agent_token,
        "bot_token": keys.bot_token,
        "agent_bot_id": BOT_ID,
        "inboxes": [
            {"id": i.id, "name": i.name, "inbox_identifier": i.inbox_identifier} for i in store.inboxes.values()
        ],
        "agents": [
            {
                "id": u.id,
                "name": u.name,
                "role": u.role,
                "email": u.email,
                "access_token": tokens[u.id],
                "password": u.password,
            }
            for u in store.users.values()
            if ACCOUNT_ID in u.account_ids
        ],
        "other_account": {"id": OTHER_ACCOUNT_ID, "admin_token": keys.other_admin_token},
        "teams": [{"id": t.id, "name": t.name} for t in store.teams.values()],
    }
