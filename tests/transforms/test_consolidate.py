from decimal import Decimal

import pandas as pd
from oneplan.transforms.consolidate import StagedFile, consolidate_district, project_id, row_counts
from oneplan.transforms.sheet import FileContext, Sheet, read_sheets
from oneplan.transforms.staging import staged_tables

TAMBONS = {"180402": "ตลุก", "180403": "เขาแก้ว"}
ROWS = [
    ["ที่", "ตำบล", "โครงการ", "2568", "2569"],
    ["1", "ตลุก", "ถนน", "100", "200"],
    ["2", "ตลุก", "ถนน", "100", "300"],  # same name, other budgets: a second project
    ["3", "เขาแก้ว", "ถนน", "5", ""],
]


def staged(source_file, rows, rules, matcher, sheet="Sheet1"):
    ctx = FileContext(source_file, "1804", "สรรพยา", "x")
    result = read_sheets([Sheet(sheet, rows)], ctx, rules, matcher)
    return StagedFile(f"sub-{source_file}", source_file, staged_tables(result))


def test_copy_counts_once_and_is_reported(rules, matcher):
    files = [
        staged("1804/b.xlsx", ROWS, rules, matcher),  # the copy (sorted after a.xlsx)
        staged("1804/a.xlsx", ROWS, rules, matcher),
    ]
    district = consolidate_district(files, "1804", TAMBONS, rules)
    assert len(district.projects) == 3
    assert set(district.projects["source_file"]) == {"1804/a.xlsx"}
    dup = district.issues[district.issues["code"] == "duplicate_project"]
    assert list(dup["source_row"]) == [2, 3, 4]
    assert list(dup["source_file"]) == ["1804/b.xlsx"] * 3
    counts = row_counts(district.row_log).set_index("submission_id")
    assert counts.loc["sub-1804/b.xlsx"].to_dict() == {
        "n_rows_accepted": 0,
        "n_rows_rejected": 0,
        "n_rows_skipped": 4,
        "n_rows_read": 4,
    }
    assert counts.loc["sub-1804/a.xlsx", "n_rows_accepted"] == 3
    budgets = district.budgets.groupby("fiscal_year")["amount_thb"].sum().to_dict()
    assert budgets == {2568: Decimal("205.00"), 2569: Decimal("500.00")}


def test_project_ids_are_stable_and_distinct(rules, matcher):
    one = consolidate_district(
        [staged("1804/a.xlsx", ROWS, rules, matcher)], "1804", TAMBONS, rules
    )
    again = consolidate_district(
        [staged("1804/a.xlsx", ROWS, rules, matcher)], "1804", TAMBONS, rules
    )
    assert list(one.projects["project_id"]) == list(again.projects["project_id"])
    assert one.projects["project_id"].is_unique
    assert one.projects["project_id"].iloc[0] == project_id("1804", "180402", "ถนน", 0)
    assert one.projects["project_id"].iloc[1] == project_id("1804", "180402", "ถนน", 1)


def test_changed_budget_keeps_the_project_id(rules, matcher):
    changed = [ROWS[0], ["1", "ตลุก", "ถนน", "999", "200"], *ROWS[2:]]
    before = consolidate_district(
        [staged("1804/a.xlsx", ROWS, rules, matcher)], "1804", TAMBONS, rules
    )
    after = consolidate_district(
        [staged("1804/a.xlsx", changed, rules, matcher)], "1804", TAMBONS, rules
    )
    assert list(before.projects["project_id"]) == list(after.projects["project_id"])


def test_same_name_in_two_tambons_is_info(rules, matcher):
    district = consolidate_district(
        [staged("1804/a.xlsx", ROWS, rules, matcher)], "1804", TAMBONS, rules
    )
    same = district.issues[district.issues["code"] == "same_name_other_tambon"]
    assert list(same["source_row"]) == [2, 3, 4]
    assert set(same["severity"]) == {"info"}


def test_budget_too_large_uses_district_percentile(rules, matcher):
    rows = (
        [["ที่", "ตำบล", "โครงการ", "2568"]]
        + [[str(i), "ตลุก", f"p{i}", "1000"] for i in range(200)]
        + [["201", "ตลุก", "ใหญ่", "5,000,000"]]
    )
    district = consolidate_district(
        [staged("1804/a.xlsx", rows, rules, matcher)], "1804", TAMBONS, rules
    )
    large = district.issues[district.issues["code"] == "budget_too_large"]
    assert list(large["source_row"]) == [202]


def test_row_counts_add_up():
    log = pd.DataFrame(
        {
            "submission_id": ["a", "a", "a", "b"],
            "outcome": ["accepted", "skipped", "rejected", "skipped"],
        }
    )
    counts = row_counts(log).set_index("submission_id")
    assert counts.loc["a"].to_dict() == {
        "n_rows_accepted": 1,
        "n_rows_rejected": 1,
        "n_rows_skipped": 1,
        "n_rows_read": 3,
    }
    assert counts.loc["b", "n_rows_accepted"] == 0


def test_a_year_sheet_workbook_sent_twice_counts_once_row_by_row(rules, matcher):
    header = ["ที่", "โครงการ", "งบประมาณ (บาท)"]
    sheets = [
        Sheet("ปี 2568", [header, ["1", "ถนน", "100"], ["2", "ประปา", "50"]]),
        Sheet("ปี 2569", [header, ["1", "ถนน", "120"]]),
    ]

    def year_file(source_file):
        ctx = FileContext(source_file, "1804", "สรรพยา", "ต.ตลุก")
        result = read_sheets(sheets, ctx, rules, matcher)
        return StagedFile(f"sub-{source_file}", source_file, staged_tables(result))

    files = [year_file("1804/a.xlsx"), year_file("1804/b.xlsx")]
    district = consolidate_district(files, "1804", TAMBONS, rules)
    assert sorted(district.projects["project_name"]) == ["ถนน", "ประปา"]
    counts = row_counts(district.row_log).set_index("submission_id")
    assert counts.loc["sub-1804/a.xlsx", "n_rows_accepted"] == 3
    # every line of the copy, the ปี 2569 line of ถนน included, is a duplicate
    assert counts.loc["sub-1804/b.xlsx", "n_rows_accepted"] == 0
    assert counts.loc["sub-1804/b.xlsx", "n_rows_skipped"] == 5


def test_same_budgets_but_another_measure_is_not_a_duplicate_and_measures_follow(rules, matcher):
    """Duplicates on the whole row: the same project and plan budgets in two files are one
    project only when the other measures (เทศบัญญัติ) agree too; the kept projects' measures
    are published by project_id, a duplicate's go with it."""
    head = [["ที่", "โครงการ", "ตำบล", "งบประมาณ", "", "เทศบัญญัติ", ""],
            ["", "", "", "2568", "2569", "2568", "2569"]]  # fmt: skip

    def rows(ordinance):
        return [*head, ["1", "ขุดลอกคลอง", "ตลุก", "100", "200", ordinance, ""]]

    files = [
        staged("1804/a.xlsx", rows("90"), rules, matcher),
        staged("1804/b.xlsx", rows("90"), rules, matcher),  # a copy: counted once
        staged("1804/c.xlsx", rows("80"), rules, matcher),  # granted another amount: kept
    ]
    district = consolidate_district(files, "1804", TAMBONS, rules)
    assert sorted(district.projects["source_file"]) == ["1804/a.xlsx", "1804/c.xlsx"]
    dup = district.issues[district.issues["code"] == "duplicate_project"]
    assert list(dup["source_file"]) == ["1804/b.xlsx"]
    ids = dict(zip(district.projects["source_file"], district.projects["project_id"], strict=True))
    measures = district.measures.sort_values("amount_thb").to_dict("records")
    assert measures == [
        {"project_id": ids["1804/c.xlsx"], "fiscal_year": 2568, "measure": "ordinance",
         "amount_thb": Decimal("80.00")},
        {"project_id": ids["1804/a.xlsx"], "fiscal_year": 2568, "measure": "ordinance",
         "amount_thb": Decimal("90.00")},
    ]  # fmt: skip
