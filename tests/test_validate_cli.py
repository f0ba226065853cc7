"""kopa validate as users and CI run it: output formats, exit codes, colour, and PATHS."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_kopa
from test_cases import BASE, CASES, build_case

NBSP = "\u00a0"


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    shutil.copytree(BASE, workspace)
    return workspace


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """Errors in two folders: an unknown key in an organisation and in a pilot."""
    return build_case(CASES / "bad" / "kopa201-unknown-key", tmp_path)


@pytest.fixture
def warnings_only(tmp_path: Path) -> Path:
    return build_case(CASES / "bad" / "kopa408-few-members", tmp_path)


# Text


def test_text_lines_name_path_line_column_severity_code_and_message(broken: Path) -> None:
    result = run_kopa("--lang", "en", "validate", workspace=broken)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "records/organizations/kuhmo.yaml:7:1: error KOPA201 unknown field 'biling_email' (did you mean 'billing_email'?)",
        "records/pilots/kainuu-kylat.yaml:11:59: error KOPA201 unknown field 'ref'",
    ]
    assert lines[-1] == "Checked 9 files: 2 errors, 0 warnings."
    assert "Traceback" not in result.stdout + result.stderr


def test_text_shows_each_application_length_in_finnish_with_no_break_spaces(clean: Path) -> None:
    application = clean / "records" / "applications" / "kainuu-kylat.yaml"
    text = application.read_text(encoding="utf-8")
    plan = "Koulut jakavat opettajia ja etäopetusta kuntarajojen yli."
    # name 20 + goal 104 + plan: 4 812 in all
    application.write_text(text.replace(plan, "Koulut " * 669 + "yhtä."), encoding="utf-8")
    result = run_kopa("--lang", "fi", "validate", workspace=clean)
    assert result.exit_code == 0
    assert re.search(rf"records/applications/kainuu-kylat\.yaml +4{NBSP}813 / 5{NBSP}000\n", result.stdout)
    assert re.search(rf"records/applications/kainuu-lukiot\.md +252 / 5{NBSP}000\n", result.stdout)
    english = run_kopa("--lang", "en", "validate", workspace=clean)
    assert "4,813 / 5,000" in english.stdout


def test_too_long_message_shows_the_count_and_limit(tmp_path: Path) -> None:
    workspace = build_case(CASES / "bad" / "kopa302-too-long", tmp_path)
    english = run_kopa("--lang", "en", "validate", workspace=workspace)
    assert (
        "records/applications/kainuu-kylat.yaml:66:1: error KOPA302 the application is 5,073 / 5,000 characters; "
        "the text crosses the limit here, in 'Short description of how the development work will be done'"
    ) in english.stdout.splitlines()
    finnish = run_kopa("--lang", "fi", "validate", workspace=workspace)
    assert f"5{NBSP}073 / 5{NBSP}000" in finnish.stdout


def test_messages_name_both_lines_of_a_duplicate_key(tmp_path: Path) -> None:
    workspace = build_case(CASES / "bad" / "kopa106-duplicate-key", tmp_path)
    result = run_kopa("--lang", "en", "validate", workspace=workspace)
    assert "records/organizations/kuhmo.yaml:8:1: error KOPA106 the field 'name' is given twice (first on line 1); keep only one" in result.stdout


def test_summary_line_uses_singular_and_plural(tmp_path: Path) -> None:
    workspace = build_case(CASES / "bad" / "kopa303-late", tmp_path)
    result = run_kopa("--lang", "en", "validate", "records/applications/kainuu-kylat.yaml", workspace=workspace)
    assert result.stdout.splitlines()[-1] == "Checked 1 file: 1 error, 0 warnings."


# JSON


def test_json_report(broken: Path) -> None:
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=broken)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["files"], report["errors"], report["warnings"]) == (9, 2, 0)
    assert report["diagnostics"][0] == {
        "path": "records/organizations/kuhmo.yaml",
        "line": 7,
        "column": 1,
        "severity": "error",
        "code": "KOPA201",
        "message": "unknown field 'biling_email' (did you mean 'billing_email'?)",
    }
    assert [d["path"] for d in report["diagnostics"]] == sorted(d["path"] for d in report["diagnostics"])
    assert {item["path"]: item["count"] for item in report["lengths"]} == {
        "records/applications/kainuu-kylat.yaml": 182,
        "records/applications/kainuu-lukiot.md": 252,
    }
    assert all(item["limit"] == 5000 for item in report["lengths"])


# GitHub annotations


def test_github_annotations(broken: Path) -> None:
    result = run_kopa("--lang", "en", "validate", "--format", "github", workspace=broken)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=records/organizations/kuhmo.yaml,line=7,col=1,title=KOPA201::unknown field 'biling_email' (did you mean 'billing_email'?)",
        "::error file=records/pilots/kainuu-kylat.yaml,line=11,col=59,title=KOPA201::unknown field 'ref'",
        "Checked 9 files: 2 errors, 0 warnings.",
    ]


def test_github_annotations_escape_their_special_characters(clean: Path) -> None:
    organization = clean / "records" / "organizations" / "kuhmo.yaml"
    organization.write_text(organization.read_text(encoding="utf-8") + '"100%\\nkaikki": x\n', encoding="utf-8")
    result = run_kopa("--lang", "en", "validate", "--format", "github", workspace=clean)
    # the line break in the key is the record's text, shown escaped; '%' is the command syntax's
    assert "::error file=records/organizations/kuhmo.yaml,line=11,col=1,title=KOPA201::unknown field '100%25\\nkaikki'" in result.stdout


def test_warnings_are_github_warnings(warnings_only: Path) -> None:
    result = run_kopa("--lang", "en", "validate", "--format", "github", workspace=warnings_only)
    assert result.exit_code == 0
    assert result.stdout.startswith("::warning file=records/applications/kainuu-kylat.yaml,line=10,col=5,title=KOPA411::")


def test_github_format_is_chosen_under_github_actions(broken: Path) -> None:
    result = run_kopa("--lang", "en", "validate", workspace=broken, env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=")
    explicit = run_kopa("--lang", "en", "validate", "--format", "text", workspace=broken, env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith("records/organizations/kuhmo.yaml:7:1: error")
    elsewhere = run_kopa("--lang", "en", "validate", workspace=broken, env={"GITHUB_ACTIONS": "false"})
    assert elsewhere.stdout.startswith("records/")


# Exit codes


def test_exit_0_when_clean(clean: Path) -> None:
    assert run_kopa("validate", "--strict", workspace=clean).exit_code == 0


def test_warnings_pass_unless_strict(warnings_only: Path) -> None:
    assert run_kopa("validate", workspace=warnings_only).exit_code == 0
    assert run_kopa("validate", "--strict", workspace=warnings_only).exit_code == 1


@pytest.mark.parametrize(
    "arguments",
    [
        ("validate", "--format", "xml"),
        ("validate", "--color", "sometimes"),
        ("validate", "--no-such-option"),
        ("--lang", "de", "validate"),
    ],
)
def test_bad_usage_exits_2(clean: Path, arguments: tuple[str, ...]) -> None:
    result = run_kopa(*arguments, workspace=clean)
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr


def test_no_workspace_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_kopa("--lang", "en", "validate")
    assert result.exit_code == 2
    assert "no kopa workspace found" in result.stderr
    missing = run_kopa("--lang", "en", "validate", workspace=tmp_path / "nowhere")
    assert missing.exit_code == 2


def test_an_internal_error_exits_3_with_a_please_report_line(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kopa_cli.check.validation as validation

    def broken_check(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(validation, "check", broken_check)
    result = run_kopa("--lang", "en", "validate", workspace=clean)
    assert result.exit_code == 3
    assert "internal error (ZeroDivisionError)" in result.stderr and "please report" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# Colour


def test_color_always_and_never(broken: Path) -> None:
    coloured = run_kopa("--lang", "en", "validate", "--color", "always", workspace=broken)
    assert "\033[1;31merror\033[0m KOPA201" in coloured.stdout
    plain = run_kopa("--lang", "en", "validate", "--color", "never", workspace=broken)
    assert "\033[" not in plain.stdout
    piped = run_kopa("--lang", "en", "validate", workspace=broken)  # not a terminal: no colour
    assert "\033[" not in piped.stdout


def _run_in_terminal(workspace: Path, env: dict[str, str]) -> str:
    """The real CLI with its output on a pseudo-terminal, as in an interactive shell."""
    pty = pytest.importorskip("pty")
    main, secondary = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"} | env | {"KOPA_NO_CACHE": "1"}
    process = subprocess.run(
        [sys.executable, "-m", "kopa_cli", "--lang", "en", "--workspace", str(workspace), "validate"],
        stdout=secondary, stderr=subprocess.PIPE, env=environment, timeout=60,
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal is closed once everything is read
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert process.returncode == 1, process.stderr
    return output.decode("utf-8")


@pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")), reason="needs a pseudo-terminal")
def test_color_in_a_terminal_unless_no_color(broken: Path) -> None:
    assert "\033[1;31merror" in _run_in_terminal(broken, {})
    assert "\033[" not in _run_in_terminal(broken, {"NO_COLOR": "1"})


# PATHS


def test_paths_limit_the_report_to_those_files_and_folders(broken: Path) -> None:
    result = run_kopa("--lang", "en", "validate", "--format", "json", str(broken / "records" / "pilots"), workspace=broken)
    report = json.loads(result.stdout)
    assert [(d["path"], d["code"]) for d in report["diagnostics"]] == [("records/pilots/kainuu-kylat.yaml", "KOPA201")]
    assert report["files"] == 2 and report["lengths"] == []
    assert result.exit_code == 1
    organizations = run_kopa("validate", "--format", "json", str(broken / "records" / "organizations" / "sotkamo.yaml"), workspace=broken)
    assert json.loads(organizations.stdout)["diagnostics"] == []
    assert organizations.exit_code == 0  # kuhmo.yaml's problem is not in the given path
    several = run_kopa(
        "validate", "--format", "json",
        str(broken / "records" / "organizations" / "kuhmo.yaml"), str(broken / "records" / "applications"), workspace=broken,
    )
    assert json.loads(several.stdout)["files"] == 3


def test_paths_relative_to_the_current_folder_or_the_workspace(broken: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(broken / "records")
    inside = run_kopa("validate", "--format", "json", "organizations")
    assert [d["path"] for d in json.loads(inside.stdout)["diagnostics"]] == ["records/organizations/kuhmo.yaml"]
    monkeypatch.chdir(tmp_path)
    outside = run_kopa("validate", "--format", "json", "records/pilots", workspace=broken)
    assert [d["path"] for d in json.loads(outside.stdout)["diagnostics"]] == ["records/pilots/kainuu-kylat.yaml"]
    whole = run_kopa("validate", "--format", "json", str(broken), workspace=broken)
    assert json.loads(whole.stdout)["errors"] == 2


def test_a_path_outside_the_workspace_exits_2(broken: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_kopa("--lang", "en", "validate", str(elsewhere), workspace=broken)
    assert result.exit_code == 2
    assert f"{elsewhere} is not inside the workspace" in result.stderr
    assert result.stdout == ""


def test_a_path_that_does_not_exist_exits_2(broken: Path) -> None:
    result = run_kopa("--lang", "en", "validate", str(broken / "records" / "pilotit"), workspace=broken)
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
