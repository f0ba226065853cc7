"""The id a person meant: ids are lowercase ASCII (``narpes``), people write ``Närpes`` or ``Kuhmo``."""

from __future__ import annotations

import re
import unicodedata

from kopa_cli.core.identifiers import is_id

# Nordic letters first: NFKD would drop the dots of ä and ö but leave ø and æ alone.
_LETTERS = str.maketrans({"ä": "a", "ö": "o", "å": "a", "ø": "o", "æ": "ae", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s_]+")


def fold_id(text: str) -> str:
    """``text`` in the form of an id: casefolded, ä → a, ö → o, å → a, other accents dropped
    (é → e), runs of spaces and underscores → one hyphen. ``"Närpes"`` → ``"narpes"``."""
    folded = text.strip().casefold().translate(_LETTERS)
    folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return _SEPARATORS.sub("-", folded)


def meant_id(text: str) -> str:
    """The valid id ``text`` folds to, when it is not one itself (``Kuhmo`` → ``kuhmo``); else ""."""
    folded = fold_id(text)
    return folded if folded != text and is_id(folded) else ""
