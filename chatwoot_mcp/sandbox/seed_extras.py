"""Seed additions: account labels, canned responses, the seeded story's reporting events, and a large account
on request (`--seed-conversations N`, `--seed-contacts N`) for benchmarks and the console's tests."""

from __future__ import annotations

import random
import secrets
import uuid

from .state import (
    INCOMING,
    OUTGOING,
    CannedResponse,
    Contact,
    ContactInbox,
    Conversation,
    Label,
    Message,
    ReportingEvent,
    Store,
)

LABELS = [
    ("reclamacao", "Reclamações de clientes", "#D93025"),
    ("entrega", "Dúvidas sobre entrega", "#1A73E8"),
    ("vip", "Clientes VIP", "#F9AB00"),
    ("pagamento", "Boletos, cartões e PIX", "#188038"),
]
CANNED = [
    ("saudacao", "Olá! Sou da equipe da Acme. Como posso ajudar?"),
    ("prazo", "O prazo de entrega é de 2 a 5 dias úteis a partir da confirmação do pagamento."),
    ("encerramento", "Posso ajudar em algo mais? Se não, vou encerrar este atendimento. Obrigado!"),
]
FIRST = [
    "Maria",
    "João",
    "Ana",
    "Pedro",
    "Juliana",
    "Lucas",
    "Fernanda",
    "Rafael",
    "Camila",
    "Gabriel",
    "Beatriz",
    "Mateus",
    "Larissa",
    "Bruno",
    "Patrícia",
    "Thiago",
    "Aline",
    "Diego",
    "Renata",
    "Felipe",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
]
TEXTS = [
    "Olá, preciso de ajuda com meu pedido",
    "Qual o prazo de entrega para o meu CEP?",
    "Quero trocar um produto",
    "O boleto venceu, podem gerar outro?",
    "Meu pedido chegou incompleto",
    "Vocês aceitam PIX?",
]
DAY = 86400.0


def add_library(store: Store, account_id: int, created: float) -> None:
    for title, description, color in LABELS:
        label_id = store.next_id("label")
        store.labels[label_id] = Label(label_id, account_id, title, description, color, True)
    for short_code, content in CANNED:
        canned_id = store.next_id("canned_response")
        store.canned_responses[canned_id] = CannedResponse(canned_id, account_id, short_code, content, created, created)


def event(store: Store, conv: Conversation, name: str, start: float, end: float, user_id: int | None) -> None:
    store.add_reporting_event(
        ReportingEvent(
            store.next_id("reporting_event"),
            conv.account_id,
            name,
            int(end) - int(start),
            conv.inbox_id,
            user_id,
            conv.id,
            end,
            start,
            end,
        )
    )


def add_story_events(store: Store, account_id: int) -> None:
    """What ReportingEventListener would have written for the seeded conversations: 3 and 4 were handed off by the
    bot, 3, 5 and 6 got a person's first reply, 5 was resolved."""
    convs = {c.display_id: c for c in store.conversations.values() if c.account_id == account_id}
    for display_id, after in ((3, 20), (4, 4)):
        conv = convs[display_id]
        event(store, conv, "conversation_bot_handoff", conv.created_at, conv.created_at + after, None)
    for display_id in (3, 5, 6):
        conv = convs[display_id]
        reply = conv.first_reply_created_at or conv.created_at
        start = conv.created_at + 20 if display_id == 3 else conv.created_at
        event(store, conv, "first_response", start, reply, conv.assignee_id)
    resolved = convs[5]
    closed = resolved.last_activity_at
    event(store, resolved, "conversation_resolved", resolved.created_at, closed, resolved.assignee_id)


def add_bulk(store: Store, account_id: int, *, conversations: int, contacts: int, now: float) -> None:
    """A large account, the same on every reset: `contacts` more contacts and `conversations` more conversations
    over the last 30 days in every status, each with its contact's message (and a reply for the non-pending)."""
    rng = random.Random(20_26)
    inboxes = [i for i in store.inboxes.values() if i.account_id == account_id]
    agents = [u.id for u in store.account_users(account_id)]
    made: list[Contact] = []
    for n in range(contacts):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = now - rng.uniform(30, 60) * DAY
        email = f"{first.lower()}.{last.lower()}.{n}@exemplo.com.br".replace("ã", "a").replace("í", "i")
        phone = f"+55{rng.randint(11, 99)}9{n:08d}"
        made.append(Contact(store.next_id("contact", 11), account_id, f"{first} {last}", email, phone, None, created))
    pool = made or [c for c in store.contacts.values() if c.account_id == account_id]
    for n in range(conversations):
        contact = pool[n % len(pool)]
        inbox = inboxes[n % len(inboxes)]
        ci = store.contact_inbox_for(contact.id, inbox.id)
        created = now - rng.uniform(0.05, 30) * DAY  # every reply below is already in the past
        if ci is None:
            ci_id = store.next_id("contact_inbox", 31)
            ci = ContactInbox(ci_id, contact.id, inbox.id, str(uuid.uuid4()), secrets.token_urlsafe(12), created)
            store.contact_inboxes[ci_id] = ci
        status = rng.choices(("pending", "open", "resolved", "snoozed"), weights=(3, 4, 2, 1))[0]
        conv = Conversation(
            id=store.next_id("conversation", 101),
            display_id=store.next_id(f"display:{account_id}"),
            account_id=account_id,
            inbox_id=inbox.id,
            contact_id=contact.id,
            contact_inbox_id=ci.id,
            uuid=str(uuid.uuid4()),
            status=status,
            created_at=created,
            updated_at=created,
            last_activity_at=created,
        )
        _bulk_story(store, conv, rng, n, agents, now)
        contact.last_activity_at = max(contact.last_activity_at or 0.0, created + 1)
        store.add_conversation(conv)  # indexed once, complete
    for contact in made:
        store.contacts[contact.id] = contact  # likewise, with its last activity known


def _bulk_story(store: Store, conv: Conversation, rng: random.Random, n: int, agents: list[int], now: float) -> None:
    """The customer's message; then, unless the bot still has it, the handoff and maybe a person's reply."""
    created = conv.created_at
    _say(
        store, conv, f"{rng.choice(TEXTS)} (pedido #{20_000 + n})", INCOMING, ("Contact", conv.contact_id), created + 1
    )
    if conv.status == "pending":
        conv.waiting_since = created + 1
        return
    handoff = created + rng.uniform(30, 600)
    event(store, conv, "conversation_bot_handoff", created, handoff, None)
    if conv.status == "open" and n % 2:
        conv.waiting_since = handoff
        return  # waiting for a person
    agent = rng.choice(agents)
    conv.assignee_id = agent
    reply = handoff + rng.uniform(30, 1800)
    _say(store, conv, "Olá! Vou verificar para você.", OUTGOING, ("User", agent), reply)
    conv.first_reply_created_at = reply
    conv.agent_last_seen_at = reply
    event(store, conv, "first_response", handoff, reply, agent)
    if conv.status == "resolved":
        event(store, conv, "conversation_resolved", created, reply + 60, agent)
    elif conv.status == "snoozed":
        conv.snoozed_until = float(int(now + DAY))


def _say(store: Store, conv: Conversation, content: str, kind: int, sender: tuple[str, int], at: float) -> None:
    msg_id = store.next_id("message", 1001)
    msg = Message(
        msg_id,
        conv.account_id,
        conv.inbox_id,
        conv.id,
        content,
        kind,
        at,
        at,
        sender_type=sender[0],
        sender_id=sender[1],
    )  # type: ignore[arg-type]
    store.messages[msg_id] = msg
    conv.messages.append(msg)
    conv.last_activity_at = at
    conv.updated_at = at
