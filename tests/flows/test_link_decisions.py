"""A person's decision sticks across nights: link_decisions.csv beside the inbox is read
every run (real files, real DuckDB: run_plan, no Prefect start-up)."""

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from oneplan.flows.oneplan_flow import run_plan

TAMBON_FILE = "อำเภอสรรพยา/แผนพัฒนาตำบล อ.สรรพยา.csv"
PROVINCE_FILE = "จังหวัด/แผนพัฒนาจังหวัดชัยนาท.csv"
ROAD = "ซ่อมแซมถนนลูกรังเพื่อการเกษตร หมู่ที่ 2"
TAMBON = (
    "แผนพัฒนาตำบล อำเภอสรรพยา\n"
    "ที่,ตำบล,โครงการ,วิธีดำเนินการ,2568\n"
    f'1,เขาแก้ว,{ROAD},ขอรับการสนับสนุน,"80,000"\n'
    '2,ตลุก,ขุดลอกคลองส่งน้ำชลประทาน หมู่ที่ 2,ทำเอง,"480,000"\n'
)
PROVINCE = (
    "แผนพัฒนาจังหวัดชัยนาท (พ.ศ. 2568 - 2570)\n"
    "ที่,โครงการ,พื้นที่ดำเนินการ,2568\n"
    '1,ปรับปรุงถนนลูกรังเพื่อการเกษตร สายหนองแซง หมู่ 2,ต.เขาแก้ว อ.สรรพยา,"95,000"\n'
)
HEADER = "decision,source_file,source_row,project_name,linked_source_file,linked_source_row,"
HEADER += "linked_project_name,decided_by,decided_at\n"
ROW = (
    f"{{d}},{TAMBON_FILE},3,{ROAD},{PROVINCE_FILE},3,"
    "ปรับปรุงถนนลูกรังเพื่อการเกษตร สายหนองแซง หมู่ 2,ก.บ.จ. ครั้งที่ 3,2026-12-01\n"
)


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def site(tmp_path):
    inbox = tmp_path / "inbox"
    for rel, text in {TAMBON_FILE: TAMBON, PROVINCE_FILE: PROVINCE}.items():
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text(text, encoding="utf-8")
    return {"inbox": inbox, "db": tmp_path / "out" / "plan.duckdb", "export": tmp_path / "ex"}


def run(site):
    run_plan(site["inbox"], site["db"], site["export"])
    links = query(site["db"], "select status, decided_by from project_links")
    total = query(site["db"], "select sum(counted_amount_thb) from plan_rollup")[0][0]
    return links, total


def test_decisions_round_trip_across_runs(site):
    decisions = site["inbox"].parent / "link_decisions.csv"
    # Night 1: the grey band waits for a person; both roads are counted.
    assert run(site) == ([("review", None)], Decimal("655000"))
    # Night 2: the committee accepts: linked, the tambon's 80,000 counted once (in the
    # province's 95,000); the decision is published.
    decisions.write_text(HEADER + ROW.format(d="accept"), encoding="utf-8")
    assert run(site) == ([("accepted", "ก.บ.จ. ครั้งที่ 3")], Decimal("575000"))
    rows = query(site["db"], "select decision, outcome, is_current from link_decisions")
    assert rows == [("accept", "applied", True)]
    # Night 3: nothing changed: the decision still holds.
    assert run(site) == ([("accepted", "ก.บ.จ. ครั้งที่ 3")], Decimal("575000"))
    # Night 4: a second thought, appended: rejected, never proposed again.
    decisions.write_text(HEADER + ROW.format(d="accept") + ROW.format(d="reject"), "utf-8")
    assert run(site) == ([], Decimal("655000"))
    rows = query(site["db"], "select decision, outcome from link_decisions order by line")
    assert rows == [("accept", "superseded"), ("reject", "applied")]
    # Night 5: the tambon renames its road: the decision is not applied but reported, and
    # the earlier decisions stay in the history.
    decisions.write_text(HEADER + ROW.format(d="accept"), encoding="utf-8")
    renamed = TAMBON.replace(ROAD, ROAD.replace("ซ่อมแซม", "ก่อสร้าง"))
    (site["inbox"] / TAMBON_FILE).write_text(renamed, encoding="utf-8")
    links, _ = run(site)
    assert ("accepted", "ก.บ.จ. ครั้งที่ 3") not in links
    issues = query(site["db"], "select code, source_file, source_row from data_issues "
                               "where code like 'link_decision%'")  # fmt: skip
    assert issues == [("link_decision_stale", "link_decisions.csv", 2)]
    history = query(
        site["db"], "select decision, outcome, is_current from link_decisions order by all"
    )
    assert history == [("accept", "stale", True), ("reject", "applied", False)]


def test_a_decisions_file_that_is_a_link_is_refused(site, tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text(HEADER + ROW.format(d="accept"), encoding="utf-8")
    (site["inbox"].parent / "link_decisions.csv").symlink_to(elsewhere)
    assert run(site) == ([("review", None)], Decimal("655000"))
    assert query(site["db"], "select code from data_issues where code like 'link_decision%'") == [
        ("link_decisions_unreadable",)
    ]


def test_the_decisions_path_is_configurable(site, tmp_path, monkeypatch):
    chosen = tmp_path / "committee" / "decisions.csv"
    chosen.parent.mkdir()
    chosen.write_text(HEADER + ROW.format(d="accept"), encoding="utf-8")
    monkeypatch.setenv("ONEPLAN_LINK_DECISIONS", str(chosen))
    assert run(site)[0] == [("accepted", "ก.บ.จ. ครั้งที่ 3")]
