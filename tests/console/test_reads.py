"""The open pages' re-reads of a changed conversation: one tool call per change, shared only where Chatwoot would
answer every reader alike, and never an answer older than the change that asked for it."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from chatwoot_mcp.console.reads import FRESH_SECONDS, SharedReads
from chatwoot_mcp.console.sessions import Person
from chatwoot_mcp.server.session import ToolCallFailed

ADMIN = Person(1, "Ana", "administrator", frozenset({1, 2}))
OTHER_ADMIN = Person(3, "Carla", "administrator", frozenset({1}))
AGENT = Person(2, "Bruno", "agent", frozenset({1}))
OTHER_AGENT = Person(4, "Davi", "agent", frozenset({1}))


class Reader:
    """A session whose reads are counted and held until `release` is set, so pages can pile up on one read."""

    def __init__(self, person: Person, log: list[str], release: anyio.Event, fail: bool = False) -> None:
        self.person = person
        self.log = log
        self.release = release
        self.fail = fail

    async def call(self, name: str, **arguments: Any) -> dict[str, Any]:
        self.log.append(self.person.name)
        await self.release.wait()
        if self.fail:
            raise ToolCallFailed("Chatwoot said no", tool=name)
        return {"id": arguments["conversation_id"], "read_by": self.person.name, "version": len(self.log)}


async def read_all(reads: SharedReads, sessions: list[Any], release: anyio.Event) -> list[Any]:
    results: list[Any] = [None] * len(sessions)

    async def one(index: int, session: Any) -> None:
        try:
            results[index] = await reads.conversation(session, 7)
        except ToolCallFailed as exc:
            results[index] = exc

    async with anyio.create_task_group() as tg:
        for index, session in enumerate(sessions):
            tg.start_soon(one, index, session)
        await anyio.wait_all_tasks_blocked()
        release.set()
    return results


@pytest.mark.anyio
async def test_administrators_pages_share_one_read_per_change_and_agents_read_for_themselves() -> None:
    reads, log, release = SharedReads(), [], anyio.Event()
    reads.changed(7)
    admins = [Reader(ADMIN, log, release) for _ in range(5)] + [Reader(OTHER_ADMIN, log, release)]
    agents = [Reader(AGENT, log, release), Reader(AGENT, log, release), Reader(OTHER_AGENT, log, release)]
    results = await read_all(reads, admins + agents, release)
    assert sorted(log) == ["Ana", "Bruno", "Davi"]  # one read for the administrators, one per agent
    assert {r["read_by"] for r in results[:6]} == {"Ana"}
    assert [r["read_by"] for r in results[6:]] == ["Bruno", "Bruno", "Davi"]


@pytest.mark.anyio
async def test_a_new_change_is_read_again_and_a_read_never_serves_the_changes_after_it() -> None:
    reads, log, release = SharedReads(), [], anyio.Event()
    release.set()
    reads.changed(7)
    first = await reads.conversation(Reader(ADMIN, log, release), 7)
    assert await reads.conversation(Reader(OTHER_ADMIN, log, release), 7) is first  # the same change: shared
    reads.changed(7)
    second = await reads.conversation(Reader(OTHER_ADMIN, log, release), 7)
    assert second is not first and len(log) == 2


@pytest.mark.anyio
async def test_a_failed_read_is_not_shared_each_page_gets_its_own_answer() -> None:
    reads, log, release = SharedReads(), [], anyio.Event()
    reads.changed(7)
    failing = Reader(ADMIN, log, release, fail=True)
    results = await read_all(reads, [failing, Reader(OTHER_ADMIN, log, release)], release)
    assert isinstance(results[0], ToolCallFailed)
    assert results[1]["read_by"] == "Carla" and log == ["Ana", "Carla"]


@pytest.mark.anyio
async def test_reads_are_not_kept_past_their_use() -> None:
    reads, log, release = SharedReads(), [], anyio.Event()
    release.set()
    for conversation_id in range(1, 200):
        await reads.conversation(Reader(ADMIN, log, release), conversation_id)
    assert 0 < len(reads._reads) <= 199
    reads._prune(anyio.current_time() + FRESH_SECONDS)
    assert reads._reads == {}


class Lister(Reader):
    async def call(self, name: str, **arguments: Any) -> dict[str, Any]:
        self.log.append(f"{self.person.name} {arguments}")
        return {"items": [], "counts": {"mine": self.person.id}, "read": len(self.log)}


@pytest.mark.anyio
async def test_list_re_reads_are_shared_by_administrators_asking_the_same_until_any_conversation_changes() -> None:
    reads, log, release = SharedReads(), [], anyio.Event()
    ana, carla = Lister(ADMIN, log, release), Lister(OTHER_ADMIN, log, release)
    first = await reads.conversations(ana, status="all", page=1)
    assert await reads.conversations(carla, status="all", page=1) is first
    assert await reads.conversations(carla, status="open", page=1) is not first  # other arguments
    mine = await reads.conversations(carla, status="all", assignee_type="me", page=1)
    assert mine["counts"]["mine"] == OTHER_ADMIN.id  # "me" is whoever asks: never shared
    assert (await reads.conversations(carla, personal=True, status="all", page=1))["counts"]["mine"] == 3
    reads.changed(99)  # any conversation: a list may change with it
    assert await reads.conversations(carla, status="all", page=1) is not first
    bruno = Lister(AGENT, log, release)
    assert (await reads.conversations(bruno, status="all", page=1))["counts"]["mine"] == AGENT.id
    assert len(log) == 6
