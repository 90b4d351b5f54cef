"""PhaseClock: phases in the order they ran, each from the end of the one before."""

from __future__ import annotations

from lathe.export.artifacts.outcome import PhaseClock


def test_phases_run_back_to_back_and_split_into_parts() -> None:
    ticks = iter([10.0, 12.5, 20.0, 21.0])
    clock = PhaseClock(now=lambda: next(ticks))  # 10.0
    clock.lap("merge")  # 12.5
    clock.split({"quantise": 3.0, "write": 4.0})  # 20.0: its own numbers, not 7.5
    clock.lap("verify")  # 21.0
    assert list(clock.seconds.items()) == [
        ("merge", 2.5),
        ("quantise", 3.0),
        ("write", 4.0),
        ("verify", 1.0),
    ]
