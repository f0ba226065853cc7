"""One total order of diagnostics (core/diagnostics.py): the problems of reading a file
(KOPA1xx, KOPA2xx) before every cross-record problem, then by place, code and arguments."""

from __future__ import annotations

from kopa_cli.core import codes  # noqa: F401 - registers every code
from kopa_cli.core.diagnostics import Diagnostic, sort_diagnostics


def test_reading_problems_come_before_the_problems_they_cause() -> None:
    cross = Diagnostic("records/applications/a.yaml", 7, 17, "KOPA412")
    later_cross = Diagnostic("records/applications/a.yaml", 9, 1, "KOPA401")
    syntax = Diagnostic("records/organizations/kajaani.yaml", 2, 6, "KOPA219")
    shape = Diagnostic("records/pilots/p.yaml", 1, 1, "KOPA104")
    warning = Diagnostic("records/applications/a.yaml", 1, 1, "KOPA609")
    assert sort_diagnostics([warning, later_cross, shape, cross, syntax]) == [syntax, shape, warning, cross, later_cross]


def test_a_broken_file_keeps_its_own_problems_in_the_order_of_its_lines() -> None:
    late = Diagnostic("records/applications/a.md", 5, 12, "KOPA303")
    unknown = Diagnostic("records/applications/a.md", 6, 1, "KOPA201")
    caused = Diagnostic("records/applications/0-first.md", 3, 1, "KOPA412")
    assert sort_diagnostics([unknown, caused, late]) == [late, unknown, caused]
