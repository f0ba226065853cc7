"""kopa validate --format sarif and --format gitlab: valid against the published SARIF 2.1.0
schema, paths from the repository's top (the workspace in a subfolder named with a space and
an ä), fingerprints that tell every problem apart and survive unrelated edits."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import SHIPPED_RECORDS, run_kopa
from kopa_cli.render.scanning import uri

FOLDER = "kopa records ä"
APPLICATION = "records/applications/kainuu-lukiot.md"
ESCAPED = "kopa%20records%20%C3%A4/"  # FOLDER as a URI reference: UTF-8 bytes, percent-encoded


def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata 01): tests/data/sarif/SOURCE.md."""
    return json.loads((Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The shipped records in FOLDER of a git repository; kainuu-lukiot.md names the unknown
    education form 'etäopetus' twice (two identical problems on two lines, and the second is a
    repeat) and is late."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    root = repo / FOLDER
    shutil.copytree(SHIPPED_RECORDS, root / "records")
    app = root / APPLICATION
    text = app.read_text(encoding="utf-8")
    text = text.replace("education_forms: [lukiokoulutus, ammatillinen koulutus]",
                        "education_forms:\n  - lukiokoulutus\n  - etäopetus\n  - etäopetus")
    app.write_text(text.replace("submitted: 2019-12-10", "submitted: 2019-12-20"), encoding="utf-8")
    return root


def report(root: Path, output: str, *more: str) -> object:
    result = run_kopa("validate", "--format", output, *more, workspace=root)
    assert result.exit_code == 1 and result.stderr == ""
    return json.loads(result.stdout)


def test_sarif_is_valid_against_the_published_schema(workspace: Path) -> None:
    log = report(workspace, "sarif")
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["KOPA303", "KOPA304", "KOPA211", "KOPA304"]
    for result in results:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"] == {"uri": ESCAPED + APPLICATION, "uriBaseId": "%SRCROOT%"}
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert regions == [{"startLine": 5, "startColumn": 12}] + [{"startLine": 17, "startColumn": 5}] + [{"startLine": 18, "startColumn": 5}] * 2
    assert results[0]["level"] == "error"
    assert results[1]["message"]["text"].startswith("'etäopetus' ei ole haun koulutusmuoto")


def test_sarif_rules_carry_the_help_of_docs_rules_md(workspace: Path) -> None:
    rules = {rule["id"]: rule for rule in report(workspace, "sarif", "--lang", "en")["runs"][0]["tool"]["driver"]["rules"]}
    late = rules["KOPA303"]
    assert late["shortDescription"]["text"] == "submitted after the deadline"
    assert late["fullDescription"]["text"] == "submitted on {submitted}, after the deadline {deadline}"
    docs = (Path(__file__).resolve().parents[1] / "docs/rules.md").read_text(encoding="utf-8")
    section = docs.split("### KOPA303 — submitted after the deadline\n", 1)[1].split("\n### ", 1)[0].strip()
    assert late["help"]["markdown"] == section
    assert "`" not in late["help"]["text"] and late["defaultConfiguration"] == {"level": "error"}


def test_gitlab_code_quality_report(workspace: Path) -> None:
    issues = report(workspace, "gitlab", "--lang", "en")
    assert [sorted(issue) for issue in issues] == [["check_name", "description", "fingerprint", "location", "severity"]] * 4
    assert issues[0] == {
        "description": "KOPA303 submitted on 2019-12-20, after the deadline 2019-12-13",
        "check_name": "KOPA303",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": f"{FOLDER}/{APPLICATION}", "lines": {"begin": 5}},
    }


def test_fingerprints_differ_for_every_problem_and_survive_unrelated_edits(workspace: Path) -> None:
    before = report(workspace, "gitlab")
    prints = [issue["fingerprint"] for issue in before]
    assert len(set(prints)) == 4  # the two identical KOPA304 differ too
    sarif_prints = [r["partialFingerprints"]["kopa/v1"] for r in report(workspace, "sarif")["runs"][0]["results"]]
    assert sarif_prints == prints
    # an unrelated edit above the problems moves them down a line: same fingerprints
    app = workspace / APPLICATION
    app.write_text(app.read_text(encoding="utf-8").replace("---\n", "---\n# a comment\n", 1), encoding="utf-8")
    after = report(workspace, "gitlab")
    assert [issue["location"]["lines"]["begin"] for issue in after] == [issue["location"]["lines"]["begin"] + 1 for issue in before]
    assert [issue["fingerprint"] for issue in after] == prints
    # the same in another language
    assert [issue["fingerprint"] for issue in report(workspace, "gitlab", "--lang", "sv")] == prints


@pytest.mark.parametrize("duplicate", [
    ("records/organizations/kajaani.yaml", "name: ", "name: Kajaani\nname: "),  # KOPA106 (first on line N)
    (APPLICATION, "## Lyhyt kuvaus", "## Alueellinen tavoite tai haaste\n\nx\n\n## Lyhyt kuvaus"),  # KOPA120 (first on line N)
])
def test_a_problem_naming_another_line_keeps_its_fingerprint_when_both_move(workspace: Path, duplicate: tuple[str, str, str]) -> None:
    path, old, new = duplicate
    record = workspace / path
    record.write_text(record.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    twice = ("KOPA106", "KOPA120")
    before = {issue["check_name"]: issue for issue in report(workspace, "gitlab") if issue["check_name"] in twice}
    assert len(before) == 1
    text = record.read_text(encoding="utf-8")
    head = "---\n" if text.startswith("---\n") else ""
    record.write_text(head + "# a comment\n" + text[len(head):], encoding="utf-8")
    after = {issue["check_name"]: issue for issue in report(workspace, "gitlab") if issue["check_name"] in twice}
    assert [issue["location"]["lines"]["begin"] for issue in after.values()] == [issue["location"]["lines"]["begin"] + 1 for issue in before.values()]
    assert [issue["fingerprint"] for issue in after.values()] == [issue["fingerprint"] for issue in before.values()]


def test_only_arguments_named_for_a_position_are_left_out_of_fingerprints() -> None:
    """The rule of fingerprints(): an argument ending in _line or _column is a place in the
    file; no other argument of any message names one."""
    import re

    from kopa_cli.core.diagnostics import CODES

    names = {name for code in CODES.values() for name in re.findall(r"{(\w+)}", code.template)}
    assert {name for name in names if re.search(r"(^|_)(line|column|row)($|_)", name)} == {"first_line"}


def test_outside_a_git_repository_paths_are_from_the_workspace(shipped: Path) -> None:
    app = shipped / APPLICATION
    app.write_text(app.read_text(encoding="utf-8").replace("submitted: 2019-12-10", "submitted: 2019-12-20"), encoding="utf-8")
    (issue,) = report(shipped, "gitlab")
    assert issue["location"]["path"] == APPLICATION
    (result,) = report(shipped, "sarif")["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == APPLICATION


def test_a_clean_workspace_gives_empty_reports(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED_RECORDS, tmp_path / "records")
    result = run_kopa("validate", "--format", "gitlab", workspace=tmp_path)
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    log = json.loads(run_kopa("validate", "--format", "sarif", workspace=tmp_path).stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


@pytest.mark.parametrize("path, expected", [
    ("a b/records/x.yaml", "a%20b/records/x.yaml"),
    ("työtila/records/närpes.yaml", "ty%C3%B6tila/records/n%C3%A4rpes.yaml"),
    ("50%/records/#1?.yaml", "50%25/records/%231%3F.yaml"),
    ("k\udce4sk\udcf6/records/x.yaml", "k%E4sk%F6/records/x.yaml"),  # a Latin-1 file name: its own bytes
])
def test_uri_escapes(path: str, expected: str) -> None:
    assert uri(path) == expected


def test_github_annotations_name_files_from_the_repository_top_too(workspace: Path) -> None:
    result = run_kopa("validate", "--format", "github", workspace=workspace)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::error file={FOLDER}/{APPLICATION},line=5,col=12,title=KOPA303::")
