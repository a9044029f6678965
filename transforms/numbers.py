"""Parsing of budgets, fiscal years and village numbers as they appear in Thai plan workbooks.

Pure functions: no I/O. They run on every cell, so plain ints, floats and digit strings take a
short path, string parsing is cached, and every regular expression is compiled once.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache

from oneplan.transforms.text import clean_text, is_missing, normalize_header, to_arabic_digits

__all__ = [
    "MAX_BUDGET_INTEGER_DIGITS",
    "ParseError",
    "parse_budget",
    "parse_fiscal_year",
    "parse_village_numbers",
    "village_numbers_from_name",
    "year_in_header",
    "year_in_text",
]

UNREADABLE_BUDGET = "unreadable_budget"
NEGATIVE_BUDGET = "negative_budget"
UNREADABLE_FISCAL_YEAR = "unreadable_fiscal_year"

_MESSAGES = {
    UNREADABLE_BUDGET: "not a readable budget amount in baht",
    NEGATIVE_BUDGET: "a budget cannot be negative",
    UNREADABLE_FISCAL_YEAR: "not a readable fiscal year (expected a year such as 2569)",
}


class ParseError(ValueError):
    """A cell value that cannot be parsed; `code` says why and `value` is the raw input."""

    def __init__(self, code: str, value: object, message: str | None = None) -> None:
        self.code = code
        self.value = value
        self.message = message or _MESSAGES.get(code, code)
        super().__init__(f"{code}: {self.message}: {value!r}")

    def __reduce__(self):  # keep the exception picklable (worker processes send it back)
        return (type(self), (self.code, self.value, self.message))


# ---------------------------------------------------------------------------------------------
# Budgets
# ---------------------------------------------------------------------------------------------

MAX_BUDGET_INTEGER_DIGITS = 13  # DECIMAL(15, 2)
_BUDGET_LIMIT = Decimal(10) ** MAX_BUDGET_INTEGER_DIGITS
_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN)

_DASHES = frozenset("-–—−")  # hyphen-minus, en dash, em dash, minus sign
_MINUS_SIGNS = _DASHES
_AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]{0,2})?|\.[0-9]{1,2}")
_BUDGET_DROP_RE = re.compile(r"[,\s]+")


def _finish_budget(amount: Decimal, raw: object) -> Decimal:
    """Quantize a finite amount to satang, rejecting negatives and values too large to store."""
    if amount.is_nan() or amount.is_infinite():
        raise ParseError(UNREADABLE_BUDGET, raw)
    if amount < 0:
        raise ParseError(NEGATIVE_BUDGET, raw)
    if amount >= _BUDGET_LIMIT:
        raise ParseError(UNREADABLE_BUDGET, raw)
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_EVEN, context=_CONTEXT)
    if amount >= _BUDGET_LIMIT:  # 9999999999999.995 rounds up past the limit
        raise ParseError(UNREADABLE_BUDGET, raw)
    return amount if amount else _ZERO  # no "-0.00"


# Trailing unit marks people type after an amount, in any combination: "5,000 บาท", "5,000 บ.",
# "5,000.-", "5,000.- บาท", "5,000 บาท.-".
_UNIT_SUFFIXES = ("(บาท)", "บาท.", "บาท", "บ.", "บ", ".-")


def _strip_units(text: str) -> str:
    """Remove a leading baht sign and trailing units ("บาท", "บ.", ".-", in any order)."""
    text = text.removeprefix("฿")
    changed = True
    while changed:
        changed = False
        for suffix in _UNIT_SUFFIXES:
            rest = text[: -len(suffix)]
            # Only after a digit or another unit: "บ" alone is no amount; "-.-" is a dash.
            if text.endswith(suffix) and (
                rest[-1:].isdigit()
                or rest in _DASHES
                or rest.endswith((".-", "บาท", "บ.", "(บาท)"))
            ):
                text = rest
                changed = True
    return text


@lru_cache(maxsize=65536)
def _parse_budget_str(raw: str) -> Decimal | None:
    """Parse a budget written as text; see parse_budget."""
    if raw.isascii() and raw.isdigit():  # fast path: "1632820"
        if len(raw.lstrip("0")) > MAX_BUDGET_INTEGER_DIGITS:
            raise ParseError(UNREADABLE_BUDGET, raw)
        return Decimal(raw).quantize(_CENT, context=_CONTEXT)
    text = clean_text(raw)
    if text is None:
        return None
    text = _BUDGET_DROP_RE.sub("", to_arabic_digits(text))
    text = _strip_units(text)
    if text in _DASHES:  # "-" alone means zero in Thai tables
        return _ZERO
    negative = False
    if len(text) > 2 and text[0] == "(" and text[-1] == ")":  # accounting style "(5,000)"
        negative = True
        text = text[1:-1]
    if text[:1] in _MINUS_SIGNS:
        negative = True
        text = text[1:]
    text = _strip_units(text)  # "-฿5,000", "(5,000 บาท)"
    if not _AMOUNT_RE.fullmatch(text):
        raise ParseError(UNREADABLE_BUDGET, raw)
    integer_part = text.partition(".")[0].lstrip("0")
    if len(integer_part) > MAX_BUDGET_INTEGER_DIGITS:
        raise ParseError(UNREADABLE_BUDGET, raw)
    amount = Decimal(text)
    if negative and amount:
        raise ParseError(NEGATIVE_BUDGET, raw)
    return _finish_budget(amount, raw)


@lru_cache(maxsize=65536)
def _parse_budget_float(value: float) -> Decimal | None:
    """Parse a budget written as a number cell; see parse_budget."""
    if math.isnan(value):  # what pandas puts in an empty cell
        return None
    if math.isinf(value):
        raise ParseError(UNREADABLE_BUDGET, value)
    return _finish_budget(Decimal(repr(value)), value)


def parse_budget(value: object) -> Decimal | None:
    """Parse a budget cell to exact baht (Decimal, 2 places); None when the cell is empty."""
    if type(value) is str:
        return _parse_budget_str(value) if value else None
    if isinstance(value, bool):
        raise ParseError(UNREADABLE_BUDGET, value)
    if isinstance(value, numbers.Integral):
        number = int(value)
        if number < 0:
            raise ParseError(NEGATIVE_BUDGET, value)
        if number >= _BUDGET_LIMIT:
            raise ParseError(UNREADABLE_BUDGET, value)
        return Decimal(number).quantize(_CENT, context=_CONTEXT)
    if type(value) is float:  # the usual number cell: cached (a float key never equals a bool)
        return _parse_budget_float(value)
    if isinstance(value, float):  # a float subclass (numpy.float64)
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise ParseError(UNREADABLE_BUDGET, value)
        return _finish_budget(Decimal(repr(float(value))), value)
    if isinstance(value, Decimal):
        return _finish_budget(value, value)
    if is_missing(value):
        return None
    if isinstance(value, numbers.Real):  # numpy float32 and the like
        return parse_budget(float(value))
    raise ParseError(UNREADABLE_BUDGET, value)


# ---------------------------------------------------------------------------------------------
# Fiscal years
# ---------------------------------------------------------------------------------------------

BE_OFFSET = 543
_BE_RANGE = range(2400, 2800)
_CE_RANGE = range(1900, 2200)
# A number, with an optional decimal part; a year is a 4-digit number whose decimals are all 0.
_NUMBER_TOKEN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_YEAR_TOKEN_RE = re.compile(r"([0-9]{4})(?:\.0+)?")


def _year_from_int(year: int, raw: object) -> tuple[int, bool]:
    """Classify an integer as a BE or CE year and return (BE year, was_ce)."""
    if year in _BE_RANGE:
        return year, False
    if year in _CE_RANGE:
        return year + BE_OFFSET, True
    raise ParseError(UNREADABLE_FISCAL_YEAR, raw)


@lru_cache(maxsize=4096)
def _parse_fiscal_year_str(raw: str) -> tuple[int, bool]:
    """Parse a fiscal year written as text; see parse_fiscal_year."""
    text = clean_text(raw)
    if text is None:
        raise ParseError(UNREADABLE_FISCAL_YEAR, raw)
    years = set()
    for token in _NUMBER_TOKEN_RE.findall(to_arabic_digits(text)):
        match = _YEAR_TOKEN_RE.fullmatch(token)
        if match:
            years.add(int(match.group(1)))
    if len(years) != 1:  # no year at all, or two different years in one cell
        raise ParseError(UNREADABLE_FISCAL_YEAR, raw)
    return _year_from_int(years.pop(), raw)


def parse_fiscal_year(value: object) -> tuple[int, bool]:
    """Parse a fiscal-year cell or header to (Buddhist Era year, whether it was written in CE)."""
    if type(value) is str:
        return _parse_fiscal_year_str(value)
    if isinstance(value, bool) or value is None:
        raise ParseError(UNREADABLE_FISCAL_YEAR, value)
    if isinstance(value, numbers.Integral):
        return _year_from_int(int(value), value)
    if isinstance(value, (numbers.Real, Decimal)) and not is_missing(value):
        number = float(value)
        if math.isfinite(number) and number.is_integer():
            return _year_from_int(int(number), value)
    raise ParseError(UNREADABLE_FISCAL_YEAR, value)


# A header cell that is only a year label, after normalize_header: "ปี ๒๕๖๘", "พ.ศ. 2568",
# "ปีงบประมาณ 2569", "งบประมาณ 2025 (บาท)". A title ("ประจำปีงบประมาณ พ.ศ. 2569") is not one.
_HEADER_YEAR_RE = re.compile(
    r"(?:งบประมาณ|จำนวนเงิน)?(?:ปี)?(?:งบประมาณ|งบ)?(?:พศ|คศ)?(?P<year>[0-9]{4})(?:บาท)?"
    r"|(?:งบประมาณ|จำนวนเงิน)?(?:ปี(?:งบประมาณ|งบ)?(?:พศ)?|พศ)(?P<short>[0-9]{2})(?:บาท)?"
)
# A sheet named only by a year: "68", "ปี 69", "2025" (CE, read as BE).
_SHEET_YEAR_RE = re.compile(r"(?:ปี\s*)?(?:(?P<short>[5-9][0-9])|(?P<ce>20[1-4][0-9]))")
# A year mentioned in a sheet name, title or file name: a 4-digit BE year, or two digits
# after ปี / ปีงบ / ปีงบประมาณ / พ.ศ. ("ปีงบ 70" is 2570).
_TEXT_YEAR_RE = re.compile(
    r"(?<![0-9])(?P<full>25[0-9]{2})(?![0-9])"
    r"|(?:ปี\s*(?:งบ(?:ประมาณ)?)?\s*(?:พ\.?\s*ศ\.?)?|พ\.\s*ศ\.)\s*(?P<short>[0-9]{2})(?![0-9])"
)


@lru_cache(maxsize=4096)
def year_in_header(text: str) -> tuple[int, bool] | None:
    """(BE year, written in CE) for a header cell that names only a fiscal year, else None."""
    found = _HEADER_YEAR_RE.fullmatch(normalize_header(text))
    if found is None:
        return None
    if found.group("short"):
        return 2500 + int(found.group("short")), False
    year = int(found.group("year"))
    if year in _BE_RANGE:
        return year, False
    if year in range(2010, 2050):  # a plausible plan year in CE; 2000 is more likely money
        return year + BE_OFFSET, True
    return None


@lru_cache(maxsize=4096)
def year_in_text(text: str | None) -> int | None:
    """The one fiscal year (BE) a sheet name, title or file name names; None when it names
    none or several (a plan period "2568-2570" is not one year)."""
    cleaned = clean_text(text)
    if cleaned is None:
        return None
    alone = _SHEET_YEAR_RE.fullmatch(to_arabic_digits(cleaned))
    if alone:
        short, ce = alone.group("short"), alone.group("ce")
        return 2500 + int(short) if short else int(ce) + BE_OFFSET
    years = set()
    for found in _TEXT_YEAR_RE.finditer(to_arabic_digits(cleaned)):
        years.add(
            int(found.group("full")) if found.group("full") else 2500 + int(found.group("short"))
        )
    return years.pop() if len(years) == 1 else None


# ---------------------------------------------------------------------------------------------
# Village numbers (หมู่ที่)
# ---------------------------------------------------------------------------------------------

_MAX_RANGE_SPAN = 30
_VILLAGE_RANGE = range(1, 100)
_RANGE_SEP = r"\s*(?:-|–|—|−|~|ถึง)\s*"
# One number, or a range "a-b" / "a ถึง b".
_VILLAGE_TOKEN_RE = re.compile(rf"([0-9]+)(?:{_RANGE_SEP}([0-9]+))?")
_LIST_SEP = rf"(?:\s*(?:,|/|และ)\s*|{_RANGE_SEP})"
# "หมู่ที่ 3", "หมู่ 3", "หมูที่ 3" (a common misspelling) and "ม.3" / "ม. 3". "ม." right after a
# digit or a dot is the metre unit or part of another abbreviation ("ยาว 100 ม. 2 ช่วง", "ก.ม.");
# after "ชั้น" it is a secondary-school grade ("ชั้น ม.3").
_VILLAGE_MARKER_RE = re.compile(
    r"(?:หมู่(?:\s?ที่)?|หมูที่|(?<![0-9.])(?<![0-9.]\s)(?<!ชั้น)(?<!ชั้น\s)ม\.)"
    rf"\s*([0-9]+(?:{_LIST_SEP}[0-9]+)*)(?![0-9])"
)


def _villages_from_list(text: str) -> list[int]:
    """Expand numbers and short ranges in `text` to village numbers 1..99, first-seen order."""
    seen: dict[int, None] = {}
    for first, last in _VILLAGE_TOKEN_RE.findall(text):
        # 0 (no village) for a run of digits too long to be one: int() of 4,300+ digits raises
        start = int(first) if len(first) <= 4 else 0
        if last:
            end = int(last) if len(last) <= 4 else 0
            if start < end <= start + _MAX_RANGE_SPAN:
                expanded: range | tuple[int, ...] = range(start, end + 1)
            else:
                expanded = (start, end)
        else:
            expanded = (start,)
        for number in expanded:
            if number in _VILLAGE_RANGE:
                seen.setdefault(number)
    return list(seen)


@lru_cache(maxsize=4096)
def _parse_village_str(raw: str) -> tuple[int, ...]:
    """Parse a หมู่ที่ cell written as text; see parse_village_numbers."""
    text = clean_text(raw)
    if text is None:
        return ()
    return tuple(_villages_from_list(to_arabic_digits(text)))


def parse_village_numbers(value: object) -> list[int]:
    """Return the village numbers (1..99) in a หมู่ที่ cell, in first-seen order, no duplicates."""
    if type(value) is str:
        return list(_parse_village_str(value))
    if value is None or isinstance(value, bool) or is_missing(value):
        return []
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, (numbers.Real, Decimal)):
        as_float = float(value)
        if not (math.isfinite(as_float) and as_float.is_integer()):
            return []
        number = int(as_float)
    else:
        return list(_parse_village_str(str(value)))
    return [number] if number in _VILLAGE_RANGE else []


@lru_cache(maxsize=16384)
def _villages_in_name(name: str) -> tuple[int, ...]:
    """Find village numbers after markers in a project name; see village_numbers_from_name."""
    text = clean_text(name)
    if text is None:
        return ()
    seen: dict[int, None] = {}
    for group in _VILLAGE_MARKER_RE.findall(to_arabic_digits(text)):
        for number in _villages_from_list(group):
            seen.setdefault(number)
    return tuple(seen)


def village_numbers_from_name(name: str | None) -> list[int]:
    """Return the village numbers named after หมู่ที่ / หมู่ / ม. markers in a project name."""
    if not name or not isinstance(name, str):
        return []
    return list(_villages_in_name(name))
