"""Work and model slots: bounded, and a freed slot goes to the customer who has waited longest."""

from __future__ import annotations

import anyio
import pytest

from bot.slots import Slots

pytestmark = pytest.mark.anyio


async def test_a_freed_slot_goes_to_the_oldest_waiter_not_the_first_to_ask() -> None:
    slots = Slots(1)
    served: list[float] = []
    holder = slots.hold(0.0)
    await holder.take()

    async def wait(priority: float) -> None:
        async with slots.hold(priority):
            served.append(priority)

    async with anyio.create_task_group() as tg:
        for priority in (30.0, 10.0, 20.0):  # asked in this order; 10 has waited longest
            tg.start_soon(wait, priority)
            await anyio.wait_all_tasks_blocked()
        assert served == []
        holder.give()
    assert served == [10.0, 20.0, 30.0]
    assert slots.free == 1


async def test_a_waiter_cancelled_while_waiting_leaves_the_count_right() -> None:
    slots = Slots(2)
    first, second = slots.hold(1.0), slots.hold(2.0)
    await first.take()
    await second.take()
    with anyio.move_on_after(0.05):
        await slots.acquire(3.0)
    first.give()
    second.give()
    second.give()  # giving twice is a no-op
    assert slots.free == 2
    async with slots.hold(4.0), slots.hold(5.0):
        assert slots.free == 0


async def test_a_batch_gives_its_slot_back_while_it_waits_and_takes_it_again() -> None:
    slots = Slots(1)
    batch = slots.hold(1.0)
    await batch.take()
    batch.give()
    async with slots.hold(2.0):  # another batch's work runs meanwhile
        assert not batch.held
    await batch.take()
    assert batch.held and slots.free == 0
