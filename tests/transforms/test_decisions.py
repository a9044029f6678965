"""The decisions file: read with its limits, matched to tonight's projects, and applied by
link_projects (a rejected pair never proposed, an accepted one linked and counted once)."""

from decimal import Decimal

import pandas as pd
import pytest
from oneplan.flows.reference import load_linkage_settings
from oneplan.transforms import decisions as d
from oneplan.transforms.linkage import count_once, link_projects

SETTINGS = load_linkage_settings()

PROJECTS = pd.DataFrame(
    {
        "project_id": ["t1", "p1", "p2"],
        "plan_level": ["tambon", "province", "province"],
        "district_code": ["1804", "1804", "1804"],
        "tambon_code": ["180402", "18", "18"],
        "village_numbers": [[2], [2], []],
        "project_name": [
            "ซ่อมแซมถนนลูกรังเพื่อการเกษตร หมู่ที่ 2",
            "ปรับปรุงถนนลูกรังเพื่อการเกษตร สายหนองแซง หมู่ 2",
            "ส่งเสริมการท่องเที่ยวเชิงเกษตร",
        ],
        "funding_route": ["requested", None, None],
        "submission_id": ["s1", "s2", "s2"],
        "source_file": ["สรรพยา/ตำบล.csv", "จังหวัด/จังหวัด.csv", "จังหวัด/จังหวัด.csv"],
        "source_sheet": ["", "", ""],
        "source_row": [3, 3, 4],
    }
)
BUDGETS = pd.DataFrame(
    {
        "project_id": ["t1", "p1", "p2"],
        "fiscal_year": [2568, 2568, 2568],
        "amount_thb": [Decimal(80000), Decimal(95000), Decimal(150000)],
    }
)
HEADER = "decision,source_file,source_row,project_name,linked_project_id,decided_by,decided_at\n"
ROW = "{d},สรรพยา/ตำบล.csv,3,ซ่อมแซมถนนลูกรังเพื่อการเกษตร หมู่ที่ 2,{other},นายสมชาย,2026-12-01\n"


def decide(text: str):
    rows, problems = d.parse_decisions(text.encode(), "link_decisions.csv")
    apply, records, more = d.resolve_decisions(rows, PROJECTS)
    return apply, records, problems + more


def links(apply=None):
    out = link_projects(PROJECTS, BUDGETS, SETTINGS, apply)
    return [(r.project_id, r.linked_project_id, r.status, r.decided_by) for r in out.itertuples()]


def test_without_decisions_the_pair_waits_for_review():
    assert links() == [("t1", "p1", "review", None)]


def test_an_accepted_pair_is_linked_and_counted_once():
    apply, records, problems = decide(HEADER + ROW.format(d="accept", other="p1"))
    assert problems == [] and list(records["outcome"]) == ["applied"]
    assert links(apply) == [("t1", "p1", "accepted", "นายสมชาย")]
    counted = count_once(PROJECTS, link_projects(PROJECTS, BUDGETS, SETTINGS, apply))
    assert counted["is_counted"].tolist() == [False, True, True]


def test_an_accepted_pair_the_scores_never_proposed_is_linked_too():
    apply, _, _ = decide(HEADER + ROW.format(d="ACCEPT", other="p2"))
    assert links(apply) == [("t1", "p2", "accepted", "นายสมชาย")]


def test_a_rejected_pair_is_never_proposed_and_the_last_row_wins():
    apply, _, _ = decide(HEADER + ROW.format(d="reject", other="p1"))
    assert links(apply) == []
    text = HEADER + ROW.format(d="reject", other="p1") + ROW.format(d="accept", other="p1")
    apply, records, _ = decide(text)
    assert list(records["outcome"]) == ["superseded", "applied"]
    assert links(apply) == [("t1", "p1", "accepted", "นายสมชาย")]


@pytest.mark.parametrize(
    ("row", "code", "reason"),
    [
        (ROW.format(d="accept", other="gone"), "link_decision_stale", "not in tonight"),
        (ROW.replace(",3,", ",4,").format(d="accept", other="p1"), "link_decision_stale",
         "no project at"),
        (ROW.replace("หมู่ที่ 2", "หมู่ที่ 9").format(d="accept", other="p1"),
         "link_decision_stale", "now named"),
        (ROW.format(d="maybe", other="p1"), "link_decision_invalid", "accept or reject"),
        (ROW.replace(",3,", ",three,").format(d="accept", other="p1"), "link_decision_invalid",
         "row number"),
        (ROW.replace("2026-12-01", "yesterday").format(d="accept", other="p1"),
         "link_decision_invalid", "decided_at"),
        ("accept,,,,p1,,\n", "link_decision_invalid", "needed"),
    ],
)  # fmt: skip
def test_a_changed_or_bad_decision_is_reported_not_applied(row, code, reason):
    apply, records, problems = decide(HEADER + row)
    assert apply.empty
    assert [p[0] for p in problems] == [code]
    assert reason in problems[0][3]
    assert links(apply) == [("t1", "p1", "review", None)]


def test_hostile_files_are_bounded():
    rows, problems = d.parse_decisions(b"x" * (d.MAX_DECISION_BYTES + 1), "f")
    assert rows == [] and problems[0][0] == "link_decisions_unreadable"
    rows, problems = d.parse_decisions(b"\xff\xfe\x00\x00garbage", "f")
    assert rows == [] and problems[0][0] == "link_decisions_unreadable"
    rows, problems = d.parse_decisions(b"who,when\nme,now\n", "f")
    assert rows == [] and {p[0] for p in problems} == {
        "link_decision_invalid",  # unknown columns named
        "link_decisions_unreadable",  # no decision column
    }
    many = HEADER + ROW.format(d="accept", other="p1") * (d.MAX_DECISION_ROWS + 5)
    rows, problems = d.parse_decisions(many.encode(), "f")
    assert len(rows) == d.MAX_DECISION_ROWS
    assert problems[0][0] == "link_decisions_unreadable"
    long = HEADER + ROW.format(d="accept", other="p1" + "x" * 5000)
    rows, _ = d.parse_decisions(long.encode(), "f")
    assert len(rows[0]["linked_project_id"]) == d.MAX_FIELD_CHARS


def test_cp874_files_are_read():
    text = HEADER + ROW.format(d="accept", other="p1")
    rows, problems = d.parse_decisions(text.encode("cp874"), "f")
    assert problems == [] and rows[0]["project_name"].startswith("ซ่อมแซม")


def test_the_table_keeps_history_and_first_seen():
    _, records, _ = decide(HEADER + ROW.format(d="accept", other="p1"))
    first = pd.Timestamp("2026-12-01T00:00Z")
    one = d.decisions_table(records, None, first)
    assert one[["outcome", "is_current"]].values.tolist() == [["applied", True]]
    assert one["decided_at"][0] == pd.Timestamp("2026-11-30T17:00Z")  # Bangkok midnight
    _, records2, _ = decide(HEADER + ROW.format(d="reject", other="p1"))
    later = pd.Timestamp("2026-12-02T00:00Z")
    two = d.decisions_table(records2, one, later)
    assert two[["decision", "is_current", "first_seen_at"]].values.tolist() == [
        ["reject", True, later],
        ["accept", False, first],
    ]
    again = d.decisions_table(records2, two, pd.Timestamp("2026-12-03T00:00Z"))
    assert again["first_seen_at"].tolist() == [later, first]
