"""A large account: the indexes answer exactly what the full scans answer, whatever happened to the records, and
`--seed-conversations` / `--seed-contacts` start the sandbox with one."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from chatwoot_mcp.sandbox import finder, finder_index
from chatwoot_mcp.sandbox.api_contact_actions import remove_contact
from chatwoot_mcp.sandbox.api_contacts import matches, search_ids
from chatwoot_mcp.sandbox.domain import Engine
from chatwoot_mcp.sandbox.indexes import LAST, SORT_FIELDS, resolved, sort_key
from chatwoot_mcp.sandbox.routing import Ctx
from chatwoot_mcp.sandbox.seed import Secrets, SeedOptions
from chatwoot_mcp.sandbox.state import INCOMING, OUTGOING, STATUSES, Store
from chatwoot_mcp.sandbox.webhooks import Dispatcher
from tests.conftest import Sandbox, start_sandbox, stop_process


def _engine(conversations: int, contacts: int) -> Engine:
    async def ignore(_job: Any) -> None:
        return None

    dispatcher = Dispatcher(retry_wait=0, on_failure=ignore)  # never started: deliveries are only logged
    return Engine(Secrets(), SeedOptions(bulk_conversations=conversations, bulk_contacts=contacts), dispatcher)


def _ctx(engine: Engine, user_id: int, params: dict[str, Any]) -> Ctx:
    return Ctx(engine, None, params, {}, engine.store.users[user_id], 1)  # type: ignore[arg-type]


def _shake(engine: Engine, rng: random.Random, steps: int) -> None:
    """Status changes, assignments, messages (which move last activity), new conversations and deleted contacts, at
    random."""
    store = engine.store
    users = [None, 1, 2, 3]
    for _ in range(steps):
        if rng.random() < 0.02:  # now and then a contact is deleted, with its conversations and their messages
            remove_contact(store, store.contacts[rng.choice(list(store.contacts))])
        conv = store.conversations[rng.choice(list(store.conversations))]
        action = rng.randrange(7)
        if action == 0:
            engine.set_status(conv, rng.choice(STATUSES), None, snoozed_until=None)
        elif action == 1:
            user_id = rng.choice(users)
            engine.assign_user(conv, store.users[user_id] if user_id else None, None)
        elif action == 2:
            engine.clock.offset += rng.choice((0.0, 1.0, 30.0))  # equal times too: the id breaks the tie
            kind = rng.choice((INCOMING, OUTGOING))
            sender = ("Contact", conv.contact_id) if kind == INCOMING else ("User", 1)
            content = rng.choice(("oi", "Qual o prazo do pedido?", "Olá, preciso de ajuda", "PIX"))
            engine.create_message(conv, content=content, message_type=kind, sender=sender, private=rng.random() < 0.2)
        elif action == 5:
            engine.set_labels(conv, rng.sample(["vip", "entrega", "pix"], rng.randrange(3)), None)
        elif action == 6:
            engine.assign_team(conv, rng.choice((None, 1)), None)
        elif action == 3 and conv.messages:
            message = rng.choice(conv.messages)  # deleted: the content changes, the index follows
            message.content = "This message was deleted"
        else:
            contact = store.contacts[rng.choice(list(store.contacts))]
            inbox_id = rng.choice([1, 2])
            ci = store.contact_inbox_for(contact.id, inbox_id) or engine.create_contact_inbox(contact, inbox_id)
            engine.create_conversation(inbox_id=inbox_id, contact=contact, contact_inbox=ci, assignee_id=None)


SEARCHES = (None, "pedido", "PRAZO", "olá, pre", "oi", "zzz")
NARROWING = (
    {"labels": ["vip"]},
    {"labels": ["vip", "entrega"], "page": 2},
    {"team_id": 1},
    {"updated_within": 600},
    {"team_id": "1", "labels": ["pix"], "updated_within": 3600, "inbox_id": 1},
)
EXTRAS = ({}, {"inbox_id": "1"}, {"inbox_id": 2, "page": "2"}, {"page": 3}, {"sort_by": "latest"}, *NARROWING)


def _queries() -> Iterator[dict[str, Any]]:
    for search in SEARCHES:
        for params in _status_queries():
            yield params if search is None else {**params, "q": search}


def _status_queries() -> Iterator[dict[str, Any]]:
    for status in (None, "", "open", "pending", "resolved", "snoozed", "all", "bot"):
        for assignee_type in (None, "me", "unassigned", "assigned", "all"):
            for extra in EXTRAS:
                params: dict[str, Any] = dict(extra)
                if status is not None:
                    params["status"] = status
                if assignee_type is not None:
                    params["assignee_type"] = assignee_type
                yield params


def _scanned_page(ctx: Ctx) -> tuple[list[int], dict[str, int]]:
    convs, counts = finder.scan(ctx)
    if "updated_within" in ctx.params:  # no pagination then
        return [c.id for c in convs], counts
    number = ctx.params.get("page")
    start = (int(number) - 1) * finder.PAGE_SIZE if number else 0
    return [c.id for c in convs[start : start + finder.PAGE_SIZE]], counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_indexed_list_page_is_the_scanned_one_after_random_changes(seed: int) -> None:
    engine = _engine(conversations=250, contacts=60)
    _shake(engine, random.Random(seed), 400)
    checked = narrowed_rows = 0
    for params in _queries():
        for user_id in (1, 2, 3):  # the administrator, and two agents with different inboxes
            ctx = _ctx(engine, user_id, params)
            indexed = finder_index.page(ctx, finder.PAGE_SIZE)
            if indexed is None:  # a search under three characters, or one with a narrowing filter: the scan
                assert len(params["q"]) < 3 or any(key in params for key in ("labels", "team_id", "updated_within"))
                continue
            convs, counts = indexed
            assert ([c.id for c in convs], counts) == _scanned_page(ctx), (params, user_id)
            assert finder_index.counts(ctx) == counts
            checked += 1
            narrowed_rows += bool(convs) and any(key in params for key in ("labels", "team_id", "updated_within"))
    assert checked == (8 * 5 * 10 + 4 * 8 * 5 * 5) * 3  # all but the short search and searches that narrow
    assert narrowed_rows > 100  # the label, team and updated_within pages compared were not all empty


def test_requests_the_index_cannot_answer_go_to_the_scan() -> None:
    engine = _engine(conversations=0, contacts=0)
    for params in (
        {"q": "oi"},
        {"conversation_type": "unattended"},
        {"source_id": "x"},
        {"q": "pedido", "team_id": 1},
        {"sort_by": "created_at_asc"},
        {"status": ["open"]},
        {"q": "pedido", "labels": ["vip"]},
    ):
        assert finder_index.page(_ctx(engine, 1, params), 25) is None, params


def _scan(store: Store, needle: str, original: str) -> set[int]:
    return {c.id for c in store.contacts.values() if c.account_id == 1 and matches(c, needle, original)}


def test_contact_candidates_from_trigrams_miss_nothing_the_scan_finds() -> None:
    engine = _engine(conversations=0, contacts=400)
    store = engine.store
    rng = random.Random(7)
    contacts = list(store.contacts.values())
    for contact in rng.sample(contacts, 40):  # renames move a contact between trigram sets
        contact.name = f"{contact.name} Júnior" if rng.random() < 0.5 else contact.name.split()[0]
        contact.email = None if rng.random() < 0.2 else contact.email
    queries = ["silva", "SILVA", "ana", "an", "a", "@exemplo", "+5511", "9000001", "júnior", "zzz", "a.s", "ri"]
    for contact in rng.sample(contacts, 30):
        text = rng.choice([t for t in (contact.name, contact.email, contact.phone_number) if t])
        start = rng.randrange(len(text))
        queries.append(text[start : start + rng.randint(1, 8)])
    for original in queries:
        assert search_ids(store, 1, original) == _scan(store, original.lower(), original), original


def test_the_contact_inbox_indexes_find_what_the_scan_finds_after_creations_and_deletions() -> None:
    """RoomChannel's `ContactInbox.find_by!(pubsub_token:)` and the conversation builder's `find_by!(source_id:)`
    from the indexes: contacts deleted with their contact inboxes leave nothing behind, new ones are found."""
    engine = _engine(conversations=120, contacts=80)
    store = engine.store
    before = {ci.pubsub_token for ci in store.contact_inboxes.values()}
    _shake(engine, random.Random(5), 300)
    after = {ci.pubsub_token: ci.id for ci in store.contact_inboxes.values()}
    assert before - after.keys() and after.keys() - before  # some went with their contacts, some are new
    for token in before | after.keys():
        found = store.contact_inbox_by_pubsub(token)
        assert (found.id if found is not None else None) == after.get(token), token
    by_source: dict[str, set[int]] = {}
    for ci in store.contact_inboxes.values():
        by_source.setdefault(ci.source_id, set()).add(ci.id)
    assert dict(store.contact_inbox_index.by_source_id) == by_source  # POST /conversations with a source_id alone


def test_unique_keys_follow_updates_and_free_the_old_value() -> None:
    store = _engine(conversations=0, contacts=3).store
    index = store.contact_index
    contact = store.contacts[17]
    old_email = contact.email
    assert old_email is not None and index.find(1, "email", old_email.upper()) == 17
    contact.email = "nova@exemplo.com.br"
    assert index.find(1, "email", old_email) is None and index.find(1, "email", "NOVA@exemplo.com.br") == 17


@pytest.fixture(scope="module")
def big_box() -> Iterator[Sandbox]:
    box = start_sandbox("--seed-conversations", "600", "--seed-contacts", "500")
    try:
        yield box
    finally:
        stop_process(box.process)


def test_seeded_account_has_every_status_contacts_and_reports(big_box: Sandbox) -> None:
    counts = {}
    for status in STATUSES:
        counts[status] = big_box.api("GET", f"conversations/meta?status={status}").json()["meta"]["all_count"]
    assert sum(counts.values()) == 606 and all(value > 0 for value in counts.values())
    everything = big_box.api("GET", "conversations?status=all&page=3").json()["data"]
    assert everything["meta"]["all_count"] == 606 and len(everything["payload"]) == 25
    contacts = big_box.api("GET", "contacts").json()
    assert contacts["meta"]["count"] == 506 and len(contacts["payload"]) == 15
    now = int(big_box.control("POST", "clock", json={"advance": 0})["now"])
    handoffs = httpx2.get(
        f"{big_box.base_url}/api/v2/accounts/1/reports/bot_summary",
        params={"type": "account", "since": now - 40 * 86400, "until": now},
        headers={"api_access_token": big_box.admin_token},
        timeout=10,
    ).json()
    assert handoffs["bot_handoffs_count"] == counts["open"] + counts["resolved"] + counts["snoozed"] - 2

    def silvas() -> list[tuple[int, str]]:
        return [(c["id"], c["email"]) for c in big_box.api("GET", "contacts/search?q=silva").json()["payload"]]

    first = silvas()
    big_box.reset()
    assert silvas() == first and len(first) == 15  # the same account after a reset (times move with the clock)


def _listed(store: Store, field: str, descending: bool) -> list[int]:
    """The contact list's order by a scan: resolved contacts, blank values last in both directions."""
    rows = [c for c in store.contacts.values() if c.account_id == 1 and resolved(c)]
    present = [c for c in rows if sort_key(c, field) != LAST]
    absent = sorted((c for c in rows if sort_key(c, field) == LAST), key=lambda c: c.id)
    present.sort(key=lambda c: (sort_key(c, field), c.id), reverse=descending)
    return [c.id for c in present + absent]


def test_the_indexed_contact_list_is_the_scanned_one_after_changes() -> None:
    engine = _engine(conversations=80, contacts=120)
    store = engine.store
    rng = random.Random(11)
    for contact in rng.sample(list(store.contacts.values()), 60):
        change = rng.randrange(5)
        if change == 0:
            contact.email, contact.phone_number = None, None  # no longer a resolved contact
        elif change == 1:
            contact.name = rng.choice(["", "ana", "Zélia", contact.name.upper()])
        elif change == 2:
            contact.last_activity_at = None
        elif change == 3:
            contact.identifier = f"crm-{contact.id}"
        else:
            contact.additional_attributes = {"company_name": rng.choice(["Acme", "beta", None]), "city": "Recife"}
        contact.labels = rng.sample(["vip", "pix"], rng.randrange(3))
    for contact in rng.sample(list(store.contacts.values()), 10):
        remove_contact(store, contact)  # DELETE contacts/{id}: its conversations and messages go too
    _shake(engine, rng, 200)  # incoming messages move contacts' last activity
    for label in ("vip", "pix"):
        tagged = {c.id for c in store.contacts.values() if label in c.labels}
        assert store.contact_index.by_label.get((1, label), set()) == tagged
    assert all(c.contact_id in store.contacts for c in store.conversations.values())
    assert all(m.conversation_id in store.conversations for m in store.messages.values())
    for field in SORT_FIELDS:
        for descending in (False, True):
            expected = _listed(store, field, descending)
            for start in (0, 15, 105, len(expected) - 3):
                page, total = store.contact_index.listing(1, field, descending, start, 15)
                assert total == len(expected) and page == expected[start : start + 15], (field, descending, start)
