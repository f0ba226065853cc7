"""Bad input is a diagnostic, never a crash: alias bombs, code-running tags, huge and binary
files, absurd nesting, links out of the workspace, and every key given a value of the wrong type.

Inputs that could take the interpreter down (a C stack overflow in the YAML parser) run
in a subprocess with a time and memory limit, so a failure is a failed test, not a dead run.
"""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from conftest import build_tree, run_kopa
from kopa_cli.load.markdowndoc import split_front_matter
from kopa_cli.check.validation import check
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace, parse_record

BASE = Path(__file__).parent / "cases" / "base"
ORGS = "records/organizations"


def workspace_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(BASE, root)
    return build_tree(root, files)


def run_isolated(workspace: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process, with at most 1 GB of memory."""

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "KOPA_NO_CACHE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "kopa_cli", "--lang", "en", "--workspace", str(workspace), "validate", "--format", "json", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
        preexec_fn=limit_memory if sys.platform.startswith("linux") else None,
    )


def diagnostics_of(result) -> list[tuple[str, int, int, str]]:
    assert result.returncode in (0, 1) if hasattr(result, "returncode") else result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return [(d["path"], d["line"], d["column"], d["code"]) for d in report["diagnostics"]]


def test_billion_laughs_is_refused_quickly_at_each_alias(tmp_path: Path) -> None:
    lines = ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"lol{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    workspace = workspace_with(tmp_path, {f"{ORGS}/bomb.yaml": "\n".join(lines) + "\n"})
    started = time.monotonic()
    result = run_isolated(workspace, timeout=30)
    assert time.monotonic() - started < 20  # expanded, it would be 9**10 strings
    aliases = [d for d in diagnostics_of(result) if d[3] == "KOPA107"]
    # every alias, where it is written: line 2 holds *a0 at columns 12, 17, ...
    assert len(aliases) == 81
    assert aliases[0] == (f"{ORGS}/bomb.yaml", 2, 12, "KOPA107")
    assert aliases[1][1:3] == (2, 17)
    assert result.returncode == 1


def test_python_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    workspace = workspace_with(tmp_path, {
        f"{ORGS}/evil.yaml": f'name: !!python/object/apply:os.system ["touch {marker}"]\n'
                             f'type: !!python/name:os.system\n'
                             f'!!python/object/new:os.system ["touch {marker}"]: x\n',
    })
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=workspace)
    assert not marker.exists()
    found = diagnostics_of(result)
    assert (f"{ORGS}/evil.yaml", 1, 7, "KOPA108") in found
    assert (f"{ORGS}/evil.yaml", 2, 7, "KOPA108") in found
    assert (f"{ORGS}/evil.yaml", 3, 1, "KOPA108") in found  # a tagged key
    assert result.exit_code == 1


def test_a_10_megabyte_file_is_reported_without_being_parsed(tmp_path: Path) -> None:
    big = "name: Paltamo\n" + "# filler\n" * (10 * 1024 * 1024 // 9)
    workspace = workspace_with(tmp_path, {f"{ORGS}/paltamo.yaml": big})
    started = time.monotonic()
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=workspace)
    assert time.monotonic() - started < 10
    assert diagnostics_of(result) == [(f"{ORGS}/paltamo.yaml", 1, 1, "KOPA102")]
    assert "10,485,770 bytes" in json.loads(result.stdout)["diagnostics"][0]["message"]  # grouped as English writes it


@pytest.mark.parametrize(
    ("content", "position"),
    [
        (b"name: Paltamo\naddress: {street: Kirkkok\xe4tu 1}\n", (2, 26)),  # Latin-1 "ä"
        (b"\xef\xbb\xbfname: P\xc3\xa4lt\xff\n", (1, 11)),  # after a BOM and a UTF-8 "ä": columns in characters
        (b"\xff\xfen\x00a\x00m\x00e\x00", (1, 1)),  # UTF-16
        (b"\x89PNG\r\n\x1a\n\x00\x00", (1, 1)),  # an image saved under the wrong name
    ],
)
def test_bytes_that_are_not_utf8_are_located(tmp_path: Path, content: bytes, position: tuple[int, int]) -> None:
    workspace = workspace_with(tmp_path, {f"{ORGS}/paltamo.yaml": content})
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=workspace)
    assert diagnostics_of(result) == [(f"{ORGS}/paltamo.yaml", *position, "KOPA101")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", [(1, 1, "KOPA103")]),
        ("\n  \n\t\n", [(1, 1, "KOPA103")]),
        ("# only a comment\n", [(1, 1, "KOPA110")]),
        ("- name: Paltamo\n- type: municipality\n", [(1, 1, "KOPA110")]),
        ("Paltamo\n", [(1, 1, "KOPA110")]),
        ("42\n", [(1, 1, "KOPA110")]),
        ("~\n", [(1, 1, "KOPA110")]),
        ("name: a\n---\nname: b\n", [(2, 1, "KOPA104")]),  # two documents in one file
        ("name: a\x00b\n", [(1, 8, "KOPA104")]),  # a control character
        ("name: [a, b\n", [(2, 1, "KOPA104")]),
        ("name: Paltamo\n\ttype: municipality\n", [(2, 1, "KOPA105")]),
        ("? [a, b]\n: c\n", None),  # a list as a key: reported, not a crash
        ("<<: {name: x}\n", None),  # a merge key
        ("name: Paltamo\nname: Paltamo\n", None),
    ],
)
def test_malformed_organisation_files(tmp_path: Path, content: str, expected: list | None) -> None:
    workspace = workspace_with(tmp_path, {f"{ORGS}/paltamo.yaml": content})
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=workspace)
    found = [d[1:] for d in diagnostics_of(result) if d[0] == f"{ORGS}/paltamo.yaml"]
    assert found and result.exit_code == 1
    if expected is not None:
        assert found == expected


@pytest.mark.parametrize(
    "content",
    [
        "---\nname: x\n",  # front matter never closed
        "---\n---\n## Toteutus\n\nx\n",  # empty front matter
        "---\n- a\n- b\n---\n",  # a list as front matter
        "---\nname: &a x\nplan: *a\n---\n",
        "---\nname: x\n---\n## \n\n# \n",
        "\n---\nname: x\n---\n",  # front matter not on the first line
    ],
)
def test_malformed_markdown_applications(tmp_path: Path, content: str) -> None:
    workspace = workspace_with(tmp_path, {"records/applications/uusi.md": content})
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=workspace)
    found = [d for d in diagnostics_of(result) if d[0] == "records/applications/uusi.md"]
    assert found and result.exit_code == 1


@pytest.mark.parametrize(
    "value",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than the C parser's stack allows
        "{a: " * 100_000 + "}" * 100_000,
        "\n" + "- " * 400_000 + "x",  # block sequences nested on one line
        "\n" + "? " * 400_000 + "x",  # complex keys nested on one line
        '"' + "[" * 100_000 + '"',  # brackets inside a string are refused too (cheap, conservative)
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences", "complex-keys", "brackets-in-text"],
)
def test_absurd_nesting_is_refused_without_crashing_the_interpreter(tmp_path: Path, value: str) -> None:
    workspace = workspace_with(tmp_path, {f"{ORGS}/deep.yaml": f"name: {value}\n"})
    result = run_isolated(workspace)
    assert result.returncode == 1, f"exit {result.returncode} (negative: killed by a signal)\n{result.stderr}"
    assert [d[3] for d in diagnostics_of(result)] == ["KOPA109"]


def test_nesting_within_the_parser_guard_is_still_reported(tmp_path: Path) -> None:
    workspace = workspace_with(tmp_path, {f"{ORGS}/deep.yaml": "name: " + "[" * 900 + "]" * 900 + "\n"})
    result = run_isolated(workspace)
    assert (f"{ORGS}/deep.yaml", 1, 39, "KOPA109") in diagnostics_of(result)  # the 33rd level


def test_links_out_of_the_workspace_and_odd_file_names(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: salainen\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    workspace = workspace_with(tmp_path, {
        f"{ORGS}/Paltamo.yaml": "name: x\n",
        f"{ORGS}/paltamon kunta.yaml": "name: x\n",
        f"{ORGS}/paltamo..yaml": "name: x\n",
        f"{ORGS}/pältamo.yaml": "name: x\n",
        f"{ORGS}/paltamo.yaml.bak": "name: x\n",
        f"{ORGS}/paltamo": "name: x\n",
        "records/pilots/kylat.YAML": "name: x\n",
    })
    try:
        os.symlink(outside, workspace / ORGS / "secret.yaml")
        os.symlink(tmp_path / "elsewhere", workspace / "records" / "archive")
        os.symlink("../../../secret.yaml", workspace / "records" / "pilots" / "relative.yaml")
    except OSError:
        pytest.skip("this system cannot make symbolic links")
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=workspace)
    found = diagnostics_of(result)
    assert sorted(found) == sorted([
        (f"{ORGS}/Paltamo.yaml", 1, 1, "KOPA117"),
        (f"{ORGS}/paltamon kunta.yaml", 1, 1, "KOPA117"),
        (f"{ORGS}/paltamo..yaml", 1, 1, "KOPA117"),
        (f"{ORGS}/pältamo.yaml", 1, 1, "KOPA117"),
        (f"{ORGS}/paltamo.yaml.bak", 1, 1, "KOPA117"),
        (f"{ORGS}/paltamo", 1, 1, "KOPA117"),
        ("records/pilots/kylat.YAML", 1, 1, "KOPA117"),
        (f"{ORGS}/secret.yaml", 1, 1, "KOPA115"),
        ("records/archive", 1, 1, "KOPA115"),
        ("records/pilots/relative.yaml", 1, 1, "KOPA115"),
    ])
    assert "salainen" not in result.stdout  # nothing was read from outside


def test_a_linked_records_folder_inside_the_workspace_is_reported(tmp_path: Path) -> None:
    workspace = workspace_with(tmp_path, {})
    shutil.move(workspace / ORGS, workspace / "shared-organizations")
    try:
        os.symlink("../shared-organizations", workspace / ORGS)
    except OSError:
        pytest.skip("this system cannot make symbolic links")
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=workspace)
    found = diagnostics_of(result)
    assert (ORGS, 1, 1, "KOPA116") in found  # said plainly, rather than every member being unknown
    assert result.exit_code == 1


# Every key of every base record, given a value of the wrong type: each must be reported
# and none may crash a rule further on (rules meet None where a value was unusable).

WRONG_VALUES = ["teksti", 7, [], {"a": 1}, None, ["x", 1], True]
_yaml = YAML(typ="safe")  # libyaml when installed: the mutations need no comments, only keys and types


class ParsedBefore(dict):
    """A cache for build_workspace: the files a mutation leaves alone are parsed once."""

    def put(self, key: str, result: object, entry: bytes | None = None) -> None:
        self[key] = result


def _key_paths(data: object, prefix: tuple = ()) -> list[tuple]:
    paths = []
    if isinstance(data, dict):
        for key, value in data.items():
            paths += [prefix + (key,)] + _key_paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths += [prefix + (index,)] + _key_paths(value, prefix + (index,))
    return paths


def _record_files() -> list[str]:
    return sorted(p.relative_to(BASE).as_posix() for p in (BASE / "records").rglob("*") if p.is_file())


@pytest.mark.parametrize("record", _record_files())
def test_every_key_with_a_wrong_value_is_a_diagnostic_not_a_crash(record: str, tmp_path: Path) -> None:
    text = (BASE / record).read_text(encoding="utf-8")
    front, body = (text, None)
    if record.endswith(".md"):
        front, _, body, _ = split_front_matter(text)
    original = _yaml.load(front)
    workspace = workspace_with(tmp_path, {})
    parsed_before = ParsedBefore()
    tried = 0
    for path in _key_paths(original):
        for wrong in WRONG_VALUES:
            data = copy.deepcopy(original)
            target = data
            for part in path[:-1]:
                target = target[part]
            current = target[path[-1]]
            same_scalar = type(current) is type(wrong) and not isinstance(wrong, (dict, list))
            if same_scalar or isinstance(current, str) and isinstance(wrong, str):
                continue  # text for text is no mistake; a mapping or list for one still changes its content
            target[path[-1]] = wrong
            out = io.StringIO()
            _yaml.dump(data, out)
            broken = out.getvalue() if body is None else f"---\n{out.getvalue()}---\n{body}"
            (workspace / record).write_text(broken, encoding="utf-8")
            report = check(load_workspace(workspace, DirectorySource(workspace), parsed_before))
            if wrong not in (None, []):  # empty means "not given" or "none", which some keys allow
                assert report.diagnostics, f"{record}: {path} = {wrong!r} passed unnoticed"
            for d in report.diagnostics:
                assert d.line >= 1 and d.column >= 1 and d.message
            tried += 1
    assert tried > 20


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse_to_diagnostics(data: bytes) -> None:
    for kind, path in (("organizations", f"{ORGS}/x.yaml"), ("applications", "records/applications/x.md")):
        record, problems = parse_record(kind, path, data)
        assert record is not None or problems
        for d in problems:
            assert d.line >= 1 and d.column >= 1 and d.message


YAMLISH = st.text(alphabet="abk:- \n\t[]{}&*!|>'\"#?,%@`~0123456789.\u00e4\u0308\ufeff\r\x00", max_size=200)


@settings(max_examples=500, deadline=None)
@given(YAMLISH)
def test_any_yaml_like_text_parses_to_diagnostics(text: str) -> None:
    for kind, path, prefix in (("organizations", f"{ORGS}/x.yaml", ""), ("applications", "records/applications/x.md", "---\n")):
        record, problems = parse_record(kind, path, (prefix + text).encode("utf-8"))
        assert record is not None or problems
        for d in problems:
            assert d.line >= 1 and d.column >= 1 and d.message
