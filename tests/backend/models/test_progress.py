"""Progress events: byte counters are thinned to about one event per percent."""

from __future__ import annotations

from lathe.models.progress import Reporter
from lathe.schemas.models import ProgressEvent


def test_byte_counters_are_thinned() -> None:
    events: list[ProgressEvent] = []
    reporter = Reporter(events.append)
    total = 10_000
    for done in range(0, total + 1, 7):
        reporter.bytes("copy", "copying", done, total)
    reporter.bytes("copy", "copying", total, total)
    reporter.bytes("copy", "copying", total, total)

    assert 90 <= len(events) <= 102
    assert events[0].completed == 0
    assert events[-1].completed == events[-1].total == total
    assert [e.completed for e in events] == sorted({e.completed or 0 for e in events})


def test_unknown_total_reports_every_few_megabytes() -> None:
    events: list[ProgressEvent] = []
    reporter = Reporter(events.append)
    for done in range(0, 64 * 1024 * 1024, 1024 * 1024):
        reporter.bytes("download", "downloading", done, None)
    assert 8 <= len(events) <= 9
    assert all(event.total is None for event in events)


def test_stages_are_always_sent_and_no_callback_is_fine() -> None:
    events: list[ProgressEvent] = []
    reporter = Reporter(events.append)
    reporter.stage("convert", "loading")
    reporter.stage("convert", "loading")
    assert [(e.stage, e.message, e.completed) for e in events] == [("convert", "loading", None)] * 2
    silent = Reporter(None)
    silent.stage("save", "saving")
    silent.bytes("save", "saving", 1, 2)
