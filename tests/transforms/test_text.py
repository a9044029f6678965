"""Tests for transforms.text: cell cleaning, Thai digits, header keys and A1 references."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oneplan.transforms.text import (
    ZERO_WIDTH_CHARS,
    cell_a1,
    clean_text,
    column_letter,
    is_missing,
    normalize_header,
    normalize_thai,
    to_arabic_digits,
)

# ----------------------------------------------------------------------------- to_arabic_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("ปี ๒๕๖๙", "ปี 2569"),
        ("๑๒๐,๐๐๐", "120,000"),
        ("2568", "2568"),
        ("หมู่ที่ ๓ และ 5", "หมู่ที่ 3 และ 5"),
        ("", ""),
    ],
)
def test_to_arabic_digits(text: str, expected: str) -> None:
    assert to_arabic_digits(text) == expected


# ----------------------------------------------------------------------------------- clean_text


@pytest.mark.parametrize(
    "value",
    [
        None,
        float("nan"),
        np.nan,
        pd.NA,
        pd.NaT,
        "",
        "   ",
        "\n\t",
        "\u00a0",
        "\u200b\ufeff",
        " \u00ad ",
    ],
)
def test_clean_text_blank_is_none(value: object) -> None:
    assert clean_text(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.0, "3"),
        (-2.0, "-2"),
        (2568.0, "2568"),
        (np.float64(7.0), "7"),
        (np.float32(4.0), "4"),
        (3.5, "3.5"),
        (150000.1, "150000.1"),
        (3, "3"),
        (np.int64(12), "12"),
        (0, "0"),
        (True, "True"),
        (Decimal("1.50"), "1.50"),
        (dt.datetime(2025, 10, 1, 8, 30), "2025-10-01 08:30:00"),
        (dt.date(2025, 10, 1), "2025-10-01"),
    ],
)
def test_clean_text_non_strings(value: object, expected: str) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  ห้วยกรด  ", "ห้วยกรด"),
        ("ก่อสร้างถนน\nคอนกรีต", "ก่อสร้างถนน คอนกรีต"),
        ("ก่อสร้างถนน\r\n  คอนกรีต", "ก่อสร้างถนน คอนกรีต"),
        ("a\t\tb", "a b"),
        ("ห้วยกรด\u00a0พัฒนา", "ห้วยกรด พัฒนา"),
        ("a\u2003\u3000b", "a b"),
        ("a\u202fb\u2028c", "a b c"),
        ("ถนน\u200bคอนกรีต", "ถนนคอนกรีต"),
        ("\ufeffโครงการ", "โครงการ"),
        ("ก\u00adข\u200c\u200d\u2060ค", "กขค"),
        # Thai text is otherwise untouched: Thai digits and case stay as they are.
        ("ปี ๒๕๖๙ KPI", "ปี ๒๕๖๙ KPI"),
        ("ห้วยกรด พัฒนา", "ห้วยกรด พัฒนา"),
        # NFC: e + combining acute becomes é; zero-width characters do not block composition.
        ("cafe\u0301", "café"),
        ("cafe\u200b\u0301", "café"),
        ("โครงการ/กิจกรรม", "โครงการ/กิจกรรม"),
    ],
)
def test_clean_text_strings(value: str, expected: str) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        (float("nan"), True),
        (pd.NA, True),
        (pd.NaT, True),
        (np.datetime64("NaT"), True),
        ("", False),
        (0, False),
        (0.0, False),
        ("nan", False),
    ],
)
def test_is_missing(value: object, expected: bool) -> None:
    assert is_missing(value) is expected


_MESSY_ALPHABET = st.sampled_from(
    list("กขคงหมู่ที่้๊๋ัิีึืุูเแโใไำะๆฯ๐๑๒๓๔๕๖๗๘๙0123456789abcAB.,-()/ ")
    + list("\t\n\r\u00a0\u2003\u3000\u202f\u2028" + ZERO_WIDTH_CHARS)
    + ["e", "A", "\u0301", "\u0323", "\u030a", "\u212b", "\u0130", "\u1e9e"]
)
_MESSY_TEXT = st.text(alphabet=_MESSY_ALPHABET, max_size=40) | st.text(max_size=20)
_CELL_VALUES = st.one_of(
    _MESSY_TEXT,
    st.none(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(),
)


@settings(max_examples=200, deadline=None)
@given(_CELL_VALUES)
def test_clean_text_is_idempotent_and_tidy(value: object) -> None:
    cleaned = clean_text(value)
    assert clean_text(cleaned) == cleaned
    if cleaned is not None:
        assert cleaned != ""
        assert "  " not in cleaned
        assert cleaned == cleaned.strip()
        assert not any(ch in ZERO_WIDTH_CHARS for ch in cleaned)
        assert all(ch == " " or not ch.isspace() for ch in cleaned)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("กขคงจ ปีบาท")), max_size=30))
def test_clean_text_only_changes_spacing_of_plain_thai(text: str) -> None:
    cleaned = clean_text(text)
    expected = " ".join(normalize_thai(" ".join(text.split())).split()) or None
    assert cleaned == expected


# ----------------------------------------------------------------------------- normalize_header


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("งบประมาณ ปี ๒๕๖๙ (บาท)", "งบประมาณปี2569บาท"),
        ("ตัวชี้วัด (KPI)", "ตัวชี้วัดkpi"),
        ("ม.", "ม"),
        ("ปี พ.ศ.", "ปีพศ"),
        ("โครงการ/กิจกรรม", "โครงการ/กิจกรรม"),
        ("โครงการ / กิจกรรม", "โครงการ/กิจกรรม"),
        ("ชื่อ\nโครงการ", "ชื่อโครงการ"),
        ("หน่วยงาน\u00a0รับผิดชอบ(หลัก)", "หน่วยงานรับผิดชอบหลัก"),
        ("ลำดับที่:", "ลำดับที่"),
        ("*หมายเหตุ*", "หมายเหตุ"),
        ("[ผลผลิต]", "ผลผลิต"),
        ("{a}", "a"),
        ("“เป้าหมาย”", "เป้าหมาย"),
        ("‘ตัวชี้วัด’", "ตัวชี้วัด"),
        ('"ที่"', "ที่"),
        ("'ที่'", "ที่"),
        ("งบ-ประมาณ_2568", "งบประมาณ2568"),
        ("ที่#", "ที่"),
        ("#ที่", "ที่"),
        ("/โครงการ/", "โครงการ"),
        ("2568", "2568"),
        (2568, "2568"),
        (2568.0, "2568"),
        ("๒๕๖๘", "2568"),
        (None, ""),
        ("   ", ""),
        ("(.)", ""),
    ],
)
def test_normalize_header(value: object, expected: str) -> None:
    assert normalize_header(value) == expected


@settings(max_examples=200, deadline=None)
@given(_MESSY_TEXT)
def test_normalize_header_is_idempotent(text: str) -> None:
    key = normalize_header(text)
    assert normalize_header(key) == key
    assert " " not in key
    assert not any(ch in "๐๑๒๓๔๕๖๗๘๙()[]{}.:*\"'“”‘’-_" for ch in key)


# ------------------------------------------------------------------------------------ A1 cells


@pytest.mark.parametrize(
    ("col0", "expected"),
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (16383, "XFD"),
    ],
)
def test_column_letter(col0: int, expected: str) -> None:
    assert column_letter(col0) == expected


@pytest.mark.parametrize(
    ("row0", "col0", "expected"),
    [(0, 0, "A1"), (0, 25, "Z1"), (0, 26, "AA1"), (11, 5, "F12"), (1048575, 16383, "XFD1048576")],
)
def test_cell_a1(row0: int, col0: int, expected: str) -> None:
    assert cell_a1(row0, col0) == expected


@pytest.mark.parametrize(("row0", "col0"), [(-1, 0), (0, -1)])
def test_cell_a1_rejects_negative(row0: int, col0: int) -> None:
    with pytest.raises(ValueError):
        cell_a1(row0, col0)


def _letters_to_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_column_letter_round_trip(col0: int) -> None:
    letters = column_letter(col0)
    assert letters.isascii() and letters.isupper()
    assert _letters_to_index(letters) == col0


def test_clean_text_nan_float_is_none_but_inf_is_text() -> None:
    assert clean_text(math.inf) == "inf"


# ----------------------------------------------------------------------------- Thai normalisation

_TONES = "\u0e48\u0e49\u0e4a\u0e4b"
_ABOVE_BELOW = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39"


def _official_tambon_names() -> list[str]:
    import geothai

    return sorted(
        {t.name_th for p in geothai.provinces() for d in geothai.districts(p.code)
         for t in geothai.subdistricts(d.code)}
    )  # fmt: skip


TAMBON_NAMES = _official_tambon_names()


def _decompose(name: str, swap_tones: bool, double_e: bool, zw: bool) -> str:
    """A name as people type it: SARA AM as NIKHAHIT + SARA AA, tone before its vowel,
    เเ for แ, a zero-width space between letters."""
    text = name.replace("\u0e33", "\u0e4d\u0e32")
    if swap_tones:
        out, i = [], 0
        while i < len(text):
            if i + 1 < len(text) and text[i] in _ABOVE_BELOW and text[i + 1] in _TONES:
                out += [text[i + 1], text[i]]
                i += 2
            else:
                out.append(text[i])
                i += 1
        text = "".join(out)
    if double_e:
        text = text.replace("แ", "เเ")
    if zw and len(text) > 1:
        text = text[:1] + "\u200b" + text[1:]
    return text


def test_every_official_tambon_name_is_already_normal() -> None:
    assert len(TAMBON_NAMES) > 5000
    assert [n for n in TAMBON_NAMES if clean_text(n) != n] == []


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(TAMBON_NAMES), st.booleans(), st.booleans(), st.booleans())
def test_decomposed_tambon_names_normalise_to_the_official_name(
    name: str, swap_tones: bool, double_e: bool, zw: bool
) -> None:
    assert clean_text(_decompose(name, swap_tones, double_e, zw)) == name


def test_decomposed_forms_of_every_official_tambon_name() -> None:
    wrong = [n for n in TAMBON_NAMES if clean_text(_decompose(n, True, True, True)) != n]
    assert wrong == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ตําบลบ้านเชี่ยน", "ตำบลบ้านเชี่ยน"),  # NIKHAHIT + SARA AA
        ("เเพรกศรีราชา", "แพรกศรีราชา"),  # เเ for แ
        ("ก่ิ", "กิ่"),  # tone typed before its vowel
        ("นํ้า", "น้ำ"),
        ("ห้วย\u200bกรด", "ห้วยกรด"),
    ],
)
def test_thai_typed_forms_are_unified(typed: str, expected: str) -> None:
    assert clean_text(typed) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("กขเแาำํ่้ิีั \u200b")), max_size=20))
def test_thai_normalisation_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


def _pythainlp_fixed_point(text: str) -> str:
    from pythainlp.util import normalize

    for _ in range(4):
        done = normalize(text)
        if done == text:
            break
        text = done
    return text


_THAI_MARKS = st.sampled_from(list("กขนมยรอเแโใไะาำๅัิีึืฺุู็่้๊๋์ํ๎ ") + ["เเ", "ํา", "่ั", " ่"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_THAI_MARKS, max_size=12).map("".join))
def test_normalize_thai_fast_path_agrees_with_pythainlp(text: str) -> None:
    import unicodedata

    spaced = " ".join(unicodedata.normalize("NFC", text).split())
    expected = " ".join(_pythainlp_fixed_point(spaced).split()) or None
    assert clean_text(text) == expected


def test_number_cells_clean_as_their_text():
    # The float / int fast path of clean_text answers as the general path for numbers.
    from fractions import Fraction

    assert [clean_text(v) for v in (3.0, -0.0, 2.5, 1e20, float("inf"), 7, -12)] == [
        "3", "0", "2.5", "100000000000000000000", "inf", "7", "-12",
    ]  # fmt: skip
    assert clean_text(float("nan")) is None
    assert clean_text(True) == "True"  # a bool is no number cell
    assert clean_text(Fraction(5, 1)) == "5"


def test_thai_digits_and_zero_width_characters_only_when_present():
    assert to_arabic_digits("ปี ๒๕๖๘") == "ปี 2568"
    assert to_arabic_digits("ปี 2568") == "ปี 2568"
    assert clean_text("ส่องสว่า\u200bง\u00ad") == "ส่องสว่าง"


def test_every_format_and_control_character_is_dropped() -> None:
    """The invisible set is exactly Unicode's format characters (Cf) and the control
    characters that are not whitespace: RLO, LRM, isolates, tags, ESC, NUL..."""
    import sys
    import unicodedata

    expected = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Cf"
        or (unicodedata.category(chr(c)) == "Cc" and not chr(c).isspace())
    }
    assert set(ZERO_WIDTH_CHARS) == expected
    assert clean_text("\u202e\x1b[31mถนน\u2066 หมู่ 1\u2069\u200f") == "[31mถนน หมู่ 1"


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=_MESSY_ALPHABET, max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from(sorted(ZERO_WIDTH_CHARS))), max_size=5),
)
def test_invisible_characters_never_change_the_cleaned_text(text: str, inserts) -> None:
    """A copy of a cell with RLO, LRM, ZWSP, BOM, ESC... put anywhere cleans to the same text."""
    marked = text
    for at, ch in inserts:
        marked = marked[:at] + ch + marked[at:]
    assert clean_text(marked) == clean_text(text)
