"""The pre-commit hooks, run by the real pre-commit framework on temporary records repositories.

`pre-commit try-repo` installs kopa from this repository into an environment of its own
(from PyPI for the dependencies: it needs the network, and takes 15-60 s the first time);
the second test commits through the hooks of the .pre-commit-config.yaml `kopa init --ci`
writes, which run the kopa of this environment. The workspace sits in a subfolder of each
repository, as hooks run at the repository's top.

The kopa-fmt hook runs `kopa fmt --check`; it is checked where this kopa has `kopa fmt`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SHIPPED_RECORDS, run_kopa

BIN = Path(sys.executable).parent
FOLDER = "kopa tiedot"
APPROVAL = '    approval: {date: 2020-01-20, body: Kaupunginhallitus, reference: "§ 12"}\n'


def pre_commit() -> str:
    found = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    if found is None:  # the test extra installs it
        pytest.fail("pre-commit is not installed: pip install -e '.[test]'")
    return found


def has_fmt() -> bool:
    return run_kopa("fmt", "--help").exit_code == 0


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    identity = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
                "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
    result = subprocess.run(args, cwd=repo, capture_output=True, text=True, env={**os.environ, **identity, **(env or {})})
    print(f"$ {' '.join(args)}\n--- exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    """pre-commit's own environments, shared by the tests of this module."""
    return str(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture(scope="module")
def kopa_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's files as they are now (committed or not), committed in a repository
    of their own: try-repo installs kopa from one commit, once (of a repository with
    uncommitted changes it makes a new commit, and so a new environment, on every run)."""
    snapshot = tmp_path_factory.mktemp("kopa-repository")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    run(snapshot, "git", "init", "-q")
    run(snapshot, "git", "add", "-A")
    assert run(snapshot, "git", "commit", "-q", "-m", "kopa").returncode == 0
    return snapshot


def records_repository(repo: Path) -> Path:
    repo.mkdir()
    run(repo, "git", "init", "-q")
    root = repo / FOLDER
    shutil.copytree(SHIPPED_RECORDS, root / "records")
    run(repo, "git", "add", "-A")
    assert run(repo, "git", "commit", "-q", "-m", "records").returncode == 0
    return root


def test_try_repo_blocks_a_bad_record_and_passes_a_fixed_one(tmp_path: Path, pre_commit_home: str, kopa_repository: Path) -> None:
    repo = tmp_path / "records-repo"
    root = records_repository(repo)
    pilot = root / "records/pilots/kainuu-lukiot.yaml"
    good = pilot.read_text(encoding="utf-8")
    pilot.write_text(good.replace(APPROVAL, "", 1), encoding="utf-8")
    run(repo, "git", "add", "-A")
    env = {"PRE_COMMIT_HOME": pre_commit_home}

    blocked = run(repo, pre_commit(), "try-repo", str(kopa_repository), "kopa-validate", env=env)
    assert blocked.returncode == 1
    assert "kopa validate" in blocked.stdout and "Failed" in blocked.stdout
    assert "records/pilots/kainuu-lukiot.yaml:11:5: virhe KOPA501" in blocked.stdout

    pilot.write_text(good.replace("§ 12", "§ 13"), encoding="utf-8")  # the approval back, another one
    run(repo, "git", "add", "-A")
    passed = run(repo, pre_commit(), "try-repo", str(kopa_repository), "kopa-validate", env=env)
    assert passed.returncode == 0 and "Passed" in passed.stdout

    if has_fmt():
        assert run(repo, pre_commit(), "try-repo", str(kopa_repository), "kopa-fmt", "--all-files", env=env).returncode == 0
        org = root / "records/organizations/kajaani.yaml"
        lines = org.read_text(encoding="utf-8").splitlines(keepends=True)
        name = next(line for line in lines if line.startswith("name:"))
        org.write_text("".join([line for line in lines if line != name] + [name]), encoding="utf-8")  # key order
        assert run(repo, pre_commit(), "try-repo", str(kopa_repository), "kopa-fmt", "--all-files", env=env).returncode == 1


def test_the_config_kopa_init_writes_blocks_a_commit_with_errors(tmp_path: Path, pre_commit_home: str) -> None:
    repo = tmp_path / "records-repo"
    repo.mkdir()
    run(repo, "git", "init", "-q")
    assert run_kopa("init", str(repo / FOLDER), "--ci", "github").exit_code == 0
    assert (repo / ".pre-commit-config.yaml").is_file()
    env = {"PRE_COMMIT_HOME": pre_commit_home, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    if not has_fmt():
        env["SKIP"] = "kopa-fmt"  # `kopa fmt` is not in this kopa yet
    assert run(repo, pre_commit(), "install", env=env).returncode == 0
    run(repo, "git", "add", "-A")
    assert run(repo, "git", "commit", "-q", "-m", "a new workspace", env=env).returncode == 0

    org = repo / FOLDER / "records/organizations/kajaani.yaml"
    org.write_text("nimi: Kajaanin kaupunki\n", encoding="utf-8")
    run(repo, "git", "add", "-A")
    blocked = run(repo, "git", "commit", "-q", "-m", "kajaani", env=env)
    assert blocked.returncode != 0
    assert "records/organizations/kajaani.yaml:1:1: virhe KOPA201" in blocked.stdout + blocked.stderr
    assert run(repo, "git", "log", "--format=%s", env=env).stdout == "a new workspace\n"

    org.unlink()
    run(repo, "git", "add", "-A")
    shutil.copy(SHIPPED_RECORDS / "organizations/kajaani.yaml", org)
    run(repo, "git", "add", "-A")
    # the shipped organisation is valid, but the new workspace's call still has examples (warnings only)
    committed = run(repo, "git", "commit", "-q", "-m", "kajaani", env=env)
    assert committed.returncode == 0
    assert run(repo, "git", "log", "--format=%s", env=env).stdout == "kajaani\na new workspace\n"
