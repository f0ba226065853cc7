"""The cache makes re-runs quick; it must never make them wrong."""

import os
import time
from pathlib import Path

import pytest

from conftest import copy_shipped_workspace, run_kopa
from kopa_cli.load import cache as cache_module

HOUR_NS = 3600 * 10**9


def age_files(root: Path) -> None:
    """Make every record an hour old, so that its size and times can be trusted."""
    past = time.time_ns() - HOUR_NS
    for path in (root / "records").rglob("*"):
        os.utime(path, ns=(past, past))


def reading_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(source):
        raise AssertionError("the files were read")

    monkeypatch.setattr(cache_module, "read_records", refuse)


@pytest.fixture
def aged(tmp_path: Path) -> Path:
    root = copy_shipped_workspace(tmp_path)
    age_files(root)
    return root


def test_an_unchanged_workspace_is_not_read_again(aged: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = run_kopa("validate", "--format", "json", workspace=aged)
    reading_fails(monkeypatch)
    warm = run_kopa("validate", "--format", "json", workspace=aged)
    assert cold.exit_code == warm.exit_code == 0
    assert warm.stdout == cold.stdout


def test_a_change_of_the_same_size_and_time_is_seen(aged: Path) -> None:
    run_kopa("validate", workspace=aged)
    path = aged / "records/applications/kainuu-lukiot.md"
    status = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("submitted: 2019-12-10", "submitted: 2019-12-19"), encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))  # the change time still moves
    assert path.stat().st_size == status.st_size
    result = run_kopa("validate", "--format", "json", workspace=aged)
    assert result.exit_code == 1 and '"KOPA303"' in result.stdout


def test_files_changed_just_now_are_compared_by_content(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in (shipped / "records").rglob("*.yaml"):
        os.utime(path)  # just now: a size and time written in this clock tick prove nothing
    run_kopa("validate", workspace=shipped)
    reading_fails(monkeypatch)
    result = run_kopa("--lang", "en", "validate", workspace=shipped)
    assert result.exit_code == 3 and "AssertionError" in result.stderr


def test_a_damaged_cache_is_ignored(aged: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.mktemp("damaged")
    env = {"KOPA_CACHE_DIR": str(cache)}
    first = run_kopa("validate", "--format", "json", workspace=aged, env=env)
    for file in cache.iterdir():
        file.write_bytes(b"\x80\x04 not a pickle")
    again = run_kopa("validate", "--format", "json", workspace=aged, env=env)
    assert again.exit_code == first.exit_code == 0 and again.stdout == first.stdout


def test_no_cache_writes_nothing(aged: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.mktemp("unused")
    result = run_kopa("validate", "--no-cache", workspace=aged, env={"KOPA_CACHE_DIR": str(cache)})
    assert result.exit_code == 0 and list(cache.iterdir()) == []
