"""Shared test helpers: workspaces built from {path: text}, and the real CLI through typer's runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from kopa_cli.cli import app
from kopa_cli.core.i18n import set_language

REPO = Path(__file__).resolve().parents[1]

# Property tests: no per-example deadline (CI machines are slower than ours), and in CI the
# same examples every run, so that a red build always means a change, not a new example.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
SHIPPED_RECORDS = REPO / "records"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's settings or writes to their cache, and each starts in the
    default language (a CLI run with --lang that ends in a usage error leaves its language set)."""
    for name in ("KOPA_LANG", "KOPA_WORKSPACE", "KOPA_NO_CACHE", "GITHUB_ACTIONS", "NO_COLOR", "KOPA_DEBUG", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOPA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    set_language(None)


def build_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root``; returns ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def copy_shipped_workspace(root: Path) -> Path:
    """A private copy of the shipped records/, to break in a test."""
    shutil.copytree(SHIPPED_RECORDS, root / "records")
    return root


def run_kopa(*args: str, workspace: Path | None = None, env: dict[str, str] | None = None):
    """Run the real CLI; the result shows all output when an assertion on it fails."""
    arguments = (["--workspace", str(workspace)] if workspace else []) + list(args)
    result = CliRunner().invoke(app, arguments, env=env, catch_exceptions=False)
    print(f"$ kopa {' '.join(arguments)}\n--- exit {result.exit_code}\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    return copy_shipped_workspace(tmp_path)


def require_program(*names: str) -> str:
    """The path of the first of ``names`` on PATH, for a test that runs a real program.

    Where none is installed the test is skipped on a developer's machine, but fails under CI
    (CI=true): .ci/run installs every program the tests use, so a skip there would hide a
    missing install step.
    """
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{' or '.join(names)} is not installed (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
