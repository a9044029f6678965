"""Issues as records; their messages rendered from the catalogue where they are shown."""

import math

import pandas as pd
from oneplan.transforms.issues import make_issue, render_issue, sheet_cell, with_messages

FILE = "1804/แผน ต.ตลุก.xlsx"


def test_an_issue_is_a_record_with_no_message_in_it(rules):
    issue = make_issue(
        rules,
        "unknown_tambon",
        source_file=FILE,
        sheet="ต.ตลุก (2)",
        row=12,
        col0=5,
        column_name="ตำบล",
        value="ตลุกกก",
        expected="สรรพยา",
    )
    assert issue == {
        "source_file": FILE,
        "source_sheet": "ต.ตลุก (2)",
        "source_row": 12,
        "column_name": "ตำบล",
        "severity": "error",
        "code": "unknown_tambon",
        "raw_value": "ตลุกกก",
        "expected_value": "สรรพยา",
        "cell": "'ต.ตลุก (2)'!F12",
    }


def test_the_message_is_rendered_in_thai_and_english_with_and_without_its_location(rules):
    issue = make_issue(
        rules,
        "unknown_tambon",
        source_file=FILE,
        sheet="ต.ตลุก",
        row=12,
        col0=5,
        column_name="ตำบล",
        value="ตลุกกก",
        expected="สรรพยา",
    )
    assert render_issue(rules, issue, "th") == (
        f'ไฟล์ {FILE} แผ่นงาน ต.ตลุก แถว 12 คอลัมน์ ตำบล (ต.ตลุก!F12): ไม่พบตำบล "ตลุกกก" ในอำเภอสรรพยา'
    )
    assert render_issue(rules, issue, "en") == (
        f'{FILE}, sheet ต.ตลุก, row 12, column ตำบล, (ต.ตลุก!F12): Tambon "ตลุกกก" is not a known '
        "tambon of สรรพยา"
    )
    assert render_issue(rules, issue, "th", with_location=False) == (
        'ไม่พบตำบล "ตลุกกก" ในอำเภอสรรพยา'
    )
    assert render_issue(rules, issue, "en", with_location=False) == (
        'Tambon "ตลุกกก" is not a known tambon of สรรพยา'
    )


def test_a_file_level_issue_names_only_the_file(rules):
    issue = make_issue(rules, "too_many_rows", source_file=FILE, value="1,048,576", expected=250000)
    assert issue["expected_value"] == "250000"
    assert render_issue(rules, issue, "th") == (
        f"ไฟล์ {FILE}: แผ่นงานมี 1,048,576 แถว เกินขีดจำกัด 250000 แถว จึงไม่ได้อ่านไฟล์นี้"
    )
    assert render_issue(rules, make_issue(rules, "empty_file", source_file=FILE), "en") == (
        f"{FILE}: The file is empty"
    )


def test_the_raw_value_is_kept_long_and_the_message_quotes_it_short(rules):
    issue = make_issue(rules, "unreadable_budget", source_file=FILE, value="๑" * 5000)
    assert issue["raw_value"] == "๑" * 2000 + "…"
    assert render_issue(rules, issue, with_location=False) == (
        'อ่านงบประมาณ "' + "๑" * 200 + '…" ไม่ได้'
    )


def test_a_record_read_back_from_a_dataframe_renders_the_same(rules):
    """Rows of a DataFrame carry NaN for missing values and floats for a row column with
    gaps; the message is the one the plain record gives."""
    located = make_issue(rules, "negative_budget", source_file=FILE, sheet="S", row=3, value="-5")
    bare = make_issue(rules, "empty_file", source_file=FILE)
    frame = pd.DataFrame([located, bare])
    assert math.isnan(frame.loc[1, "source_row"])
    rendered = with_messages(frame, rules)
    assert list(rendered["message"]) == [render_issue(rules, located), render_issue(rules, bare)]
    assert list(rendered["message_en"]) == [
        f'{FILE}, sheet S, row 3: Negative budget "-5"',
        f"{FILE}: The file is empty",
    ]


def test_sheet_cell_quotes_sheet_names_as_excel_does():
    assert sheet_cell("ต.ตลุก", 11, 5) == "ต.ตลุก!F12"
    assert sheet_cell("it's", 0, 0) == "'it''s'!A1"
    assert sheet_cell(None, 0, 1) == "B1"
    assert sheet_cell("S", None, 1) is None
