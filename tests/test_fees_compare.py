"""kopa fees --compare: the fees of a git revision against the working tree, in real repositories."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SHIPPED_RECORDS, run_kopa
from kopa_cli.core.diagnostics import Diagnostic
from kopa_cli.load.gitsource import GitSource, NotAGitRepository, RevisionNotFound
from kopa_cli.load.recordfiles import DirectorySource

NBSP = "\u00a0"
PALTAMO = '  - org: paltamo\n    approval: {date: 2020-02-20, body: Kunnanhallitus, reference: "§ 40"}\n'


def fi(text: str) -> str:
    return text.replace(" ", NBSP)


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )
    return result.stdout


def new_repo(repo: Path, workspace: str = "") -> Path:
    """A git repository holding the shipped records (at ``workspace`` inside it), committed once."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q")
    root = repo / workspace
    shutil.copytree(SHIPPED_RECORDS, root / "records")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "shipped records")
    return root


def change_records(root: Path) -> None:
    """Narpes' weight 3 -> 4, Paltamo joins kainuu-lukiot, the ylakainuu-kylakoulut pilot goes."""
    pilots = root / "records/pilots"
    weights = pilots / "sydosterbotten-utbildning.yaml"
    weights.write_text(weights.read_text(encoding="utf-8").replace("weight: 3", "weight: 4"), encoding="utf-8")
    with (pilots / "kainuu-lukiot.yaml").open("a", encoding="utf-8") as stream:
        stream.write(PALTAMO)
    (pilots / "ylakainuu-kylakoulut.yaml").unlink()


def member_id(cell: str) -> str:
    """The id in a member cell "Närpes stad (narpes)"."""
    return cell[cell.rindex("(") + 1:-1] if cell.endswith(")") else cell


def table_rows(markdown: str) -> dict[tuple[str, str, str], list[str]]:
    """The comparison's line table, keyed by (pilot, year, member)."""
    rows = {}
    for text in markdown.splitlines():
        cells = [c.strip() for c in text.strip("|").split("|")]
        if len(cells) == 9 and cells[1].isdigit():
            rows[(cells[0], cells[1], member_id(cells[2].replace("\\", "")))] = cells[3:]
    return rows


def state_of(repo: Path) -> tuple[str, str, str]:
    """What must not change: HEAD, the index file, and the status of the working tree."""
    index = hashlib.sha256((repo / ".git/index").read_bytes()).hexdigest()
    return git(repo, "rev-parse", "HEAD"), index, git(repo, "status", "--porcelain")


@pytest.fixture
def two_commits(tmp_path: Path) -> Path:
    root = new_repo(tmp_path / "repo")
    change_records(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "weights, Paltamo, one pilot less")
    return root


def test_compare_shows_changed_new_and_removed_lines(two_commits: Path) -> None:
    before = state_of(two_commits)
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD~1", "--format", "md", workspace=two_commits)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("## Fee changes from HEAD~1 (")
    assert "Lines: 2 new, 8 removed, 15 changed. Members whose bill changes: 13." in out
    rows = table_rows(out)
    # Weights 4:2:1:1 of 5000: 2500, 1250, 625, 625; gross at 24 %.
    assert rows[("sydosterbotten-utbildning", "2020", "narpes")] == [
        "changed", "€2,142.86", "€2,500.00", "€2,657.15", "€3,100.00", "+€442.85",
    ]
    assert rows[("sydosterbotten-utbildning", "2021", "kasko")][:3] == ["changed", "€714.29", "€625.00"]
    # Paltamo joins kainuu-lukiot: 5000 / 4 in 2020 and 5000 / 5 in 2021.
    assert rows[("kainuu-lukiot", "2020", "paltamo")] == ["new", "—", "€1,250.00", "—", "€1,550.00", "+€1,550.00"]
    assert rows[("kainuu-lukiot", "2021", "paltamo")] == ["new", "—", "€1,000.00", "—", "€1,240.00", "+€1,240.00"]
    assert rows[("kainuu-lukiot", "2021", "kajaani")][:3] == ["changed", "€1,250.00", "€1,000.00"]
    # The removed pilot's lines are all gone.
    removed = {key for key, cells in rows.items() if cells[0] == "removed"}
    assert removed == {("ylakainuu-kylakoulut", year, m) for year in ("2020", "2021")
                       for m in ("suomussalmi", "hyrynsalmi", "puolanka", "ristijarvi")}
    assert len(rows) == 25
    assert "| Suomussalmen kunta (suomussalmi) | €6,944.10 | €0.00 | -€6,944.10 |" in out
    assert "| **All members' bills together (all pilots and years)** | **€37,200.04** | **€24,800.00** | **-€12,400.04** |" in out
    assert state_of(two_commits) == before  # no checkout, no index refresh


def test_compare_table_is_the_default_in_finnish(two_commits: Path) -> None:
    result = run_kopa("fees", "--compare", "HEAD~1", workspace=two_commits, env={"COLUMNS": "1000"})
    assert result.exit_code == 0
    rows = [[c.strip() for c in line.strip("│").split("│")] for line in result.stdout.splitlines() if line.startswith("│")]
    narpes = next(row for row in rows if row[:3] == ["sydosterbotten-utbildning", "2020", "Närpes stad (narpes)"])
    assert narpes[4:] == [fi("2 142,86 €"), fi("2 500,00 €"), fi("2 657,15 €"), fi("3 100,00 €"), fi("+442,85 €")]


def test_compare_against_uncommitted_changes_and_filters(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo")
    change_records(root)  # not committed: HEAD against the working tree
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", "--format", "md", "--member", "narpes", workspace=root)
    assert result.exit_code == 0
    rows = table_rows(result.stdout)
    assert list(rows) == [("sydosterbotten-utbildning", "2020", "narpes"), ("sydosterbotten-utbildning", "2021", "narpes")]
    # A pilot removed in the working tree can still be named: it exists at the revision.
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", "-f", "md", "--pilot", "ylakainuu-kylakoulut", "--year", "2021", workspace=root)
    assert result.exit_code == 0
    assert {key[2] for key in table_rows(result.stdout)} == {"suomussalmi", "hyrynsalmi", "puolanka", "ristijarvi"}


def test_no_changes_says_so(two_commits: Path) -> None:
    for output_format in ("table", "md"):
        result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", "--format", output_format, workspace=two_commits)
        assert result.exit_code == 0
        assert "No changes in fees from HEAD (" in result.stdout
        assert "to the current files." in result.stdout


def test_a_change_outside_the_fees_is_no_change(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo")
    call = root / "records/call.yaml"
    call.write_text(call.read_text(encoding="utf-8").replace("payment_term_days: 21", "payment_term_days: 14"), encoding="utf-8")
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", workspace=root)
    assert result.exit_code == 0 and "No changes in fees" in result.stdout


def test_subfolder_workspace(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo, "hallinto/kopa")
    (repo / "README").write_text("not records\n", encoding="utf-8")
    change_records(root)
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", "--format", "md", workspace=root)
    assert result.exit_code == 0
    assert "Lines: 2 new, 8 removed, 15 changed." in result.stdout
    source = GitSource.open(root, "HEAD")
    assert source.prefix == "hallinto/kopa/"
    assert set(source.paths()) == set(DirectorySource(root).paths()) | {"records/pilots/ylakainuu-kylakoulut.yaml"}
    assert source.read("records/call.yaml") == (root / "records/call.yaml").read_bytes()


def test_bad_revision_is_a_usage_error_naming_it(two_commits: Path) -> None:
    result = run_kopa("--lang", "en", "fees", "--compare", "no-such-branch", workspace=two_commits)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "kopa: 'no-such-branch' is not a commit in the git repository" in result.stderr


@pytest.mark.parametrize("lang, said", [
    ("fi", "kopa: 'nosuch' ei ole versio (commit) git-versionhallinnassa {repository}\n"),
    ("sv", "kopa: 'nosuch' är ingen version (commit) i git-förrådet {repository}\n"),
])
def test_a_missing_revision_is_said_in_the_users_language_only(two_commits: Path, lang: str, said: str) -> None:
    # git's own English ("fatal: Needed a single revision") is not part of the message.
    result = run_kopa("--lang", lang, "fees", "--compare", "nosuch", workspace=two_commits)
    assert result.exit_code == 2
    assert result.stderr == said.format(repository=two_commits.resolve())


def test_a_revision_that_looks_like_an_option_is_not_one(two_commits: Path, tmp_path: Path) -> None:
    target = tmp_path / "written"
    result = run_kopa("fees", f"--compare=--output={target}", workspace=two_commits)
    assert result.exit_code == 2
    assert not target.exists()


def test_not_a_git_repository(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Git must not find a repository further up, whatever holds the temporary folder.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(shipped.parent))
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", workspace=shipped)
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr
    with pytest.raises(NotAGitRepository):
        GitSource.open(shipped, "HEAD")


def test_empty_repository_has_no_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(SHIPPED_RECORDS, repo / "records")
    with pytest.raises(RevisionNotFound):
        GitSource.open(repo, "HEAD")


def test_errors_at_the_revision_are_refused(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo")
    pilot = root / "records/pilots/kainuu-lukiot.yaml"
    pilot.write_text(pilot.read_text(encoding="utf-8").replace("org: kuhmo", "org: kuhm"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "a typo")
    pilot.write_text(pilot.read_text(encoding="utf-8").replace("org: kuhm", "org: kuhmo"), encoding="utf-8")
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", workspace=root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "records/pilots/kainuu-lukiot.yaml:" in result.stderr and "KOPA401" in result.stderr
    assert "the records at HEAD have errors" in result.stderr
    # The other way round: the working tree's errors stop it first.
    git(root, "commit", "-q", "-am", "fixed")
    pilot.write_text(pilot.read_text(encoding="utf-8").replace("org: kuhmo", "org: kuhm"), encoding="utf-8")
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD~1", workspace=root)
    assert result.exit_code == 1
    assert "fix them before computing fees" in result.stderr


def test_a_link_in_the_revision_is_a_diagnostic_not_followed(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo")
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: not a record\n", encoding="utf-8")
    link = root / "records/organizations/linked.yaml"
    link.symlink_to(outside)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a link")
    source = GitSource.open(root, "HEAD")
    problem = source.read("records/organizations/linked.yaml")
    assert isinstance(problem, Diagnostic) and problem.code == "KOPA116"
    link.unlink()
    result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", workspace=root)
    assert result.exit_code == 1
    assert "records/organizations/linked.yaml:1:1: error KOPA116" in result.stderr
    assert "symbolic link" in result.stderr


def test_hidden_files_are_skipped_as_in_the_working_tree(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo")
    (root / "records/pilots/.draft.yaml").write_text("broken: [\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a hidden draft")
    assert "records/pilots/.draft.yaml" not in set(GitSource.open(root, "HEAD").paths())
    result = run_kopa("fees", "--compare", "HEAD", workspace=root)
    assert result.exit_code == 0


def test_compare_refuses_machine_formats(two_commits: Path) -> None:
    for output_format in ("csv", "json"):
        result = run_kopa("--lang", "en", "fees", "--compare", "HEAD", "--format", output_format, workspace=two_commits)
        assert result.exit_code == 2
        assert "--compare shows a table or Markdown" in result.stderr


def test_every_file_reads_as_committed(two_commits: Path) -> None:
    source = GitSource.open(two_commits, "HEAD~1")
    paths = list(source.paths())
    assert paths == sorted(paths) and "records/pilots/ylakainuu-kylakoulut.yaml" in paths
    contents = {path: source.read(path) for path in paths}
    assert contents["records/pilots/ylakainuu-kylakoulut.yaml"] == (SHIPPED_RECORDS / "pilots/ylakainuu-kylakoulut.yaml").read_bytes()
    assert all(contents[p] == (SHIPPED_RECORDS / p.removeprefix("records/")).read_bytes() for p in paths)


def test_a_revision_without_the_call_is_refused_with_kopa119(tmp_path: Path) -> None:
    # The one place a workspace without records/call.yaml is read: an older revision.
    root = new_repo(tmp_path / "repo")
    call = (root / "records/call.yaml").read_bytes()
    git(root, "rm", "-q", "records/call.yaml")
    git(root, "commit", "-q", "-m", "no call yet")
    (root / "records/call.yaml").write_bytes(call)
    result = run_kopa("fees", "--compare", "HEAD", workspace=root)
    assert result.exit_code == 1
    assert "records/call.yaml:1:1: virhe KOPA119 " in result.stderr
