"""Every published table and column, declared once.

The DuckDB DDL, the Arrow schemas of staged and exported data, the `COMMENT ON` statements and the
data dictionary in the README are all generated from the declarations below.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    th: str
    en: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    grain_th: str
    grain_en: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    is_view: bool = False
    partition_by: str | None = None  # Hive partition column of the Parquet export

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")


def _c(name: str, sql_type: str, th: str, en: str, nullable: bool = True) -> Column:
    return Column(name, sql_type, th, en, nullable)


# Columns shared by several tables are declared once and reused.
DISTRICT_CODE = _c(
    "district_code",
    "VARCHAR",
    "รหัสอำเภอ (กรมการปกครอง 4 หลัก)",
    "DOPA district code (4 digits)",
    False,
)
DISTRICT_NAME_TH = _c(
    "district_name_th", "VARCHAR", "ชื่ออำเภอ (ไทย)", "District name in Thai", False
)
DISTRICT_NAME_EN = _c(
    "district_name_en", "VARCHAR", "ชื่ออำเภอ (อังกฤษ)", "District name in English", False
)
TAMBON_CODE = _c(
    "tambon_code", "VARCHAR", "รหัสตำบล (กรมการปกครอง 6 หลัก)", "DOPA tambon code (6 digits)", False
)
TAMBON_NAME_TH = _c("tambon_name_th", "VARCHAR", "ชื่อตำบล (ไทย)", "Tambon name in Thai", False)
TAMBON_NAME_EN = _c("tambon_name_en", "VARCHAR", "ชื่อตำบล (อังกฤษ)", "Tambon name in English", False)
SUBMISSION_ID = _c(
    "submission_id",
    "VARCHAR",
    "รหัสไฟล์ที่ส่ง (sha256 ของอำเภอ เส้นทาง และเนื้อหาไฟล์)",
    "Submission id (sha256 of district, path and file content)",
    False,
)
SOURCE_FILE = _c(
    "source_file",
    "VARCHAR",
    "ไฟล์ต้นทาง (เส้นทางภายในกล่องรับไฟล์)",
    "Source file, path relative to the inbox",
    False,
)
SOURCE_SHEET = _c(
    "source_sheet", "VARCHAR", "ชื่อแผ่นงานต้นทาง (ว่างสำหรับ CSV)", "Source sheet name (empty for CSV)"
)
SOURCE_ROW = _c(
    "source_row",
    "INTEGER",
    "เลขแถวที่เห็นใน Excel หรือเลขบรรทัดใน CSV",
    "Row number as seen in Excel, or line number in a CSV",
)
PROJECT_ID = _c(
    "project_id",
    "VARCHAR",
    "รหัสโครงการ (คงที่ทุกรอบการประมวลผล)",
    "Stable project id (same project, same id on every run)",
    False,
)
FISCAL_YEAR = _c("fiscal_year", "INTEGER", "ปีงบประมาณ (พ.ศ.)", "Fiscal year, Buddhist Era", False)
AMOUNT_THB = _c("amount_thb", "DECIMAL(15,2)", "งบประมาณ (บาท)", "Budget in baht, exact", False)

PROJECT_COLUMNS = (
    PROJECT_ID,
    DISTRICT_CODE,
    TAMBON_CODE,
    _c(
        "village_numbers",
        "INTEGER[]",
        "หมู่ที่ (รายการ ว่างเมื่อไม่ระบุ)",
        "Village numbers (empty list when none given)",
        False,
    ),
    _c("project_name", "VARCHAR", "ชื่อโครงการ", "Project name", False),
    _c("category", "VARCHAR", "ด้าน / ยุทธศาสตร์ / ประเด็นการพัฒนา", "Development area / strategy"),
    _c("objective", "VARCHAR", "วัตถุประสงค์", "Objective"),
    _c("target", "VARCHAR", "เป้าหมาย", "Target / output"),
    _c("kpi", "VARCHAR", "ตัวชี้วัด", "Key performance indicator"),
    _c("expected_result", "VARCHAR", "ผลที่คาดว่าจะได้รับ", "Expected result"),
    _c("responsible_agency", "VARCHAR", "หน่วยงานรับผิดชอบ", "Responsible agency"),
    _c(
        "funding_route",
        "VARCHAR",
        "วิธีดำเนินการ: own=ทำเอง joint=ทำร่วม requested=ขอรับการสนับสนุน (ว่างเมื่อไม่ระบุ)",
        "own | joint | requested (another agency's money); NULL when the file does not say",
    ),
    SUBMISSION_ID,
    SOURCE_FILE,
    SOURCE_SHEET,
    SOURCE_ROW,
)
PLAN_LEVEL = _c(
    "plan_level",
    "VARCHAR",
    "ระดับของแผน: village=แผนชุมชน/หมู่บ้าน tambon=ตำบล district=อำเภอ province=จังหวัด",
    "Plan level: village | tambon | district | province (data/plan_levels.csv)",
    False,
)
LEVEL_COLUMNS = (
    PLAN_LEVEL,
    _c(
        "funded_at_level",
        "VARCHAR",
        "ระดับที่รับไปดำเนินการ (ตามการเชื่อมโยงไปยังแผนระดับบน) ว่าง = ขอรับการสนับสนุนแต่ยังไม่มีแผนระดับบนรับ",
        "Level whose plan carries the project (following its accepted links up); NULL = a "
        "request no plan above has taken up yet",
    ),
    _c(
        "is_counted",
        "BOOLEAN",
        "นับงบประมาณของแถวนี้หรือไม่ (ไม่นับเมื่อเงินนับอยู่ในโครงการที่เชื่อมโยงแล้ว)",
        "Whether this row's money is counted (false when it is counted in a linked project)",
        False,
    ),
)
PROJECT_COLUMNS = PROJECT_COLUMNS + LEVEL_COLUMNS

AREAS = Table(
    "areas",
    "หนึ่งแถวต่อหนึ่งตำบลของจังหวัด (จากทะเบียนกรมการปกครอง ผ่าน geothai) "
    "และหนึ่งแถวต่ออำเภอและจังหวัด สำหรับโครงการระดับอำเภอและจังหวัด",
    "One row per tambon of the province (DOPA register via geothai), plus one per district "
    "and one for the province, the places of district-wide and province-wide projects",
    (
        DISTRICT_CODE,
        DISTRICT_NAME_TH,
        DISTRICT_NAME_EN,
        TAMBON_CODE,
        TAMBON_NAME_TH,
        TAMBON_NAME_EN,
        _c(
            "area_level",
            "VARCHAR",
            "ระดับของพื้นที่: tambon=ตำบล district=ทั้งอำเภอ province=ทั้งจังหวัด",
            "tambon | district (district-wide: tambon_code is the district code) | province "
            "(province-wide: the province code)",
            False,
        ),
    ),
    primary_key=("tambon_code",),
)

SUBMISSIONS = Table(
    "submissions",
    "หนึ่งแถวต่อหนึ่งฉบับของไฟล์ที่เคยอ่าน (ฉบับปัจจุบันและประวัติ)",
    "One row per version of a file ever read (current ones and history)",
    (
        SUBMISSION_ID,
        DISTRICT_CODE,
        SOURCE_FILE,
        _c("file_sha256", "VARCHAR", "sha256 ของเนื้อหาไฟล์", "sha256 of the file's bytes", False),
        _c("n_rows_read", "INTEGER", "จำนวนแถวที่ไม่ว่างที่อ่าน", "Non-blank rows read", False),
        _c(
            "n_rows_accepted",
            "INTEGER",
            "จำนวนแถวที่รับเป็นโครงการ",
            "Rows accepted as projects (or project-years in long layout)",
            False,
        ),
        _c(
            "n_rows_rejected",
            "INTEGER",
            "จำนวนแถวที่ปฏิเสธ (ดู rejected_rows)",
            "Rows rejected (see rejected_rows)",
            False,
        ),
        _c(
            "n_rows_skipped",
            "INTEGER",
            "จำนวนแถวที่ข้าม (หัวเรื่อง หัวตาราง หมวด ยอดรวม ฯลฯ)",
            "Rows skipped (title, header, section, subtotal, continuation, duplicate, summary)",
            False,
        ),
        _c(
            "file_modified_at",
            "TIMESTAMP WITH TIME ZONE",
            "เวลาแก้ไขไฟล์ล่าสุด",
            "The file's modification time",
        ),
        _c(
            "loaded_at",
            "TIMESTAMP WITH TIME ZONE",
            "เวลาที่ประมวลผล",
            "When the run that first loaded this version started",
            False,
        ),
        _c(
            "status",
            "VARCHAR",
            "สถานะ: current=ใช้อยู่ superseded=ถูกแทนด้วยฉบับใหม่ withdrawn=ถอนออก",
            "current | superseded (a newer version replaced it) | withdrawn (the file is gone)",
            False,
        ),
        _c(
            "first_seen_at",
            "TIMESTAMP WITH TIME ZONE",
            "เวลาที่พบไฟล์ฉบับนี้ครั้งแรก",
            "When this version was first seen",
            False,
        ),
        _c(
            "last_seen_at",
            "TIMESTAMP WITH TIME ZONE",
            "เวลาที่พบไฟล์ฉบับนี้ครั้งล่าสุด",
            "When a publishing run last saw this version in the inbox",
            False,
        ),
        PLAN_LEVEL,
    ),
    primary_key=("submission_id",),
)

PROJECTS = Table(
    "projects",
    "หนึ่งแถวต่อหนึ่งโครงการที่รับ",
    "One row per accepted project",
    PROJECT_COLUMNS,
    primary_key=("project_id",),
    partition_by="district_code",
)

PROJECT_BUDGETS = Table(
    "project_budgets",
    "หนึ่งแถวต่อหนึ่งโครงการและปีงบประมาณที่มีงบประมาณ",
    "One row per project and fiscal year that has a budget",
    (PROJECT_ID, FISCAL_YEAR, AMOUNT_THB),
    primary_key=("project_id", "fiscal_year"),
)

REJECTED_ROWS = Table(
    "rejected_rows",
    "หนึ่งแถวต่อหนึ่งแถวข้อมูลที่ถูกปฏิเสธ พร้อมเหตุผลทั้งหมด",
    "One row per rejected input row, with every reason",
    (
        SUBMISSION_ID,
        SOURCE_FILE,
        SOURCE_SHEET,
        SOURCE_ROW,
        _c(
            "reasons",
            "VARCHAR[]",
            "รหัสเหตุผลที่ปฏิเสธ (ดู data/issue_codes.csv)",
            "Reason codes (see data/issue_codes.csv)",
            False,
        ),
        _c(
            "raw",
            "VARCHAR",
            "ค่าในเซลล์ของแถว (JSON: หัวคอลัมน์ -> ค่า)",
            "The row's cells as JSON (header -> value)",
            False,
        ),
    ),
)

DATA_ISSUES = Table(
    "data_issues",
    "หนึ่งแถวต่อหนึ่งปัญหาที่พบ (ทุกระดับ)",
    "One row per problem found, any severity",
    (
        _c(
            "submission_id",
            "VARCHAR",
            "รหัสไฟล์ที่ส่ง (ว่างเมื่อปัญหาอยู่ที่โฟลเดอร์)",
            "Submission id (NULL for inbox-level problems)",
        ),
        SOURCE_FILE,
        SOURCE_SHEET,
        SOURCE_ROW,
        _c(
            "column_name",
            "VARCHAR",
            "คอลัมน์ (ชื่อมาตรฐาน หรือหัวคอลัมน์ในไฟล์)",
            "Column (canonical name, or the file's header)",
        ),
        _c("severity", "VARCHAR", "ระดับ: error | warning | info", "error | warning | info", False),
        _c(
            "code",
            "VARCHAR",
            "รหัสปัญหา (data/issue_codes.csv)",
            "Issue code (data/issue_codes.csv)",
            False,
        ),
        _c(
            "message",
            "VARCHAR",
            "ข้อความภาษาไทย ระบุไฟล์ แผ่นงาน แถว และเซลล์",
            "Thai message naming file, sheet, row and cell",
            False,
        ),
        _c("message_en", "VARCHAR", "ข้อความภาษาอังกฤษ", "The same message in English", False),
        _c("raw_value", "VARCHAR", "ค่าที่พบในเซลล์", "The offending cell value"),
        _c(
            "cell",
            "VARCHAR",
            "ตำแหน่งเซลล์แบบ A1 (เช่น ต.ตลุก!F12)",
            "Cell in A1 notation (e.g. ต.ตลุก!F12)",
        ),
    ),
)

COVERAGE = Table(
    "coverage",
    "หนึ่งแถวต่อหนึ่งตำบลของจังหวัด: มีแผนส่งมาหรือไม่",
    "One row per tambon of the province: whether any plan covers it",
    (
        DISTRICT_CODE,
        DISTRICT_NAME_TH,
        TAMBON_CODE,
        TAMBON_NAME_TH,
        _c(
            "is_covered",
            "BOOLEAN",
            "มีโครงการในแผนหรือไม่",
            "Whether any accepted project is in this tambon",
            False,
        ),
        _c("n_projects", "INTEGER", "จำนวนโครงการ", "Number of accepted projects", False),
        _c(
            "source_files",
            "VARCHAR[]",
            "ไฟล์ที่มีโครงการของตำบลนี้",
            "Files holding this tambon's projects",
            False,
        ),
        _c("fiscal_years", "INTEGER[]", "ปีงบประมาณที่มีงบประมาณ", "Fiscal years with a budget", False),
        _c(
            "total_amount_thb",
            "DECIMAL(18,2)",
            "งบประมาณรวมทุกปี (บาท)",
            "Budget over all years, baht",
            False,
        ),
        _c(
            "district_latest_file_at",
            "TIMESTAMP WITH TIME ZONE",
            "เวลาแก้ไขล่าสุดของไฟล์ของอำเภอ",
            "Latest modification time of the district's files",
        ),
    ),
    primary_key=("tambon_code",),
)

PROJECT_CHANGES = Table(
    "project_changes",
    "หนึ่งแถวต่อหนึ่งการเปลี่ยนแปลงของโครงการระหว่างการเผยแพร่สองครั้ง",
    "One row per change to a project between two publications",
    (
        _c(
            "changed_at",
            "TIMESTAMP WITH TIME ZONE",
            "เวลาที่เผยแพร่การเปลี่ยนแปลง",
            "When the publication with this change was built",
            False,
        ),
        _c(
            "change",
            "VARCHAR",
            "added | removed | budget_changed | moved_tambon | details_changed | link_made | "
            "link_broken",
            "added | removed | budget_changed | moved_tambon | details_changed | link_made | "
            "link_broken",
            False,
        ),
        PROJECT_ID,
        DISTRICT_CODE,
        TAMBON_CODE,
        _c("project_name", "VARCHAR", "ชื่อโครงการ", "Project name", False),
        _c("fiscal_year", "INTEGER", "ปีงบประมาณที่งบเปลี่ยน", "Fiscal year whose budget changed"),
        _c(
            "old_amount_thb",
            "DECIMAL(15,2)",
            "งบประมาณเดิม (ว่าง = ไม่มีงบปีนั้น)",
            "Previous amount (NULL = no budget that year)",
        ),
        _c(
            "new_amount_thb",
            "DECIMAL(15,2)",
            "งบประมาณใหม่ (ว่าง = ไม่มีงบปีนั้น)",
            "New amount (NULL = no budget that year)",
        ),
        _c(
            "old_tambon_code",
            "VARCHAR",
            "ตำบลเดิม (เมื่อย้ายตำบล)",
            "Previous tambon (for moved_tambon)",
        ),
        _c(
            "submission_id",
            "VARCHAR",
            "ไฟล์ที่มีการเปลี่ยนแปลง",
            "Submission that carries the change",
            False,
        ),
        _c(
            "linked_project_id",
            "VARCHAR",
            "โครงการปลายทางของการเชื่อมโยง (link_made / link_broken)",
            "The other project of a link made or broken (link_made | link_broken)",
        ),
    ),
)

PUBLICATIONS = Table(
    "publications",
    "หนึ่งแถวต่อหนึ่งครั้งที่เผยแพร่แผน",
    "One row per publication of the plan",
    (
        _c(
            "published_at",
            "TIMESTAMP WITH TIME ZONE",
            "เวลาที่เริ่มสร้างฉบับนี้",
            "When the run that built it started",
            False,
        ),
        _c("n_submissions", "INTEGER", "จำนวนไฟล์ปัจจุบัน", "Current submissions", False),
        _c("n_files_parsed", "INTEGER", "จำนวนไฟล์ที่อ่านใหม่", "Files parsed in this run", False),
        _c(
            "n_files_reused",
            "INTEGER",
            "จำนวนไฟล์ที่ไม่เปลี่ยนจึงไม่อ่านซ้ำ",
            "Unchanged files whose staged parse was reused",
            False,
        ),
        _c("n_projects", "INTEGER", "จำนวนโครงการ", "Projects published", False),
        _c(
            "n_changes",
            "INTEGER",
            "จำนวนการเปลี่ยนแปลงจากฉบับก่อน",
            "Changes since the previous publication",
            False,
        ),
        _c(
            "rules_fingerprint",
            "VARCHAR",
            "รหัสของกฎการอ่านที่ใช้",
            "Fingerprint of the reading rules and reader code",
            False,
        ),
        _c(
            "inputs_fingerprint",
            "VARCHAR",
            "รหัสของข้อมูลนำเข้าทั้งหมด (ไฟล์ ขอบเขตพื้นที่ และโค้ด): เท่าเดิม = ไม่ต้องสร้างใหม่",
            "Fingerprint of every input (staged files, area scope, code): unchanged = no rebuild",
            False,
        ),
    ),
)

ONEPLAN = Table(
    "oneplan",
    "แผนหนึ่งเดียวของจังหวัด: หนึ่งแถวต่อหนึ่งโครงการและปีงบประมาณ",
    "The provincial One Plan: one row per project and fiscal year",
    (
        PROJECT_ID,
        DISTRICT_CODE,
        DISTRICT_NAME_TH,
        TAMBON_CODE,
        TAMBON_NAME_TH,
        FISCAL_YEAR,
        AMOUNT_THB,
        *PROJECT_COLUMNS[3:12],
        SOURCE_FILE,
        SOURCE_SHEET,
        SOURCE_ROW,
        *LEVEL_COLUMNS,
    ),
    is_view=True,
    partition_by="district_code",
)

PROJECT_LINKS = Table(
    "project_links",
    "หนึ่งแถวต่อหนึ่งการเชื่อมโยงระหว่างโครงการสองโครงการ (ระดับบน หรืออาจซ้ำ)",
    "One row per link between two projects (rolls up to a plan above, or possible duplicate)",
    (
        _c(
            "link_id",
            "VARCHAR",
            "รหัสการเชื่อมโยง (จากรหัสโครงการทั้งสองและชนิด คงที่ทุกรอบ)",
            "Stable link id (from both project ids and the kind)",
            False,
        ),
        PROJECT_ID,
        _c(
            "linked_project_id",
            "VARCHAR",
            "โครงการที่เชื่อมไป (ในแผนระดับบน หรือฉบับที่พบก่อน)",
            "The project linked to (in the plan above, or the copy seen first)",
            False,
        ),
        _c(
            "link_kind",
            "VARCHAR",
            "rolls_up_to=โครงการเดียวกันในแผนระดับบน possible_duplicate=โครงการเดียวกันในแผนระดับเดียวกัน",
            "rolls_up_to (same project in a plan of a level above) | possible_duplicate (same "
            "project in another plan of the same level)",
            False,
        ),
        _c(
            "status",
            "VARCHAR",
            "accepted=เชื่อมแล้ว (เงินนับที่โครงการปลายทาง) review=รอคนยืนยัน (ดู data_issues)",
            "accepted (money counted in the linked project) | review (grey band: a person "
            "confirms, see data_issues)",
            False,
        ),
        _c(
            "score",
            "DECIMAL(5,1)",
            "คะแนนความเหมือนของชื่อ 0-100",
            "Name similarity 0-100 (data/linkage.csv thresholds)",
            False,
        ),
        _c("method", "VARCHAR", "วิธีเทียบ", "Matching method", False),
        _c(
            "matched_fields",
            "VARCHAR[]",
            "ข้อมูลที่ตรงกัน (ชื่อ พื้นที่ ปีงบประมาณ หมู่ที่ งบประมาณ)",
            "Fields that matched (project_name, place, fiscal_year, village_numbers, amount_thb)",
            False,
        ),
    ),
    primary_key=("link_id",),
)

PLAN_ROLLUP = Table(
    "plan_rollup",
    "หนึ่งแถวต่อระดับแผน พื้นที่ ปีงบประมาณ และวิธีดำเนินการ: เงินนับครั้งเดียว",
    "One row per plan level, place, fiscal year and funding route: money counted once",
    (
        PLAN_LEVEL,
        DISTRICT_CODE,
        DISTRICT_NAME_TH,
        _c(
            "place_code",
            "VARCHAR",
            "รหัสพื้นที่ (ตำบล 6 หลัก อำเภอ 4 หลัก หรือจังหวัด 2 หลัก)",
            "Place code: tambon (6 digits), district-wide (4) or province-wide (2)",
            False,
        ),
        _c("place_name_th", "VARCHAR", "ชื่อพื้นที่", "Place name in Thai", False),
        FISCAL_YEAR,
        _c(
            "funding_route",
            "VARCHAR",
            "วิธีดำเนินการ own | joint | requested (ว่างเมื่อไม่ระบุ)",
            "own | joint | requested; NULL when the file does not say",
        ),
        _c(
            "n_projects",
            "INTEGER",
            "จำนวนโครงการในแผนระดับนี้",
            "Projects in plans of this level",
            False,
        ),
        _c(
            "amount_thb",
            "DECIMAL(18,2)",
            "งบประมาณตามที่เขียนในแผนระดับนี้ (บาท)",
            "Baht as written in plans of this level",
            False,
        ),
        _c("n_counted", "INTEGER", "จำนวนโครงการที่นับเงินที่ระดับนี้", "Projects counted here", False),
        _c(
            "counted_amount_thb",
            "DECIMAL(18,2)",
            "งบประมาณที่นับที่ระดับนี้ (นับครั้งเดียว)",
            "Baht counted at this level (each baht once over all levels)",
            False,
        ),
        _c(
            "n_taken_up",
            "INTEGER",
            "จำนวนโครงการที่แผนระดับบนรับไปแล้ว",
            "Projects taken up by a plan above (accepted rolls_up_to)",
            False,
        ),
        _c(
            "taken_up_amount_thb",
            "DECIMAL(18,2)",
            "งบประมาณของโครงการที่แผนระดับบนรับไปแล้ว",
            "Baht of the projects taken up by a plan above",
            False,
        ),
        _c(
            "n_waiting",
            "INTEGER",
            "จำนวนโครงการขอรับการสนับสนุนที่ยังไม่มีแผนระดับบนรับ",
            "Requests no plan above has taken up yet",
            False,
        ),
        _c(
            "waiting_amount_thb",
            "DECIMAL(18,2)",
            "งบประมาณของโครงการที่ยังรอ",
            "Baht of the requests still waiting",
            False,
        ),
    ),
    is_view=True,
)

TABLES: tuple[Table, ...] = (
    AREAS,
    SUBMISSIONS,
    PROJECTS,
    PROJECT_BUDGETS,
    REJECTED_ROWS,
    DATA_ISSUES,
    COVERAGE,
    PROJECT_CHANGES,
    PUBLICATIONS,
    ONEPLAN,
    PROJECT_LINKS,
    PLAN_ROLLUP,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "DECIMAL(5,1)": pa.decimal128(5, 1),
    "DECIMAL(15,2)": pa.decimal128(15, 2),
    "DECIMAL(18,2)": pa.decimal128(18, 2),
    "INTEGER[]": pa.list_(pa.int32()),
    "VARCHAR[]": pa.list_(pa.string()),
    "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a table, in declaration order."""
    return pa.schema(
        [pa.field(c.name, _ARROW_TYPES[c.sql_type], nullable=c.nullable) for c in table.columns]
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_table_sql(table: Table) -> str:
    """`CREATE TABLE` for a base table (views are built by the SQL in `sql/`)."""
    if table.is_view:
        raise ValueError(f"{table.name} is a view; its SQL lives in sql/{table.name}.sql")
    lines = [f"    {c.name} {c.sql_type}{'' if c.nullable else ' NOT NULL'}" for c in table.columns]
    if table.primary_key:
        lines.append(f"    PRIMARY KEY ({', '.join(table.primary_key)})")
    return f"CREATE TABLE {table.name} (\n" + ",\n".join(lines) + "\n)"


def comment_sql(table: Table) -> list[str]:
    """`COMMENT ON` statements (Thai / English) for a table or view and each of its columns."""
    kind = "VIEW" if table.is_view else "TABLE"
    statements = [
        f"COMMENT ON {kind} {table.name} IS {_quote(f'{table.grain_th} / {table.grain_en}')}"
    ]
    for c in table.columns:
        statements.append(
            f"COMMENT ON COLUMN {table.name}.{c.name} IS {_quote(f'{c.th} / {c.en}')}"
        )
    return statements


def data_dictionary_markdown() -> str:
    """The data dictionary as Markdown: one section per table, its grain, then its columns."""
    out: list[str] = []
    for table in TABLES:
        kind = "view" if table.is_view else "table"
        out.append(f"### `{table.name}` ({kind})\n")
        out.append(f"{table.grain_en}. / {table.grain_th}\n")
        if table.primary_key:
            out.append(f"Key: `{', '.join(table.primary_key)}`\n")
        out.append("| column | type | description | คำอธิบาย |")
        out.append("| --- | --- | --- | --- |")
        for c in table.columns:
            out.append(f"| `{c.name}` | {c.sql_type} | {c.en} | {c.th} |")
        out.append("")
    return "\n".join(out)
