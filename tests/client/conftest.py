"""Fixtures of the client tests: the injected-sleep recorder and scripted transports."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .helpers import Script, SleepRecorder, Step


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def script() -> Callable[..., Script]:
    def make(*steps: Step) -> Script:
        return Script(list(steps))

    return make
