"""Every read of the client against the sandbox over real HTTP, checked against the seeded state."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_mcp.client import PAGE_SIZE, ConversationPage

from .helpers import open_client, raw

pytestmark = pytest.mark.anyio

# Seed (chatwoot_mcp/sandbox/seed.py): display ids 1 pending/WhatsApp, 2 pending/Site, 3 open/WhatsApp assigned to
# the admin with team Humanos, priority high and label "reclamacao", 4 open/Site unassigned, 5 resolved/WhatsApp
# label "entrega", 6 snoozed/Site.


def ids(page: ConversationPage) -> set[int]:
    return {c.id for c in page.items}


async def test_profile_names_the_token_owner_and_its_accounts_without_showing_its_token(sandbox) -> None:
    async with open_client(sandbox) as cw:
        profile = await cw.profile.get()
    assert profile.id == sandbox.agent("administrator")["id"]
    assert sandbox.account_id in [a.id for a in profile.accounts]
    assert sandbox.admin_token not in repr(profile)


async def test_inboxes_list_shows_all_inboxes_to_an_admin_and_only_member_inboxes_to_an_agent(sandbox) -> None:
    carla = sandbox.agent("agent", 1)
    async with open_client(sandbox) as cw:
        admin_view = {i.name for i in await cw.inboxes.list()}
    async with open_client(sandbox, carla["access_token"]) as cw:
        agent_view = {i.name for i in await cw.inboxes.list()}
    assert admin_view == {"WhatsApp", "Site"}
    assert agent_view < admin_view


async def test_inbox_get_returns_the_inbox_with_its_identifier_and_hidden_secret(sandbox) -> None:
    whatsapp = sandbox.inbox("WhatsApp")
    async with open_client(sandbox) as cw:
        inbox = await cw.inboxes.get(whatsapp["id"])
    assert inbox.name == "WhatsApp"
    assert inbox.inbox_identifier == whatsapp["inbox_identifier"]
    assert inbox.channel_type == "Channel::Api"
    assert inbox.secret is not None  # administrators see the webhook signing secret of API inboxes
    assert inbox.secret.get_secret_value() not in repr(inbox)


async def test_inbox_agent_bot_is_the_seeded_bot(sandbox) -> None:
    async with open_client(sandbox) as cw:
        bot = await cw.inboxes.agent_bot(sandbox.inbox("Site")["id"])
    assert bot is not None
    assert bot.id == sandbox.agent_bot_id


async def test_conversation_list_without_status_lists_open_conversations_with_counts(sandbox) -> None:
    async with open_client(sandbox) as cw:
        page = await cw.conversations.list()
    assert ids(page) == {3, 4}
    assert all(c.status == "open" for c in page.items)
    assert page.counts.all_count == 2
    assert page.counts.mine_count == 1
    assert page.page == 1


async def test_conversation_list_filters_by_status_including_all(sandbox) -> None:
    async with open_client(sandbox) as cw:
        pending = await cw.conversations.list(status="pending")
        everything = await cw.conversations.list(status="all")
        snoozed = await cw.conversations.list(status="snoozed")
    assert ids(pending) == {1, 2}
    assert ids(everything) == {1, 2, 3, 4, 5, 6}
    assert ids(snoozed) == {6}


async def test_conversation_list_filters_by_assignee_type_but_counts_ignore_it(sandbox) -> None:
    async with open_client(sandbox) as cw:
        unassigned = await cw.conversations.list(status="all", assignee_type="unassigned")
        mine = await cw.conversations.list(status="all", assignee_type="me")
    assert ids(unassigned) == {1, 2, 4}
    assert ids(mine) == {3}
    assert unassigned.counts.all_count == 6


async def test_conversation_list_filters_by_inbox_team_and_labels(sandbox) -> None:
    async with open_client(sandbox) as cw:
        whatsapp = await cw.conversations.list(status="all", inbox_id=sandbox.inbox("WhatsApp")["id"])
        team = await cw.conversations.list(status="all", team_id=sandbox.info["teams"][0]["id"])
        labelled = await cw.conversations.list(status="all", labels=["entrega", "reclamacao"])
    assert ids(whatsapp) == {1, 3, 5}
    assert ids(team) == {3}
    assert ids(labelled) == {3, 5}


async def test_conversation_list_search_matches_message_text_whatever_the_status(sandbox) -> None:
    async with open_client(sandbox) as cw:
        found = await cw.conversations.list(q="quebrado", status="resolved")
    assert ids(found) == {3}


async def test_conversation_list_sorts_by_creation_when_asked(sandbox) -> None:
    async with open_client(sandbox) as cw:
        page = await cw.conversations.list(status="all", sort_by="created_at_asc")
    assert [c.id for c in page.items] == [5, 6, 3, 1, 2, 4]


async def test_conversation_list_pages_hold_twenty_five(sandbox) -> None:
    contact_id, inbox_id = 11, sandbox.inbox("Site")["id"]
    for _ in range(PAGE_SIZE):
        created = sandbox.api("POST", "conversations", json={"inbox_id": inbox_id, "contact_id": contact_id})
        assert created.status_code == 200, created.text
    async with open_client(sandbox) as cw:
        first = await cw.conversations.list(status="all")
        second = await cw.conversations.list(status="all", page=2)
    assert len(first.items) == PAGE_SIZE
    assert len(second.items) == 6  # 6 seeded + 25 created = 31
    assert second.page == 2
    assert ids(first).isdisjoint(ids(second))


async def test_conversation_meta_counts_match_the_filters(sandbox) -> None:
    async with open_client(sandbox) as cw:
        counts = await cw.conversations.meta(status="all")
        open_counts = await cw.conversations.meta()
    assert counts.all_count == 6
    assert open_counts.all_count == 2
    assert open_counts.unassigned_count == 1


async def test_conversation_filter_returns_matching_conversations_and_counts_without_assigned(sandbox) -> None:
    rows = [{"attribute_key": "status", "filter_operator": "equal_to", "values": ["pending"], "query_operator": None}]
    async with open_client(sandbox) as cw:
        page = await cw.conversations.filter(rows)
    assert ids(page) == {1, 2}
    assert page.counts.all_count == 2


async def test_conversation_get_carries_sender_assignee_team_priority_labels_and_last_message(sandbox) -> None:
    async with open_client(sandbox) as cw:
        conv = await cw.conversations.get(3)
    assert conv.id == 3
    assert conv.status == "open"
    assert conv.priority == "high"
    assert conv.labels == ["reclamacao"]
    assert conv.meta.sender is not None and conv.meta.sender.name == "Ana Oliveira"
    assert conv.meta.assignee is not None and conv.meta.assignee.id == sandbox.agent("administrator")["id"]
    assert conv.meta.assignee_type == "User"
    assert conv.meta.team is not None and conv.meta.team.name == "Humanos"
    assert conv.messages and conv.messages[-1].content == "Sinto muito, Ana! Vamos trocar o produto."
    assert isinstance(conv.created_at, int)


async def test_a_pending_bot_conversation_has_no_assignee(sandbox) -> None:
    async with open_client(sandbox) as cw:
        conv = await cw.conversations.get(1)
    assert conv.status == "pending"
    assert conv.meta.assignee is None


async def test_labels_of_a_conversation(sandbox) -> None:
    async with open_client(sandbox) as cw:
        assert await cw.conversations.labels(3) == ["reclamacao"]
        assert await cw.conversations.labels(1) == []


async def test_messages_list_is_ascending_with_normalised_types(sandbox) -> None:
    async with open_client(sandbox) as cw:
        page = await cw.messages.list(3)
    assert [m.message_type for m in page.items] == ["incoming", "activity", "outgoing"]
    assert [m.id for m in page.items] == sorted(m.id for m in page.items)
    assert page.items[2].sender is not None and page.items[2].sender.type == "user"
    assert all(isinstance(m.created_at, int) for m in page.items)


async def test_messages_list_before_and_after_a_message_id(sandbox) -> None:
    async with open_client(sandbox) as cw:
        everything = (await cw.messages.list(3)).items
        first, middle, last = (m.id for m in everything)
        before = await cw.messages.list(3, before=last)
        after = await cw.messages.list(3, after=first)
        between = await cw.messages.list(3, after=first, before=last)
    assert [m.id for m in before.items] == [first, middle]
    assert [m.id for m in after.items] == [middle, last]
    assert [m.id for m in between.items] == [first, middle]  # with both, Chatwoot includes `after` itself


async def test_agents_and_teams_lists(sandbox) -> None:
    async with open_client(sandbox) as cw:
        agents = await cw.agents.list()
        teams = await cw.teams.list()
    assert {a.id for a in agents} == {a["id"] for a in sandbox.info["agents"]}
    assert {a.role for a in agents} == {"administrator", "agent"}
    assert [t.name for t in teams] == ["Humanos"]


async def test_contacts_search_finds_by_name_phone_and_email(sandbox) -> None:
    async with open_client(sandbox) as cw:
        by_name = await cw.contacts.search("Silva")
        by_phone = await cw.contacts.search("+5521")
        everyone = await cw.contacts.search("+55")
    assert [c.name for c in by_name.items] == ["Maria Silva"]
    assert [c.name for c in by_phone.items] == ["João Santos"]
    assert len(everyone.items) == 6
    assert everyone.page == 1
    assert everyone.has_more is False


async def test_contacts_search_pages_fifteen_and_says_when_there_is_more(sandbox) -> None:
    inbox = sandbox.inbox("Site")["inbox_identifier"]
    for n in range(12):
        # Contacts arrive through the inbox's public API, as a customer's first message would create them.
        response = httpx2.post(
            f"{sandbox.base_url}/public/api/v1/inboxes/{inbox}/contacts",
            json={"name": f"Cliente Paginado {n}", "phone_number": f"+55119000000{n:02d}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
    async with open_client(sandbox) as cw:
        first = await cw.contacts.search("+55")
        second = await cw.contacts.search("+55", page=2)
    assert len(first.items) == 15 and first.has_more is True
    assert len(second.items) == 3 and second.has_more is False and second.page == 2
    assert raw(sandbox, "contacts/search?q=Paginado")["meta"]["count"] == 12


async def test_conversation_list_with_updated_within_returns_every_recent_conversation_unpaged(sandbox) -> None:
    contact_id, inbox_id = 11, sandbox.inbox("Site")["id"]
    for _ in range(PAGE_SIZE + 2):
        created = sandbox.api("POST", "conversations", json={"inbox_id": inbox_id, "contact_id": contact_id})
        assert created.status_code == 200, created.text
    async with open_client(sandbox) as cw:
        recent = await cw.conversations.list(status="all", updated_within=3600)
        with pytest.raises(ValueError, match="updated_within"):
            await cw.conversations.list(updated_within=0)
    assert len(recent.items) > PAGE_SIZE
    logged = [r for r in sandbox.control("GET", "requests") if r["path"].endswith("/conversations")]
    assert logged[-1]["query"]["updated_within"] == "3600"


async def test_conversation_list_passes_source_id_and_conversation_type_to_chatwoot(sandbox) -> None:
    async with open_client(sandbox) as cw:
        await cw.conversations.list(source_id="abc-123", conversation_type="unattended")
    query = [r for r in sandbox.control("GET", "requests") if r["path"].endswith("/conversations")][-1]["query"]
    assert (query["source_id"], query["conversation_type"]) == ("abc-123", "unattended")
