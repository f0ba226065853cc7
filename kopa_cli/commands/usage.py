"""The command line's own texts in the user's language: help pages and usage errors.

typer (0.28 at least) carries its own copy of click without gettext, so kopa writes these
texts itself, through kopa's catalogs, from click's public parts: a command's ``params`` and
``help``, ``Parameter.get_help_record`` (the option names column only), ``HelpFormatter``, and the
attributes of click's usage exceptions (``NoSuchOption.option_name``, ``.possibilities``,
``MissingParameter.param``, ``BadParameter.param``). The language is read from the arguments
before click parses them (``language_in``), so that ``kopa validate --help --lang en`` and an
error in the arguments already speak it.
"""

from __future__ import annotations

from datetime import date

import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from kopa_cli.core.diagnostics import escaped, suggest
from kopa_cli.core.errors import ExitCode, KopaError
from kopa_cli.core.i18n import LANGUAGES, N_, _, language_from_environment, ngettext, set_language

# typer (0.26 to 0.28, pyproject.toml) carries its own copy of click without gettext
from typer._click import exceptions as click_exceptions, types as click_types

NO_ARGS_IS_HELP = getattr(click_exceptions, "NoArgsIsHelpError", ())  # click 8.2 and later
LANG_OPTION = "--lang"
# click's own help texts, translated where they are shown.
HELP_OPTION = N_("Show this message and exit.")
USAGE_PIECES = {"[OPTIONS]": N_("[OPTIONS]"), "COMMAND [ARGS]...": N_("COMMAND [ARGS]...")}
# click's usage errors that kopa does not reword (usage_error_message), translated as they are.
CLICK_MESSAGES = (N_("Missing command."),)


def report_failure(error: KopaError) -> ExitCode:
    """The one place a failure is shown: ``kopa: message`` on stderr; returns its exit code."""
    typer.echo(f"kopa: {error.message}", err=True)
    return error.exit_code


class Choice(click_types.ParamType):
    """One of the values of ``words`` (a word the user may type -> the value it stands for).
    Usage errors list each value once, so another spelling of one ("organisation") is
    accepted without being offered; the command gets the value."""

    name = "choice"

    def __init__(self, words: dict[str, str]) -> None:
        self.words = words
        self.choices = tuple(dict.fromkeys(words.values()))  # read by usage_error_message

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        if value in self.words:
            return self.words[value]
        self.fail(f"{value!r} is not one of {', '.join(self.choices)}", param, ctx)

    def shell_complete(self, ctx: Any, param: Any, incomplete: str) -> list[Any]:
        """The values offered on Tab (commands/completion.py), not the other spellings."""
        from typer._click.shell_completion import CompletionItem

        return [CompletionItem(choice) for choice in self.choices if choice.startswith(incomplete)]


def language_in(args: Sequence[str]) -> str | None:
    """The last valid value of ``--lang X`` or ``--lang=X`` before ``--``, if any."""
    found = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = args[index + 1] if arg == LANG_OPTION and index + 1 < len(args) else None
        if arg.startswith(LANG_OPTION + "="):
            value = arg.partition("=")[2]
        if value in LANGUAGES:
            found = value
    return found


def choose_language(args: Sequence[str]) -> None:
    """Set the language from the arguments, else KOPA_LANG; warn about an unknown KOPA_LANG."""
    given = language_in(args)
    set_language(given)
    unknown = os.environ.get("KOPA_LANG")
    if given is None and unknown and language_from_environment() is None:
        warning = _("kopa: warning: KOPA_LANG={value} is not a language kopa speaks, so it is ignored; use fi, sv or en.")
        typer.echo(warning.format(value=escaped(unknown)), err=True)


# --- help pages ---------------------------------------------------------------------------------


def translate_metavars(command: Any) -> None:
    """Name the arguments and option values (KIND, [DIR], <year>: their metavars, English message
    ids) in the current language, in help pages, usage lines and usage errors alike; the id is
    kept on the parameter."""
    for param in command.params:
        if param.metavar:
            param.metavar = _(param.__dict__.setdefault("kopa_metavar", param.metavar))
    for sub in getattr(command, "commands", {}).values():
        translate_metavars(sub)


def _first_sentence(text: str) -> str:
    sentence, stop, _rest = text.partition(". ")
    return sentence + ("." if stop else "")


def _format_help(command: Any, ctx: Any, formatter: Any) -> None:
    """A command's help page: usage, its help text, arguments, options and subcommands."""
    command.format_usage(ctx, formatter)
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(_(command.help))
    arguments, options = [], []
    required = _("required")
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        text = _(param.help) if param.help else ""
        if param.required:
            text = f"{text}  [{required}]".strip()
        (arguments if param.param_type_name == "argument" else options).append((record[0], text))
    for title, rows in ((_("Arguments"), arguments), (_("Options"), options)):
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)
    commands = [(name, sub) for name, sub in getattr(command, "commands", {}).items() if not sub.hidden]
    if commands:
        with formatter.section(_("Commands")):
            formatter.write_dl([(name, _first_sentence(_(sub.help)) if sub.help else "") for name, sub in commands])


def _format_usage(command: Any, ctx: Any, formatter: Any) -> None:
    pieces = [_(USAGE_PIECES[p]) if p in USAGE_PIECES else p for p in command.collect_usage_pieces(ctx)]
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage:") + " ")


class KopaCommand(TyperCommand):
    """A typer command whose help and usage errors speak the user's language."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format_help(self, ctx, formatter)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _format_usage(self, ctx, formatter)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.allow_extra_args = True  # kopa says it itself, below, in the user's language
        extra = super().parse_args(ctx, args)
        if extra and not ctx.resilient_parsing:
            message = ngettext("Unexpected extra argument: {args}", "Unexpected extra arguments: {args}", len(extra))
            ctx.fail(message.format(args=" ".join(extra)))
        return extra


class KopaGroup(TyperGroup):
    """kopa itself: chooses the language first, then turns usage errors into translated text."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format_help(self, ctx, formatter)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _format_usage(self, ctx, formatter)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0]
        if name not in self.commands and not ctx.resilient_parsing:
            hint = suggest(name, self.commands)
            message = _("No such command '{name}'.").format(name=name)
            if hint:
                message += " " + _("Did you mean {names}?").format(names=f"'{hint}'")
            ctx.fail(message)
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        choose_language(args)
        translate_metavars(self)
        try:
            code = self._main(args, prog_name, complete_var, **extra)
        except KopaError as error:  # outside a command: a help page that cannot be written
            code = report_failure(error)
        if standalone_mode:
            sys.exit(int(code or 0))
        return code

    def _main(self, args: list[str], prog_name: str | None, complete_var: str | None, **extra: Any) -> Any:
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NO_ARGS_IS_HELP as shown:  # `kopa` alone: the help page
            typer.echo(shown.ctx.get_help())
            return ExitCode.OK
        except click_exceptions.UsageError as error:
            show_usage_error(error)
            return ExitCode.USAGE
        except click_exceptions.ClickException as error:  # not reached by kopa's options; said plainly
            typer.echo(f"kopa: {error.format_message()}", err=True)
            return error.exit_code


# --- usage errors -------------------------------------------------------------------------------


def _hint(error: Any) -> str:
    """The parameter an error is about, as click names it: '--year', 'KIND'."""
    return error.param.get_error_hint(error.ctx) if getattr(error, "param", None) is not None else ""


class WholeNumber(click_types.IntParamType):
    """A whole number on the command line: ASCII digits only. Python's int() also takes
    "２０２０", "2020 " and "2_020", which no one types as a year; the usual usage error follows."""

    name = "integer"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            self.fail(value, param, ctx)
        return super().convert(value, param, ctx)


WHOLE_NUMBER = WholeNumber()


class Day(click_types.ParamType):
    """A date on the command line, as records write it: 2020-03-02."""

    name = "date"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, date):
            return value
        try:
            if not (isinstance(value, str) and len(value) == 10 and value.isascii()):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            meant = _day_month_year(value)
            if meant is None:
                self.fail(_("'{value}' is not a date like 2020-03-02").format(value=value), param, ctx)
            self.fail(_("'{value}' is not a date like 2020-03-02: write it as {iso}").format(value=value, iso=meant.isoformat()), param, ctx)


def _day_month_year(value: object) -> date | None:
    """The day a Finnish or Swedish date means, "2.3.2021" -> 2021-03-02; None if it is none."""
    written = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value.strip(), re.ASCII) if isinstance(value, str) else None
    try:
        return date(int(written[3]), int(written[2]), int(written[1])) if written else None
    except ValueError:
        return None


DAY = Day()




def usage_error_message(error: Any) -> str:
    """The message of one of click's usage errors, in the current language."""
    if isinstance(error, click_exceptions.NoSuchOption):
        message = _("No such option: {name}.").format(name=error.option_name)
        if error.possibilities:
            names = ", ".join(sorted(error.possibilities))
            message += " " + _("Did you mean {names}?").format(names=names)
        return message
    if isinstance(error, click_exceptions.BadOptionUsage):  # click raises it for these two only
        if "requires" in error.message:
            return _("The option {name} needs a value.").format(name=error.option_name)
        return _("The option {name} takes no value.").format(name=error.option_name)
    if isinstance(error, click_exceptions.MissingParameter):
        if error.param_type == "argument" or getattr(error.param, "param_type_name", "") == "argument":
            return _("Missing argument {name}.").format(name=_hint(error))
        return _("Missing option {name}.").format(name=_hint(error))
    if isinstance(error, click_exceptions.BadParameter) and error.param is not None:
        choices = getattr(error.param.type, "choices", None)
        if choices:
            return _("Invalid value for {name}: choose one of {choices}.").format(
                name=_hint(error), choices=", ".join(str(getattr(c, "value", c)) for c in choices))
        if isinstance(error.param.type, click_types.IntParamType):
            return _("Invalid value for {name}: it must be a whole number, like 2021.").format(name=_hint(error))
        return _("Invalid value for {name}: {message}").format(name=_hint(error), message=error.message)
    return _(error.format_message())  # one of CLICK_MESSAGES, or click's own words


def show_usage_error(error: Any) -> None:
    """What click would print for a usage error (usage, where to find help, the error), translated."""
    lines = []
    if error.ctx is not None:
        lines.append(error.ctx.get_usage())
        lines.append(_("Try '{command} --help' for help.").format(command=error.ctx.command_path))
        lines.append("")
    lines.append(_("Error: {message}").format(message=escaped(usage_error_message(error))))  # it may quote what was typed
    typer.echo("\n".join(lines), err=True)
