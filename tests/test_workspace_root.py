"""Which folder is the workspace: one test for every way of naming it (load/recordfiles.py
``is_workspace``): a folder that holds records/call.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_kopa

FINNISH = "kopa: {path} ei ole kopa-työtila, koska siinä ei ole tiedostoa records/call.yaml; luo työtila komennolla 'kopa init {path}'\n"
SWEDISH = "kopa: {path} är ingen kopa-arbetsyta, eftersom den saknar filen records/call.yaml; skapa en med 'kopa init {path}'\n"


@pytest.mark.parametrize("inside", ["", "records"])
def test_workspace_option_needs_the_call(tmp_path: Path, inside: str) -> None:
    # An empty records/ folder (or one without call.yaml) is not a workspace: said so, not
    # "checked 0 files: 1 error".
    (tmp_path / "records" / "organizations").mkdir(parents=True)
    given = tmp_path / inside
    result = run_kopa("validate", workspace=given)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == FINNISH.format(path=given)


def test_workspace_option_is_not_searched_upwards(shipped: Path) -> None:
    # -w names the workspace itself; a folder inside one is not it.
    given = shipped / "records" / "pilots"
    result = run_kopa("--lang", "sv", "validate", workspace=given)
    assert result.exit_code == 2
    assert result.stderr == SWEDISH.format(path=given)


def test_environment_variable_is_the_same_test(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    result = run_kopa("validate", env={"KOPA_WORKSPACE": str(tmp_path)})
    assert result.exit_code == 2
    assert result.stderr == FINNISH.format(path=tmp_path)


def test_found_upwards_from_a_subfolder(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shipped / "records" / "pilots")
    result = run_kopa("validate")
    assert result.exit_code == 0


# In a git repository, a workspace below the current folder (pre-commit hooks run at the top).


def _repository_with(tmp_path: Path, *workspaces: str) -> Path:
    import shutil
    import subprocess

    from conftest import SHIPPED_RECORDS

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for folder in workspaces:
        shutil.copytree(SHIPPED_RECORDS, tmp_path / folder / "records")
    (tmp_path / ".venv/lib/records").mkdir(parents=True)  # never searched
    (tmp_path / ".venv/lib/records/call.yaml").write_text("id: x\n", encoding="utf-8")
    (tmp_path / "node_modules/x/records").mkdir(parents=True)
    (tmp_path / "node_modules/x/records/call.yaml").write_text("id: x\n", encoding="utf-8")
    return tmp_path


def test_found_below_at_the_top_of_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository_with(tmp_path, "kopa tiedot ä")
    monkeypatch.chdir(repo)
    result = run_kopa("validate", "--format", "json")
    files = len(list((repo / "kopa tiedot ä" / "records").rglob("*.*")))
    assert result.exit_code == 0 and f'"files": {files}' in result.stdout
    # a path given from the top is a path in that workspace
    result = run_kopa("validate", "--format", "json", "kopa tiedot ä/records/pilots")
    assert result.exit_code == 0 and '"files": 3' in result.stdout


def test_several_workspaces_below_need_a_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository_with(tmp_path, "a", "b/c")
    monkeypatch.chdir(repo)
    result = run_kopa("validate", "--lang", "en")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"kopa: several kopa workspaces below {repo}: a, b/c; choose one with --workspace DIR or KOPA_WORKSPACE\n"
    # paths name their workspace; KOPA_WORKSPACE chooses one
    assert '"files": 1' in run_kopa("validate", "--format", "json", "b/c/records/call.yaml").stdout
    assert run_kopa("validate", env={"KOPA_WORKSPACE": str(repo / "a")}).exit_code == 0


def test_not_searched_below_outside_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from conftest import SHIPPED_RECORDS

    shutil.copytree(SHIPPED_RECORDS, tmp_path / "kopa" / "records")
    monkeypatch.chdir(tmp_path)
    result = run_kopa("validate", "--lang", "en")
    assert result.exit_code == 2 and result.stderr.startswith(f"kopa: no kopa workspace found from {tmp_path} upwards")
