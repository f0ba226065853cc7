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
