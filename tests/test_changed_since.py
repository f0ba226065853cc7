"""kopa validate --changed-since REF: the whole workspace is checked, but only what a change
since REF can affect is reported; in real git repositories, the workspace in a subfolder
whose name holds a space and an ä."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SHIPPED_RECORDS, run_kopa
from kopa_cli.check.dependencies import affected
from kopa_cli.core.diagnostics import Dependencies, Report

FOLDER = "kopa records ä"  # the workspace, inside the repository
REFERRING_TO_KUHMO = {"records/pilots/kainuu-lukiot.yaml", "records/applications/kainuu-lukiot.md", "records/applications/opisto-kylille.md"}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )
    return result.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A repository "repo ä" holding the shipped records in FOLDER, with one problem that no
    change touches (an unknown key in paltamo.yaml), committed."""
    repo = tmp_path / "repo ä"
    repo.mkdir()
    git(repo, "init", "-q")
    root = repo / FOLDER
    shutil.copytree(SHIPPED_RECORDS, root / "records")
    edit(root / "records/organizations/paltamo.yaml", "name:", "nimi: Paltamo\nname:")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records")
    return root


def validate(root: Path, revision: str, *more: str) -> tuple[int, dict]:
    result = run_kopa("validate", "--changed-since", revision, "--format", "json", "--lang", "en", *more, workspace=root)
    assert result.stderr == ""
    return result.exit_code, json.loads(result.stdout)


def problems(document: dict) -> set[tuple[str, str]]:
    return {(d["path"], d["code"]) for d in document["diagnostics"]}


def test_the_whole_workspace_is_checked_but_an_unchanged_one_reports_nothing(workspace: Path) -> None:
    full = run_kopa("validate", "--format", "json", workspace=workspace)
    assert full.exit_code == 1 and problems(json.loads(full.stdout)) == {("records/organizations/paltamo.yaml", "KOPA201")}
    assert validate(workspace, "HEAD") == (0, {"files": 0, "errors": 0, "warnings": 0, "diagnostics": [], "lengths": []})


def test_a_deleted_organisation_is_reported_where_it_is_referred_to(workspace: Path) -> None:
    repo = workspace.parent
    (workspace / "records/organizations/kuhmo.yaml").unlink()
    git(repo, "commit", "-q", "-am", "kuhmo goes")
    code, document = validate(workspace, "HEAD~1")
    assert code == 1
    # and the area statistics, which now hold a municipality code no organisation has
    statistics = {("records/statistics/vaesto-2019.yaml", "KOPA801")}
    assert problems(document) == {(path, "KOPA401") for path in REFERRING_TO_KUHMO} | statistics
    assert document["files"] == len(REFERRING_TO_KUHMO) + 1
    # committed before the revision: nothing changed since
    assert validate(workspace, "HEAD")[1]["files"] == 0


def test_renamed_staged_unstaged_and_untracked_files(workspace: Path) -> None:
    repo = workspace.parent
    records = workspace / "records"
    # staged: a rename; the pilot still names the old id
    git(repo, "mv", f"{FOLDER}/records/applications/kainuu-lukiot.md", f"{FOLDER}/records/applications/kainuu-lukio.md")
    # not staged: kajaani takes sotkamo's Y-tunnus, which sotkamo.yaml (unchanged) is told
    edit(records / "organizations/kajaani.yaml", '"2235388-6"', '"1754955-0"')
    # untracked: a new organisation with a problem of its own
    (records / "organizations/uusi.yaml").write_text("nimi: Uusi\n", encoding="utf-8")
    code, document = validate(workspace, "HEAD")
    assert code == 1
    found = problems(document)
    assert ("records/pilots/kainuu-lukiot.yaml", "KOPA403") in found  # no application kainuu-lukiot now
    assert ("records/organizations/sotkamo.yaml", "KOPA409") in found
    assert ("records/organizations/uusi.yaml", "KOPA201") in found
    assert {path for path, _code in found} == {
        "records/pilots/kainuu-lukiot.yaml", "records/organizations/sotkamo.yaml",
        "records/organizations/uusi.yaml", "records/organizations/kajaani.yaml",
    }
    assert "records/organizations/paltamo.yaml" not in {path for path, _code in found}
    # the renamed file is reported at its new name, never at the old one
    lengths = {item["path"] for item in document["lengths"]}
    assert "records/applications/kainuu-lukio.md" in lengths and "records/applications/kainuu-lukiot.md" not in lengths


def test_a_second_pilot_of_an_application_is_reported_on_the_first_too(workspace: Path) -> None:
    # The new pilot sorts first, so the unchanged kainuu-lukiot.yaml is the second one (KOPA407).
    pilot = (workspace / "records/pilots/kainuu-lukiot.yaml").read_text(encoding="utf-8")
    (workspace / "records/pilots/a-toinen.yaml").write_text(pilot, encoding="utf-8")
    code, document = validate(workspace, "HEAD")
    assert ("records/pilots/kainuu-lukiot.yaml", "KOPA407") in problems(document)


def test_a_changed_call_reports_everything(workspace: Path) -> None:
    with (workspace / "records/call.yaml").open("a", encoding="utf-8") as stream:
        stream.write("# a comment\n")
    code, document = validate(workspace, "HEAD")
    assert code == 1 and problems(document) == {("records/organizations/paltamo.yaml", "KOPA201")}
    assert document["files"] == len(list((workspace / "records").rglob("*.*")))


def test_changes_outside_the_records_and_ignored_files_are_not_changes(workspace: Path) -> None:
    (workspace / "README.md").write_text("muistiinpanoja\n", encoding="utf-8")
    (workspace.parent / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
    (workspace / "records/organizations/luonnos.tmp").write_text("x", encoding="utf-8")
    assert validate(workspace, "HEAD")[1]["files"] == 0


def test_paths_narrow_the_changed_ones_further(workspace: Path) -> None:
    (workspace / "records/organizations/kuhmo.yaml").unlink()
    code, document = validate(workspace, "HEAD", str(workspace / "records/applications"))
    assert problems(document) == {(p, "KOPA401") for p in REFERRING_TO_KUHMO if p.startswith("records/applications/")}


@pytest.mark.parametrize("lang, message", [
    ("fi", "kopa: 'ei-ole' ei ole versio (commit) git-versionhallinnassa {repository}\n"),
    ("sv", "kopa: 'ei-ole' är ingen version (commit) i git-förrådet {repository}\n"),
])
def test_a_revision_that_is_not_there_is_a_usage_error(workspace: Path, lang: str, message: str) -> None:
    result = run_kopa("validate", "--changed-since", "ei-ole", "--lang", lang, workspace=workspace)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == message.format(repository=workspace.parent)


def test_outside_a_git_repository_it_says_so(shipped: Path) -> None:
    result = run_kopa("validate", "--changed-since", "HEAD", "--lang", "en", workspace=shipped)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"kopa: {shipped} is not inside a git repository")


def test_the_selection_itself() -> None:
    # provides/reads as check() gives them: two organisations sharing a Y-tunnus, an
    # application written twice (x.md and x.yaml), and two pilots of it
    provides = {"records/organizations/a.yaml": ("business-id:1",), "records/organizations/b.yaml": ("business-id:1",),
                "records/pilots/p.yaml": ("pilot-of:x",), "records/pilots/q.yaml": ("pilot-of:x",)}
    reads = {"records/organizations/a.yaml": ("business-id:1",), "records/organizations/b.yaml": ("business-id:1",),
             "records/applications/x.md": ("organizations:a", "pilot-of:x"),
             "records/pilots/p.yaml": ("organizations:b", "applications:x", "pilot-of:x"),
             "records/pilots/q.yaml": ("organizations:gone", "applications:x", "pilot-of:x"),
             "records/statistics/vaesto.yaml": ("any:organizations",)}
    dependencies = Dependencies.of(provides, reads)
    assert dependencies.split() == ({path: provides.get(path, ()) for path in reads}, reads)
    # a value with white space is no id: left out, never breaking the table
    odd = Dependencies.of({"records/a b.yaml": ("x",)}, {"records/p.yaml": ("organizations:a\tb", "organizations:c")})
    assert odd.split() == ({"records/p.yaml": ()}, {"records/p.yaml": ("organizations:c",)})
    report = Report(
        files=("records/call.yaml", "records/organizations/a.yaml", "records/organizations/b.yaml",
               "records/applications/x.md", "records/applications/x.yaml", "records/pilots/p.yaml", "records/pilots/q.yaml",
               "records/statistics/vaesto.yaml"),
        diagnostics=(), lengths={}, limit=None, dependencies=dependencies,
    )
    chosen = lambda changed, removed=(): {p for p in report.files if affected(report, changed, removed)(p)}  # noqa: E731
    # an organisation: its applications, the one sharing its Y-tunnus, area statistics (any organisation)
    assert chosen({"records/organizations/a.yaml"}) == {
        "records/organizations/a.yaml", "records/organizations/b.yaml", "records/applications/x.md", "records/statistics/vaesto.yaml"}
    # a pilot: its application (members, KOPA411) and the other pilot of it (KOPA407)
    assert chosen({"records/pilots/p.yaml"}) == {"records/pilots/p.yaml", "records/pilots/q.yaml", "records/applications/x.md"}
    # the other file of the same id (KOPA406), and the pilots of the application
    assert chosen({"records/applications/x.yaml"}) == {
        "records/applications/x.md", "records/applications/x.yaml", "records/pilots/p.yaml", "records/pilots/q.yaml"}
    # a removed file: the records that referred to it
    assert chosen(set(), {"records/organizations/gone.yaml"}) == {"records/pilots/q.yaml", "records/statistics/vaesto.yaml"}
    assert chosen({"records/call.yaml"}) == set(report.files)


def test_an_invoice_ledger_is_reported_after_any_change(workspace: Path) -> None:
    # Its amounts follow every pilot's fee split, and are compared only while no other record
    # has an error: any change may alter what it reports.
    ledger = workspace / "records/invoices/2020.yaml"
    ledger.parent.mkdir()
    ledger.write_text('- number: "20200001"\n  pilot: kainuu-lukiot\n  member: kajaani\n', encoding="utf-8")
    git(workspace.parent, "add", "-A")
    git(workspace.parent, "commit", "-q", "-m", "an incomplete ledger")
    assert validate(workspace, "HEAD")[1]["files"] == 0
    edit(workspace / "records/pilots/sydosterbotten-utbildning.yaml", "split:", "# a comment\nsplit:")
    assert "records/invoices/2020.yaml" in {d["path"] for d in validate(workspace, "HEAD")[1]["diagnostics"]}


def everything(root: Path) -> set[tuple]:
    result = run_kopa("validate", "--format", "json", "--lang", "en", workspace=root)
    return {tuple(d.values()) for d in json.loads(result.stdout)["diagnostics"]}


@pytest.mark.parametrize("renamed", ["records/pilots/kainuu-lukiot.yaml", "records/applications/kainuu-lukiot.md"])
def test_a_new_organisation_unblocks_the_comparison_of_a_pilot_with_its_application(workspace: Path, renamed: str) -> None:
    """pilot_follows_application compares the two only when every member of both exists: a
    member added to either side makes new problems on both, though neither names it."""
    repo = workspace.parent
    edit(workspace / renamed, "kuhmo", "uusikunta")  # a member with no organisation yet
    git(repo, "commit", "-q", "-am", "uusikunta")
    before = everything(workspace)
    shutil.copy(workspace / "records/organizations/kuhmo.yaml", workspace / "records/organizations/uusikunta.yaml")
    new = everything(workspace) - before
    assert {(path, code) for path, _line, _column, _severity, code, _message in new} >= {
        ("records/pilots/kainuu-lukiot.yaml", "KOPA410"), ("records/applications/kainuu-lukiot.md", "KOPA411")}
    code, document = validate(workspace, "HEAD")
    assert new <= {tuple(d.values()) for d in document["diagnostics"]}


def test_a_folder_name_with_a_line_break(tmp_path: Path) -> None:
    """git answers `rev-parse` with a name and a line break; the name may hold one too."""
    repo = tmp_path / "repo\nä"
    repo.mkdir()
    git(repo, "init", "-q")
    root = repo / "kopa\nrecords"
    shutil.copytree(SHIPPED_RECORDS, root / "records")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records")
    edit(root / "records/organizations/paltamo.yaml", "name:", "nimi: Paltamo\nname:")
    assert problems(validate(root, "HEAD")[1]) == {("records/organizations/paltamo.yaml", "KOPA201")}
    sarif = json.loads(run_kopa("validate", "--format", "sarif", workspace=root).stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "kopa%0Arecords/records/organizations/paltamo.yaml"


def test_a_shared_y_tunnus_names_another_file_after_the_first_one_changes(workspace: Path) -> None:
    """KOPA409 names the first file with the Y-tunnus; when that one takes another Y-tunnus,
    the next one is named: a record no key of today's files connects with the change."""
    repo, organizations = workspace.parent, workspace / "records/organizations"
    for name in ("kajaani", "kuhmo", "sotkamo"):
        text = (organizations / f"{name}.yaml").read_text(encoding="utf-8")
        (organizations / f"{name}.yaml").write_text(re.sub(r'business_id: "[^"]+"', 'business_id: "2950009-2"', text), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "one Y-tunnus")
    before = everything(workspace)
    edit(organizations / "kajaani.yaml", '"2950009-2"', '"2235388-6"')
    new = everything(workspace) - before
    assert {(path, code) for path, _line, _column, _severity, code, _message in new} == {
        ("records/organizations/paltamo.yaml", "KOPA409"), ("records/organizations/sotkamo.yaml", "KOPA409")}
    assert new <= {tuple(d.values()) for d in validate(workspace, "HEAD")[1]["diagnostics"]}


def test_pilots_of_one_application_name_another_pilot_after_the_first_one_changes(workspace: Path) -> None:
    """KOPA407 names the first pilot of the application, as KOPA409 the first file."""
    repo, pilots = workspace.parent, workspace / "records/pilots"
    text = (pilots / "kainuu-lukiot.yaml").read_text(encoding="utf-8")
    for name in ("a-ensimmainen", "b-toinen"):
        (pilots / f"{name}.yaml").write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "three pilots of one application")
    before = everything(workspace)
    edit(pilots / "a-ensimmainen.yaml", "application: kainuu-lukiot", "application: opisto-kylille")
    new = everything(workspace) - before
    assert ("records/pilots/kainuu-lukiot.yaml", "KOPA407") in {(path, code) for path, _line, _column, _severity, code, _message in new}
    assert new <= {tuple(d.values()) for d in validate(workspace, "HEAD")[1]["diagnostics"]}


def test_an_unknown_reference_hears_of_every_new_record_of_its_kind(workspace: Path) -> None:
    """KOPA401 suggests the closest id of every organisation: a new one can be closer."""
    repo = workspace.parent
    edit(workspace / "records/pilots/kainuu-lukiot.yaml", "org: kuhmo", "org: sotkamon")  # "did you mean 'sotkamo'?"
    git(repo, "commit", "-q", "-am", "a misspelt member")
    before = everything(workspace)
    shutil.copy(workspace / "records/organizations/hyrynsalmi.yaml", workspace / "records/organizations/sotkamonn.yaml")  # closer
    new = everything(workspace) - before
    assert ("records/pilots/kainuu-lukiot.yaml", "KOPA401") in {(path, code) for path, _line, _column, _severity, code, _message in new}
    assert new <= {tuple(d.values()) for d in validate(workspace, "HEAD")[1]["diagnostics"]}
