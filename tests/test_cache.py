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


def test_no_cache_writes_nothing(aged: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.mktemp("unused")
    result = run_kopa("validate", "--no-cache", workspace=aged, env={"KOPA_CACHE_DIR": str(cache)})
    assert result.exit_code == 0 and list(cache.iterdir()) == []


# The cache folder may be written by others: what is read back is data, and anything
# but what kopa itself wrote is ignored.


def cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.suffix == ".json")


def damage_each_way(file: Path) -> list[bytes]:
    data = file.read_bytes()
    header, _, rest = data.partition(b"\n")
    return [
        b"\x80\x04 garbage \xff\x00",  # not even text
        data[: len(data) // 2],  # truncated mid-entry
        header + b"\n" + rest[: len(rest) // 3],  # the right header, then a cut
        header + b"\n" + b'{"R": ["Report", [1, 2]]}',  # the right header, the wrong shape
        header + b"\n" + b'[["a", "b"], {"t": [{"R": ["Exploit", []]}]}, null]',  # a class kopa does not make
        header + b"\n" + b"k " + b"[" * 100_000,  # nesting deeper than any parser's stack
        header.replace(b'"fingerprint": "', b'"fingerprint": "0') + b"\n" + rest,  # other code's results
    ]


@pytest.mark.parametrize("which", ["report", "records"])
def test_a_damaged_or_forged_cache_is_ignored(aged: Path, tmp_path_factory: pytest.TempPathFactory, which: str) -> None:
    cache = tmp_path_factory.mktemp("damaged")
    env = {"KOPA_CACHE_DIR": str(cache)}
    first = run_kopa("validate", "--format", "json", workspace=aged, env=env)
    (file,) = [p for p in cache_files(cache) if p.name.endswith(f".{which}.json")]
    for damaged in damage_each_way(file):
        if which == "records":  # else the last run's report would be reused before the records are read
            for report in cache.glob("*.report.json"):
                report.unlink()
        file.write_bytes(damaged)
        again = run_kopa("validate", "--format", "json", workspace=aged, env=env)
        assert again.exit_code == first.exit_code == 0 and again.stdout == first.stdout


def test_a_forged_pickle_in_the_cache_folder_runs_nothing(aged: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A pickle that runs a command when loaded, at every name the cache has used."""
    import pickle

    cache = tmp_path_factory.mktemp("forged")
    marker = cache / "ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    env = {"KOPA_CACHE_DIR": str(cache)}
    run_kopa("validate", workspace=aged, env=env)
    for file in list(cache.iterdir()):
        for name in (file.name, file.name.replace(".json", ".pickle")):
            (cache / name).write_bytes(pickle.dumps(Payload()))
    result = run_kopa("validate", "--format", "json", workspace=aged, env=env)
    assert result.exit_code == 0 and not marker.exists()


def test_an_upgraded_library_is_never_served_old_results(aged: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_kopa("validate", workspace=aged)
    reading_fails(monkeypatch)
    assert run_kopa("validate", workspace=aged).exit_code == 0  # reused
    versions = cache_module.library_versions()
    assert versions["python-stdnum"] and versions["markdown-it-py"] and versions["ruamel.yaml"]
    monkeypatch.setattr(cache_module, "library_versions", lambda: {**versions, "python-stdnum": "99.0"})
    cache_module.fingerprint.cache_clear()
    try:
        result = run_kopa("--lang", "en", "validate", workspace=aged)
    finally:
        monkeypatch.undo()
        cache_module.fingerprint.cache_clear()
    assert result.exit_code == 3 and "AssertionError" in result.stderr  # it had to read the files again


def test_kopa_no_cache_and_the_option_turn_the_cache_off(aged: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_kopa("validate", workspace=aged)
    reading_fails(monkeypatch)
    assert run_kopa("--lang", "en", "validate", "--no-cache", workspace=aged).exit_code == 3
    assert run_kopa("--lang", "en", "validate", workspace=aged, env={"KOPA_NO_CACHE": "1"}).exit_code == 3
    assert run_kopa("--lang", "en", "validate", workspace=aged).exit_code == 0


def test_every_shipped_parse_result_comes_back_from_the_cache_format_as_it_was() -> None:
    from conftest import SHIPPED_RECORDS
    from kopa_cli.load.recordfiles import DirectorySource, read_records
    from kopa_cli.load.workspace import parse_record

    records = read_records(DirectorySource(SHIPPED_RECORDS.parent))
    assert len(records.files) > 10
    for kind, path, data in records.files:
        record, problems = parse_record(kind, path, data)
        entry = cache_module.encode_result((record, problems))
        assert entry is not None and b"\n" not in entry
        back, back_problems = cache_module._decoded_result(entry)
        assert back == record and back_problems == problems
        # records compare without their origins: the positions are held here
        assert back.origin.path == record.origin.path
        assert back.origin.values == record.origin.values and back.origin.keys == record.origin.keys
        assert back.origin.values, path


def test_a_value_the_cache_does_not_know_is_not_cached() -> None:
    assert cache_module.encode_result((None, [object()])) is None
    assert cache_module.encode_result((None, [])) is not None


def test_origins_differ_when_their_positions_do() -> None:
    from kopa_cli.core.origin import Origin

    assert Origin("a.yaml", {("name",): (1, 7)}) == Origin("a.yaml", {("name",): (1, 7)})
    assert Origin("a.yaml", {("name",): (1, 7)}) != Origin("a.yaml", {("name",): (2, 7)})
    assert Origin("a.yaml", keys={("name",): (1, 1)}) != Origin("a.yaml")
