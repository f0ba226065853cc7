"""The one Jinja environment kopa renders templates with, and its filters.

Templates come from pull requests and CI renders them, so the environment is sandboxed:
a template can use the values it is given, never Python's internals, and never change
them: the environment is jinja2's immutable sandbox, and the records are handed over as
read-only copies (tuples and read-only mappings), so neither the sandbox nor the data
lets ``{% set _ = call.fee.vat.clear() %}`` empty the call's VAT table. ``StrictUndefined``
turns a misspelt name into an error instead of an empty string. A workspace's own
``templates/`` folder overrides the built-in templates of the same name. A template in
another language than Finnish sits in a folder of its language beside the Finnish one
(``new/sv/application.md.j2`` beside ``new/application.md.j2``); see ``for_language``.

Record values are data passed to a template, never template source. jinja2 is imported
only here, and commands import this module only when they render.
"""

from __future__ import annotations

import dataclasses
import functools
import traceback
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError, modifies_known_mutable

from kopa_cli.core import formatting
from kopa_cli.core.errors import TemplateFailed, TemplateMissing, TemplateOutside
from kopa_cli.core.i18n import _, current_language
from kopa_cli.core.money import parse_number

WORKSPACE_TEMPLATES = "templates"
# Inside a wheel the built-in templates are kopa_cli/templates (pyproject.toml force-includes
# them there); in a source checkout or an editable install they are the repository's templates/.
_PACKAGE = Path(__file__).resolve().parents[1]
_BUILTIN_CANDIDATES = (_PACKAGE / "templates", _PACKAGE.parent / "templates")


def builtin_templates() -> Path:
    """The folder of the templates that ship with kopa."""
    for candidate in _BUILTIN_CANDIDATES:
        if candidate.is_dir():
            return candidate
    return _BUILTIN_CANDIDATES[-1]


class _ContainedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses links out of its folder, so a template cannot read other files."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root))
        self.root = root.resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        target = Path(filename).resolve()
        if not target.is_relative_to(self.root):
            raise TemplateOutside(name=template, target=str(target))
        return source, filename, uptodate


# Filters: the one place that decides how values look in rendered text.


class _NotANumber(ValueError):
    """A number filter was given what is not a plain number (its message is the value)."""


def _decimal(value: Decimal | str | int) -> Decimal:
    """``value`` as a finite Decimal, read as records are (money.parse_number): ``"5000.00"``,
    ``24``; raises _NotANumber for anything else (" 5 ", "5_000", "1e3", "NaN", a float)."""
    if isinstance(value, Decimal) and value.is_finite():
        return abs(value) if value == 0 else value  # never "-0 %"
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    try:  # a float has already lost the cents (domain.md, Money)
        return parse_number(value)
    except ValueError:
        raise _NotANumber(repr(value)) from None


@functools.lru_cache(maxsize=4096)
def _formatted(kind: str, written: str, lang: str, currency: str) -> str:
    """Babel's formatting, remembered: a report of 1 000 applications shows the same few
    numbers (the limit, the fee) a thousand times, and Babel takes ~0.3 ms for each. Keyed by
    the number as written, since Decimal("1.0") == Decimal("1.00") but they are shown apart."""
    if kind == "money":
        return formatting.money(Decimal(written), lang, currency)
    return formatting.number(Decimal(written), lang)


def _money(value: Decimal | str | int, currency: str = "EUR", *, lang: str | None = None) -> str:
    return _formatted("money", str(_decimal(value)), lang or current_language(), currency)


def _number(value: Decimal | str | int, *, lang: str | None = None) -> str:
    return _formatted("number", str(_decimal(value)), lang or current_language(), "")


def _signed(value: Decimal | str | int, *, lang: str | None = None) -> str:
    return formatting.signed(_decimal(value), lang)


def _date(value: date, *, lang: str | None = None) -> str:
    return formatting.day(value, lang)


def _percent(value: Decimal | str | int, *, lang: str | None = None) -> str:
    return formatting.percent(_decimal(value), lang)


_SHORT_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``str(value)``.

    Quotes, backslashes and every character Python does not call printable (control
    characters, line and paragraph separators, no-break spaces) are escaped, so no value
    can end the scalar, start a new key or change what the line means.
    """
    text = "" if value is None else str(value)
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def one_line(value: object) -> str:
    """Text for a single line, e.g. a YAML comment: every run of whitespace becomes one space."""
    return " ".join(("" if value is None else str(value)).split())


def md_cell(value: object) -> str:
    """Text for one cell of a Markdown table: on one line, with ``|`` and ``\\`` escaped and ``<``
    written ``&lt;``, so that no value ends the cell or becomes raw HTML on GitHub."""
    return one_line(value).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


FILTERS: dict[str, Callable[..., str]] = {
    "money": _money,
    "number": _number,
    "signed": _signed,
    "date": _date,
    "percent": _percent,
    "yaml_str": yaml_str,
    "one_line": one_line,
    "md_cell": md_cell,
}
# The filters whose output depends on the language: bound to one by environment(lang=...).
_LANGUAGE_FILTERS = ("money", "number", "signed", "date", "percent")


def _autoescape(name: str | None) -> bool:
    # HTML and XML outputs escape values; YAML and Markdown outputs are written as they are.
    return bool(name) and name.removesuffix(".j2").lower().endswith((".html", ".htm", ".xml"))


class _ChangeRefused(SecurityError):
    """A template called a method that would change a record (its message is the method's name)."""


# The mutable type whose changing methods each read-only view lacks: asking a view for one is
# the same attempt as calling it on the original, and is refused as such, not as a misspelling.
_MUTABLE_OF_VIEW: dict[type, object] = {MappingProxyType: {}, tuple: [], frozenset: set()}
# The names of those methods, found once (a report reads a view's keys tens of thousands of times).
_CHANGING: dict[type, frozenset[str]] = {
    view: frozenset(name for name in dir(mutable) if modifies_known_mutable(mutable, name))
    for view, mutable in _MUTABLE_OF_VIEW.items()
}


class _ReadOnlyEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox; asking a record's read-only value for a changing method fails as ``_ChangeRefused``."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        changing = _CHANGING.get(type(obj))
        if changing is not None and attribute in changing:
            return self.undefined(attribute, name=attribute, obj=obj, exc=_ChangeRefused)
        return super().getattr(obj, attribute)


_SCALARS = frozenset({str, int, bool, Decimal, date, type(None)})


def read_only(value: Any) -> Any:
    """A copy of ``value`` that nothing can change: lists become tuples, sets frozensets,
    mappings read-only mappings, and the (frozen) records are copied with such fields."""
    if type(value) in _SCALARS:  # most values: answered before the costlier checks below
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: read_only(getattr(value, field.name)) for field in dataclasses.fields(value) if field.init}
        return dataclasses.replace(value, **fields)
    if isinstance(value, Mapping):
        return MappingProxyType({key: read_only(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(read_only(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return value


def _template_roots(workspace: Path | None) -> list[Path]:
    """Where templates are looked for: the workspace's templates/ first, then the built-in ones."""
    roots = []
    if workspace is not None and (workspace / WORKSPACE_TEMPLATES).is_dir():
        roots.append(workspace / WORKSPACE_TEMPLATES)
    roots.append(builtin_templates())
    return roots


def environment(workspace: Path | None, lang: str | None = None) -> ImmutableSandboxedEnvironment:
    """The Jinja environment: the workspace's templates/ first, then the built-in ones.

    ``lang`` (fi, sv, en) binds the filters money, number, date and percent to that language,
    e.g. for an invoice in its buyer's language; without it they follow the messages' language."""
    return _environment(tuple(_template_roots(workspace)), lang)


@functools.lru_cache(maxsize=8)
def _environment(roots: tuple[Path, ...], lang: str | None) -> ImmutableSandboxedEnvironment:
    """One environment per templates folder and language, so that its compiled templates are
    reused (100 pilot reports in one process compile the pilot template once; Jinja re-reads a
    template whose file changed)."""
    env = _ReadOnlyEnvironment(
        loader=jinja2.ChoiceLoader([_ContainedLoader(root) for root in roots]),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    if lang is not None:
        env.filters.update({name: functools.partial(FILTERS[name], lang=lang) for name in _LANGUAGE_FILTERS})
    return env


def template_file(workspace: Path | None, name: str) -> Path:
    """The file of a template that is not Jinja text (``invoice.xlsx``): the workspace's
    templates/ first, then the built-in ones.

    Raises TemplateMissing if neither has it, TemplateOutside for a link out of its folder."""
    for root in _template_roots(workspace):
        path = root / name
        if path.is_file():
            if not path.resolve().is_relative_to(root.resolve()):
                raise TemplateOutside(name=name, target=str(path.resolve()))
            return path
    raise TemplateMissing(name=name, places=", ".join(str(root) for root in _template_roots(workspace)))


def _shown(filename: str | None, workspace: Path | None, name: str) -> str:
    """How a template file is named in a message: workspace-relative, or as built in."""
    if filename:
        path = Path(filename).resolve()
        if workspace is not None and path.is_relative_to(workspace.resolve()):
            return path.relative_to(workspace.resolve()).as_posix()
        builtin = builtin_templates().resolve()
        if path.is_relative_to(builtin):
            return _("kopa's built-in template {name}").format(name=path.relative_to(builtin).as_posix())
    return name


def _roots(env: ImmutableSandboxedEnvironment) -> list[Path]:
    return [loader.root for loader in env.loader.loaders]  # type: ignore[union-attr]


def _template_position(error: BaseException, env: ImmutableSandboxedEnvironment) -> tuple[str | None, int]:
    """The template file and line where rendering failed, from Jinja's rewritten traceback."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.filename, error.lineno or 1
    roots = [root.resolve() for root in _roots(env)]
    found: tuple[str | None, int] = (None, 1)
    for frame in traceback.extract_tb(error.__traceback__):
        frame_path = Path(frame.filename)
        if frame_path.is_absolute() and any(frame_path.resolve().is_relative_to(root) for root in roots):
            found = (frame.filename, frame.lineno or 1)
    return found


def for_language(workspace: Path | None, name: str, lang: str) -> str:
    """The name of template ``name`` in language ``lang``, e.g. ``new/sv/application.md.j2``.

    The workspace's templates/ and then kopa's own are searched; a language without a
    template of its own (English) gets ``name``, the Finnish template.
    """
    folder, _slash, file = name.rpartition("/")
    translated = f"{folder}/{lang}/{file}" if folder else f"{lang}/{file}"
    env = environment(workspace)
    try:
        env.loader.get_source(env, translated)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        return name
    return translated


def describe(workspace: Path | None, name: str) -> str:
    """Which file the template ``name`` is read from, as a message names it."""
    env = environment(workspace)
    try:
        _source, filename, _uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        return name
    return _shown(filename, workspace, name)


def render(workspace: Path | None, name: str, **context: Any) -> str:
    """Render the template ``name`` with read-only copies of ``context``'s values.

    Every failure is a TemplateFailed naming the template's file and line.
    """
    env = environment(workspace)
    try:
        return env.get_template(name).render({key: read_only(value) for key, value in context.items()})
    except jinja2.TemplateNotFound as error:
        if error.name == name:  # kopa asked for a template it does not ship: a bug
            places = ", ".join(str(root) for root in _roots(env))
            raise TemplateMissing(name=error.name, places=places) from None
        filename, line = _template_position(error, env)  # an {% include %} of a missing template
        missing = _("no template '{name}' in {places}").format(name=error.name, places=", ".join(str(r) for r in _roots(env)))
        raise TemplateFailed(template=_shown(filename, workspace, name), line=line, problem=missing) from None
    except RENDER_ERRORS as error:
        filename, line = _template_position(error, env)
        raise TemplateFailed(template=_shown(filename, workspace, name), line=line, problem=problem(error)) from None


# What rendering a template may raise that is the template's fault (problem() words each).
RENDER_ERRORS = (jinja2.TemplateError, ArithmeticError, ValueError, TypeError, LookupError, AttributeError)


def problem(error: BaseException) -> str:
    """What went wrong in a template, in the user's language, for one of RENDER_ERRORS."""
    if isinstance(error, jinja2.TemplateError):
        if isinstance(error, _ChangeRefused):
            text = _("a template may only read the records it is given, but this one tries to change them ('{detail}')")
        elif isinstance(error, SecurityError):
            text = _("the template tried something that is not allowed ({detail}); a template may only use the values it is given")
        elif isinstance(error, jinja2.UndefinedError):
            text = _("{detail}; check the spelling of the name")
        elif isinstance(error, jinja2.TemplateSyntaxError):
            text = _("template syntax error: {detail}")
        else:
            text = _("the template failed: {detail}")
        return text.format(detail=str(error.message or error).rstrip("."))
    if isinstance(error, _NotANumber):
        text = _("a number filter (money, number, percent) was given {value}, which is not a plain number such as 5000.00")
        return text.format(value=error)
    # A filter given a value of the wrong kind (e.g. money of "abc"): still the template's fault.
    return _("the template failed: {detail}").format(detail=f"{type(error).__name__}: {error}")


def shown_file(path: Path, workspace: Path | None) -> str:
    """How a template file is named in a message: workspace-relative, or as built in."""
    return _shown(str(path), workspace, path.name)
