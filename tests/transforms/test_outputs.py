"""Shaping what people read: inert text, Thai dates, the workbook's tables, chart geometry."""

from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
from oneplan.transforms.outputs import (
    inert_text,
    markdown_text,
    stacked_bars,
    text_bar,
)
from oneplan.transforms.thaidate import thai_datetime

D = Decimal


def test_inert_text_drops_control_characters_and_bidi_overrides():
    hostile = "\x1b[32mผ่าน\x1b[0m\rไม่ผ่าน\x00\x07\u202eabc\x9b\tX\nY"
    assert inert_text(hostile) == "[32mผ่าน[0m\nไม่ผ่าน" + "abc\tX\nY"
    assert inert_text("a\r\nb", keep_newlines=False) == "a b"
    assert inert_text(None) == ""
    assert inert_text(150000) == "150000"


def test_a_missing_value_is_empty_text_never_nan_none_or_nat():
    import numpy as np

    for missing in (None, float("nan"), np.nan, pd.NA, pd.NaT):
        assert inert_text(missing) == ""
    assert inert_text([1, 2]) == "[1, 2]" and inert_text(0) == "0"


def test_a_money_chart_shows_the_total_it_is_given():
    # The bar's total is the mart's (counted once), not the sum of the segments shown.
    bars = stacked_bars([("1806 ปี 2568", [D("10.00"), D("5.00")], D("12.00"))], width=120)
    assert bars[0]["total"] == D("12.00")
    assert [s["w"] for s in bars[0]["segments"]] == [100.0, 50.0]


def test_markdown_text_escapes_links_html_and_tables():
    assert markdown_text("[ดู](http://evil.example)") == "\\[ดู\\](http://evil.example)"
    assert markdown_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert markdown_text("a|b & *c* `d`\nขึ้นบรรทัด") == "a\\|b &amp; \\*c\\* \\`d\\` ขึ้นบรรทัด"
    assert markdown_text("ถนน คสล. หมู่ที่ 3 (ต่อ)") == "ถนน คสล. หมู่ที่ 3 (ต่อ)"


def test_thai_datetime_is_bangkok_time_in_the_buddhist_era():
    assert thai_datetime(datetime(2026, 12, 1, 19, 9, tzinfo=UTC)) == "2 ธันวาคม 2569 02:09 น."
    assert thai_datetime(datetime(2026, 1, 31, 17, 0)) == "1 กุมภาพันธ์ 2569 00:00 น."
    assert thai_datetime(None) == ""


def test_stacked_bars_scale_to_the_largest_total_and_keep_exact_values():
    bars = stacked_bars([("ก", [D("300.00"), D("100.00")]), ("ข", [D("100.00"), D("0.00")])], 400)
    assert bars[0]["total"] == D("400.00")
    assert [(s["x"], s["w"]) for s in bars[0]["segments"]] == [(0.0, 300.0), (300.0, 100.0)]
    assert [(s["x"], s["w"]) for s in bars[1]["segments"]] == [(0.0, 100.0), (100.0, 0.0)]
    assert bars[1]["end"] == 100.0
    assert stacked_bars([("ว่าง", [0, 0])])[0]["segments"][0]["w"] == 0.0


def test_text_bar():
    assert text_bar(10, 10, 4) == "████"
    assert text_bar(5, 10, 3) == "█▌"
    assert text_bar(0, 10) == ""


def test_inert_text_drops_every_invisible_format_character():
    """LRM/RLM, isolates, ZWSP, BOM, tags: nothing that reorders or hides text reaches a
    terminal line, a report or a workbook; tabs and newlines stay."""
    assert inert_text("a\u200fb\u200bc\u2067d\u2069\ufeff\U000e0041\t\n\x1b[2Je") == "abcd\t\n[2Je"
