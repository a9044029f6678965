"""Tests for transforms.numbers: budgets, fiscal years and village numbers."""

from __future__ import annotations

import pickle
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oneplan.transforms.numbers import (
    ParseError,
    parse_budget,
    parse_fiscal_year,
    parse_village_numbers,
    village_numbers_from_name,
)

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

# ---------------------------------------------------------------------------------- ParseError


def test_parse_error_carries_code_and_value() -> None:
    with pytest.raises(ParseError) as info:
        parse_budget("ไม่ทราบ")
    assert isinstance(info.value, ValueError)
    assert info.value.code == "unreadable_budget"
    assert info.value.value == "ไม่ทราบ"
    assert "unreadable_budget" in str(info.value)
    assert "ไม่ทราบ" in str(info.value)


def test_parse_error_pickles() -> None:
    error = ParseError("negative_budget", "-5,000")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.value, str(copy)) == (error.code, error.value, str(error))


# -------------------------------------------------------------------------------- parse_budget


@pytest.mark.parametrize(
    "value", [None, float("nan"), np.nan, pd.NA, pd.NaT, "", "   ", "\u00a0", "\u200b"]
)
def test_parse_budget_empty_is_none(value: object) -> None:
    assert parse_budget(value) is None


@pytest.mark.parametrize("value", ["-", "–", "—", "−", " - ", "\u00a0-\u00a0", "-.-", "- บาท", "0"])
def test_parse_budget_dash_is_zero(value: str) -> None:
    result = parse_budget(value)
    assert result == Decimal("0.00")
    assert str(result) == "0.00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,632,820", "1632820.00"),
        (" 1,632,820 ", "1632820.00"),
        ("150,000.00", "150000.00"),
        ("๑๒๐,๐๐๐", "120000.00"),
        ("1632820", "1632820.00"),
        ("1,000.-", "1000.00"),
        ("฿1,000", "1000.00"),
        ("฿ 1,000", "1000.00"),
        ("1,000 บาท", "1000.00"),
        ("1,000บาท", "1000.00"),
        ("150000.5", "150000.50"),
        ("150000.", "150000.00"),
        (".5", "0.50"),
        ("0.05", "0.05"),
        ("1 632 820", "1632820.00"),
        ("1,00,0", "1000.00"),
        ("\u00a01,632,820\u200b", "1632820.00"),
        ("1,632,820\n", "1632820.00"),
        ("๑,๕๐๐.๕๐", "1500.50"),
        ("-0", "0.00"),
        ("9999999999999.99", "9999999999999.99"),
        ("0009999999999999", "9999999999999.00"),
        (1632820, "1632820.00"),
        (0, "0.00"),
        (np.int64(5000), "5000.00"),
        (150000.1, "150000.10"),
        (150000.0, "150000.00"),
        (0.1, "0.10"),
        (0.005, "0.00"),  # half-even
        (0.015, "0.02"),
        (-0.0, "0.00"),
        (np.float32(2.5), "2.50"),
        (Decimal("1234.5"), "1234.50"),
        (Decimal("1234.565"), "1234.56"),
        (Decimal("1234.575"), "1234.58"),
    ],
)
def test_parse_budget_reads(value: object, expected: str) -> None:
    result = parse_budget(value)
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize(
    "value",
    [
        "-5,000",
        "−5000",
        "–5000",
        "(5,000)",
        "(5,000 บาท)",
        "-฿5,000",
        "-1,000.-",
        "-0.01",
        -5000,
        -0.5,
        Decimal("-1"),
    ],
)
def test_parse_budget_negative(value: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_budget(value)
    assert info.value.code == "negative_budget"
    assert info.value.value is value


@pytest.mark.parametrize(
    "value",
    [
        "ไม่ทราบ",
        "=SUM(A1:A2)",
        "#REF!",
        "#DIV/0!",
        "#VALUE!",
        "2.5e5",
        "1e3",
        "1.234",
        "150,000.000",
        "12.34.56",
        "abc123",
        "123abc",
        "5-",
        "--",
        "+5000",
        "-abc",
        "()",
        "(-)",
        "1,000 ดอลลาร์",
        "١٢٣",  # Arabic-Indic digits are not Thai plan digits
        "10000000000000",
        "10,000,000,000,000.00",
        "9999999999999.995",
        10**13,
        10**30,
        1e13,
        9999999999999.998,  # rounds half-even to 10^13
        float("inf"),
        float("-inf"),
        True,
        False,
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1E+20"),
        [1],
        object(),
    ],
)
def test_parse_budget_unreadable(value: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_budget(value)
    assert info.value.code == "unreadable_budget"


@st.composite
def _amounts(draw: st.DrawFn) -> Decimal:
    """Decimal baht amounts 0..10^12 with 0, 1 or 2 decimal places."""
    places = draw(st.sampled_from([0, 1, 2]))
    units = draw(st.integers(min_value=0, max_value=10**12 * 10**places))
    return Decimal(units).scaleb(-places)


_AMOUNTS = _amounts()


def _format_amount(amount: Decimal) -> str:
    places = max(0, -amount.as_tuple().exponent)
    return f"{amount:,.{places}f}"


@settings(max_examples=200, deadline=None)
@given(_AMOUNTS, st.sampled_from(["", " ", "  ", "\u00a0", "\n", "\t "]))
def test_parse_budget_round_trip_strings(amount: Decimal, pad: str) -> None:
    expected = amount.quantize(Decimal("0.01"))
    text = _format_amount(amount)
    assert parse_budget(text) == expected
    assert parse_budget(pad + text + pad) == expected
    assert parse_budget(text.translate(_TO_THAI)) == expected
    assert parse_budget(pad + text.replace(",", "") + pad) == expected
    assert parse_budget(f"฿{text}") == expected
    assert parse_budget(f"{text} บาท") == expected
    assert str(parse_budget(text)) == str(expected)


@settings(max_examples=200, deadline=None)
@given(_AMOUNTS)
def test_parse_budget_round_trip_numbers(amount: Decimal) -> None:
    expected = amount.quantize(Decimal("0.01"))
    assert parse_budget(float(amount)) == expected
    assert parse_budget(amount) == expected
    if amount == amount.to_integral_value():
        assert parse_budget(int(amount)) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_parse_budget_negative_round_trip(amount: int) -> None:
    for text in (f"-{amount:,}", f"({amount:,})", f"−{amount}"):
        with pytest.raises(ParseError) as info:
            parse_budget(text)
        assert info.value.code == "negative_budget"


# --------------------------------------------------------------------------- parse_fiscal_year


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2568, (2568, False)),
        (2568.0, (2568, False)),
        (np.int64(2569), (2569, False)),
        ("2568", (2568, False)),
        ("2568.0", (2568, False)),
        ("๒๕๖๘", (2568, False)),
        ("ปี 2568", (2568, False)),
        ("ปี ๒๕๖๙", (2569, False)),
        ("พ.ศ. 2568", (2568, False)),
        ("ปีงบประมาณ 2568", (2568, False)),
        ("งบประมาณ 2568", (2568, False)),
        ("2568 (บาท)", (2568, False)),
        ("งบประมาณ ปี ๒๕๖๙ (บาท)", (2569, False)),
        ("ปีงบประมาณ\n2570", (2570, False)),
        ("2568 / 2568", (2568, False)),
        ("2400", (2400, False)),
        ("2799", (2799, False)),
        (2025, (2568, True)),
        ("2025", (2568, True)),
        ("ค.ศ. 2026", (2569, True)),
        (1900, (2443, True)),
        (2199, (2742, True)),
    ],
)
def test_parse_fiscal_year(value: object, expected: tuple[int, bool]) -> None:
    assert parse_fiscal_year(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "  ",
        float("nan"),
        pd.NA,
        "68",
        68,
        "abc",
        "ปีงบประมาณ",
        2568.5,
        "2568.5",
        "2568-2569",
        "ปี 2568 และ 2569",
        "25680",
        "2800",
        2800,
        2399,
        1899,
        "1899",
        2200,
        True,
        float("inf"),
    ],
)
def test_parse_fiscal_year_unreadable(value: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_fiscal_year(value)
    assert info.value.code == "unreadable_fiscal_year"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2400, max_value=2799))
def test_parse_fiscal_year_round_trip(year: int) -> None:
    thai = str(year).translate(_TO_THAI)
    renderings = [
        year,
        float(year),
        str(year),
        thai,
        f"ปี {year}",
        f"ปี {thai}",
        f"พ.ศ. {year}",
        f"ปีงบประมาณ {thai}",
        f"งบประมาณ ปี {thai} (บาท)",
        f" {year} ",
    ]
    for rendering in renderings:
        assert parse_fiscal_year(rendering) == (year, False), rendering


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1900, max_value=2199))
def test_parse_fiscal_year_ce_round_trip(year: int) -> None:
    assert parse_fiscal_year(year) == (year + 543, True)
    assert parse_fiscal_year(str(year)) == (year + 543, True)


# ----------------------------------------------------------------------- parse_village_numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", [3]),
        (3, [3]),
        (3.0, [3]),
        (np.int64(3), [3]),
        ("3.0", [3]),
        ("หมู่ที่ 3", [3]),
        ("ม.3, 5", [3, 5]),
        ("3,5", [3, 5]),
        ("๓", [3]),
        ("3 และ 5", [3, 5]),
        ("1-3", [1, 2, 3]),
        ("1 - 3", [1, 2, 3]),
        ("๑-๓", [1, 2, 3]),
        ("1-31", list(range(1, 32))),
        ("1-32", [1, 32]),  # more than 30 apart: two numbers, not a range
        ("5-3", [5, 3]),
        ("3-3", [3]),
        ("5, 3, 5, 1-3", [5, 3, 1, 2]),
        ("ม.1 ถึง 3", [1, 2, 3]),
        ("0", []),
        ("100", []),
        ("3, 100, 7", [3, 7]),
        ("95-105", [95, 96, 97, 98, 99]),
        ("ทุกหมู่บ้าน", []),
        (None, []),
        ("", []),
        ("  ", []),
        (float("nan"), []),
        (pd.NA, []),
        (0, []),
        (100, []),
        (3.5, []),
        (True, []),
    ],
)
def test_parse_village_numbers(value: object, expected: list[int]) -> None:
    assert parse_village_numbers(value) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=8, unique=True),
    st.sampled_from([",", ", ", " และ ", " , ", "/"]),
    st.booleans(),
)
def test_parse_village_numbers_round_trip(villages: list[int], sep: str, thai: bool) -> None:
    text = sep.join(str(v) for v in villages)
    if thai:
        text = text.translate(_TO_THAI)
    assert parse_village_numbers(text) == villages
    assert parse_village_numbers("หมู่ที่ " + text) == villages


# --------------------------------------------------------------------- village_numbers_from_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ก่อสร้างถนนคอนกรีต หมู่ที่ 3", [3]),
        ("ก่อสร้างถนน หมู่ 3", [3]),
        ("ขุดลอกคลอง ม.5", [5]),
        ("ขุดลอกคลอง ม. 5", [5]),
        ("ขุดลอกคลองม.5", [5]),
        ("ซ่อมแซมถนน หมู่ที่ ๓", [3]),
        ("ซ่อมแซมถนน หมู่ที่3", [3]),
        ("ซ่อมแซมถนน หมูที่ 4", [4]),
        ("วางท่อ หมู่ที่ 3, 5 และ 7", [3, 5, 7]),
        ("วางท่อ ม.1-3", [1, 2, 3]),
        ("วางท่อ หมู่ที่ 1 - 3 และ 8", [1, 2, 3, 8]),
        ("ถนน หมู่ที่ 3 และหมู่ที่ 5", [3, 5]),
        ("ถนน ม.3 ถึง ม.5 หมู่ที่ 3", [3, 5]),
        ("ถนน 2 สาย หมู่ที่ 4", [4]),
        ("ถนน 2 สาย", []),
        ("ปี 2568", []),
        ("โครงการปี 2568 หมู่ที่ 2", [2]),
        ("หมู่ที่ 2568", []),
        ("หมู่ที่ 3, 2568", [3]),
        ("หมู่บ้าน 3 แห่ง", []),
        ("ถนน คสล. กว้าง 4 ม. ยาว 100 ม. หนา 0.15 ม. หมู่ที่ 6", [6]),
        ("วางท่อ ยาว 100 ม. 2 ช่วง", []),
        ("วางท่อ ยาว 100ม.2 ช่วง", []),
        ("ถนนยาว 2 ก.ม.3 สาย", []),
        ("ทุนการศึกษานักเรียนชั้น ม.3", []),
        ("ทุนการศึกษานักเรียนชั้นม.6 หมู่ที่ 1", [1]),
        ("อบรม ม.ค. 2568", []),
        ("หมู่ที่ 0", []),
        ("หมู่ที่ 120", []),
        ("\u200bหมู่ที่\u00a03", [3]),
        ("ถนน\nหมู่ที่\n3", [3]),
        ("", []),
        (None, []),
    ],
)
def test_village_numbers_from_name(name: str | None, expected: list[int]) -> None:
    assert village_numbers_from_name(name) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=5, unique=True),
    st.sampled_from(["หมู่ที่ ", "หมู่ที่", "หมู่ ", "ม.", "ม. "]),
    st.booleans(),
)
def test_village_numbers_from_name_round_trip(villages: list[int], marker: str, thai: bool) -> None:
    listed = ", ".join(str(v) for v in villages[:-1])
    text = f"{listed} และ {villages[-1]}" if listed else str(villages[-1])
    if thai:
        text = text.translate(_TO_THAI)
    assert village_numbers_from_name(f"ก่อสร้างถนนยาว 250 เมตร 2 สาย {marker}{text}") == villages


def test_float_budgets_are_cached_without_changing_answers():
    assert parse_budget(150000.0) == Decimal("150000.00")
    assert parse_budget(150000.0) == Decimal("150000.00")  # from the cache
    assert parse_budget(0.005) == Decimal("0.00")  # half to even
    assert parse_budget(-0.0) == Decimal("0.00")
    assert parse_budget(1.0) == parse_budget(1) == Decimal("1.00")
    assert parse_budget(float("nan")) is None
    for bad in (float("inf"), -5.0, 1e13):
        with pytest.raises(ParseError):
            parse_budget(bad)
        with pytest.raises(ParseError):
            parse_budget(bad)  # an error is not cached away
    with pytest.raises(ParseError) as err:
        parse_budget(np.float64("inf"))
    assert isinstance(err.value.value, np.float64)  # the raw value as the cell held it
    assert parse_budget(np.float64(12.5)) == Decimal("12.50")
    with pytest.raises(ParseError):
        parse_budget(True)
