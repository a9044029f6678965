"""Cell text cleaning, Thai digit conversion, header normalisation and A1 cell references.

Pure functions: no I/O. Cleaning is applied to every cell of every workbook, so the common case
(a plain `str`) is cached and the regular expressions are compiled once.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "cell_a1",
    "clean_text",
    "column_letter",
    "is_missing",
    "normalize_header",
    "normalize_thai",
    "to_arabic_digits",
]

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Invisible characters, always dropped: every Unicode format character (category Cf: zero-width
# space, ZWNJ, ZWJ, word joiner, BOM / ZWNBSP, soft hyphen, the bidi marks, embeddings,
# overrides and isolates such as RLO, ...) and the control characters that are not whitespace
# (NUL, ESC, DEL, C1). A copy of a name with an RLO mark or a ZWSP in it is the same name.
_INVISIBLE_RANGES = (
    (0x00, 0x08),
    (0x0E, 0x1B),
    (0x7F, 0x84),
    (0x86, 0x9F),
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
ZERO_WIDTH_CHARS = "".join(chr(c) for low, high in _INVISIBLE_RANGES for c in range(low, high + 1))
_DROP_ZERO_WIDTH = dict.fromkeys(map(ord, ZERO_WIDTH_CHARS))

# In a `str` pattern `\s` matches every character for which str.isspace() is true: ASCII
# whitespace, line/paragraph separators, NBSP, U+2000..U+200A, U+202F, U+205F, U+3000, ...
_WHITESPACE_RUN = re.compile(r"\s+")

# Characters that never distinguish one header from another.
_HEADER_NOISE = re.compile(r"[\s()\[\]{}.:*\"'“”‘’\-_]+")


# str.translate looks every character up in its table: a search first is ~10x cheaper on the
# usual text, which has none of the characters to replace.
_THAI_DIGIT = re.compile("[\u0e50-\u0e59]")
_ZERO_WIDTH = re.compile(f"[{re.escape(ZERO_WIDTH_CHARS)}]")


def to_arabic_digits(text: str) -> str:
    """Replace the Thai digits ๐-๙ in `text` with the ASCII digits 0-9."""
    return text.translate(_THAI_DIGITS) if _THAI_DIGIT.search(text) else text


def is_missing(value: object) -> bool:
    """Tell whether a cell value is an empty marker: None, float NaN, pandas NA or NaT."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, int)):
        return False
    if value is pd.NA or value is pd.NaT:
        return True
    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(result, (bool, np.bool_)) and bool(result)


_THAI_NORMALIZE = None


def normalize_thai(text: str) -> str:
    """Thai typed in ways NFC does not unify, in one form (pythainlp.util.normalize).

    SARA AM typed as NIKHAHIT + SARA AA, tone marks typed before their vowel, เเ for แ,
    repeated vowels and tone marks. pythainlp is imported on first use (it costs a few
    hundred milliseconds) and applied until nothing changes, so the result is a fixed point.
    """
    global _THAI_NORMALIZE
    if not _THAI_FIXABLE.search(text):
        return text  # nothing pythainlp would change (most cells)
    if _THAI_NORMALIZE is None:
        from pythainlp.util import normalize

        _THAI_NORMALIZE = normalize
    for _ in range(4):
        done = _THAI_NORMALIZE(text)
        if done == text:
            break
        text = done
    return text


# What pythainlp.util.normalize can change, as one search: เเ; NIKHAHIT; LAKKHANGYAO; a tone
# mark or THANTHAKHAT before an above/below vowel; a tone after a following vowel; two tone
# marks; a vowel or sign repeated (spaces between allowed); a non-base mark at the start or
# after a space. Text with none of them is returned as it is, without pythainlp's ~20 passes
# (tests hold this equal to pythainlp on random Thai text).
_TONE = "\u0e48-\u0e4b"
_ABOVE_BELOW = "\u0e31\u0e34-\u0e37\u0e4d\u0e47\u0e38\u0e39"
_NON_BASE = f"{_ABOVE_BELOW}{_TONE}\u0e3a\u0e4c\u0e4e"
_REPEATABLE = f"\u0e30\u0e32\u0e33\u0e45\u0e40-\u0e44{_ABOVE_BELOW}\u0e3a\u0e4c\u0e4e"
_THAI_FIXABLE = re.compile(
    "\u0e40\u0e40|\u0e4d|\u0e45"
    f"|[{_TONE}\u0e4c][{_ABOVE_BELOW}]"
    f"|[\u0e30\u0e32\u0e33\u0e45][{_TONE}]"
    f"|[{_TONE}]{{2}}"
    f"|([{_REPEATABLE}]) *\\1"
    f"|(?:^| )[{_NON_BASE}]"
)


@lru_cache(maxsize=65536)
def _clean_str(text: str) -> str | None:
    """Clean one string; see clean_text."""
    # Zero-width characters go first so that NFC sees the marks they used to separate.
    if _ZERO_WIDTH.search(text):
        text = text.translate(_DROP_ZERO_WIDTH)
    text = unicodedata.normalize("NFC", text)
    text = _WHITESPACE_RUN.sub(" ", text).strip(" ")
    text = _WHITESPACE_RUN.sub(" ", normalize_thai(text)).strip(" ")
    return text or None


def clean_text(value: object) -> str | None:
    """Return a cell value as tidy text, or None when blank: NFC, no zero-width characters,
    Thai in one typed form (`normalize_thai`), single ASCII spaces."""
    kind = type(value)
    if kind is str:
        return _clean_str(value) if value else None
    if kind is float:  # the usual number cell: no ABC checks
        if value != value:  # NaN
            return None
        return _clean_str(str(int(value)) if value.is_integer() else str(value))
    if kind is int:
        return _clean_str(str(value))
    if is_missing(value):
        return None
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, numbers.Integral):
        text = str(int(value))
    elif isinstance(value, numbers.Real):
        number = float(value)
        text = str(int(number)) if number.is_integer() else str(number)
    else:
        text = str(value)
    return _clean_str(text)


def _strip_edge_punctuation(text: str) -> str:
    """Remove Unicode punctuation (categories P*) from both ends of `text`."""
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(text[end - 1]).startswith("P"):
        end -= 1
    return text[start:end]


@lru_cache(maxsize=16384)
def _normalize_header_str(text: str) -> str:
    """Normalise one cleaned header string; see normalize_header."""
    key = to_arabic_digits(text).lower()
    key = unicodedata.normalize("NFC", _HEADER_NOISE.sub("", key))
    key = _strip_edge_punctuation(key)
    # Stripping can leave a mark first ("/ั" -> "ั"), which the Thai step then drops: repeat
    # until nothing changes, so the key of a key is itself.
    again = clean_text(key)
    if again is None:
        return ""
    return key if again == key else _normalize_header_str(again)


def normalize_header(value: object) -> str:
    """Reduce a header cell to a matching key: Arabic digits, lower case, no spaces or brackets."""
    text = clean_text(value)
    if text is None:
        return ""
    return _normalize_header_str(text)


def column_letter(col0: int) -> str:
    """Return the spreadsheet column letters for a 0-based column index (0 -> "A", 26 -> "AA")."""
    if col0 < 0:
        raise ValueError(f"column index must be >= 0, got {col0}")
    letters = []
    n = col0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters.append(chr(ord("A") + rem))
    return "".join(reversed(letters))


def cell_a1(row0: int, col0: int) -> str:
    """Return the A1 reference of a 0-based (row, column) cell, e.g. (11, 5) -> "F12"."""
    if row0 < 0:
        raise ValueError(f"row index must be >= 0, got {row0}")
    return f"{column_letter(col0)}{row0 + 1}"
