from decimal import Decimal

import pandas as pd
from oneplan.transforms.history import project_changes, update_submissions

T0 = pd.Timestamp("2026-11-01T19:00:00Z")
T1 = pd.Timestamp("2026-11-02T19:00:00Z")


def subs(*rows):
    return pd.DataFrame(rows, columns=["submission_id", "district_code", "source_file"])


def test_update_submissions_marks_superseded_and_withdrawn():
    first = update_submissions(None, subs(("a1", "1804", "a.xlsx"), ("b1", "1804", "b.xlsx")), T0)
    assert list(first["status"]) == ["current", "current"]
    assert list(first["first_seen_at"]) == [T0, T0]
    second = update_submissions(first, subs(("a2", "1804", "a.xlsx")), T1)
    status = dict(zip(second["submission_id"], second["status"], strict=True))
    assert status == {"a2": "current", "a1": "superseded", "b1": "withdrawn"}
    last_seen = dict(zip(second["submission_id"], second["last_seen_at"], strict=True))
    assert last_seen == {"a2": T1, "a1": T0, "b1": T0}


def test_unchanged_file_keeps_first_seen():
    first = update_submissions(None, subs(("a1", "1804", "a.xlsx")), T0)
    second = update_submissions(first, subs(("a1", "1804", "a.xlsx")), T1)
    assert second[["submission_id", "status"]].values.tolist() == [["a1", "current"]]
    assert (second["first_seen_at"].item(), second["last_seen_at"].item()) == (T0, T1)


def projects(*rows):
    frame = pd.DataFrame(
        rows, columns=["project_id", "district_code", "tambon_code", "project_name", "category"]
    )
    frame["submission_id"] = "s"
    return frame


def budgets(*rows):
    return pd.DataFrame(rows, columns=["project_id", "fiscal_year", "amount_thb"])


def test_project_changes_classifies_each_kind():
    old_p = projects(
        ("p1", "1804", "180402", "ถนน", "ก"),
        ("p2", "1804", "180402", "คลอง", "ก"),
        ("p3", "1804", "180402", "ประปา", "ก"),
        ("p4", "1804", "180403", "ไฟฟ้า", "ก"),
    )
    new_p = projects(
        ("p1", "1804", "180402", "ถนน", "ก"),
        ("p3", "1804", "180402", "ประปา", "ข"),
        ("p5", "1804", "180402", "ไฟฟ้า", "ก"),
        ("p6", "1804", "180402", "ใหม่", "ก"),
    )
    old_b = budgets(("p1", 2568, Decimal("100.00")), ("p3", 2568, Decimal("5.00")))
    new_b = budgets(
        ("p1", 2568, Decimal("150.00")),
        ("p1", 2569, Decimal("10.00")),
        ("p3", 2568, Decimal("5.00")),
    )
    out = project_changes(old_p, old_b, new_p, new_b, T1)
    cols = ["change", "project_id", "fiscal_year", "old_amount_thb", "new_amount_thb"]
    got = [
        tuple(None if pd.isna(v) else v for v in row)
        for row in out[[*cols, "old_tambon_code"]].itertuples(index=False)
    ]
    assert sorted(got, key=str) == sorted(
        [
            ("added", "p6", None, None, None, None),
            ("removed", "p2", None, None, None, None),
            ("budget_changed", "p1", 2568, Decimal("100.00"), Decimal("150.00"), None),
            ("budget_changed", "p1", 2569, None, Decimal("10.00"), None),
            ("moved_tambon", "p5", None, None, None, "180403"),
            ("details_changed", "p3", None, None, None, None),
        ],
        key=str,
    )
    assert set(out["changed_at"]) == {T1}


def test_no_changes_gives_empty_frame():
    p = projects(("p1", "1804", "180402", "ถนน", "ก"))
    b = budgets(("p1", 2568, Decimal("1.00")))
    assert project_changes(p, b, p, b, T1).empty


def test_carry_versions_keeps_same_rows_closes_changed_and_gone_ones():
    from oneplan.transforms.history import carry_versions

    t1, t2, t3 = (pd.Timestamp(f"2026-12-0{d}T19:00:00Z") for d in (1, 2, 3))
    first = pd.DataFrame({"project_id": ["a", "b"], "amount": ["1.00", "2.00"]})
    v1 = carry_versions(None, first, ["project_id"], t1)
    assert v1[["project_id", "valid_from"]].values.tolist() == [["a", t1], ["b", t1]]
    assert v1["valid_to"].isna().all()
    second = pd.DataFrame({"project_id": ["a", "c"], "amount": ["1.50", "3.00"]})
    v2 = carry_versions(v1, second, ["project_id"], t2)
    got = [
        (r.project_id, r.amount, r.valid_from, None if pd.isna(r.valid_to) else r.valid_to)
        for r in v2.itertuples()
    ]
    assert got == [
        ("a", "1.00", t1, t2),
        ("a", "1.50", t2, None),
        ("b", "2.00", t1, t2),
        ("c", "3.00", t2, None),
    ]
    v3 = carry_versions(v2, second, ["project_id"], t3)  # nothing changed: no new version
    assert len(v3) == len(v2) and v3["valid_from"].max() == t2
