"""What a plan leaves out (tambons of its district) and what it shows broken (error cells)."""

from oneplan.flows.reference import load_error_values
from oneplan.transforms.completeness import find_error_cells, uncovered_tambons
from oneplan.transforms.sheet import Sheet


def test_a_district_plan_missing_two_tambons_names_them_in_code_order(areas):
    covered = ["180401", "180402", "180404", "180405", "180407", "999999"]
    assert uncovered_tambons(covered, areas, "1804") == [
        ("180403", "เขาแก้ว"),
        ("180406", "บางหลวง"),
    ]


def test_one_tambons_plan_or_a_whole_one_asks_for_nothing(areas):
    assert uncovered_tambons(["180402", "180402"], areas, "1804") == []
    assert uncovered_tambons([], areas, "1804") == []
    every = areas.loc[areas["district_code"] == "1804", "tambon_code"]
    assert uncovered_tambons(every, areas, "1804") == []


def test_error_cells_on_every_sheet_and_no_lookalike():
    sheets = [
        Sheet("ผ.01", [["รวม", "#NAME?", " #REF! "], ["#DIV/0!", "Err:502", "#N/A"]]),
        Sheet("ต.ตลุก", [["#1 ถนน", "#REF", "Err:50", "Error", 12, None, "# N/A"]]),
    ]
    assert find_error_cells(sheets, load_error_values()) == [
        ("ผ.01", 1, 1, "#NAME?"),
        ("ผ.01", 1, 2, "#REF!"),
        ("ผ.01", 2, 0, "#DIV/0!"),
        ("ผ.01", 2, 1, "Err:502"),
        ("ผ.01", 2, 2, "#N/A"),
    ]
