"""Translations through gettext: English message ids, Finnish by default.

Catalogs live in ``kopa_cli/locale/<lang>/LC_MESSAGES/kopa.mo`` and are compiled
from the ``.po`` files with Babel (``pybabel compile -d kopa_cli/locale -D kopa``).
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "kopa"
LOCALE_DIR = Path(__file__).parents[1] / "locale"
LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"

_translations: dict[str, gettext.NullTranslations] = {}
_current = DEFAULT_LANGUAGE


def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of one language; English is the message ids themselves."""
    if lang not in _translations:
        if lang == "en":
            _translations[lang] = gettext.NullTranslations()
        else:
            _translations[lang] = gettext.translation(
                DOMAIN, LOCALE_DIR, languages=[lang], fallback=True
            )
    return _translations[lang]


def language_from_environment() -> str | None:
    """KOPA_LANG, if it names a language kopa speaks (the command line warns about any other)."""
    value = os.environ.get("KOPA_LANG")
    return value if value in LANGUAGES else None


def set_language(lang: str | None) -> str:
    """Choose the language of messages: the argument, then KOPA_LANG, then Finnish."""
    global _current
    chosen = lang if lang in LANGUAGES else language_from_environment() or DEFAULT_LANGUAGE
    _current = chosen
    return chosen


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate a message id into the current language."""
    return translations(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message id for extraction; it is translated where it is shown."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a pair of message ids for extraction as one plural entry (``"{n} decimal"``,
    ``"{n} decimals"``); it is translated with ``ngettext`` where it is shown."""
    return singular, plural
