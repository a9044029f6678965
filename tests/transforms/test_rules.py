"""data/issue_codes.csv's `rejects_row` column says which codes reject a row: it must agree
with what the reader does (a code that rejects its row is an error, and every reason of a
rejected row is such a code; no accepted row carries one)."""

from pathlib import Path

import pytest
from oneplan.flows.reference import ROOT
from oneplan.flows.stage import discover_inbox, read_plan_file
from oneplan.transforms.sheet import FileContext, Sheet, read_sheets

CTX = FileContext("1804/plan.xlsx", "1804", "สรรพยา", "plan")
# Rows that reject for the reasons the sample does not plant.
PLANTED = {
    "missing_required_column": ("ต.ตลุก", [["ที่", "โครงการ", "งบประมาณ (บาท)"], ["1", "ก", "1"]]),
    # No tambon column, and the sheet names a tambon of another district: nothing to place by.
    "no_tambon": ("ต.หันคา", [["ที่", "โครงการ", "2568"], ["1", "ก", "100"]]),
    "blank_tambon": ("แผ่น1", [["ที่", "ตำบล", "โครงการ", "2568"], ["1", "", "ก", "100"]]),
}


def _results(rules, matcher):
    jobs, _ = discover_inbox(ROOT / "data" / "sample" / "inbox")
    for job in jobs:
        ctx = (job.source_file, job.district_code, job.district_name_th, job.provinces)
        yield read_plan_file(Path(job.path), *ctx)[1]
    for name, rows in PLANTED.values():
        yield read_sheets([Sheet(name, rows, ())], CTX, rules, matcher)


def test_rejects_row_agrees_with_the_reader(rules, matcher):
    rejecting = {code for code, entry in rules.issue_codes.items() if entry.rejects_row}
    assert all(rules.issue(code).severity == "error" for code in rejecting)
    seen = set()
    for result in _results(rules, matcher):
        rejected = {(r["source_sheet"], r["source_row"]) for r in result.rejected}
        for row in result.rejected:
            assert set(row["reasons"]) <= rejecting, row
            seen |= set(row["reasons"])
        for issue in result.issues:
            if issue["code"] in rejecting and issue["source_row"] is not None:
                assert (issue["source_sheet"], issue["source_row"]) in rejected, issue
    assert seen == rejecting


def test_every_issue_code_has_a_thai_label_and_every_label_a_code():
    """The report and the annotated copy show each code by its Thai label
    (data/issue_labels.csv); a code added without one would show as its bare code."""
    from oneplan.flows.reference import load_issue_labels, load_rules

    codes = set(load_rules().issue_codes)
    labels = load_issue_labels()
    assert sorted(codes - set(labels)) == []
    assert sorted(set(labels) - codes) == []
    assert all(label.strip() for label in labels.values())


def _rules_with(tmp_path, monkeypatch, code: str, rejects: bool):
    """The rules of a copy of data/ whose issue_codes.csv says `rejects` for `code`."""
    import shutil

    import pandas as pd
    from oneplan.flows import reference

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("sample"))
    table = pd.read_csv(data / "issue_codes.csv", dtype=str, keep_default_na=False)
    assert (table["code"] == code).sum() == 1
    table.loc[table["code"] == code, "rejects_row"] = "true" if rejects else "false"
    table.to_csv(data / "issue_codes.csv", index=False)
    monkeypatch.setattr(reference, "DATA", data)
    return reference.load_rules.__wrapped__()  # not the cached rules of data/


BAD_BUDGET = [["ที่", "โครงการ", "2568", "2569"], ["1", "ถนน", "หนึ่งแสน", "100"]]


def test_the_catalogue_decides_whether_a_bad_budget_rejects_its_row(
    tmp_path, monkeypatch, rules, matcher
):
    from decimal import Decimal

    rejected = read_sheets([Sheet("ต.ตลุก", BAD_BUDGET, ())], CTX, rules, matcher)
    assert [(r["source_row"], r["reasons"]) for r in rejected.rejected] == [
        (2, ["unreadable_budget"])
    ]
    assert rejected.projects == []
    lenient = _rules_with(tmp_path, monkeypatch, "unreadable_budget", rejects=False)
    accepted = read_sheets([Sheet("ต.ตลุก", BAD_BUDGET, ())], CTX, lenient, matcher)
    assert accepted.rejected == []
    [project] = accepted.projects
    assert (project["project_name"], project["budgets"]) == ("ถนน", {2569: Decimal("100.00")})
    assert [(i["source_row"], i["code"], i["raw_value"]) for i in accepted.issues] == [
        (2, "unreadable_budget", "หนึ่งแสน")
    ]


@pytest.mark.parametrize(
    ("code", "rejects", "says"),
    [
        ("missing_project_name", False, "cannot be a project; rejects_row must be true"),
        ("fuzzy_tambon_match", True, "not a check of a row's cells; rejects_row must be false"),
    ],
)
def test_a_catalogue_that_cannot_be_obeyed_is_refused_naming_its_line(
    tmp_path, monkeypatch, code, rejects, says
):
    with pytest.raises(ValueError, match=rf"issue_codes.csv line \d+: .*{code}.*{says}"):
        _rules_with(tmp_path, monkeypatch, code, rejects)
