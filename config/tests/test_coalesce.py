"""config.coalesce: side effects flushed at once outside a batch, once per batch inside one."""

from __future__ import annotations

import pytest

from config import coalesce
from config.coalesce import Coalesced, coalesced, coalescing


def recorder() -> tuple[Coalesced, list]:
    flushed: list = []
    return Coalesced("test", flushed.append), flushed


def test_outside_a_batch_each_call_is_flushed_at_once():
    side_effect, flushed = recorder()
    side_effect(1)
    side_effect(2)
    assert flushed == [[1], [2]]


def test_inside_a_batch_calls_are_flushed_together_at_the_end_and_nested_batches_join_the_outer_one():
    side_effect, flushed = recorder()
    with side_effect.batch():
        side_effect(1)
        with side_effect.batch():
            side_effect(2)
        assert flushed == []
        side_effect(3)
    assert flushed == [[1, 2, 3]]
    side_effect(4)
    assert flushed == [[1, 2, 3], [4]]


def test_an_exception_in_the_batch_still_flushes_what_was_collected():
    side_effect, flushed = recorder()
    with pytest.raises(RuntimeError), side_effect.batch():
        side_effect("committed before the crash")
        raise RuntimeError("boom")
    assert flushed == [["committed before the crash"]]


def test_a_failing_flush_is_logged_not_raised_at_the_end_of_a_batch(caplog):
    def fail(items):
        raise ConnectionError("broker down")

    side_effect = Coalesced("failing", fail)
    with side_effect.batch():
        side_effect(1)
    assert "coalesced side effect failed" in caplog.text


def test_coalescing_batches_every_registered_side_effect(monkeypatch):
    monkeypatch.setattr(coalesce, "_REGISTRY", [])
    first, second = [], []
    a = coalesced("test_a")(first.append)
    b = coalesced("test_b")(second.append)
    with coalescing():
        a(1), b("x"), a(2)
        assert first == second == []
    assert first == [[1, 2]] and second == [["x"]]
