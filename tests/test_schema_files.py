"""The schema files `kopa schema --out` writes, used by the real check-jsonschema as a user's
CI would: every shipped record passes; over the example corpus (tests/cases), a file the schema
rejects is one kopa reports too, and one with a problem of a kind a schema can see fails.

Markdown applications are checked by their front matter, extracted to a YAML file (their
sections are the ``goal`` and ``plan`` keys, which the schema does not require).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHIPPED_RECORDS, run_kopa
from test_cases import CASES, EXPECTED_LINE, case_dirs
from kopa_cli.load.kinds import BY_NAME, KINDS, Kind
from kopa_cli.load.markdowndoc import split_front_matter
from kopa_cli.load.recordfiles import kind_of

# Problems a JSON Schema sees: unknown keys, types, dates, choices, ids, e-mail addresses,
# text formats and numbers' bounds and decimals, quoting. Not: check digits, whether a
# municipality has its code (KOPA202 depends on the type), empty lists, duplicate items,
# invisible characters (docs of load/schema.py).
SCHEMA_SEES = {"KOPA201", "KOPA203", "KOPA204", "KOPA205", "KOPA206", "KOPA207", "KOPA208", "KOPA209",
               "KOPA212", "KOPA213", "KOPA214", "KOPA216"}


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("schemas")
    assert run_kopa("schema", "--out", str(folder)).exit_code == 0
    return folder


def check_jsonschema(schema: Path, files: list[Path]) -> set[Path]:
    """The files the real check-jsonschema rejects (invalid, or not readable as YAML)."""
    ran = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), "-o", "json", *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )
    result = json.loads(ran.stdout)
    assert ran.returncode == (0 if result["status"] == "ok" else 1), ran.stderr
    return {Path(error["filename"]) for error in result.get("errors", []) + result.get("parse_errors", [])}


def _checked_file(path: Path, relative: str, scratch: Path) -> Path:
    """The file check-jsonschema reads: a Markdown application's front matter, else the file."""
    if not relative.endswith(".md"):
        return path
    front = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
    target = scratch / (relative.replace("/", "__") + ".yaml")  # check-jsonschema reads by suffix
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(front[0] if front else "", encoding="utf-8")
    return target


def _records(root: Path) -> dict[str, Path]:
    """The record files under ``root`` (a workspace or a case folder), by workspace path."""
    found = {}
    for path in sorted((root / "records").rglob("*")):
        relative = path.relative_to(root).as_posix()
        kind = BY_NAME.get(kind_of(relative) or "")
        if kind and path.is_file() and not path.is_symlink() and path.name.endswith(kind.suffixes) and not path.name.startswith("."):
            found[relative] = path
    return found


SHIPPED = _records(SHIPPED_RECORDS.parent)


def test_the_shipped_records_hold_the_four_kinds_a_user_writes() -> None:
    assert {kind_of(relative) for relative in SHIPPED} >= {"call", "organizations", "applications", "pilots"}


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.name in map(kind_of, SHIPPED)], ids=lambda k: k.noun)
def test_every_shipped_record_passes_check_jsonschema(schemas: Path, kind: Kind, tmp_path: Path) -> None:
    files = [_checked_file(path, relative, tmp_path) for relative, path in SHIPPED.items() if kind_of(relative) == kind.name]
    assert check_jsonschema(schemas / f"{kind.noun}.schema.json", files) == set()


def _corpus() -> list[tuple[str, str, Path, set[str]]]:
    """(case, workspace path, file, the codes kopa reports in it) for every record file of
    the example corpus: the base workspace and each bad case."""
    entries = [("base", relative, path, set()) for relative, path in _records(CASES / "base").items()]
    for case in case_dirs("bad"):
        expected: dict[str, set[str]] = {}
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
            if match := EXPECTED_LINE.match(line.strip()):
                expected.setdefault(match["path"], set()).add(match["code"])
        entries += [(case.name, relative, path, expected.get(relative, set())) for relative, path in _records(case).items()]
    return entries


def test_the_corpus_through_check_jsonschema(schemas: Path, tmp_path: Path) -> None:
    """What the schema rejects, kopa rejects; what a schema can see, the schema rejects."""
    corpus = _corpus()
    checked = {(case, relative): _checked_file(path, relative, tmp_path / case) for case, relative, path, _ in corpus}
    rejected: set[Path] = set()
    for kind in KINDS:
        files = [checked[case, relative] for case, relative, _, _ in corpus if kind_of(relative) == kind.name]
        if files:
            rejected |= check_jsonschema(schemas / f"{kind.noun}.schema.json", files)
    rejected_by_schema = {(case, relative) for (case, relative), file in checked.items() if file in rejected}
    reported_by_kopa = {(case, relative) for case, relative, _, codes in corpus if codes}
    schema_sees = {(case, relative) for case, relative, _, codes in corpus if codes & SCHEMA_SEES}
    assert rejected_by_schema <= reported_by_kopa
    assert schema_sees <= rejected_by_schema
    assert len(schema_sees) > 40  # the corpus's structure cases, not an empty selection
    assert ("kopa201-unknown-key", "records/organizations/kuhmo.yaml") in rejected_by_schema
    assert ("kopa207-bad-id", "records/applications/kainuu-lukiot.md") in rejected_by_schema  # the front matter
