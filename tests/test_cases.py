"""The example corpus: every rule has a bad example that must fail at the right place.

tests/cases/base/ is a small valid workspace. Each folder under tests/cases/bad/ and
tests/cases/good/ holds only what differs from it:

- files under ``records/`` replace or add to the base's;
- ``delete.txt``: base files to remove, one path a line;
- ``symlinks.txt``: ``link -> target`` lines, made like ``ln -s target link``; a target may
  climb out of the workspace to ``outside.yaml``, a valid organisation beside it;
- ``grow.txt``: ``path bytes`` lines: pad that file with YAML comment lines to that size
  (so a too-large file need not be stored);
- ``committed/``: files as the last commit holds them: the workspace becomes a git
  repository whose HEAD has the base with these files, and the case's other files are laid
  over it uncommitted (the invoice ledger's append-only rule compares with HEAD);
- ``expected.txt`` (bad cases): one ``path:line:column: CODE`` line per diagnostic, the
  exact full set. Good cases must validate clean, with --strict.

A new case is a new folder; nothing here needs to change.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import REPO, run_kopa
from kopa_cli.core import codes  # noqa: F401 - registers every code in CODES
from kopa_cli.check.validation import check
from kopa_cli.core.diagnostics import CODES, Severity
from kopa_cli.load.kinds import CALL_PATH
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace
from kopa_cli.render import reporters

CASES = Path(__file__).parent / "cases"
BASE = CASES / "base"
CONTROL_FILES = {"expected.txt", "delete.txt", "symlinks.txt", "grow.txt"}
COMMITTED = "committed"
EXPECTED_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>KOPA\d{3})$")


def case_dirs(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).iterdir() if p.is_dir())


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def build_case(case: Path, tmp_path: Path) -> Path:
    """The base workspace with the case laid over it, in ``tmp_path/workspace``."""
    workspace = tmp_path / "workspace"
    shutil.copytree(BASE, workspace)
    shutil.copy(BASE / "records" / "organizations" / "kuhmo.yaml", tmp_path / "outside.yaml")
    if (case / COMMITTED).is_dir():
        shutil.copytree(case / COMMITTED, workspace, dirs_exist_ok=True)
        git = ["git", "-c", "user.name=kopa", "-c", "user.email=kopa@example.invalid"]
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "committed"]):
            subprocess.run(git + command, cwd=workspace, check=True, capture_output=True)
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if source.is_file() and relative.as_posix() not in CONTROL_FILES and relative.parts[0] != COMMITTED:
            target = workspace / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)  # bytes as stored: BOM, CRLF, invalid UTF-8
    for line in _lines(case / "delete.txt"):
        (workspace / line).unlink()
    for line in _lines(case / "grow.txt"):
        name, size = line.rsplit(" ", 1)
        target = workspace / name
        data = target.read_bytes()
        padding = b"# padding to make the file too large\n"
        target.write_bytes(data + padding * ((int(size) - len(data)) // len(padding) + 1))
    for line in _lines(case / "symlinks.txt"):
        link, target = (part.strip() for part in line.split("->"))
        try:
            os.symlink(target, workspace / link)
        except (OSError, NotImplementedError):
            pytest.skip("this system cannot make symbolic links")
    return workspace


def expected_diagnostics(case: Path) -> set[tuple[str, int, int, str]]:
    expected = set()
    for line in _lines(case / "expected.txt"):
        match = EXPECTED_LINE.match(line)
        assert match, f"{case.name}/expected.txt: bad line {line!r}"
        expected.add((match["path"], int(match["line"]), int(match["column"]), match["code"]))
    return expected


def validate(workspace: Path, *options: str):
    result = run_kopa("--lang", "en", "validate", "--format", "json", *options, workspace=workspace)
    if not (workspace / CALL_PATH).is_file():
        # Not a workspace for the command line (exit 2); such records are read only at a git
        # revision (kopa fees --compare), through the same loader and checks.
        assert (result.exit_code, result.stdout) == (2, "") and "is not a kopa workspace" in result.stderr
        out = io.StringIO()
        reporters.as_json(check(load_workspace(workspace, DirectorySource(workspace))), out)
        report = json.loads(out.getvalue())
        return SimpleNamespace(exit_code=1 if report["errors"] else 0), report
    assert result.exit_code in (0, 1), "validation must end in a report, never a crash"
    return result, json.loads(result.stdout)


@pytest.mark.parametrize("case", case_dirs("bad"), ids=lambda p: p.name)
def test_bad_case_reports_exactly_the_expected_problems(case: Path, tmp_path: Path) -> None:
    expected = expected_diagnostics(case)
    assert expected, f"{case.name} has no expected.txt"
    result, report = validate(build_case(case, tmp_path))
    found = {(d["path"], d["line"], d["column"], d["code"]) for d in report["diagnostics"]}
    assert sorted(found) == sorted(expected)
    for d in report["diagnostics"]:  # every message is English text with its arguments filled in
        assert d["message"] and "{" not in d["message"] and d["severity"] == CODES[d["code"]].severity.value
    errors = any(CODES[code].severity is Severity.ERROR for *_, code in expected)
    assert result.exit_code == (1 if errors else 0)
    if not errors:  # warnings only: --strict fails on them
        assert validate(build_case(case, tmp_path / "strict"), "--strict")[0].exit_code == 1


@pytest.mark.parametrize("case", case_dirs("good"), ids=lambda p: p.name)
def test_good_case_is_clean(case: Path, tmp_path: Path) -> None:
    assert not (case / "expected.txt").exists()
    result, report = validate(build_case(case, tmp_path), "--strict")
    assert report["diagnostics"] == []
    assert result.exit_code == 0


def test_base_is_clean(tmp_path: Path) -> None:
    result, report = validate(BASE, "--strict")
    assert (result.exit_code, report["diagnostics"]) == (0, [])
    assert report["files"] == 9


def test_every_code_has_a_bad_example() -> None:
    covered = {code for case in case_dirs("bad") for *_, code in expected_diagnostics(case)}
    assert sorted(set(CODES) - covered) == []
    assert sorted(covered - set(CODES)) == []


def test_every_code_is_documented() -> None:
    """docs/rules.md: a section per code with what it checks, why, how to fix, an example."""
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    # a section runs to the next code's heading (its examples may hold Markdown headings)
    sections = dict(re.findall(r"^### (KOPA\d{3})\b.*?\n(.*?)(?=^### KOPA|\Z)", text, re.MULTILINE | re.DOTALL))
    assert sorted(set(CODES) - set(sections)) == []
    assert sorted(set(sections) - set(CODES)) == []
    for code, body in sections.items():
        for part in ("**What:**", "**Why:**", "**Fix:**", "```"):
            assert part in body, f"{code}: no {part} in docs/rules.md"
        severity = CODES[code].severity.value
        assert f"*{severity}*" in body, f"{code}: severity {severity} not stated"
