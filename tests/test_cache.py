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


def _same(back: object, value: object, where: str = "") -> None:
    """``back`` is ``value`` with the same type at every depth: a Msg is no plain str, a
    Field no Msg (each is shown differently), and origins keep their positions and texts."""
    import dataclasses

    from kopa_cli.core.origin import Origin

    assert type(back) is type(value), f"{where}: {type(back).__name__} instead of {type(value).__name__}"
    if isinstance(value, (list, tuple)):
        assert len(back) == len(value), where  # type: ignore[arg-type]
        for index, (b, v) in enumerate(zip(back, value)):  # type: ignore[call-overload]
            _same(b, v, f"{where}[{index}]")
    elif isinstance(value, dict):
        _same(list(back.items()), list(value.items()), where)  # type: ignore[attr-defined]
    elif isinstance(value, Origin):
        _same((back.path, back.values, back.keys, back.written), (value.path, value.values, value.keys, value.written), f"{where}.origin")  # type: ignore[attr-defined]
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            _same(getattr(back, field.name), getattr(value, field.name), f"{where}.{field.name}")
    else:
        assert back == value, where


@pytest.mark.parametrize("case", sorted((Path(__file__).parent / "cases" / "bad").iterdir()), ids=lambda p: p.name)
def test_every_diagnostic_of_the_bad_corpus_comes_back_from_the_cache_as_it_was(case: Path, tmp_path: Path) -> None:
    """Each file's parse result and the workspace's report, through the cache's JSON and back:
    the same types at every depth, and the same messages in Finnish, Swedish and English."""
    from test_cases import build_case

    from kopa_cli.check.validation import check
    from kopa_cli.core.i18n import set_language
    from kopa_cli.load.gitsource import committed_ledgers, ledger_texts
    from kopa_cli.load.recordfiles import DirectorySource, read_records
    from kopa_cli.load.workspace import build_workspace, parse_record

    root = build_case(case, tmp_path)
    records = read_records(DirectorySource(root))
    for kind, path, data in records.files:
        result = parse_record(kind, path, data)
        entry = cache_module.encode_result(result)
        assert entry is not None, f"{path}: the cache cannot keep its parse result"
        _same(cache_module._decoded_result(entry), result, path)
    report = check(build_workspace(None, records, committed_ledgers=ledger_texts(committed_ledgers(root), root)))
    assert report.diagnostics
    back = cache_module._loads(cache_module._dumps(report))
    _same(back, report, "report")
    try:
        for lang in ("fi", "sv", "en"):
            set_language(lang)
            assert [(d.render(escape=True), d.message) for d in back.diagnostics] == [
                (d.render(escape=True), d.message) for d in report.diagnostics
            ]
    finally:
        set_language("fi")


def test_a_cached_report_says_what_a_fresh_one_says(tmp_path: Path) -> None:
    """Through the real command: a cold run fills the cache, the next runs are served from it."""
    from test_cases import build_case

    workspace = build_case(Path(__file__).parent / "cases" / "bad" / "kopa216-needs-quotes", tmp_path)
    for args in (["validate"], ["--lang", "en", "validate", "--format", "json"], ["--lang", "sv", "validate"]):
        fresh = run_kopa(*args, "--no-cache", workspace=workspace)
        cold, warm = run_kopa(*args, workspace=workspace), run_kopa(*args, workspace=workspace)
        assert fresh.exit_code == cold.exit_code == warm.exit_code == 1
        assert fresh.stdout == cold.stdout == warm.stdout
