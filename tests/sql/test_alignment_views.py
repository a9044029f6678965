"""`oneplan` and `plan_by_strategy` show every level of the strategy frame, and the national
area a file states itself wins over its provincial strategy's (a small real database)."""

import duckdb
from oneplan.flows.db import write_database

from tests.sql.test_checks import tables_of, valid_rows


def test_every_level_and_the_files_stated_national_area(tmp_path):
    rows = valid_rows()
    (project,) = rows["projects"]
    stated = {
        **project,
        "project_id": "p2",
        "project_name": "โครงการที่ไฟล์ระบุยุทธศาสตร์",
        "source_row": 6,
        "strategy_code": "P2",
        "strategy_source": "file",
        "national_strategy_code": "N6",
        "national_strategy_text": "ก. ยุทธศาสตร์ชาติ ด้านการปรับสมดุลและพัฒนาระบบการบริหารจัดการภาครัฐ",
        "provincial_strategy_text": "ง. ยุทธศาสตร์จังหวัดที่ 2",
        "local_strategy_text": "1. ยุทธศาสตร์การพัฒนาการท่องเที่ยว",
        "tactic_text": "1.1 กลยุทธ์ส่งเสริมการท่องเที่ยวชุมชน",
    }
    rows["projects"].append(stated)
    rows["project_budgets"].append({"project_id": "p2", "fiscal_year": 2569, "amount_thb": 1000})
    rows["submissions"][0]["n_rows_read"] += 1
    rows["submissions"][0]["n_rows_nonblank"] += 1
    rows["submissions"][0]["n_rows_accepted"] += 1
    db = tmp_path / "plan.duckdb"
    write_database(db, tables_of(rows))
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute(
            "select project_id, strategy_code, cluster_codes, regional_codes, national_codes, "
            "local_strategy_text, tactic_text from oneplan where fiscal_year = 2569 "
            "order by project_id"
        ).fetchall()
        marts = con.execute(
            "select strategy_code, cluster_codes, regional_codes, national_codes "
            "from plan_by_strategy where fiscal_year = 2569 order by strategy_code"
        ).fetchall()
    finally:
        con.close()
    assert got == [
        ("p1", "P1", ["CL1"], ["RG1"], ["N2"], None, None),
        (
            "p2",
            "P2",
            ["CL2"],
            ["RG2"],
            ["N6"],
            "1. ยุทธศาสตร์การพัฒนาการท่องเที่ยว",
            "1.1 กลยุทธ์ส่งเสริมการท่องเที่ยวชุมชน",
        ),
    ]
    assert marts == [("P1", ["CL1"], ["RG1"], ["N2"]), ("P2", ["CL2"], ["RG2"], ["N2"])]
