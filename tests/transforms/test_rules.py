"""data/issue_codes.csv's `rejects_row` column says which codes reject a row: it must agree
with what the reader does (a code that rejects its row is an error, and every reason of a
rejected row is such a code; no accepted row carries one)."""

from pathlib import Path

from oneplan.flows.reference import ROOT
from oneplan.flows.stage import discover_inbox, read_plan_file
from oneplan.transforms.sheet import FileContext, Sheet, read_sheets

CTX = FileContext("1804/plan.xlsx", "1804", "สรรพยา", "plan")
# Rows that reject for the reasons the sample does not plant.
PLANTED = {
    "missing_required_column": ("ต.ตลุก", [["ที่", "โครงการ", "หน่วยงาน"], ["1", "ก", "อบต."]]),
    "no_tambon": ("แผ่น1", [["ที่", "โครงการ", "2568"], ["1", "ก", "100"]]),
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
