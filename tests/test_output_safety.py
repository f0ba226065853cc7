"""Output that cannot lie or crash: the user's text escaped, any encoding, a reader that goes
away, one order of diagnostics in every run, values quoted as they were written."""

from __future__ import annotations

import fcntl
from decimal import Decimal
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO, run_kopa
from kopa_cli.core.diagnostics import escaped

ORGANIZATION = "records/organizations/kuhmo.yaml"
FORGED = "records/call.yaml:1:1: error KOPA999 forged"


def kopa_process(*args: str, env: dict[str, str] | None = None, **options) -> subprocess.CompletedProcess[bytes]:
    """The real CLI in its own process (its own interpreter, streams and hash seed)."""
    environment = {**os.environ, "KOPA_NO_CACHE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "kopa_cli", *args], env=environment, timeout=60, **options)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# The user's text is shown escaped


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_a_key_cannot_forge_a_diagnostic_line(shipped: Path, output_format: str) -> None:
    append(shipped / ORGANIZATION, '"biling_email\\nrecords/call.yaml:1:1: error KOPA999 forged": x\n')
    result = run_kopa("--lang", "en", "validate", "--format", output_format, workspace=shipped)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert not any(line.startswith(("records/call.yaml", "::error file=records/call.yaml")) for line in lines)
    assert not any("KOPA999" in line and "KOPA201" not in line for line in lines)
    assert any(f"biling_email\\n{FORGED}" in line for line in lines)


def test_json_keeps_the_users_text_as_it_is(shipped: Path) -> None:
    append(shipped / ORGANIZATION, '"biling_email\\nrecords/call.yaml:1:1: error KOPA999 forged\\a": x\n')
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=shipped)
    [problem] = json.loads(result.stdout)["diagnostics"]
    assert problem["message"] == f"unknown field 'biling_email\n{FORGED}\a'"


def test_a_file_name_is_escaped_too(shipped: Path) -> None:
    (shipped / "records/organizations/bad\nrecords\u202e.yaml").write_text("name: x\n", encoding="utf-8")
    result = run_kopa("--lang", "en", "validate", workspace=shipped)
    assert "records/organizations/bad\\nrecords\\u202e.yaml:1:1: error KOPA117 'bad\\nrecords\\u202e.yaml'" in result.stdout


def test_a_file_name_that_is_not_utf8_is_shown_by_its_bytes(shipped: Path) -> None:
    folder = os.fsencode(shipped / "records/organizations")
    with open(os.path.join(folder, b"k\xe4sk\xf6.yaml"), "wb") as file:  # Latin-1, from an old zip
        file.write(b"name: x\n")
    result = run_kopa("--lang", "en", "validate", "--no-cache", workspace=shipped)
    assert result.exit_code == 1
    assert "records/organizations/k\\xe4sk\\xf6.yaml:1:1: error KOPA117 'k\\xe4sk\\xf6.yaml'" in result.stdout
    assert escaped(os.fsdecode(b"\xff\n")) == "\\xff\\n"


def test_escapes_name_every_unsafe_character() -> None:
    assert escaped("a\nb\rc\td\x07e\x1bf\x85g\u2028h\u2029i\u202ej\x7f") == "a\\nb\\rc\\td\\x07e\\x1bf\\x85g\\u2028h\\u2029i\\u202ej\\x7f"
    assert escaped("Närpes – Kaskö 5 000 €") == "Närpes – Kaskö 5 000 €"


@given(st.text())
def test_escaped_text_is_one_printable_line(text: str) -> None:
    result = escaped(text)
    assert "\n" not in result and "\r" not in result
    assert all(ord(char) >= 0x20 and not 0x7F <= ord(char) <= 0x9F for char in result)


# Any encoding, a reader that goes away


@pytest.mark.parametrize("command", ["fees", "validate"])
def test_an_encoding_without_the_characters_replaces_them(command: str) -> None:
    # cp850 has no '€' nor '–': they become '?', and the exit code is the one on UTF-8
    utf8 = kopa_process("--workspace", str(REPO), command, capture_output=True)
    cp850 = kopa_process("--workspace", str(REPO), command, capture_output=True, env={"PYTHONIOENCODING": "cp850"})
    assert cp850.returncode == utf8.returncode == 0, cp850.stderr.decode("cp850")
    assert b"Traceback" not in cp850.stderr
    if command == "fees":  # the headings' dash: "kainuu-lukiot – Kainuun lukiot"
        assert " – " in utf8.stdout.decode("utf-8") and " ? " in cp850.stdout.decode("cp850")
    else:
        assert cp850.stdout.decode("cp850") == utf8.stdout.decode("utf-8").encode("cp850", "replace").decode("cp850")


def test_json_keeps_the_users_text_in_any_encoding(shipped: Path) -> None:
    append(shipped / ORGANIZATION, "biling\u2013email: x\n")  # cp850 has no '–'
    found = kopa_process("--workspace", str(shipped), "validate", "-f", "json", capture_output=True, env={"PYTHONIOENCODING": "cp850"})
    assert found.returncode == 1, found.stderr.decode("cp850")
    messages = [d["message"] for d in json.loads(found.stdout.decode("cp850"))["diagnostics"]]
    assert any("biling\u2013email" in message for message in messages), messages
    fees = kopa_process("--workspace", str(REPO), "fees", "-f", "json", capture_output=True, env={"PYTHONIOENCODING": "cp850"})
    assert fees.returncode == 0 and fees.stdout.isascii() and json.loads(fees.stdout)


def test_an_encoding_without_the_characters_keeps_the_verdict(shipped: Path) -> None:
    append(shipped / ORGANIZATION, "hinta€: x\n")
    result = kopa_process("--workspace", str(shipped), "validate", capture_output=True, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1, result.stderr
    assert "hinta?" in result.stdout.decode("ascii") and b"Traceback" not in result.stderr


def _read_a_little_and_go(*args: str) -> tuple[int, bytes]:
    """`kopa ... | head -c 100`: a small pipe fills, the reader closes it, kopa gets EPIPE."""
    read_end, write_end = os.pipe()
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    environment = {**os.environ, "KOPA_NO_CACHE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "kopa_cli", *args], stdout=write_end, stderr=subprocess.PIPE, env=environment)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.read(100)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


def test_a_reader_that_goes_away_does_not_change_the_verdict(tmp_path: Path) -> None:
    # 3 000 unknown keys: far more output than a pipe holds; `| head -1` must not turn it into success
    workspace = tmp_path / "workspace"
    (workspace / "records").mkdir(parents=True)
    for folder in ("organizations", "applications", "pilots"):
        (workspace / "records" / folder).mkdir()
    (workspace / "records/call.yaml").write_text((REPO / "records/call.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    keys = "".join(f"unknown-{n}: x\n" for n in range(3000))
    (workspace / "records/organizations/kajaani.yaml").write_text((REPO / "records/organizations/kajaani.yaml").read_text(encoding="utf-8") + keys, encoding="utf-8")
    for output_format in ("text", "json"):
        code, stderr = _read_a_little_and_go("--workspace", str(workspace), "validate", "--format", output_format)
        assert code == 1, stderr.decode()
        assert stderr == b""


@pytest.mark.parametrize(("args", "verdict"), [(["validate"], 0), (["fees"], 0), (["fees", "--year", "1999"], 2)])
def test_a_closed_output_does_not_change_the_verdict(args: list[str], verdict: int) -> None:
    # `kopa validate >&-`: Python starts with no sys.stdout at all
    result = kopa_process("--workspace", str(REPO), *args, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    assert result.returncode == verdict, result.stderr.decode()
    assert b"Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["validate"], ["fees", "--format", "csv"], ["fees"], ["--help"], ["fees", "--help"]])
def test_a_full_disk_is_said_not_taken_for_a_bug(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = kopa_process("--lang", "en", "--workspace", str(REPO), *args, stdout=full, stderr=subprocess.PIPE)
    assert (result.returncode, result.stderr.decode()) == (2, "kopa: the output could not be written: the disk is full\n")


def test_a_full_disk_is_said_by_new_too(tmp_path: Path) -> None:
    # `kopa new` writes through click's echo, which probes the stream and ignores what the probe raises
    assert kopa_process("init", str(tmp_path), stdout=subprocess.DEVNULL).returncode == 0
    with open("/dev/full", "w") as full:
        result = kopa_process("--lang", "en", "-w", str(tmp_path), "new", "organization", "kuhmo", stdout=full, stderr=subprocess.PIPE)
    assert (result.returncode, result.stderr.decode()) == (2, "kopa: the output could not be written: the disk is full\n")


# One order


def test_the_order_of_diagnostics_is_the_same_in_every_run(tmp_path: Path) -> None:
    # an organisation holding only `name: x`: three diagnostics at 1:1 with the same code
    workspace = tmp_path / "workspace"
    for path in ("records/call.yaml", "records/organizations/kajaani.yaml"):
        (workspace / path).parent.mkdir(parents=True, exist_ok=True)
        (workspace / path).write_text((REPO / path).read_text(encoding="utf-8"), encoding="utf-8")
    (workspace / "records/organizations/x.yaml").write_text("name: x\n", encoding="utf-8")
    outputs = {
        kopa_process("--lang", "en", "--workspace", str(workspace), "validate", "--format", "json",
                     capture_output=True, env={"PYTHONHASHSEED": seed}).stdout
        for seed in ("0", "1", "2", "3", "4")
    }
    assert len(outputs) == 1
    problems = json.loads(outputs.pop())["diagnostics"]
    at_start = [(d["line"], d["column"], d["code"]) for d in problems if d["path"] == "records/organizations/x.yaml"]
    assert at_start == [(1, 1, "KOPA202")] * 3 + [(1, 1, "KOPA610")]  # and nowhere to send its invoices


# Values quoted as written


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_value_is_quoted_as_it_was_written(shipped: Path, lang: str) -> None:
    application = shipped / "records/applications/kainuu-jatkuva-oppiminen.yaml"
    text = application.read_text(encoding="utf-8")
    application.write_text(text.replace("submitted: 2019-12-13", "submitted: 2019-12-13 23:30:00+02:00"), encoding="utf-8")
    result = run_kopa("--lang", lang, "validate", "--format", "json", workspace=shipped)
    [problem] = json.loads(result.stdout)["diagnostics"]
    assert (problem["line"], problem["column"], problem["code"]) == (4, 12, "KOPA204")
    assert "'2019-12-13 23:30:00+02:00'" in problem["message"]
    assert "13.12.2019" not in problem["message"]


def test_numbers_are_quoted_with_their_own_digits(shipped: Path) -> None:
    call = shipped / "records/call.yaml"
    text = call.read_text(encoding="utf-8")
    assert 'annual: "5000.00"' in text
    call.write_text(text.replace('annual: "5000.00"', "annual: 5000.00"), encoding="utf-8")
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=shipped)
    [problem] = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "KOPA216"]
    assert problem["message"].endswith('in quotes: "5000.00" (without them, 5000.00 is not text but a floating-point number, which is not exact)')


@pytest.mark.parametrize("written", ["2013-01-01 10:00:00", "2013-01-01t10:00:00.5Z", "2013-1-1"])
def test_a_date_as_a_key_is_quoted_as_it_was_written(shipped: Path, written: str) -> None:
    call = shipped / "records/call.yaml"
    text = call.read_text(encoding="utf-8")
    assert '    "2013-01-01": "24"\n' in text
    call.write_text(text.replace('    "2013-01-01": "24"\n', f'    {written}: "24"\n'), encoding="utf-8")
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=shipped)
    [problem] = json.loads(result.stdout)["diagnostics"]
    assert (problem["line"], problem["column"], problem["code"]) == (34, 5, "KOPA204")
    assert problem["message"].endswith(f"not '{written}'")


@pytest.mark.parametrize("output_format", ["table", "md"])
def test_a_name_in_the_records_cannot_forge_fee_lines(output_format: str) -> None:
    """Organisation and pilot names are the records' own text: the fee report shows them escaped."""
    import io

    from rich.console import Console

    from kopa_cli.billing.fees import FeeLine
    from kopa_cli.render import feereport

    name = f"Kajaani\x1b[31m\n{FORGED}\u2028"
    lines = [FeeLine("p", "kajaani", 2020, Decimal("10.00"), Decimal("24"), Decimal("2.40"))]
    report = feereport.Shown(names={"kajaani": name})
    out = io.StringIO()
    if output_format == "md":
        feereport.as_markdown(lines, {"p": f"p – {name}"}, report, out)
    else:
        feereport.as_table(lines, {"p": f"p – {name}"}, report, Console(file=out, width=250, highlight=False))
    text = out.getvalue()
    assert not any(char in text for char in "\x1b\u2028")
    assert not any(line.lstrip("|│ ").startswith("records/") for line in text.splitlines())
    shown_break = "\\n" if output_format == "table" else "\\\\n"  # Markdown escapes the backslash
    assert text.count(shown_break + FORGED) == 3  # the pilot title, its row, the per-member row
