"""kopa invoice on the shipped records, in real git repositories: issue, credit, list, the
ledger's rules against HEAD, and writing under the lock with real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from stdnum import iso11649

from conftest import REPO, copy_shipped_workspace, run_kopa
from kopa_cli.core.identifiers import format_reference, format_rf, is_reference, make_reference, rf_reference
from kopa_cli.load.schema import json_schema

LEDGER = "records/invoices/2020.yaml"
CALL = "records/call.yaml"


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=kopa", "-c", "user.email=kopa@example.invalid", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str = "records") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The shipped records in a git repository of their own, committed."""
    root = copy_shipped_workspace(tmp_path / "ws")
    git(root, "init", "-q")
    commit(root)
    return root


def diagnostics(root: Path) -> list[tuple[str, int, int, str]]:
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=root)
    return [(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]


def ledger_entries(root: Path) -> list[dict]:
    result = run_kopa("invoice", "list", "--format", "json", workspace=root)
    assert result.exit_code == 0
    return json.loads(result.stdout)


def issue(root: Path, *args: str, date: str = "2020-03-02"):
    return run_kopa("--lang", "en", "invoice", "issue", "--year", "2020", "--date", date, *args, workspace=root)


def test_issue_bills_every_share_once_and_a_second_run_changes_nothing(repo: Path) -> None:
    shares = json.loads(run_kopa("fees", "--year", "2020", "--format", "json", workspace=repo).stdout)
    dry = issue(repo, "--dry-run")
    assert dry.exit_code == 0 and not (repo / "records/invoices").exists()
    result = issue(repo)
    assert result.exit_code == 0
    entries = ledger_entries(repo)
    assert len(entries) == len(shares) == 11
    assert dry.stdout.splitlines()[1:] == result.stdout.splitlines()[1:12]  # the same invoices
    assert "Wrote 12 files:" in result.stdout  # a workbook each and the year's summary
    written = sorted(path.name for path in (repo / "out/invoices/2020").iterdir())
    assert written == sorted([f"2020{n:04d}-{e['member']}.xlsx" for n, e in enumerate(entries, 1)] + ["summary-2020.xlsx"])
    assert [e["number"] for e in entries] == [f"2020{n:04d}" for n in range(1, 12)]
    assert {(e["pilot"], e["member"], e["total"]) for e in entries} == {
        (line["pilot"], line["member"], line["gross"]) for line in shares
    }
    first = entries[0]
    assert (first["date"], first["due"], first["reference"], first["status"]) == ("2020-03-02", "2020-03-23", "202000015", "open")
    assert "20200001  kajaani  kainuu-lukiot  €2,066.67" in result.stdout
    assert "2020 00015 (RF72 2020 0001 5)" in result.stdout
    assert run_kopa("validate", "--strict", workspace=repo).exit_code == 0
    commit(repo, "invoices")
    assert run_kopa("validate", "--strict", workspace=repo).exit_code == 0

    before = (repo / LEDGER).read_bytes()
    again = issue(repo)
    assert again.exit_code == 0 and "Nothing to issue" in again.stdout
    assert (repo / LEDGER).read_bytes() == before
    assert git(repo, "status", "--porcelain") == ""
    # written again from the ledger alone, a day later: the same bytes (git sees no change)
    rendered = run_kopa("--lang", "en", "invoice", "render", "--year", "2020", workspace=repo)
    assert rendered.exit_code == 0 and "Wrote 12 files:" in rendered.stdout
    assert git(repo, "status", "--porcelain") == ""


def test_the_issued_ledger_follows_the_json_schema_and_its_references_check(repo: Path) -> None:
    import jsonschema
    from ruamel.yaml import YAML

    assert issue(repo).exit_code == 0
    data = YAML(typ="safe").load((repo / LEDGER).read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), json_schema("invoices"))
    for entry in data:
        assert entry["reference"] == make_reference(entry["number"]) and is_reference(entry["reference"])
        assert iso11649.is_valid(rf_reference(entry["reference"]))


def test_reference_vectors() -> None:
    """domain.md: 123123 -> 1231234; 234823 -> 2348236 -> RF33 2348 236; and stdnum agrees."""
    assert make_reference("123123") == "1231234"
    assert make_reference("234823") == "2348236"
    assert format_rf(rf_reference("2348236")) == "RF33 2348 236"
    assert iso11649.format(rf_reference("2348236")) == "RF33 2348 236"
    assert format_reference(make_reference("20200001")) == "2020 00015"


def test_credit_and_issue_correct_the_shares_after_a_member_leaves(repo: Path) -> None:
    assert issue(repo).exit_code == 0
    commit(repo, "invoices")
    pilot = repo / "records/pilots/kainuu-lukiot.yaml"
    text = pilot.read_text(encoding="utf-8")
    pilot.write_text(text.replace('reference: "§ 31"}', 'reference: "§ 31"}\n    joined: 2021-01-01'), encoding="utf-8")
    found = run_kopa("--lang", "en", "validate", "--format", "json", workspace=repo)
    warnings = [d for d in json.loads(found.stdout)["diagnostics"] if d["code"] in ("KOPA716", "KOPA720")]
    assert [(w["code"], w["message"]) for w in warnings] == [
        ("KOPA716", "invoice 20200001 bills kajaani €2,066.67 for pilot kainuu-lukiot, fee year 2020, but the fee split now gives €3,100.00: "
         "credit invoice 20200001 and issue the corrected share"),
        ("KOPA716", "invoice 20200002 bills sotkamo €2,066.66 for pilot kainuu-lukiot, fee year 2020, but the fee split now gives €3,100.00: "
         "credit invoice 20200002 and issue the corrected share"),
        ("KOPA720", "invoice 20200003 bills kuhmo €2,066.67 for pilot kainuu-lukiot, fee year 2020, but kuhmo no longer has a share "
         "of pilot kainuu-lukiot in fee year 2020: credit invoice 20200003"),
    ]
    # Amounts as staff read them in their language, whatever the ledger file writes ("2066.67")
    finnish = run_kopa("--lang", "fi", "validate", workspace=repo).stdout
    assert "lasku 20200001 laskuttaa jäseneltä kajaani 2\u00a0066,67\u00a0€ pilotista kainuu-lukiot, maksuvuosi 2020, mutta maksun jaon mukainen osuus on nyt 3\u00a0100,00\u00a0€" in finnish
    assert "mutta jäsenellä kuhmo ei ole enää osuutta pilotin kainuu-lukiot maksusta maksuvuonna 2020: hyvitä lasku 20200003\n" in finnish
    swedish = run_kopa("--lang", "sv", "validate", workspace=repo).stdout
    assert "fakturan 20200003 fakturerar kuhmo 2\u00a0066,67\u00a0€ för piloten kainuu-lukiot" in swedish
    assert "men kuhmo har inte längre någon andel av avgiften för piloten kainuu-lukiot för avgiftsåret 2020: kreditera fakturan 20200003\n" in swedish
    assert issue(repo, date="2020-04-15").stdout.startswith("Nothing to issue")  # the shares still have live invoices
    for number in ("20200001", "20200002", "20200003"):
        credited = run_kopa("--lang", "en", "invoice", "credit", number, "--reason", "Kuhmo joins in 2021", "--date", "2020-04-15", workspace=repo)
        assert credited.exit_code == 0
    reissued = issue(repo, date="2020-04-15")
    assert reissued.exit_code == 0 and "Issued 2 invoices" in reissued.stdout
    entries = ledger_entries(repo)
    assert [(e["number"], e["kind"], e["status"], e["member"], e["total"], e["credits"]) for e in entries[11:]] == [
        ("20200012", "credit_note", "credit_note", "kajaani", "-2066.67", "20200001"),
        ("20200013", "credit_note", "credit_note", "sotkamo", "-2066.66", "20200002"),
        ("20200014", "credit_note", "credit_note", "kuhmo", "-2066.67", "20200003"),
        ("20200015", "invoice", "open", "kajaani", "3100.00", ""),
        ("20200016", "invoice", "open", "sotkamo", "3100.00", ""),
    ]
    assert [e["status"] for e in entries[:3]] == ["credited"] * 3
    assert diagnostics(repo) == []
    commit(repo, "corrected")
    assert run_kopa("validate", "--strict", workspace=repo).exit_code == 0
    again = run_kopa("--lang", "en", "invoice", "credit", "20200001", workspace=repo)
    assert again.exit_code == 2 and "already wholly credited (by 20200012)" in again.stderr
    note = run_kopa("--lang", "en", "invoice", "credit", "20200012", workspace=repo)
    assert note.exit_code == 2 and "20200012 is a credit note" in note.stderr
    unknown = run_kopa("--lang", "en", "invoice", "credit", "20209999", workspace=repo)
    assert unknown.exit_code == 2 and "no invoice 20209999" in unknown.stderr


def _entry_lines(root: Path, number: str) -> tuple[int, list[str]]:
    """The 1-based first line of the entry ``number`` and the ledger's lines."""
    lines = (root / LEDGER).read_text(encoding="utf-8").splitlines(keepends=True)
    return lines.index(f'- number: "{number}"\n') + 1, lines


def test_a_committed_entry_edited_by_hand_is_a_located_error(repo: Path) -> None:
    assert issue(repo).exit_code == 0
    commit(repo, "invoices")
    original = (repo / LEDGER).read_text(encoding="utf-8")

    start, lines = _entry_lines(repo, "20200002")
    assert lines[start + 6] == '  net: "1666.66"\n'
    (repo / LEDGER).write_text(original.replace('  net: "1666.66"\n', '  net: "1600.00"\n'), encoding="utf-8")
    found = diagnostics(repo)
    assert (LEDGER, start + 7, 8, "KOPA718") in found  # at the changed amount
    assert (LEDGER, start + 7, 8, "KOPA709") in found or (LEDGER, start + 10, 10, "KOPA708") in found

    (repo / LEDGER).write_text(original.replace('- number: "20200002"', '- number: "20200022"'), encoding="utf-8")
    found = diagnostics(repo)
    assert (LEDGER, start, 11, "KOPA704") in found and (LEDGER, start + 11, 14, "KOPA706") in found
    assert any(code == "KOPA719" for *_, code in found)

    third, _ = _entry_lines(repo, "20200003")
    (repo / LEDGER).write_text("".join(lines[: start - 1] + lines[third - 1:]), encoding="utf-8")
    found = diagnostics(repo)
    assert (LEDGER, start, 11, "KOPA704") in found  # 20200003 is now where 20200002 was
    assert (LEDGER, start, 3, "KOPA719") in found

    (repo / LEDGER).write_text(original, encoding="utf-8")
    assert diagnostics(repo) == []
    # the report cache knows HEAD: after committing the edit there is nothing to compare
    (repo / LEDGER).write_text(original.replace('  net: "1666.66"\n', '  net: "1600.00"\n'), encoding="utf-8")
    assert any(code == "KOPA718" for *_, code in diagnostics(repo))
    commit(repo, "edited")
    assert not any(code == "KOPA718" for *_, code in diagnostics(repo))


def test_issue_refuses_bad_years_dates_and_records(repo: Path) -> None:
    year = run_kopa("--lang", "en", "invoice", "issue", "--year", "2019", workspace=repo)
    assert year.exit_code == 2 and "2019 is not a fee year of the call; its fee years are 2020, 2021" in year.stderr
    bad_date = run_kopa("--lang", "en", "invoice", "issue", "--year", "2020", "--date", "2.3.2020", workspace=repo)
    assert bad_date.exit_code == 2 and "'2.3.2020' is not a date like 2020-03-02: write it as 2020-03-02" in bad_date.stderr
    finnish = run_kopa("invoice", "issue", "--year", "2020", "--date", "15.03.2020", workspace=repo)
    assert finnish.exit_code == 2 and "'15.03.2020' ei ole päivämäärä muotoa 2020-03-02: kirjoita se muodossa 2020-03-15" in finnish.stderr
    swedish = run_kopa("--lang", "sv", "invoice", "issue", "--year", "2020", "--date", "2.3.2020", workspace=repo)
    assert swedish.exit_code == 2 and "skriv det som 2020-03-02" in swedish.stderr
    no_day = run_kopa("--lang", "en", "invoice", "issue", "--year", "2020", "--date", "30.2.2020", workspace=repo)
    assert no_day.exit_code == 2 and "'30.2.2020' is not a date like 2020-03-02\n" in no_day.stderr
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    early = issue(repo, date="2020-03-01")
    assert early.exit_code == 2 and "2020-03-01 is before the last entry" in early.stderr
    unknown = issue(repo, "--pilot", "kainuu-lukio")
    assert unknown.exit_code == 2 and "did you mean 'kainuu-lukiot'" in unknown.stderr
    (repo / "records/organizations/kajaani.yaml").write_text("name: Kajaani\n", encoding="utf-8")
    before = (repo / LEDGER).read_bytes()
    refused = issue(repo)
    assert refused.exit_code == 1 and "KOPA202" in refused.stderr and "before issuing invoices" in refused.stderr
    assert (repo / LEDGER).read_bytes() == before


def test_new_entries_are_appended_after_comments_byte_for_byte(repo: Path) -> None:
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    ledger = repo / LEDGER
    kept = ledger.read_bytes().replace(b"- number: \"20200002\"", b"# hand-written note\n- number: \"20200002\"") + b"# the end\n"
    ledger.write_bytes(kept)
    assert issue(repo).exit_code == 0
    assert ledger.read_bytes().startswith(kept)
    assert len(ledger_entries(repo)) == 11

    ledger.write_bytes(b"[]\n")
    refused = issue(repo)
    assert refused.exit_code == 1 and "cannot be appended" in refused.stderr
    assert ledger.read_bytes() == b"[]\n"


def test_list_shows_every_entry_with_its_status(repo: Path) -> None:
    assert issue(repo).exit_code == 0
    assert run_kopa("invoice", "credit", "20200004", "--date", "2020-03-02", workspace=repo).exit_code == 0
    table = run_kopa("--lang", "en", "invoice", "list", workspace=repo)
    assert table.exit_code == 0 and "credit note → 20200004" in table.stdout and "credited" in table.stdout
    csv_text = run_kopa("invoice", "list", "--year", "2020", "--format", "csv", workspace=repo).stdout
    assert csv_text.splitlines()[0] == "number,kind,status,date,due,fee_year,pilot,member,buyer,net,vat_rate,vat,total,reference,credits"
    assert len(csv_text.splitlines()) == 13
    assert json.loads(run_kopa("invoice", "list", "--year", "2021", "--format", "json", workspace=repo).stdout) == []


# Real processes: the lock and the atomic replace

KOPA = [sys.executable, "-m", "kopa_cli"]


def test_two_concurrent_issues_never_share_a_number(repo: Path) -> None:
    env = {**os.environ, "KOPA_LANG": "en"}
    runs = [
        subprocess.Popen([*KOPA, "-w", str(repo), "invoice", "issue", "--year", "2020", "--date", "2020-03-02", "--pilot", pilot],
                         cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for pilot in ("kainuu-lukiot", "sydosterbotten-utbildning", "ylakainuu-kylakoulut")
    ]
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    entries = ledger_entries(repo)
    assert [e["number"] for e in entries] == [f"2020{n:04d}" for n in range(1, 12)]
    assert {e["pilot"] for e in entries} == {"kainuu-lukiot", "sydosterbotten-utbildning", "ylakainuu-kylakoulut"}
    assert diagnostics(repo) == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_an_issue_killed_between_writing_and_renaming_leaves_the_old_ledger(repo: Path) -> None:
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    old = (repo / LEDGER).read_bytes()
    script = textwrap.dedent("""
        import os, sys, time
        rename = os.replace
        def stall(source, target):  # the ledger's rename only (the cache is written the same way)
            if str(target).endswith("2020.yaml"):
                print("written", flush=True)
                time.sleep(60)
            rename(source, target)
        os.replace = stall
        sys.argv = ["kopa", *sys.argv[1:]]
        from kopa_cli.cli import main
        main()
    """)
    process = subprocess.Popen([sys.executable, "-c", script, "-w", str(repo), "invoice", "issue", "--year", "2020", "--date", "2020-03-02"],
                               cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "written"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert (repo / LEDGER).read_bytes() == old
    (left,) = (repo / "records/invoices").glob(".2020.yaml.*.tmp")  # the new ledger was whole, on disk
    assert left.read_bytes().startswith(old) and left.read_bytes().count(b"- number:") == 11
    assert diagnostics(repo) == []  # the temporary file left beside it is hidden, and no record
    assert issue(repo).exit_code == 0 and len(ledger_entries(repo)) == 11


def test_render_writes_the_chosen_invoices_again_with_finvoice_messages_valid_against_the_schema(repo: Path, tmp_path: Path) -> None:
    from lxml import etree

    from test_finvoice import SCHEMA

    assert issue(repo).exit_code == 0
    out = tmp_path / "again"
    result = run_kopa("--lang", "en", "invoice", "render", "20200003", "20200001", "20200003", "--out", str(out), "--finvoice", workspace=repo)
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "20200001-kajaani.xlsx", "20200001-kajaani.xml", "20200003-kuhmo.xlsx", "20200003-kuhmo.xml", "summary-2020.xlsx",
    ]
    for name in ("20200001-kajaani", "20200003-kuhmo"):  # the same bytes as when issued
        assert (out / f"{name}.xlsx").read_bytes() == (repo / "out/invoices/2020" / f"{name}.xlsx").read_bytes()
    if SCHEMA.is_file() or os.environ.get("CI"):
        schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
        for message in out.glob("*.xml"):
            schema.assertValid(etree.parse(str(message)))
    for args, code, words in (
        ((), 2, "name the invoices to write"),
        (("20209999",), 2, "20209999"),
        (("--year", "2019"), 2, "2019"),
    ):
        failed = run_kopa("--lang", "en", "invoice", "render", *args, workspace=repo)
        assert failed.exit_code == code and words in failed.stderr, args


def test_list_writes_the_ledger_as_a_workbook(repo: Path) -> None:
    from openpyxl import load_workbook

    assert issue(repo).exit_code == 0
    result = run_kopa("--lang", "en", "invoice", "list", "--year", "2020", "--format", "xlsx", workspace=repo)
    assert result.exit_code == 0
    sheet = load_workbook(repo / "out/invoices/ledger-2020.xlsx").active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] and str(row[0]).isdigit()]
    assert numbers == [f"2020{n:04d}" for n in range(1, 12)]
    assert run_kopa("invoice", "list", "--format", "csv", "--out", "x.xlsx", workspace=repo).exit_code == 2


def test_committed_ledgers_are_compared_only_when_more_than_appended_to() -> None:
    from kopa_cli.load.gitsource import _appended_to

    committed = b'- number: "20200001"\n  kind: invoice\n'
    assert _appended_to(committed, committed)
    assert _appended_to(committed, committed + b'- number: "20200002"\n')
    assert _appended_to(committed, committed + b"# a comment\n- number: x\n")
    assert _appended_to(b"", b'- number: "20200001"\n')
    assert not _appended_to(committed, committed + b"  reason: changed\n")  # adds a key to the last entry
    assert _appended_to(committed, committed + b"\n# a comment\r\n\n- number: x\n")
    assert _appended_to(committed, committed + b"# only a comment")
    assert not _appended_to(committed, committed + b"# a comment\n  reason: changed\n")
    assert not _appended_to(committed, committed + b"-number: x\n")
    assert not _appended_to(committed, committed + b"  # indented: may be a block scalar's line\n- number: x\n")
    kept = committed + b"  reason: |+\n    text\n"
    assert not _appended_to(kept, kept + b"\n- number: x\n")  # the empty line is the reason's
    assert _appended_to(kept, kept + b"- number: x\n")
    assert not _appended_to(committed.rstrip(), committed.rstrip() + b'- number: "20200002"\n')
    assert not _appended_to(committed, committed.replace(b"invoice", b"credit_note"))
    assert not _appended_to(committed, None)


@pytest.mark.parametrize("added", ['  reason: "changed after commit"\n', '# note\n  reason: "changed after commit"\n',
                                   '\n# note\n\n  reason: "changed after commit"\n'])
def test_text_added_after_the_committed_ledger_that_changes_its_last_entry_is_an_error(repo: Path, added: str) -> None:
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    ledger = repo / LEDGER
    text = ledger.read_text(encoding="utf-8")
    last = text.rindex("  reason: null\n")
    ledger.write_text(text[:last] + text[last:].replace("  reason: null\n", ""), encoding="utf-8")  # written by hand
    assert diagnostics(repo) == []
    commit(repo, "invoices")
    ledger.write_text(ledger.read_text(encoding="utf-8") + added, encoding="utf-8")
    assert "KOPA718" in {code for *_, code in diagnostics(repo)}  # the committed entry changed


@pytest.mark.parametrize(("lang", "key", "value", "label", "wrong"), [
    ("fi", "reference", '"202000016"', "viitenumero", "pykälä"),
    ("sv", "reference", '"202000016"', "referensnummer", "paragraf"),
    ("fi", "vat", '"abc"', "arvonlisävero", "alv-kannat"),
    ("sv", "vat", '"abc"', "momsbelopp", "momssatser"),
])
def test_a_bad_ledger_value_names_the_ledger_field_not_a_field_of_another_record(
        repo: Path, lang: str, key: str, value: str, label: str, wrong: str) -> None:
    # "reference" is a section of the minutes in a pilot and "vat" the VAT rates of the call:
    # in the ledger they are the viitenumero and the VAT amount
    assert issue(repo).exit_code == 0
    text = (repo / LEDGER).read_text(encoding="utf-8")
    start, lines = _entry_lines(repo, "20200001")
    line = next(i for i in range(start - 1, len(lines)) if lines[i].startswith(f"  {key}: "))
    lines[line] = f"  {key}: {value}\n"
    (repo / LEDGER).write_text("".join(lines), encoding="utf-8")
    assert text != (repo / LEDGER).read_text(encoding="utf-8")
    result = run_kopa("--lang", lang, "validate", workspace=repo)
    assert result.exit_code == 1
    message = next(row for row in result.stdout.splitlines() if row.startswith(f"{LEDGER}:{line + 1}:"))
    assert label in message.lower() and wrong not in message.lower(), message


def test_a_failing_workspace_template_leaves_the_ledger_as_it_was(repo: Path) -> None:
    import openpyxl

    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    commit(repo, "invoices")
    before = (repo / LEDGER).read_bytes()
    template = openpyxl.load_workbook(REPO / "templates" / "invoice.xlsx")
    template.active["A1"] = "{{ nosuch.thing }}"
    (repo / "templates").mkdir(exist_ok=True)
    template.save(repo / "templates" / "invoice.xlsx")

    for result in (issue(repo), run_kopa("--lang", "en", "invoice", "credit", "20200001", "--date", "2020-03-02", workspace=repo)):
        assert result.exit_code == 1, result.output
        assert "templates/invoice.xlsx!Invoice!A1" in result.output and "Traceback" not in result.output
        assert (repo / LEDGER).read_bytes() == before  # nothing issued, nothing credited
    assert not list((repo / "out").glob("invoices/2020/20200004-*"))

    (repo / "templates" / "invoice.xlsx").unlink()
    result = issue(repo)
    assert result.exit_code == 0 and (repo / "out" / "invoices" / "2020" / "20200004-narpes.xlsx").exists()


@pytest.mark.parametrize(("bom", "newline"), [(b"\xef\xbb\xbf", b"\n"), (b"", b"\r\n"), (b"\xef\xbb\xbf", b"\r\n")])
def test_appending_keeps_a_ledger_saved_on_windows_byte_for_byte(repo: Path, bom: bytes, newline: bytes) -> None:
    # an editor on Windows saves with CRLF line endings and maybe a byte-order mark
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    ledger = repo / LEDGER
    kept = bom + ledger.read_bytes().replace(b"\n", newline)
    ledger.write_bytes(kept)
    commit(repo, "saved on Windows")
    assert diagnostics(repo) == []

    assert issue(repo).exit_code == 0
    data = ledger.read_bytes()
    assert data.startswith(kept) and data.count(b"\n") == data.count(newline)
    assert len(ledger_entries(repo)) == 11 and diagnostics(repo) == []


def test_a_ledger_held_by_another_run_is_named_in_the_message(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    from filelock import FileLock

    from kopa_cli.core import files

    monkeypatch.setattr(files, "lock", functools.partial(files.lock, timeout=0.2))
    monkeypatch.chdir(repo)
    (repo / "records" / "invoices").mkdir(parents=True, exist_ok=True)
    with FileLock(str(repo / "records" / "invoices" / ".2020.yaml.lock")):
        for lang, said in (("fi", "tiedostoa records/invoices/2020.yaml;"), ("sv", "filen records/invoices/2020.yaml;")):
            result = run_kopa("--lang", lang, "invoice", "issue", "--year", "2020", "--date", "2020-03-02", workspace=repo)
            assert result.exit_code == 2 and said in result.stderr and "0.2" in result.stderr.replace(",", "."), result.stderr
    assert not (repo / LEDGER).exists()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_ledger_that_cannot_be_read_is_named_not_taken_for_an_empty_one(repo: Path, lang: str) -> None:
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    with (repo / LEDGER).open("a", encoding="utf-8") as ledger:
        ledger.write("- number: [\n")  # a YAML syntax error: not one entry can be read
    for args in (("invoice", "list"), ("invoice", "list", "--format", "json"), ("invoice", "credit", "20200001")):
        result = run_kopa("--lang", lang, *args, workspace=repo)
        assert result.exit_code == 1, result.output
        assert f"{LEDGER}:" in result.stderr and "Traceback" not in result.output
        assert "20200001" not in result.stdout and "KOPA1" in result.stderr  # located, not "no invoice 20200001"


def test_a_share_of_nothing_is_not_billed_and_a_fee_of_nothing_is_an_error(repo: Path) -> None:
    call = repo / "records/call.yaml"
    text = call.read_text(encoding="utf-8")
    call.write_text(text.replace('annual: "5000.00"', 'annual: "0.00"'), encoding="utf-8")
    assert (CALL, 28, 11, "KOPA212") in diagnostics(repo)
    assert issue(repo).exit_code == 1 and not (repo / LEDGER).exists()

    call.write_text(text.replace('annual: "5000.00"', 'annual: "0.01"'), encoding="utf-8")  # 0.01, 0.00, 0.00 among three
    result = issue(repo, "--pilot", "kainuu-lukiot")
    assert result.exit_code == 0 and "Issued 1 invoice" in result.stdout
    assert "No invoice for the share of sotkamo in pilot kainuu-lukiot, fee year 2020: it is €0.00." in result.stdout
    assert [(e["member"], e["total"]) for e in ledger_entries(repo)] == [("kajaani", "0.01")]
    assert diagnostics(repo) == []
    assert issue(repo, "--pilot", "kainuu-lukiot").stdout.splitlines()[-1].startswith("Nothing to issue")


def test_when_the_files_fail_after_the_ledger_is_written_the_user_learns_how_to_write_them(repo: Path, tmp_path: Path) -> None:
    no_soffice = {"PATH": str(tmp_path / "empty")}  # LibreOffice missing: the PDF fails after the ledger is written
    issued = run_kopa("--lang", "en", "invoice", "issue", "--year", "2020", "--date", "2020-03-02", "--pilot", "kainuu-lukiot",
                      "--pdf", "--finvoice", workspace=repo, env=no_soffice)
    assert issued.exit_code != 0 and len(ledger_entries(repo)) == 3
    assert ("The invoices 20200001–20200003 are recorded in records/invoices/2020.yaml; write their files with: "
            "kopa invoice render --year 2020 --pdf --finvoice") in issued.stderr
    credited = run_kopa("--lang", "en", "invoice", "credit", "20200002", "--date", "2020-03-02", "--pdf", "--out", str(tmp_path / "my files"),
                        workspace=repo, env=no_soffice)
    assert credited.exit_code != 0 and len(ledger_entries(repo)) == 4
    assert ("The credit note 20200004 is recorded in records/invoices/2020.yaml; write its files with: "
            f"kopa invoice render 20200004 --out '{tmp_path / 'my files'}' --pdf") in credited.stderr
    fi = run_kopa("invoice", "credit", "20200003", "--date", "2020-03-02", "--pdf", workspace=repo, env=no_soffice)
    assert fi.exit_code != 0 and "reskontraan records/invoices/2020.yaml" in fi.stderr.replace("\n", " ")


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+358 Oy", "-1+1", "@SUM(A1)"])  # a tab or CR cannot be in a name (KOPA215)
def test_the_csv_list_keeps_a_buyer_name_that_looks_like_a_formula_text(repo: Path, name: str) -> None:
    import csv

    organization = repo / "records/organizations/kajaani.yaml"
    organization.write_text(organization.read_text(encoding="utf-8").replace(
        "name: Kajaanin kaupunki", f"name: {json.dumps(name)}"), encoding="utf-8")
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    assert run_kopa("invoice", "credit", "20200001", "--date", "2020-03-02", workspace=repo).exit_code == 0
    listed = run_kopa("invoice", "list", "--format", "csv", workspace=repo)
    rows = list(csv.DictReader(listed.stdout.splitlines()))
    assert [(row["buyer"], row["total"]) for row in rows if row["member"] == "kajaani"] == [("'" + name, "2066.67"), ("'" + name, "-2066.67")]
    assert [row["buyer"] for row in rows if row["member"] == "kuhmo"] == ["Kuhmon kaupunki"]
    assert [entry["buyer"] for entry in ledger_entries(repo) if entry["member"] == "kajaani"] == [name, name]  # JSON: as it is


def test_credit_dry_run_shows_the_credit_note_and_writes_nothing(repo: Path) -> None:
    assert issue(repo, "--pilot", "kainuu-lukiot").exit_code == 0
    lock = repo / "records/invoices/.2020.yaml.lock"
    lock.unlink(missing_ok=True)  # left by issue
    commit(repo, "invoices")
    dry = run_kopa("--lang", "en", "invoice", "credit", "20200002", "--reason", "left", "--date", "2020-04-15", "--dry-run", workspace=repo)
    assert dry.exit_code == 0
    assert dry.stdout.splitlines()[0] == "Would credit invoice 20200002 with credit note 20200004 (--dry-run: nothing written):"
    assert git(repo, "status", "--porcelain") == ""  # the ledger as committed
    assert not lock.exists()
    credited = run_kopa("--lang", "en", "invoice", "credit", "20200002", "--reason", "left", "--date", "2020-04-15", workspace=repo)
    assert credited.exit_code == 0 and credited.stdout.splitlines()[1] == dry.stdout.splitlines()[1]  # the same credit note
    assert [e["number"] for e in ledger_entries(repo)] == ["20200001", "20200002", "20200003", "20200004"]
def test_ledger_messages_show_amounts_as_staff_read_them_and_how_to_see_the_committed_entry(repo: Path) -> None:
    """The ledger writes "1666.66"; messages say 1 666,66 € (fi, sv) or €1,666.66 (en), and
    KOPA718 names the command that shows the committed ledger."""
    assert issue(repo).exit_code == 0
    commit(repo, "invoices")
    original = (repo / LEDGER).read_text(encoding="utf-8")
    (repo / LEDGER).write_text(original.replace('  net: "1666.66"\n', '  net: "1600.00"\n'), encoding="utf-8")
    shown = {lang: run_kopa("--lang", lang, "validate", workspace=repo).stdout for lang in ("fi", "sv", "en")}
    assert "KOPA709 alv on 400,00\u00a0€, mutta verottoman summan 1\u00a0600,00\u00a0€" in shown["fi"]
    assert "KOPA708 yhteensä on 2\u00a0066,66\u00a0€, mutta veroton 1\u00a0600,00\u00a0€ + alv 400,00\u00a0€ on 2\u00a0000,00\u00a0€" in shown["fi"]
    assert "KOPA708 totalt är 2\u00a0066,66\u00a0€, men exkl. moms 1\u00a0600,00\u00a0€ + moms 400,00\u00a0€ är 2\u00a0000,00\u00a0€" in shown["sv"]
    assert "KOPA708 the total is €2,066.66, but net €1,600.00 + VAT €400.00 is €2,000.00" in shown["en"]
    assert "1600.00" not in shown["fi"] + shown["sv"] + shown["en"]
    assert ("palauta merkintä tallennetun version mukaiseksi (komento git show HEAD:records/invoices/2020.yaml näyttää sen)"
            in shown["fi"])
    assert "(kommandot git show HEAD:records/invoices/2020.yaml visar den)" in shown["sv"]
    assert "restore the entry as it was committed (git show HEAD:records/invoices/2020.yaml shows it)" in shown["en"]


def test_reports_and_status_see_a_committed_invoice_changed_as_validate_does(repo: Path) -> None:
    assert issue(repo).exit_code == 0
    commit(repo, "invoices")
    assert run_kopa("report", "fees", workspace=repo).exit_code == 0  # cached as clean
    ledger = repo / LEDGER
    ledger.write_text(ledger.read_text(encoding="utf-8").replace('name: "Kajaanin kaupunki"', 'name: "Kajaanin kaupunki Oy"', 1), encoding="utf-8")
    refused = run_kopa("--lang", "en", "report", "fees", workspace=repo)
    assert refused.exit_code == 1 and "KOPA718" in refused.stderr
    status = run_kopa("--lang", "en", "status", workspace=repo)
    assert status.stdout.rstrip().endswith("Next: kopa validate")
