"""Shell completion through its real protocol: the installed kopa run as the shell's script
runs it (_KOPA_COMPLETE and the words typed so far), in a workspace; and the bash script itself
sourced into a real bash."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_shipped_workspace, require_program, run_kopa

KOPA = Path(sys.executable).parent / "kopa"  # the console script pip installed with kopa


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_shipped_workspace(tmp_path / "työtila ä")


def ids(root: Path, folder: str) -> list[str]:
    return sorted(path.name.split(".")[0] for path in (root / "records" / folder).iterdir())


def complete(shell: str, typed: str, cwd: Path, **env: str) -> list[str]:
    """The candidates kopa offers after ``typed`` (the command line up to the cursor)."""
    assert KOPA.is_file(), "pip install -e '.[test]' installs the kopa command beside python"
    words = {"_KOPA_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        words |= {"COMP_WORDS": typed, "COMP_CWORD": str(len(shlex.split(typed)) - (0 if typed.endswith(" ") else 1))}
    else:
        words |= {"_TYPER_COMPLETE_ARGS": typed, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    ran = subprocess.run([str(KOPA)], cwd=cwd, env={**os.environ, **words, **env}, capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stderr) == (0, "")
    if shell == "zsh":  # _arguments '*: :(("a"\n"b"))': the first quoted text of each line
        return [found[0] for line in ran.stdout.splitlines() if (found := re.findall(r'"([^"]*)"', line))]
    return ran.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_pilot_completes_to_the_pilot_ids_of_the_workspace(workspace: Path, shell: str) -> None:
    assert ids(workspace, "pilots") == ["kainuu-lukiot", "sydosterbotten-utbildning", "ylakainuu-kylakoulut"]
    assert complete(shell, "kopa fees --pilot ", workspace) == ids(workspace, "pilots")
    assert complete(shell, "kopa fees --pilot ka", workspace) == ["kainuu-lukiot"]


def test_member_completes_to_the_organisation_ids(workspace: Path) -> None:
    assert complete("bash", "kopa fees --member ", workspace) == ids(workspace, "organizations")
    assert complete("bash", "kopa fees --year 2020 --member kain", workspace) == [
        i for i in ids(workspace, "organizations") if i.startswith("kain")
    ]


def test_a_new_record_is_offered_at_once_and_a_non_record_never(workspace: Path) -> None:
    pilots = ids(workspace, "pilots")
    (workspace / "records/pilots/uusi-pilotti.yaml").write_text("tyhjä: [\n", encoding="utf-8")  # no parse
    (workspace / "records/pilots/.kainuu-lukiot.yaml.swp").write_bytes(b"\0")
    (workspace / "records/pilots/muistiinpanot.txt").write_text("", encoding="utf-8")
    assert complete("bash", "kopa fees --pilot ", workspace) == sorted([*pilots, "uusi-pilotti"])


def test_the_workspace_is_found_as_commands_find_it(workspace: Path, tmp_path: Path) -> None:
    pilots = ids(workspace, "pilots")
    assert complete("bash", "kopa fees --pilot ", workspace / "records" / "pilots") == pilots  # upwards
    outside = tmp_path / "muualla"
    outside.mkdir()
    assert complete("bash", "kopa fees --pilot ", outside) == []  # no workspace: nothing, no error
    assert complete("bash", "kopa fees --pilot ", outside, KOPA_WORKSPACE=str(workspace)) == pilots
    folder = shlex.quote(workspace.name)  # with a space and an ä
    assert complete("bash", f"kopa --workspace {folder} fees --pilot ", tmp_path) == pilots
    assert complete("bash", f"kopa fees -w {folder} --pilot ", tmp_path) == pilots


def test_at_the_top_of_a_git_repository_the_workspace_below_is_found(tmp_path: Path) -> None:
    """A pre-commit hook's or CI's folder: the records in a subfolder, as commands find them."""
    repository = tmp_path / "tietue-repo"
    workspace = copy_shipped_workspace(repository / "kopa tiedot ä")
    assert complete("bash", "kopa fees --pilot ", repository) == []  # not a git repository yet
    (repository / ".git").mkdir()
    assert complete("bash", "kopa fees --pilot ", repository) == ids(workspace, "pilots")
    copy_shipped_workspace(repository / "toinen")
    assert complete("bash", "kopa fees --pilot ", repository) == []  # which one: the user chooses


@pytest.mark.parametrize("typed", ["kopa fees --pilot ", "kopa report pilot --pilot ", "kopa invoice issue --pilot "])
def test_every_pilot_option_completes(workspace: Path, typed: str) -> None:
    assert complete("bash", typed, workspace) == ids(workspace, "pilots")


@pytest.mark.parametrize("typed", ["kopa fees --member ", "kopa invoice issue --member "])
def test_every_member_option_completes(workspace: Path, typed: str) -> None:
    assert complete("bash", typed, workspace) == ids(workspace, "organizations")


def test_commands_and_kinds_complete(workspace: Path) -> None:
    assert complete("bash", "kopa sch", workspace) == ["schema"]
    assert complete("bash", "kopa new ", workspace) == ["organization", "application", "pilot"]
    assert complete("bash", "kopa schema o", workspace) == ["organization"]
    assert complete("bash", "kopa completion ", workspace) == ["bash", "zsh", "fish"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_of_the_shell(shell: str) -> None:
    result = run_kopa("completion", shell)
    assert result.exit_code == 0
    assert f"_KOPA_COMPLETE=complete_{shell}" in result.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = run_kopa("--lang", "en", "completion", "powershell")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Invalid value for 'SHELL': choose one of bash, zsh, fish.\n")


def test_the_bash_script_in_a_real_bash(workspace: Path) -> None:
    """`eval "$(kopa completion bash)"` as docs/editor.md says; then Tab after --pilot."""
    bash = require_program("bash")
    script = f"""
        eval "$(kopa completion bash)"
        COMP_WORDS=(kopa fees --pilot y); COMP_CWORD=3
        _kopa_completion kopa
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    path = f"{KOPA.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    ran = subprocess.run([bash, "--norc", "--noprofile", "-c", script], cwd=workspace, env={**os.environ, "PATH": path},
                         capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stderr) == (0, "")
    assert ran.stdout.split() == ["ylakainuu-kylakoulut"]
    assert shutil.which("kopa", path=path) == str(KOPA)
