"""Every table and column, declared once: the published tables and the staging layer (`stg_*`).

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
    # "th" for Thai text people sort by (names): the column sorts and compares in Thai
    # dictionary order in the table itself (DuckDB `COLLATE th`, ICU), not only in views.
    collation: str | None = None

    @property
    def sql_definition(self) -> str:
        """The column's type as declared in DDL: with its collation when it has one."""
        return f"{self.sql_type} COLLATE {self.collation}" if self.collation else self.sql_type


@dataclass(frozen=True)
class Table:
    name: str
    grain_th: str
    grain_en: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    is_view: bool = False
    # Where a base table's rows come from: "run" (the run's Arrow tables, loaded in
    # declaration order), "reference" (the tables in data/) or "sql" (built by sql/<name>.sql,
    # as every view is).
    built_from: str = "run"
    # Read back from the published database by the next run (the history carried on and the
    # tables the changes are found against).
    is_history: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")


THAI_ORDER = "th"  # the ICU collation of Thai dictionary order (เ แ โ ใ ไ by their consonant)


def _c(
    name: str, sql_type: str, th: str, en: str, nullable: bool = True, collation: str | None = None
) -> Column:
    return Column(name, sql_type, th, en, nullable, collation)


# Columns shared by several tables are declared once and reused.
DISTRICT_CODE = _c(
    "district_code",
    "VARCHAR",
    "รหัสอำเภอ (กรมการปกครอง 4 หลัก)",
    "DOPA district code (4 digits)",
    False,
)
DISTRICT_NAME_TH = _c(
    "district_name_th", "VARCHAR", "ชื่ออำเภอ (ไทย)", "District name in Thai", False, THAI_ORDER
)
DISTRICT_NAME_EN = _c(
    "district_name_en", "VARCHAR", "ชื่ออำเภอ (อังกฤษ)", "District name in English", False
)
TAMBON_CODE = _c(
    "tambon_code", "VARCHAR", "รหัสตำบล (กรมการปกครอง 6 หลัก)", "DOPA tambon code (6 digits)", False
)
TAMBON_NAME_TH = _c(
    "tambon_name_th", "VARCHAR", "ชื่อตำบล (ไทย)", "Tambon name in Thai", False, THAI_ORDER
)
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

STRATEGY_CODE = _c(
    "strategy_code",
    "VARCHAR",
    "รหัสยุทธศาสตร์จังหวัดที่โครงการสอดคล้อง (ดูตาราง strategies)",
    "Provincial strategy the project serves (see the strategies table)",
)
ALIGNMENT_COLUMNS = (
    _c(
        "funding_source_text",
        "VARCHAR",
        "แหล่งงบประมาณตามที่พิมพ์ (หรือวิธีดำเนินการ เมื่อไม่มีคอลัมน์แหล่งงบประมาณ)",
        "Source of funds as typed (the method cell when there is no source column)",
    ),
    _c(
        "requested_from",
        "VARCHAR",
        "หน่วยงานที่ขอรับการสนับสนุน (ชื่อมาตรฐาน) สำหรับโครงการ requested/joint",
        "Canonical agency asked for the money, for requested and joint projects",
    ),
    STRATEGY_CODE,
    _c(
        "strategy_source",
        "VARCHAR",
        "ที่มาของยุทธศาสตร์: column=คอลัมน์ file=บรรทัดหัวเรื่องของไฟล์ (ง. ยุทธศาสตร์จังหวัดที่ …) "
        "section=หัวข้อ inferred=อนุมานจากคำสำคัญ (ว่าง=ไม่ทราบ)",
        "column | file (the file's own title line, ง. ยุทธศาสตร์จังหวัดที่ …) | section (heading "
        "above) | inferred (keywords); NULL when unknown",
    ),
    _c(
        "national_strategy_code",
        "VARCHAR",
        "ยุทธศาสตร์ชาติที่ไฟล์ระบุเอง (บรรทัด ก. ยุทธศาสตร์ชาติ …; ดูตาราง strategies) ว่าง = ไฟล์ไม่ได้ระบุ",
        "National Strategy area the file itself states (its ก. ยุทธศาสตร์ชาติ … line; see "
        "strategies); NULL when the file states none",
    ),
    _c(
        "national_strategy_text",
        "VARCHAR",
        "บรรทัดยุทธศาสตร์ชาติในหัวเรื่องของไฟล์ตามที่พิมพ์ (ก. …)",
        "The file's National Strategy title line as typed (ก. …)",
    ),
    _c(
        "provincial_strategy_text",
        "VARCHAR",
        "บรรทัดยุทธศาสตร์จังหวัดในหัวเรื่องของไฟล์ตามที่พิมพ์ (ง. ยุทธศาสตร์จังหวัดที่ …)",
        "The file's provincial strategy title line as typed (ง. ยุทธศาสตร์จังหวัดที่ …)",
    ),
    _c(
        "local_strategy_text",
        "VARCHAR",
        "ยุทธศาสตร์ของแผนท้องถิ่น/ตำบลเองตามที่พิมพ์ (1. ยุทธศาสตร์…)",
        "The local plan's own strategy as typed (1. ยุทธศาสตร์…)",
    ),
    _c(
        "tactic_text",
        "VARCHAR",
        "กลยุทธ์ของแผนท้องถิ่นตามที่พิมพ์ (1.1 กลยุทธ์…)",
        "The local plan's tactic as typed (1.1 กลยุทธ์…)",
    ),
    _c(
        "development_area",
        "VARCHAR",
        "ด้านการพัฒนามาตรฐาน (ดูตาราง development_areas)",
        "Standard development area of the category (see development_areas)",
    ),
    _c(
        "responsible_agency_text",
        "VARCHAR",
        "หน่วยงานรับผิดชอบตามที่พิมพ์ในไฟล์",
        "Responsible agency as typed in the file",
    ),
)

PLAN_REVISION = _c(
    "plan_revision",
    "VARCHAR",
    "แผนที่เพิ่มเติม/แก้ไข/เปลี่ยนแปลงซึ่งเพิ่มหรือแก้โครงการนี้ล่าสุด เช่น เพิ่มเติม ครั้งที่ 5/2567 (ว่าง = แผนเดิม)",
    "The amendment that last added or changed the project, written <action> ครั้งที่ <n>/<BE "
    "year> (e.g. เพิ่มเติม ครั้งที่ 5/2567); NULL for the original plan",
)


def _codes_at(level_th: str, level_en: str, what_th: str, what_en: str) -> Column:
    return _c(
        f"{level_en}_codes",
        "VARCHAR[]",
        f"รหัสยุทธศาสตร์ระดับ{level_th}ที่{what_th}สนับสนุน",
        f"Codes of the {level_en} strategies {what_en} serves",
    )


# Per level above the province, the strategies served there (as the links say: see
# transforms.alignment.build_alignment).
CLUSTER_CODES = _codes_at("กลุ่มจังหวัด", "cluster", "ยุทธศาสตร์จังหวัด", "the provincial strategy")
REGIONAL_CODES = _codes_at("ภาค", "regional", "ยุทธศาสตร์จังหวัด", "the provincial strategy")
NATIONAL_CODES = _codes_at("ชาติ", "national", "ยุทธศาสตร์จังหวัด", "the provincial strategy")

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
    _c("project_name", "VARCHAR", "ชื่อโครงการ", "Project name", False, THAI_ORDER),
    _c(
        "category",
        "VARCHAR",
        "ด้าน / ยุทธศาสตร์ / ประเด็นการพัฒนา",
        "Development area / strategy",
        collation=THAI_ORDER,
    ),
    _c("objective", "VARCHAR", "วัตถุประสงค์", "Objective"),
    _c("target", "VARCHAR", "เป้าหมาย", "Target / output"),
    _c("kpi", "VARCHAR", "ตัวชี้วัด", "Key performance indicator"),
    _c("expected_result", "VARCHAR", "ผลที่คาดว่าจะได้รับ", "Expected result"),
    _c(
        "responsible_agency",
        "VARCHAR",
        "หน่วยงานรับผิดชอบ (ชื่อมาตรฐานจาก data/agencies.csv หรือตามที่พิมพ์เมื่อไม่รู้จัก)",
        "Responsible agency: canonical name from data/agencies.csv, as typed when unknown",
        collation=THAI_ORDER,
    ),
    _c(
        "funding_route",
        "VARCHAR",
        "วิธีดำเนินการ: own=ทำเอง joint=ทำร่วม requested=ขอรับการสนับสนุน (ว่างเมื่อไม่ระบุ)",
        "own | joint | requested (another agency's money); NULL when the file does not say",
    ),
    PLAN_REVISION,
    *ALIGNMENT_COLUMNS,
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
            "n_rows_nonblank",
            "INTEGER",
            "จำนวนแถวที่ไม่ว่างในแผ่นงานที่อ่าน นับก่อนอ่าน (ต้องเท่ากับ n_rows_read: ทุกแถวมีผล)",
            "Non-blank rows of the sheets read, counted before reading; equals n_rows_read "
            "when every row has exactly one outcome",
            False,
        ),
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
    is_history=True,
)

PROJECTS = Table(
    "projects",
    "หนึ่งแถวต่อหนึ่งโครงการที่รับ",
    "One row per accepted project",
    PROJECT_COLUMNS,
    primary_key=("project_id",),
    is_history=True,
)

PROJECT_MEASURES = Table(
    "project_measures",
    "หนึ่งแถวต่อหนึ่งโครงการ ปีงบประมาณ และตัวเลขอื่นที่ไม่ใช่งบประมาณของแผน (เช่น เทศบัญญัติ เบิกจ่าย) "
    "ไม่นับรวมในงบประมาณ",
    "One row per project, fiscal year and measure other than the plan's money (what the "
    "budget ordinance granted, money spent...); never added to the budgets",
    (
        PROJECT_ID,
        FISCAL_YEAR,
        _c(
            "measure",
            "VARCHAR",
            "ตัวเลขนี้คืออะไร: ordinance=เทศบัญญัติ/ข้อบัญญัติ allocated=ได้รับจัดสรร spent=เบิกจ่าย "
            "past_result=ผลการดำเนินงาน (data/amount_measures.csv)",
            "ordinance | allocated | spent | past_result (data/amount_measures.csv)",
            False,
        ),
        _c("amount_thb", "DECIMAL(15,2)", "จำนวนเงิน (บาท)", "Amount in baht, exact", False),
    ),
    primary_key=("project_id", "measure", "fiscal_year"),
)

PROJECT_BUDGETS = Table(
    "project_budgets",
    "หนึ่งแถวต่อหนึ่งโครงการและปีงบประมาณที่มีงบประมาณ",
    "One row per project and fiscal year that has a budget",
    (PROJECT_ID, FISCAL_YEAR, AMOUNT_THB),
    primary_key=("project_id", "fiscal_year"),
    is_history=True,
)

VALID_FROM = _c(
    "valid_from",
    "TIMESTAMP WITH TIME ZONE",
    "ฉบับนี้มีผลตั้งแต่การเผยแพร่ครั้งนี้ (publications.published_at)",
    "Published from this publication on (publications.published_at)",
    False,
)
VALID_TO = _c(
    "valid_to",
    "TIMESTAMP WITH TIME ZONE",
    "ฉบับนี้ถูกแทนหรือนำออกในการเผยแพร่ครั้งนี้ (ว่าง = ยังใช้อยู่)",
    "Replaced or removed by this publication (NULL = still in the plan)",
)
PROJECT_HISTORY = Table(
    "project_history",
    "หนึ่งแถวต่อหนึ่งฉบับของโครงการ (ทุกคอลัมน์ของ projects) และช่วงการเผยแพร่ที่ฉบับนั้นอยู่ในแผน "
    "ใช้กับ oneplan_as_of()",
    "One row per version of a project (every column of projects) and the publications it was "
    "in the plan for; read with oneplan_as_of()",
    (*PROJECTS.columns, VALID_FROM, VALID_TO),
    primary_key=("project_id", "valid_from"),
    is_history=True,
)
BUDGET_HISTORY = Table(
    "budget_history",
    "หนึ่งแถวต่อหนึ่งฉบับของงบประมาณโครงการต่อปี และช่วงการเผยแพร่ที่อยู่ในแผน ใช้กับ oneplan_as_of()",
    "One row per version of a project's budget for a fiscal year and the publications it was "
    "in the plan for; read with oneplan_as_of()",
    (PROJECT_ID, FISCAL_YEAR, AMOUNT_THB, VALID_FROM, VALID_TO),
    primary_key=("project_id", "fiscal_year", "valid_from"),
    is_history=True,
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
            "ข้อความภาษาไทย ระบุไฟล์ แผ่นงาน แถว และเซลล์ (สร้างจากรหัสปัญหาและค่าในแถวนี้)",
            "Thai message naming file, sheet, row and cell (rendered from this row's code "
            "and values)",
            False,
        ),
        _c("message_en", "VARCHAR", "ข้อความภาษาอังกฤษ", "The same message in English", False),
        _c("raw_value", "VARCHAR", "ค่าที่พบในเซลล์", "The offending cell value"),
        _c(
            "expected_value",
            "VARCHAR",
            "ค่าที่ข้อความนำมาเทียบ (เช่น ขีดจำกัด ชื่อที่ระบบอ่านได้ ตำแหน่งของโครงการที่เก็บไว้)",
            "What the message compares the value with (a limit, the name it was read as, "
            "where the kept copy is)",
        ),
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
    built_from="sql",
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
        _c("project_name", "VARCHAR", "ชื่อโครงการ", "Project name", False, THAI_ORDER),
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
    is_history=True,
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
    is_history=True,
)

COUNTED_AMOUNT_THB = _c(
    "counted_amount_thb",
    "DECIMAL(15,2)",
    "งบประมาณที่นับ (นับครั้งเดียวทุกระดับแผน): เท่ากับ amount_thb เมื่อโครงการนับเงิน "
    "(is_counted) มิฉะนั้น 0; รวมคอลัมน์นี้ได้ยอดของแผน",
    "Baht counted once over all plan levels: amount_thb when the project counts its money "
    "(is_counted), else 0; sum this column for the plan's total",
)

ONEPLAN = Table(
    "oneplan",
    "แผนหนึ่งเดียวของจังหวัด: หนึ่งแถวต่อหนึ่งโครงการและปีงบประมาณ (โครงการที่ไม่มีงบประมาณ: "
    "หนึ่งแถว ปีว่าง); รวม counted_amount_thb ไม่ใช่ amount_thb เพื่อไม่นับซ้ำ",
    "The provincial One Plan: one row per project and fiscal year (a project with no amount: "
    "one row, year NULL); sum counted_amount_thb, not amount_thb, to count each baht once",
    (
        PROJECT_ID,
        DISTRICT_CODE,
        DISTRICT_NAME_TH,
        TAMBON_CODE,
        TAMBON_NAME_TH,
        _c(
            "fiscal_year",
            "INTEGER",
            "ปีงบประมาณ (พ.ศ.) ว่าง = โครงการที่ไม่มีงบประมาณในปีใดเลย (แสดงหนึ่งแถว)",
            "Fiscal year, Buddhist Era; NULL = a project with no amount in any year (one row)",
        ),
        _c(
            "amount_thb",
            "DECIMAL(15,2)",
            "งบประมาณตามที่เขียนในแผน (บาท) ว่าง = ไม่มีงบประมาณ",
            "Budget in baht as the plan writes it; NULL = no amount",
        ),
        COUNTED_AMOUNT_THB,
        *PROJECT_COLUMNS[3:12],
        *ALIGNMENT_COLUMNS,
        CLUSTER_CODES,
        REGIONAL_CODES,
        _c(
            "national_codes",
            "VARCHAR[]",
            "ยุทธศาสตร์ชาติที่โครงการสอดคล้อง: ที่ไฟล์ระบุเอง (national_strategy_code) หรือตามยุทธศาสตร์จังหวัด",
            "National Strategy areas the project serves: the one its file states "
            "(national_strategy_code), else those of its provincial strategy",
        ),
        SOURCE_FILE,
        SOURCE_SHEET,
        SOURCE_ROW,
        *LEVEL_COLUMNS,
    ),
    is_view=True,
)

STRATEGIES = Table(
    "strategies",
    "หนึ่งแถวต่อหนึ่งยุทธศาสตร์ของทุกระดับ (ชาติ ภาค กลุ่มจังหวัด จังหวัด) พร้อมยุทธศาสตร์ระดับบนที่สนับสนุน",
    "One row per strategy of every level (national, regional, provincial cluster, provincial), "
    "with the ones above it served",
    (
        _c(
            "level",
            "VARCHAR",
            "ระดับ: national=ยุทธศาสตร์ชาติ regional=แผนพัฒนาภาค cluster=แผนพัฒนากลุ่มจังหวัด "
            "provincial=จังหวัด (data/strategy_levels.csv)",
            "national | regional | cluster (provincial cluster) | provincial "
            "(data/strategy_levels.csv)",
            False,
        ),
        _c("strategy_code", "VARCHAR", "รหัสยุทธศาสตร์", "Strategy code", False),
        _c("number", "VARCHAR", "เลขที่ของยุทธศาสตร์ในแผน", "The strategy's number in its plan", False),
        _c("name_th", "VARCHAR", "ชื่อยุทธศาสตร์ (ไทย)", "Strategy name in Thai", False, THAI_ORDER),
        _c("name_en", "VARCHAR", "ชื่อยุทธศาสตร์ (อังกฤษ)", "Strategy name in English", False),
        _c(
            "plan_name_th",
            "VARCHAR",
            "ชื่อแผนของระดับนี้ (ไทย)",
            "The plan of its level, in Thai",
            False,
        ),
        _c(
            "plan_name_en",
            "VARCHAR",
            "ชื่อแผนของระดับนี้ (อังกฤษ)",
            "The plan of its level, in English",
            False,
        ),
        _c(
            "parent_codes",
            "VARCHAR[]",
            "รหัสยุทธศาสตร์ระดับบนที่เชื่อมโยงไว้โดยตรง (data/strategy_links.csv)",
            "Codes of the strategies of the levels above it links to directly "
            "(data/strategy_links.csv)",
            False,
        ),
        *(
            Column(
                c.name,
                c.sql_type,
                c.th.replace("ยุทธศาสตร์จังหวัด", "ยุทธศาสตร์นี้"),
                c.en.replace("the provincial strategy", "this strategy")
                + ": the links to that level as written, else through the levels between "
                "(empty at and above that level)",
                False,
            )
            for c in (CLUSTER_CODES, REGIONAL_CODES, NATIONAL_CODES)
        ),
    ),
    primary_key=("strategy_code",),
    built_from="reference",
)

DEVELOPMENT_AREAS = Table(
    "development_areas",
    "หนึ่งแถวต่อหนึ่งด้านการพัฒนามาตรฐาน",
    "One row per standard development area",
    (
        _c("development_area", "VARCHAR", "รหัสด้านการพัฒนา", "Development area code", False),
        _c("name_th", "VARCHAR", "ชื่อด้าน (ไทย)", "Name in Thai", False, THAI_ORDER),
        _c("name_en", "VARCHAR", "ชื่อด้าน (อังกฤษ)", "Name in English", False),
    ),
    primary_key=("development_area",),
    built_from="reference",
)

AGENCIES = Table(
    "agencies",
    "หนึ่งแถวต่อหนึ่งหน่วยงานในตารางหน่วยงาน ({tambon}/{place} = ชื่อพื้นที่ที่เติมตามข้อความ)",
    "One row per agency of the agency table ({tambon}/{place}: the place filled in from the text)",
    (
        _c("agency_code", "VARCHAR", "รหัสหน่วยงาน", "Agency code", False),
        _c("name_th", "VARCHAR", "ชื่อมาตรฐาน (ไทย)", "Canonical name in Thai", False, THAI_ORDER),
        _c("name_en", "VARCHAR", "ชื่อมาตรฐาน (อังกฤษ)", "Canonical name in English", False),
        _c(
            "kind",
            "VARCHAR",
            "ประเภท: local=อปท. pao=อบจ. province provincial_office district_office department "
            "ministry state_enterprise community=คณะกรรมการหมู่บ้าน",
            "local | pao | province | provincial_office | district_office | department | ministry "
            "| state_enterprise | community (a village committee)",
            False,
        ),
        _c(
            "aliases",
            "VARCHAR[]",
            "ชื่อย่อและคำที่ใช้เรียก (รูปที่ใช้เทียบ)",
            "Aliases and abbreviations (matching keys)",
            False,
        ),
    ),
    primary_key=("agency_code",),
    built_from="reference",
)

DISTRICT_YEAR = (DISTRICT_CODE, DISTRICT_NAME_TH, FISCAL_YEAR)
N_PROJECTS = _c("n_projects", "BIGINT", "จำนวนโครงการ", "Number of projects", False)
MART_AMOUNT = _c("amount_thb", "DECIMAL(38,2)", "งบประมาณรวม (บาท)", "Budget, baht", False)

PLAN_BY_STRATEGY = Table(
    "plan_by_strategy",
    "หนึ่งแถวต่ออำเภอ × ยุทธศาสตร์จังหวัด × ปีงบประมาณ (ยุทธศาสตร์ว่าง = ไม่ทราบ); "
    "นับเงินครั้งเดียว (เฉพาะโครงการที่ is_counted)",
    "One row per district, provincial strategy and fiscal year (NULL strategy = unknown); "
    "money counted once (only is_counted projects)",
    (
        *DISTRICT_YEAR,
        STRATEGY_CODE,
        _c("strategy_name_th", "VARCHAR", "ชื่อยุทธศาสตร์จังหวัด", "Provincial strategy name"),
        CLUSTER_CODES,
        REGIONAL_CODES,
        NATIONAL_CODES,
        N_PROJECTS,
        MART_AMOUNT,
        _c(
            "share_of_district",
            "DECIMAL(5,4)",
            "สัดส่วนของงบประมาณที่นับของอำเภอในปีนั้น (0-1)",
            "Share of the district's counted budget that year (0-1)",
        ),
    ),
    is_view=True,
)

AGENCY_REQUESTS = Table(
    "agency_requests",
    "หนึ่งแถวต่อหน่วยงานที่ขอ × อำเภอ × ปีงบประมาณ (โครงการ requested/joint ที่นับ "
    "ไม่รวมโครงการที่แผนระดับสูงกว่ารับไปแล้วหรือสำเนาซ้ำ; ว่าง = ไม่ระบุหน่วยงาน)",
    "One row per agency asked, district and fiscal year (counted requested and joint "
    "projects, not those taken up by a plan above or duplicate copies; NULL = no agency named)",
    (
        _c("requested_from", "VARCHAR", "หน่วยงานที่ขอรับการสนับสนุน", "Agency asked"),
        *DISTRICT_YEAR,
        N_PROJECTS,
        MART_AMOUNT,
    ),
    is_view=True,
)

AGENCY_REQUEST_LIST = Table(
    "agency_request_list",
    "หนึ่งแถวต่อโครงการที่ขอรับการสนับสนุน/ทำร่วมที่นับ (is_counted) และปีงบประมาณ: รายการที่จังหวัดส่งให้หน่วยงาน",
    "One row per counted (is_counted) requested or joint project and fiscal year: "
    "the list the province sends each agency",
    (
        _c("requested_from", "VARCHAR", "หน่วยงานที่ขอรับการสนับสนุน", "Agency asked"),
        *DISTRICT_YEAR,
        TAMBON_CODE,
        TAMBON_NAME_TH,
        _c("village_numbers", "INTEGER[]", "หมู่ที่", "Village numbers", False),
        PROJECT_ID,
        _c("project_name", "VARCHAR", "ชื่อโครงการ", "Project name", False, THAI_ORDER),
        _c("funding_route", "VARCHAR", "requested | joint", "requested | joint", False),
        _c("funding_source_text", "VARCHAR", "แหล่งงบประมาณตามที่พิมพ์", "Source of funds as typed"),
        AMOUNT_THB,
        SOURCE_FILE,
        SOURCE_ROW,
    ),
    is_view=True,
)

PLAN_BY_ROUTE = Table(
    "plan_by_route",
    "หนึ่งแถวต่ออำเภอ × ปีงบประมาณ: เงินทำเอง ทำร่วม ขอรับการสนับสนุน และไม่ระบุ แยกกัน "
    "นับเงินครั้งเดียว (เฉพาะโครงการที่ is_counted)",
    "One row per district and fiscal year: own, joint, requested and unknown money kept apart, "
    "counted once (only is_counted projects)",
    (
        *DISTRICT_YEAR,
        _c("own_thb", "DECIMAL(38,2)", "งบทำเอง (บาท)", "Own money (ทำเอง), baht", False),
        _c("joint_thb", "DECIMAL(38,2)", "งบทำร่วม (บาท)", "Joint money (ทำร่วม), baht", False),
        _c(
            "requested_thb",
            "DECIMAL(38,2)",
            "งบที่ขอรับการสนับสนุน (ไม่ใช่งบของตำบล) (บาท)",
            "Requested of other agencies (not the tambons' own), baht",
            False,
        ),
        _c(
            "unknown_thb",
            "DECIMAL(38,2)",
            "งบที่ไม่ระบุวิธีดำเนินการ (บาท)",
            "Route not stated, baht",
            False,
        ),
        _c("n_projects", "BIGINT", "จำนวนโครงการ", "Number of projects", False),
    ),
    is_view=True,
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
        _c(
            "decided_by",
            "VARCHAR",
            "ผู้ตัดสินให้เชื่อม (จาก link_decisions.csv; ว่างเมื่อเชื่อมตามคะแนน)",
            "Who accepted the link (link_decisions.csv; NULL when linked by the scores)",
        ),
    ),
    primary_key=("link_id",),
    is_history=True,
)

LINK_DECISIONS = Table(
    "link_decisions",
    "หนึ่งแถวต่อหนึ่งคำตัดสินว่าสองโครงการเป็นโครงการเดียวกันหรือไม่ (จาก link_decisions.csv ทุกคืน พร้อมประวัติ)",
    "One row per decision a person made about two projects (read from link_decisions.csv "
    "every night; rows no longer in the file are kept as history)",
    (
        _c(
            "decision_id",
            "VARCHAR",
            "รหัสคำตัดสิน (จากข้อความในแถว คงที่ทุกรอบ)",
            "Decision id (from the row's words: the same every night)",
            False,
        ),
        _c("line", "BIGINT", "แถวในไฟล์คำตัดสิน", "Line in the decisions file", False),
        _c(
            "decision",
            "VARCHAR",
            "accept=เป็นโครงการเดียวกัน (นับเงินครั้งเดียว) reject=ไม่ใช่ (ไม่เสนอเชื่อมอีก)",
            "accept (one project: its money counted once) | reject (never proposed again)",
        ),
        _c(
            "project_id",
            "VARCHAR",
            "โครงการหนึ่งของคู่ (ที่พบในคืนนี้; ว่างเมื่อหาไม่พบ)",
            "One project of the pair as found tonight (NULL when not found)",
        ),
        _c(
            "linked_project_id",
            "VARCHAR",
            "อีกโครงการหนึ่งของคู่ (ที่พบในคืนนี้; ว่างเมื่อหาไม่พบ)",
            "The other project of the pair as found tonight (NULL when not found)",
        ),
        _c(
            "written_project",
            "VARCHAR",
            "โครงการหนึ่งตามที่เขียนในไฟล์ (รหัส หรือ ไฟล์ | แถว | ชื่อ)",
            "One project as the file names it (id, or file | row | name)",
        ),
        _c(
            "written_linked_project",
            "VARCHAR",
            "อีกโครงการหนึ่งตามที่เขียนในไฟล์",
            "The other project as the file names it",
        ),
        _c("decided_by", "VARCHAR", "ผู้ตัดสิน", "Who decided"),
        _c("decided_at", "TIMESTAMP WITH TIME ZONE", "เมื่อใด", "When it was decided"),
        _c("note", "VARCHAR", "หมายเหตุ", "Note"),
        _c(
            "outcome",
            "VARCHAR",
            "applied=ใช้แล้ว superseded=มีแถวหลังกว่าสำหรับคู่เดียวกัน stale=โครงการเปลี่ยนไปแล้ว "
            "ไม่ได้ใช้ (ดู data_issues) invalid=อ่านแถวไม่ได้ (ดู data_issues)",
            "applied | superseded (a later row about the same pair) | stale (the projects "
            "changed: not applied, see data_issues) | invalid (see data_issues)",
            False,
        ),
        _c("reason", "VARCHAR", "เหตุที่ไม่ได้ใช้", "Why it was not applied"),
        _c(
            "first_seen_at",
            "TIMESTAMP WITH TIME ZONE",
            "อ่านพบครั้งแรกเมื่อ",
            "When the row was first read",
            False,
        ),
        _c(
            "is_current",
            "BOOLEAN",
            "ยังอยู่ในไฟล์คืนนี้",
            "Still in tonight's file (false: history)",
            False,
        ),
    ),
    primary_key=("decision_id",),
    is_history=True,
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
        _c("place_name_th", "VARCHAR", "ชื่อพื้นที่", "Place name in Thai", False, THAI_ORDER),
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


# The marts every output renders (sql/marts/): each number a person reads is one of theirs.
SCOPE_NAME_TH = _c(
    "scope_name_th",
    "VARCHAR",
    "ชื่อที่คนอ่าน: อำเภอ<ชื่อ> หรือ <จังหวัด> (แผนระดับจังหวัด)",
    "The name a person reads: อำเภอ<name>, or the province's own plans as the provincial plan",
)
COUNTED_THB = _c(
    "counted_thb",
    "DECIMAL(38,2)",
    "งบประมาณที่นับครั้งเดียว (บาท)",
    "Baht counted once over all plan levels",
    False,
)
WRITTEN_THB = _c(
    "written_thb",
    "DECIMAL(38,2)",
    "งบประมาณตามที่เขียนในแผนทุกระดับ (บาท; โครงการเดียวกันหลายระดับนับซ้ำ)",
    "Baht as the plans of every level write it (a project at two levels twice)",
)
IS_PLAN_TOTAL = _c(
    "is_plan_total",
    "BOOLEAN",
    "แถวรวมทั้งแผน (district_code ว่าง)",
    "The whole plan's total row (district_code NULL)",
    False,
)
IS_ALL_DISTRICTS = _c(
    "is_all_districts", "BOOLEAN", "แถวรวมทุกอำเภอ", "Total over every district", False
)
IS_ALL_YEARS = _c("is_all_years", "BOOLEAN", "แถวรวมทุกปี", "Total over every fiscal year", False)
AGENCY_TH = _c(
    "agency_th",
    "VARCHAR",
    "หน่วยงานที่ขอ (ไม่ระบุหน่วยงาน เมื่อว่าง)",
    "Agency asked, as shown (ไม่ระบุหน่วยงาน when none is named)",
    False,
)
YEAR_OR_ALL = _c(
    "fiscal_year", "INTEGER", "ปีงบประมาณ (ว่าง = ทุกปี)", "Fiscal year (NULL = all years)"
)
DISTRICT_OR_ALL = _c(
    "district_code", "VARCHAR", "รหัสอำเภอ (ว่าง = ทุกอำเภอ)", "District code (NULL = every one)"
)
REQUESTED_FROM = _c("requested_from", "VARCHAR", "หน่วยงานที่ขอรับการสนับสนุน", "Agency asked")

DISTRICT_LABELS = Table(
    "district_labels",
    "หนึ่งแถวต่อรหัสอำเภอ (และจังหวัดสำหรับแผนระดับจังหวัด): ชื่อที่แสดง",
    "One row per district_code (districts and the province's own plans): the name shown",
    (
        DISTRICT_CODE,
        DISTRICT_NAME_TH,
        _c("is_province", "BOOLEAN", "เป็นแผนระดับจังหวัด", "The province's own plans", False),
        SCOPE_NAME_TH,
    ),
    is_view=True,
)

PLAN_SUMMARY = Table(
    "plan_summary",
    "หนึ่งแถวต่ออำเภอ (หรือทั้งแผน) × ปีงบประมาณ: เงินแยกตามวิธีดำเนินการ นับครั้งเดียว "
    "และตามที่เขียนในแผน (ที่เดียวที่คำนวณยอดนี้)",
    "One row per district (or the whole plan) and fiscal year: baht by funding route counted "
    "once, and as written (the one place this total is computed)",
    (
        DISTRICT_OR_ALL,
        DISTRICT_NAME_TH,
        SCOPE_NAME_TH,
        IS_PLAN_TOTAL,
        FISCAL_YEAR,
        _c("own_thb", "DECIMAL(38,2)", "ทำเอง (บาท นับครั้งเดียว)", "Own, baht counted once"),
        _c("joint_thb", "DECIMAL(38,2)", "ทำร่วม (บาท นับครั้งเดียว)", "Joint, baht counted once"),
        _c(
            "requested_thb",
            "DECIMAL(38,2)",
            "ขอรับการสนับสนุน (บาท นับครั้งเดียว; งบของหน่วยงานที่ขอ)",
            "Requested of another agency, baht counted once",
        ),
        _c("unstated_thb", "DECIMAL(38,2)", "ไม่ระบุวิธี (บาท นับครั้งเดียว)", "Route not stated"),
        COUNTED_THB,
        WRITTEN_THB,
        _c("n_projects", "BIGINT", "จำนวนโครงการที่มีงบปีนั้น", "Projects with money that year"),
        _c(
            "n_counted_projects",
            "BIGINT",
            "จำนวนโครงการที่นับเงิน",
            "Projects whose money is counted here",
        ),
    ),
    is_view=True,
)

STRATEGY_SUMMARY = Table(
    "strategy_summary",
    "หนึ่งแถวต่ออำเภอ (หรือทั้งแผน) × ยุทธศาสตร์จังหวัด × ปีงบประมาณ: นับครั้งเดียวและตามที่เขียน",
    "One row per district (or the whole plan), provincial strategy and fiscal year: counted "
    "once and as written",
    (
        DISTRICT_OR_ALL,
        IS_PLAN_TOTAL,
        STRATEGY_CODE,
        _c("strategy_name_th", "VARCHAR", "ชื่อยุทธศาสตร์จังหวัด", "Provincial strategy name"),
        CLUSTER_CODES,
        REGIONAL_CODES,
        NATIONAL_CODES,
        FISCAL_YEAR,
        _c("n_projects", "BIGINT", "จำนวนโครงการที่นับ", "Counted projects"),
        COUNTED_THB,
        WRITTEN_THB,
    ),
    is_view=True,
)

AGENCY_REQUEST_TOTALS = Table(
    "agency_request_totals",
    "หนึ่งแถวต่อหน่วยงานที่ขอ × อำเภอ (หรือทุกอำเภอ) × ปี (หรือทุกปี): คำขอที่นับครั้งเดียว",
    "One row per agency asked, district (or all) and fiscal year (or all): requests counted once",
    (
        REQUESTED_FROM,
        DISTRICT_OR_ALL,
        YEAR_OR_ALL,
        IS_ALL_DISTRICTS,
        IS_ALL_YEARS,
        _c("n_projects", "BIGINT", "จำนวนโครงการ", "Number of projects"),
        _c("amount_thb", "DECIMAL(38,2)", "งบประมาณที่ขอ (บาท)", "Baht requested"),
        AGENCY_TH,
    ),
    is_view=True,
)

AGENCY_REQUEST_STATUS = Table(
    "agency_request_status",
    "หนึ่งแถวต่อหน่วยงานที่ขอ × อำเภอ (หรือทุกอำเภอ) × ปี (หรือทุกปี): คำขอ รับแล้ว และยังรอ",
    "One row per agency asked, district (or all) and fiscal year (or all): requests, taken up "
    "by a plan above, still waiting",
    (
        REQUESTED_FROM,
        DISTRICT_OR_ALL,
        YEAR_OR_ALL,
        IS_ALL_DISTRICTS,
        IS_ALL_YEARS,
        _c("n_requests", "BIGINT", "จำนวนคำขอ", "Requests"),
        _c("requested_thb", "DECIMAL(38,2)", "งบที่ขอ (บาท)", "Baht requested"),
        _c("n_taken_up", "BIGINT", "จำนวนที่แผนระดับบนรับแล้ว", "Taken up by a plan above"),
        _c("taken_up_thb", "DECIMAL(38,2)", "งบที่รับแล้ว (บาท)", "Baht taken up"),
        _c("n_waiting", "BIGINT", "จำนวนที่ยังรอ", "Still waiting"),
        _c("waiting_thb", "DECIMAL(38,2)", "งบที่ยังรอ (บาท)", "Baht still waiting"),
        AGENCY_TH,
    ),
    is_view=True,
)

WORKBOOK_PROJECTS = Table(
    "workbook_projects",
    "หนึ่งแถวต่อโครงการ (ทุกระดับ นับหรือไม่นับ มีหรือไม่มีงบ): บัญชีโครงการของสมุดงาน",
    "One row per project (every level, counted or not, with or without money): the "
    "workbook's project lists",
    (
        PROJECT_ID,
        DISTRICT_CODE,
        SCOPE_NAME_TH,
        _c("section_th", "VARCHAR", "ด้าน (ไม่ระบุด้าน เมื่อว่าง)", "Section (ด้าน) shown", False),
        _c("route", "VARCHAR", "own | joint | requested | unstated", "Funding route", False),
        _c("route_th", "VARCHAR", "วิธีดำเนินการ", "Funding route in Thai", False),
        TAMBON_CODE,
        TAMBON_NAME_TH,
        _c("village_numbers", "INTEGER[]", "หมู่ที่", "Village numbers"),
        _c("project_name", "VARCHAR", "ชื่อโครงการ", "Project name"),
        _c("objective", "VARCHAR", "วัตถุประสงค์", "Objective"),
        _c("target", "VARCHAR", "เป้าหมาย", "Target / output"),
        _c("kpi", "VARCHAR", "ตัวชี้วัด", "Key performance indicator"),
        _c("expected_result", "VARCHAR", "ผลที่คาดว่าจะได้รับ", "Expected result"),
        _c("responsible_agency", "VARCHAR", "หน่วยงานรับผิดชอบ", "Responsible agency"),
        REQUESTED_FROM,
        STRATEGY_CODE,
        _c("plan_level", "VARCHAR", "ระดับของแผน", "Plan level"),
        _c("plan_level_th", "VARCHAR", "ระดับของแผน (ไทย)", "Plan level in Thai"),
        _c("is_counted", "BOOLEAN", "นับเงินของโครงการนี้", "Whether its money is counted"),
        _c(
            "counted_note_th",
            "VARCHAR",
            "การนับงบ: นับ / ไม่นับซ้ำ (นับในแผนใด) / ไม่มีงบประมาณ",
            "Counted, not counted again (counted in which plan), or no money",
        ),
        _c(
            "amounts",
            "STRUCT(fiscal_year INTEGER, amount_thb DECIMAL(15,2))[]",
            "งบประมาณรายปีตามที่เขียน",
            "Amount per fiscal year as written",
        ),
        WRITTEN_THB,
        COUNTED_THB,
        SOURCE_FILE,
        SOURCE_SHEET,
        SOURCE_ROW,
    ),
    is_view=True,
)

WORKBOOK_TOTALS = Table(
    "workbook_totals",
    "หนึ่งแถวต่ออำเภอ × ด้าน (หรือทุกด้าน) × วิธีดำเนินการ (หรือทุกวิธี) × ปี (หรือทุกปี): แถวรวมของแผ่นงานอำเภอ",
    "One row per district, section (or all), route (or all) and fiscal year (or all): the "
    "district sheets' total rows",
    (
        DISTRICT_CODE,
        _c("section_th", "VARCHAR", "ด้าน (ว่าง = ทุกด้าน)", "Section (NULL = all)"),
        _c("route", "VARCHAR", "วิธีดำเนินการ (ว่าง = ทุกวิธี)", "Funding route (NULL = all)"),
        YEAR_OR_ALL,
        _c("is_all_sections", "BOOLEAN", "แถวรวมทุกด้าน", "Total over every section", False),
        _c("is_all_routes", "BOOLEAN", "แถวรวมทุกวิธี", "Total over every route", False),
        IS_ALL_YEARS,
        COUNTED_THB,
        WRITTEN_THB,
        _c("n_projects", "BIGINT", "จำนวนโครงการ (รวมที่ไม่มีงบ)", "Projects (with or without money)"),
    ),
    is_view=True,
)

_SIDE = (
    ("", "โครงการหนึ่ง", "one project"),
    ("linked_", "อีกโครงการ", "the other project"),
)
REVIEW_LINKS = Table(
    "review_links",
    "หนึ่งแถวต่อการเชื่อมโยงที่รอคนตัดสิน: สองโครงการเทียบกัน",
    "One row per link in review: the two projects side by side",
    (
        _c("link_id", "VARCHAR", "รหัสการเชื่อมโยง", "Link id", False),
        _c("link_kind", "VARCHAR", "rolls_up_to | possible_duplicate", "Link kind", False),
        _c("question_th", "VARCHAR", "คำถามที่ต้องตัดสิน", "The question to decide", False),
        _c("score", "DECIMAL(5,1)", "คะแนนความเหมือน 0-100", "Similarity 0-100"),
        *[
            col
            for prefix, th, en in _SIDE
            for col in (
                _c(f"{prefix}district_code", "VARCHAR", f"รหัสอำเภอ ({th})", f"District ({en})"),
                _c(f"{prefix}scope_name_th", "VARCHAR", f"อำเภอ / แผน ({th})", f"Scope ({en})"),
                _c(f"{prefix}plan_level", "VARCHAR", f"ระดับแผน ({th})", f"Plan level ({en})"),
                _c(f"{prefix}tambon_name_th", "VARCHAR", f"ตำบล ({th})", f"Tambon ({en})"),
                _c(f"{prefix}project_name", "VARCHAR", f"ชื่อโครงการ ({th})", f"Name ({en})"),
                _c(
                    f"{prefix}written_thb",
                    "DECIMAL(38,2)",
                    f"งบตามแผน ({th})",
                    f"Baht as written ({en})",
                ),
                _c(f"{prefix}source_file", "VARCHAR", f"ไฟล์ ({th})", f"Source file ({en})"),
                _c(f"{prefix}source_row", "INTEGER", f"แถว ({th})", f"Source row ({en})"),
            )
        ],
    ),
    is_view=True,
)

PUBLICATION_CHANGES = Table(
    "publication_changes",
    "หนึ่งแถวต่อการเปลี่ยนแปลงของการเผยแพร่ล่าสุด (เทียบกับครั้งก่อน) พร้อมงบประมาณ",
    "One row per change of the latest publication (against the one before), with the money",
    (
        _c("changed_at", "TIMESTAMP WITH TIME ZONE", "เวลาที่เผยแพร่", "Publication time"),
        _c("change", "VARCHAR", "ชนิดการเปลี่ยนแปลง", "Change kind"),
        _c("change_th", "VARCHAR", "การเปลี่ยนแปลง (ไทย)", "Change in Thai"),
        _c("district_code", "VARCHAR", "รหัสอำเภอ", "District code"),
        SCOPE_NAME_TH,
        _c("tambon_code", "VARCHAR", "รหัสตำบล", "Tambon code"),
        _c("project_id", "VARCHAR", "รหัสโครงการ", "Project id"),
        _c("project_name", "VARCHAR", "ชื่อโครงการ", "Project name"),
        _c("fiscal_year", "INTEGER", "ปีงบประมาณที่งบเปลี่ยน", "Fiscal year whose money changed"),
        _c("old_amount_thb", "DECIMAL(15,2)", "งบเดิม (บาท)", "Previous baht"),
        _c(
            "new_amount_thb",
            "DECIMAL(38,2)",
            "งบใหม่ (บาท; โครงการที่เพิ่ม = งบทุกปี)",
            "New baht (an added project: all its years)",
        ),
        SOURCE_FILE,
    ),
    is_view=True,
)

MARTS: tuple[Table, ...] = (
    DISTRICT_LABELS,
    PLAN_SUMMARY,
    STRATEGY_SUMMARY,
    PLAN_BY_STRATEGY,
    AGENCY_REQUESTS,
    AGENCY_REQUEST_LIST,
    AGENCY_REQUEST_TOTALS,
    AGENCY_REQUEST_STATUS,
    PLAN_BY_ROUTE,
    WORKBOOK_PROJECTS,
    WORKBOOK_TOTALS,
)

TABLES: tuple[Table, ...] = (
    AREAS,
    SUBMISSIONS,
    PROJECTS,
    PROJECT_BUDGETS,
    PROJECT_MEASURES,
    REJECTED_ROWS,
    DATA_ISSUES,
    COVERAGE,
    PROJECT_CHANGES,
    PUBLICATIONS,
    STRATEGIES,
    DEVELOPMENT_AREAS,
    AGENCIES,
    ONEPLAN,
    *MARTS,
    PROJECT_LINKS,
    LINK_DECISIONS,
    PLAN_ROLLUP,
    PROJECT_HISTORY,
    BUDGET_HISTORY,
    REVIEW_LINKS,
    PUBLICATION_CHANGES,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DECIMAL(5,4)": pa.decimal128(5, 4),
    "DECIMAL(38,2)": pa.decimal128(38, 2),
    "BOOLEAN": pa.bool_(),
    "DECIMAL(5,1)": pa.decimal128(5, 1),
    "DECIMAL(15,2)": pa.decimal128(15, 2),
    "DECIMAL(18,2)": pa.decimal128(18, 2),
    "INTEGER[]": pa.list_(pa.int32()),
    "VARCHAR[]": pa.list_(pa.string()),
    "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
}


def arrow_type(column: Column) -> pa.DataType:
    """The Arrow type of a column."""
    return _ARROW_TYPES[column.sql_type]


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a table, in declaration order."""
    return pa.schema(
        [pa.field(c.name, _ARROW_TYPES[c.sql_type], nullable=c.nullable) for c in table.columns]
    )


DESCRIPTION_KEYS = ("description_th", "description_en")  # field metadata of exported columns


def field_metadata(column: Column) -> dict[bytes, bytes]:
    """A column's Thai and English descriptions as Arrow field metadata (what Parquet readers
    such as pyarrow show per field)."""
    return {b"description_th": column.th.encode(), b"description_en": column.en.encode()}


def file_metadata(table: Table) -> dict[bytes, bytes]:
    """A table's grain and its columns' descriptions as Parquet key-value metadata (what
    DuckDB's parquet_kv_metadata() shows): `description_th` / `description_en` for the table,
    `column:<name>` for each column as "Thai / English"."""
    out = {
        b"description_th": table.grain_th.encode(),
        b"description_en": table.grain_en.encode(),
    }
    for c in table.columns:
        out[f"column:{c.name}".encode()] = f"{c.th} / {c.en}".encode()
    return out


def with_descriptions(schema: pa.Schema, table: Table) -> pa.Schema:
    """`schema` (as a query of `table` gives it) with each declared column's descriptions as
    field metadata and the table's as file metadata; types untouched."""
    declared = {c.name: c for c in table.columns}
    fields = [
        f.with_metadata(field_metadata(declared[f.name])) if f.name in declared else f
        for f in schema
    ]
    return pa.schema(fields, metadata={**(schema.metadata or {}), **file_metadata(table)})


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_table_sql(table: Table) -> str:
    """`CREATE TABLE` for a base table (views are built by the SQL in `sql/`)."""
    if table.is_view:
        raise ValueError(f"{table.name} is a view; its SQL lives in sql/{table.name}.sql")
    lines = [
        f"    {c.name} {c.sql_definition}{'' if c.nullable else ' NOT NULL'}" for c in table.columns
    ]
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


def staged_arrow_schema(table: Table, file_columns: bool = True) -> pa.Schema:
    """The Arrow schema of a staged table, every field nullable (rows are staged before any
    check); without the file columns, the schema of one file's table as the reader made it."""
    skip = () if file_columns else tuple(c.name for c in STAGED_FILE_COLUMNS)
    return pa.schema(
        [pa.field(c.name, _ARROW_TYPES[c.sql_type]) for c in table.columns if c.name not in skip]
    )


def data_dictionary_markdown() -> str:
    """The data dictionary as Markdown: one section per table, its grain, then its columns;
    the staging layer last."""
    out: list[str] = []
    for table in (*TABLES, *STAGED_TABLES.values()):
        kind = "view" if table.is_view else "table"
        if table is STG_PROJECTS:
            out.append(
                "Staging layer: one Arrow IPC file per input file in the staging folder (a "
                "stream per table), read by the next run, never published.\n"
            )
            kind = "staged"
        elif table.name.startswith("stg_"):
            kind = "staged"
        out.append(f"### `{table.name}` ({kind})\n")
        out.append(f"{table.grain_en}. / {table.grain_th}\n")
        if table.primary_key:
            out.append(f"Key: `{', '.join(table.primary_key)}`\n")
        out.append("| column | type | description | คำอธิบาย |")
        out.append("| --- | --- | --- | --- |")
        for c in table.columns:
            out.append(f"| `{c.name}` | {c.sql_definition} | {c.en} | {c.th} |")
        out.append("")
    return "\n".join(out)


# The staging layer (stg_*): what one parsed file leaves behind, one Arrow IPC stream per table
# in the file's one staged file, read back by every run that publishes. Not published.
ROW_ORDER = _c(
    "row_order",
    "INTEGER",
    "ลำดับของแถวในตารางของไฟล์",
    "The row's order within its file's staged table",
    False,
)
# The columns that place each staged row among all files (added to every staged table).
STAGED_FILE_COLUMNS = (SUBMISSION_ID, SOURCE_FILE, DISTRICT_CODE, ROW_ORDER)

STG_PROJECTS = Table(
    "stg_projects",
    "หนึ่งแถวต่อหนึ่งโครงการที่รับจากไฟล์หนึ่ง (ก่อนตัดรายการซ้ำ)",
    "One row per project accepted from one file (before duplicates are removed)",
    (
        *STAGED_FILE_COLUMNS,
        SOURCE_SHEET,
        SOURCE_ROW,
        *PROJECT_COLUMNS[2:12],
        _c(
            "strategy_text",
            "VARCHAR",
            "ข้อความในคอลัมน์ยุทธศาสตร์ตามที่พิมพ์",
            "The strategy column's text as typed",
        ),
        _c(
            "section_text",
            "VARCHAR",
            "หัวข้อ ยุทธศาสตร์/ด้าน เหนือแถวของโครงการ",
            "The ยุทธศาสตร์/ด้าน heading above the project's rows",
        ),
        _c(
            "funding_source_text",
            "VARCHAR",
            "ข้อความแหล่งงบประมาณ/วิธีดำเนินการตามที่พิมพ์",
            "The source-of-funds or method text as typed",
        ),
        _c(
            "n_lines",
            "INTEGER",
            "จำนวนแถวของโครงการ (แบบหนึ่งแถวต่อปีมีหลายแถว)",
            "Rows the project spans (several in the one-row-per-year layout)",
        ),
        # The strategy chain and amendment the title rows and section markers state for the
        # rows under them (the reader of the ผ.02 form fills them; NULL when not stated).
        *(
            c
            for c in ALIGNMENT_COLUMNS
            if c.name in ("national_strategy_text", "provincial_strategy_text")
        ),
        *(c for c in ALIGNMENT_COLUMNS if c.name in ("local_strategy_text", "tactic_text")),
        PLAN_REVISION,
    ),
)

STG_MEASURES = Table(
    "stg_measures",
    "หนึ่งแถวต่อหนึ่งโครงการ ปี และตัวเลขอื่นที่ไม่ใช่งบประมาณของแผน ในไฟล์หนึ่ง",
    "One row per project, fiscal year and other measure (not the plan's money) of one file",
    (*STAGED_FILE_COLUMNS, SOURCE_SHEET, SOURCE_ROW, *PROJECT_MEASURES.columns[1:]),
)

STG_BUDGETS = Table(
    "stg_budgets",
    "หนึ่งแถวต่อหนึ่งโครงการและปีงบประมาณในไฟล์หนึ่ง",
    "One row per project and fiscal year of one file",
    (*STAGED_FILE_COLUMNS, SOURCE_SHEET, SOURCE_ROW, FISCAL_YEAR, AMOUNT_THB),
)

STG_REJECTED = Table(
    "stg_rejected",
    "หนึ่งแถวต่อหนึ่งแถวที่ถูกปฏิเสธในไฟล์หนึ่ง",
    "One row per rejected row of one file",
    (*STAGED_FILE_COLUMNS, *REJECTED_ROWS.columns[2:]),
)

STG_ISSUES = Table(
    "stg_issues",
    "หนึ่งแถวต่อหนึ่งปัญหาที่พบในไฟล์หนึ่ง",
    "One row per problem found in one file",
    # The issue records as the reader makes them: the messages are rendered at publication.
    (
        *STAGED_FILE_COLUMNS,
        *(c for c in DATA_ISSUES.columns[2:] if c.name not in ("message", "message_en")),
    ),
)

STG_ROW_LOG = Table(
    "stg_row_log",
    "หนึ่งแถวต่อหนึ่งแถวที่ไม่ว่างของไฟล์หนึ่ง พร้อมผลการอ่าน",
    "One row per non-blank row of one file, with what became of it",
    (
        *STAGED_FILE_COLUMNS,
        SOURCE_SHEET,
        SOURCE_ROW,
        _c(
            "outcome",
            "VARCHAR",
            "ผล: accepted=รับ rejected=ปฏิเสธ skipped=ข้าม",
            "accepted | rejected | skipped",
        ),
        _c(
            "kind",
            "VARCHAR",
            "ชนิดของแถว (เช่น project title header section subtotal duplicate)",
            "The row's kind (project, title, header, section, subtotal, duplicate, ...)",
        ),
        _c(
            "project_sheet",
            "VARCHAR",
            "แผ่นงานของแถวแรกของโครงการที่แถวนี้เป็นส่วนหนึ่ง",
            "Sheet of the first row of the project this row belongs to",
        ),
        _c(
            "project_row",
            "INTEGER",
            "แถวแรกของโครงการที่แถวนี้เป็นส่วนหนึ่ง",
            "First row of the project this row belongs to",
        ),
        _c(
            "n_sheet_rows",
            "INTEGER",
            "จำนวนแถวที่ไม่ว่างของแผ่นงานของแถวนี้ (นับก่อนอ่าน สำหรับตรวจว่าทุกแถวมีผล)",
            "Non-blank rows of this row's sheet, counted before reading (row accounting)",
        ),
    ),
)

# Each staged table by the kind of rows it holds (the keys of a file's staged tables).
STAGED_TABLES: dict[str, Table] = {
    "projects": STG_PROJECTS,
    "budgets": STG_BUDGETS,
    "measures": STG_MEASURES,
    "rejected": STG_REJECTED,
    "issues": STG_ISSUES,
    "row_log": STG_ROW_LOG,
}

# The columns of submissions that come from the file itself (the rest are counted or kept).
SUBMISSION_RECORD_COLUMNS = (
    "submission_id",
    "district_code",
    "source_file",
    "file_sha256",
    "file_modified_at",
    "plan_level",
    "loaded_at",
)
