"""The command line people expect: global options anywhere, help and usage errors in the user's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, run_kopa

# click's English texts that must not leak into a Finnish or Swedish help page or usage error.
ENGLISH = ("Usage:", "Options", "Commands", "Arguments", "Show this message", "Try '", "Error:", "No such",
           "Missing", "Invalid value", "required", "[OPTIONS]")


def no_english(text: str) -> None:
    leaked = [word for word in ENGLISH if word in text]
    assert not leaked, f"English in a translated text: {leaked}"


# --- global options after the command ---------------------------------------------------------


def test_lang_after_the_command(tmp_path: Path) -> None:
    result = run_kopa("validate", "--lang", "en", "--workspace", str(REPO))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith("Checked ")  # English, not "Tarkistettu"
    nowhere = tmp_path / "empty"
    nowhere.mkdir()
    result = run_kopa("validate", "--lang", "en", "--workspace", str(nowhere))
    assert result.exit_code == 2
    assert "is not a kopa workspace" in result.stderr


@pytest.mark.parametrize("option", ["-w", "--workspace"])
def test_workspace_after_the_command(option: str) -> None:
    result = run_kopa("fees", option, str(REPO), "--format", "json")
    assert result.exit_code == 0
    assert '"pilot": "kainuu-lukiot"' in result.stdout


def test_the_option_after_the_command_wins(tmp_path: Path) -> None:
    result = run_kopa("--lang", "fi", "-w", str(tmp_path), "fees", "--lang", "en", "-w", str(REPO), "--year", "2022")
    assert result.exit_code == 2
    assert result.stderr == "kopa: 2022 is not a fee year of any pilot; the fee years are 2020, 2021\n"


def test_new_takes_the_global_options_too(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert run_kopa("init", str(workspace), "--lang", "en").exit_code == 0
    result = run_kopa("new", "organization", "paltamo", "-w", str(workspace), "--lang", "en")
    assert result.exit_code == 0
    assert (workspace / "records/organizations/paltamo.yaml").is_file()


@pytest.mark.parametrize("command", [["validate"], ["fees"], ["init"], ["new", "organization", "x"]])
def test_version_after_the_command(command: list[str]) -> None:
    result = run_kopa(*command, "--version")
    assert (result.exit_code, result.stdout) == (0, run_kopa("--version").stdout)


@pytest.mark.parametrize("where", ["before", "after"])
def test_init_makes_the_workspace_given_by_the_workspace_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               where: str) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["-w", "ws", "init"] if where == "before" else ["init", "-w", "ws"]
    assert run_kopa(*args).exit_code == 0
    assert (tmp_path / "ws/records/call.yaml").is_file() and not (tmp_path / "records").exists()


def test_init_refuses_two_different_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_kopa("--lang", "en", "init", "a", "-w", "b")
    assert result.exit_code == 2
    assert result.stderr == "kopa: two folders for the new workspace: a and --workspace b; give one\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("value", "said"), [("de", "de"), ("EN", "EN"), ("english", "english"), ("x\nkopa: forged", "x\\nkopa: forged")])
def test_an_unknown_kopa_lang_is_a_warning_not_a_silent_fallback(value: str, said: str) -> None:
    result = run_kopa("fees", "--year", "2022", workspace=REPO, env={"KOPA_LANG": value})
    assert result.exit_code == 2  # the command's own verdict, unchanged
    warning, message = result.stderr.splitlines()
    assert warning == (f"kopa: varoitus: KOPA_LANG={said} ei ole kopan tuntema kieli, joten asetus jätetään huomiotta; "
                       "kirjoita fi, sv tai en.")
    assert message.startswith("kopa: 2022 ei ole minkään pilotin maksuvuosi")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["new", "organization", "x\nrecords/call.yaml:1:1: error"], "'x\\nrecords/call.yaml:1:1: error' is not a valid id"),
        (["validate", "nope\nkopa: forged"], "nope\\nkopa: forged: no such file or folder"),
        (["fees", "--pilot", "kainuu-lukiot\n"], "no pilot 'kainuu-lukiot\\n' in records/pilots/"),
    ],
)
def test_values_typed_on_the_command_line_are_shown_escaped_in_errors(shipped: Path, args: list[str], said: str) -> None:
    result = run_kopa("--lang", "en", *args, workspace=shipped)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert said in result.stderr


def test_lang_wins_over_an_unknown_kopa_lang_without_a_warning() -> None:
    result = run_kopa("fees", "--lang", "en", "--year", "2022", workspace=REPO, env={"KOPA_LANG": "de"})
    assert result.stderr == "kopa: 2022 is not a fee year of any pilot; the fee years are 2020, 2021\n"


# --- help pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["validate"], ["fees"], ["init"], ["new"]])
def test_help_is_finnish_by_default(command: list[str]) -> None:
    result = run_kopa(*command, "--help")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"Käyttö: kopa {' '.join(command)}".rstrip() + " [VALITSIMET]")
    assert "--help" in out and "Näytä tämä ohje ja lopeta." in out
    assert "Valitsimet:" in out
    no_english(out)


def test_help_lists_the_commands_and_global_options_in_finnish() -> None:
    out = run_kopa("--help").stdout
    assert "Komennot:" in out and re.search(r"\n  validate +Tarkista, että jokainen asiakirja on haun ehtojen", out)
    fees = run_kopa("fees", "--help").stdout
    assert "Vain tämä maksuvuosi." in fees
    assert "-w, --workspace" in fees and "--lang" in fees  # the global options, after the command too


def test_new_help_marks_its_arguments_required() -> None:
    out = run_kopa("new", "--help").stdout
    assert "Argumentit:" in out
    assert "[pakollinen]" in out


@pytest.mark.parametrize(
    ("args", "usage", "text"),
    [
        (["--lang", "en", "--help"], "Usage: kopa [OPTIONS] COMMAND [ARGS]...", "Show this message and exit."),
        (["validate", "--help", "--lang", "en"], "Usage: kopa validate [OPTIONS]", "Fail on warnings too."),
        (["--lang=sv", "fees", "--help"], "Användning: kopa fees [ALTERNATIV]", "Endast detta avgiftsår."),
    ],
)
def test_help_follows_lang_wherever_it_is(args: list[str], usage: str, text: str) -> None:
    result = run_kopa(*args)
    assert result.exit_code == 0
    assert result.stdout.startswith(usage)
    assert text in result.stdout


def test_help_follows_kopa_lang() -> None:
    out = run_kopa("--help", env={"KOPA_LANG": "sv"}).stdout
    assert out.startswith("Användning: kopa [ALTERNATIV] KOMMANDO [ARGUMENT]...")
    assert "Visa denna hjälp och avsluta." in out


@pytest.mark.parametrize(
    ("command", "finnish", "swedish"),
    [("validate", "[TIEDOSTO]...", "[FIL]..."), ("init", "[KANSIO]", "[MAPP]"), ("new", "{LAJI} {TUNNUS}", "{TYP} {ID}")],
)
def test_the_arguments_are_named_in_the_users_language(command: str, finnish: str, swedish: str) -> None:
    for lang, usage in (("fi", f"Käyttö: kopa {command} [VALITSIMET] {finnish}\n"),
                        ("sv", f"Användning: kopa {command} [ALTERNATIV] {swedish}\n")):
        assert run_kopa("--lang", lang, command, "--help").stdout.startswith(usage)


def test_option_values_are_named_in_the_users_language() -> None:
    finnish = run_kopa("fees", "--help").stdout
    assert "--year <vuosi>" in finnish and "--pilot <tunnus>" in finnish and "-w, --workspace <kansio>" in finnish
    assert "<str>" not in finnish and "<int>" not in finnish and "<path>" not in finnish
    assert "--compare <version>" in run_kopa("--lang", "sv", "fees", "--help").stdout


def test_kopa_alone_shows_the_help() -> None:
    result = run_kopa()
    assert result.stdout.startswith("Käyttö: kopa [VALITSIMET] KOMENTO [ARGUMENTIT]...")
    no_english(result.stdout)


# --- usage errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "finnish", "english"),
    [
        (["fees", "--fromat", "md"], "Tuntematon valitsin: --fromat. Tarkoititko --format, --out?",
         "No such option: --fromat. Did you mean --format, --out?"),
        (["validate", "--bogus"], "Tuntematon valitsin: --bogus.", "No such option: --bogus."),
        (["new"], "Argumentti 'LAJI' puuttuu.", "Missing argument 'KIND'."),
        (["new", "pilot"], "Argumentti 'TUNNUS' puuttuu.", "Missing argument 'ID'."),
        (["new", "pilotti", "x"], "Virheellinen tieto kohdassa 'LAJI': valitse jokin näistä: organization, application, pilot.",
         "Invalid value for 'KIND': choose one of organization, application, pilot."),
        (["fees", "--year", "2020x"], "Virheellinen tieto kohdassa '--year': tiedon pitää olla kokonaisluku, esimerkiksi 2021.",
         "Invalid value for '--year': it must be a whole number, like 2021."),
        (["fees", "--format", "ods"], "Virheellinen tieto kohdassa '--format' / '-f': valitse jokin näistä: table, csv, json, md, xlsx.",
         "Invalid value for '--format' / '-f': choose one of table, csv, json, md, xlsx."),
        (["new", "pilot", "a", "b"], "Ylimääräinen argumentti: b", "Unexpected extra argument: b"),
        (["fees", "x", "y"], "Ylimääräisiä argumentteja: x y", "Unexpected extra arguments: x y"),
        (["vaildate"], "Komentoa 'vaildate' ei ole. Tarkoititko 'validate'?",
         "No such command 'vaildate'. Did you mean 'validate'?"),
        (["fees", "--pilot"], "Valitsimen --pilot jälkeen puuttuu tieto.", "The option --pilot needs a value."),
        (["validate", "--strict=yes"], "Valitsimen --strict jälkeen ei kirjoiteta tietoa.",
         "The option --strict takes no value."),
        (["--lang", "de", "validate"], "Virheellinen tieto kohdassa '--lang': valitse jokin näistä: fi, sv, en.",
         "Invalid value for '--lang': choose one of fi, sv, en."),
        (["--workspace", "."], "Komento puuttuu.", "Missing command."),
    ],
)
def test_usage_errors_speak_the_chosen_language(args: list[str], finnish: str, english: str) -> None:
    result = run_kopa(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(f"Virhe: {finnish}\n")
    no_english(result.stderr)
    in_english = run_kopa("--lang", "en", *args)
    assert in_english.exit_code == 2
    assert in_english.stderr.endswith(f"Error: {english}\n")


def test_a_usage_error_shows_the_usage_and_where_help_is() -> None:
    result = run_kopa("fees", "--fromat", "md")
    assert result.stderr == (
        "Käyttö: kopa fees [VALITSIMET]\n"
        "Ohjeet saa komennolla 'kopa fees --help'.\n"
        "\n"
        "Virhe: Tuntematon valitsin: --fromat. Tarkoititko --format, --out?\n"
    )


@pytest.mark.parametrize("year", ["２０２０", "2020 ", " 2020", "2_020", "+2020", "٢٠٢٠"])
def test_a_year_on_the_command_line_is_ascii_digits_only(year: str) -> None:
    result = run_kopa("--lang", "en", "fees", "--year", year, workspace=REPO)
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Invalid value for '--year': it must be a whole number, like 2021.\n")


def test_every_numeric_option_takes_ascii_digits_only() -> None:
    import typer.main

    from kopa_cli.cli import app
    from kopa_cli.commands.usage import WholeNumber

    group = typer.main.get_command(app)
    params = [param for command in [group, *group.commands.values()] for param in command.params]
    numeric = [param.name for param in params if param.type.name in ("integer", "float") or "Int" in type(param.type).__name__]
    assert numeric and all(isinstance(param.type, WholeNumber) for param in params if param.name in numeric)


def test_help_names_things_as_users_know_them() -> None:
    page = " ".join(run_kopa("--lang", "en", "fees", "--help", env={"COLUMNS": "400"}).stdout.split())
    assert "to the current files" in page and "working tree" not in page
    assert "Reuse the results of files that have not changed" in page and "parsed" not in page


def test_new_lists_each_kind_once_and_takes_the_british_spelling(tmp_path: Path) -> None:
    refused = run_kopa("--lang", "en", "new", "org", "x", workspace=REPO)
    assert refused.exit_code == 2
    assert refused.stderr.endswith("Error: Invalid value for 'KIND': choose one of organization, application, pilot.\n")
    assert run_kopa("init", str(tmp_path)).exit_code == 0
    assert run_kopa("new", "organisation", "kasko", workspace=tmp_path).exit_code == 0
    assert (tmp_path / "records/organizations/kasko.yaml").is_file()


@pytest.mark.parametrize("args", [["fees", "--x\nkopa: forged"], ["new", "pilot", "x", "extra\nkopa: forged"]])
def test_usage_errors_show_what_was_typed_escaped(args: list[str]) -> None:
    result = run_kopa("--lang", "en", *args, workspace=REPO)
    assert result.exit_code == 2 and "\\nkopa: forged" in result.stderr
    assert not any(line.startswith("kopa: forged") for line in result.stderr.splitlines())
