"""Job log files: appends, and reading them in chunks that never split a line."""

from __future__ import annotations

from lathe.jobs import logs
from lathe.settings import Settings


def test_chunks_end_on_whole_lines(job_settings: Settings) -> None:
    assert logs.read_chunk(job_settings, 7, 0, 100) == ("", 0)
    assert logs.size(job_settings, 7) == 0
    for word in ("first", "second", "thïrd"):
        logs.append_line(job_settings, 7, word)
    size = logs.size(job_settings, 7)
    line = len(logs.stamp("first").encode())

    text, offset = logs.read_chunk(job_settings, 7, 0, line + 5)
    assert text.endswith(" first\n") and offset == line
    rest, end = logs.read_chunk(job_settings, 7, offset, 10_000)
    assert rest.splitlines()[-1].endswith(" thïrd") and end == size
    assert logs.read_chunk(job_settings, 7, end, 100) == ("", end)
