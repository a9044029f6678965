"""Write a deterministic sample inbox of Chai Nat tambon plans, and what a correct run must yield.

    python -m oneplan.sample.generator [--out DIR]        (default: data/sample)

Writes `<out>/inbox/<district folder>/<files>` and `<out>/expected.json`. Each district has its own
layout (a row of LAYOUTS); together they cover every file shape in shared/DOMAIN.md, with planted
problems. The manifest is built from the same in-memory rows that are written, never by reading
the files back. `build_district` lays out any district in any layout (for the benchmark).

Rules the manifest follows (the pipeline implements the same):
- A row is read when one of its cells is non-empty; source_row is the Excel row (title rows
  counted) or the CSV line (header = 1). Each read row is accepted, rejected, or skipped as
  title / header / section / subtotal / continuation / duplicate / summary_sheet / blank_stub /
  no_header.
- Wide: one row = one project; a non-empty year cell is a budget (`-` = 0.00), an empty one is
  not. One bad cell rejects the whole row. Long: each line stands alone; consecutive accepted
  lines with the same tambon and name are one project, whose source_row is its first line.
- Names are cleaned (NFC, zero-width removed, whitespace collapsed); a continuation row joins
  the name above with one space. Villages come from the name and the หมู่ที่ column.
- funding_route comes from the method / source-of-funds column only (data/funding_routes.csv);
  NULL when the file has neither.
- Duplicates: within a district, same tambon + name + set of (year, amount); the first in
  (file path, sheet order, row) order is kept, later ones are skipped as `duplicate`.
- Reasons of a rejected row are listed in data/issue_codes.csv order.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import json
import random
import shutil
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import geothai
import xlsxwriter
import xlwt
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from xlsxwriter.utility import xl_col_to_name as xl_col

ROOT = Path(__file__).resolve().parents[1]  # the checkout, or site-packages/oneplan
DATA = ROOT / "data"
PROVINCE = "18"
YEARS = (2568, 2569, 2570)
SEED = 2568
CREATED = datetime(2025, 10, 1)
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
UNKNOWN_TAMBON = "บางกระทุ่ม"  # not a Chai Nat tambon, and far from every Chai Nat name
UNKNOWN_HEADER = "ผู้ประสานงาน"


def _table(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROUTE_PATTERNS = [(r["pattern"], r["funding_route"]) for r in _table("funding_routes.csv")]
REASON_ORDER = [r["code"] for r in _table("issue_codes.csv") if r["rejects_row"] == "true"]


def clean_text(text: str) -> str:
    """The pipeline's text clean-up: NFC, zero-width characters removed, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).translate(ZERO_WIDTH).split())


def funding_route(text: str) -> str | None:
    """own / joint / requested for a method or source-of-funds text: first pattern found wins."""
    return next((route for pattern, route in ROUTE_PATTERNS if pattern in text), None)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


TYPOS = {"ด": "ต", "ต": "ด", "น": "ณ", "ร": "ล", "ล": "ร", "ข": "ค", "ค": "ข", "บ": "ป", "ก": "ถ"}


def misspell(name: str, names: list[str]) -> str:
    """A one-character typo of `name` at least two edits away from every other name."""
    cands = [name[:i] + name[i + 1 :] for i, ch in enumerate(name) if ch in "่้๊๋็ัิีึืุู"]
    cands += [name[:i] + TYPOS[ch] + name[i + 1 :] for i, ch in enumerate(name) if ch in TYPOS]
    for cand in cands:
        if all(edit_distance(cand, other) >= 2 for other in names if other != name):
            return cand
    raise ValueError(f"no unambiguous typo of {name}")


# ---- vocabulary ---------------------------------------------------------------------------------
CATEGORIES = (
    "ด้านโครงสร้างพื้นฐาน", "ด้านเศรษฐกิจและการเกษตร", "ด้านสังคมและคุณภาพชีวิต",
    "ด้านทรัพยากรธรรมชาติและสิ่งแวดล้อม", "ด้านการท่องเที่ยวและวัฒนธรรม",
)  # fmt: skip
TEMPLATES = (  # (category index, name, lowest, highest budget); {v} = village, {t} = tambon
    (0, "ก่อสร้างถนนคอนกรีตเสริมเหล็ก{v}", 300_000, 3_000_000),
    (0, "ก่อสร้างรางระบายน้ำคอนกรีตเสริมเหล็ก{v}", 150_000, 1_500_000),
    (0, "ซ่อมแซมถนนลูกรังเพื่อการเกษตร{v}", 50_000, 500_000),
    (0, "ติดตั้งไฟฟ้าส่องสว่างพลังงานแสงอาทิตย์{v}", 80_000, 800_000),
    (0, "ขยายเขตระบบประปาหมู่บ้าน{v}", 100_000, 1_200_000),
    (0, "ก่อสร้างท่อลอดเหลี่ยมข้ามคลอง{v}", 200_000, 1_500_000),
    (1, "ส่งเสริมอาชีพเกษตรอินทรีย์", 20_000, 200_000),
    (1, "ส่งเสริมการเลี้ยงปลาในบ่อดิน{v}", 20_000, 150_000),
    (1, "พัฒนาผลิตภัณฑ์ชุมชนและการตลาดออนไลน์", 30_000, 300_000),
    (1, "อบรมการทำปุ๋ยหมักชีวภาพลดต้นทุนการผลิต", 10_000, 80_000),
    (1, "ส่งเสริมการปลูกผักปลอดสารพิษ{v}", 10_000, 100_000),
    (1, "จัดตั้งกลุ่มวิสาหกิจชุมชนแปรรูปข้าว", 50_000, 500_000),
    (2, "อบรมป้องกันยาเสพติดในเยาวชน", 10_000, 100_000),
    (2, "ส่งเสริมสุขภาพผู้สูงอายุ", 20_000, 150_000),
    (2, "จัดการแข่งขันกีฬาต้านยาเสพติด", 30_000, 200_000),
    (2, "ป้องกันและควบคุมโรคไข้เลือดออก{v}", 10_000, 80_000),
    (2, "ปรับปรุงศูนย์พัฒนาเด็กเล็ก", 100_000, 900_000),
    (2, "ฝึกอบรมอาสาสมัครป้องกันภัยฝ่ายพลเรือน", 30_000, 250_000),
    (3, "ขุดลอกคลองส่งน้ำ{v}", 100_000, 2_000_000),
    (3, "ขุดลอกหนองน้ำสาธารณะ{v}", 200_000, 2_500_000),
    (3, "ปลูกต้นไม้เฉลิมพระเกียรติ", 10_000, 60_000),
    (3, "คัดแยกขยะต้นทางในครัวเรือน{v}", 10_000, 80_000),
    (3, "ก่อสร้างฝายชะลอน้ำ{v}", 150_000, 1_000_000),
    (4, "ส่งเสริมประเพณีลอยกระทง", 30_000, 300_000),
    (4, "พัฒนาแหล่งท่องเที่ยวเชิงเกษตรชุมชน", 100_000, 1_000_000),
    (4, "อนุรักษ์ประเพณีแห่เทียนพรรษา", 20_000, 100_000),
    (4, "ปรับปรุงภูมิทัศน์ริมแม่น้ำเจ้าพระยา{v}", 200_000, 2_000_000),
)
LONG_ROAD = (0, "ก่อสร้างถนนคอนกรีตเสริมเหล็ก สาย{a} ถึง{b}{v}", 500_000, 3_000_000)
PLACES = ("บ้านนายสมชาย", "ตลาด{t}", "คลองชลประทาน", "ศาลาประชาคม", "โรงเรียน{t}วิทยา", "บ้านนางบุญมี")
AGENCIES = (
    "อบต.{t}", "องค์การบริหารส่วนตำบล{t}", "เทศบาลตำบล{t}", "กองช่าง อบต.{t}", "รพ.สต.{t}",
    "สำนักงานเกษตรอำเภอ{d}", "สำนักงานพัฒนาชุมชนอำเภอ{d}",
)  # fmt: skip
OBJECTIVES = (
    "เพื่อให้ประชาชนสัญจรไปมาได้สะดวกและปลอดภัย", "เพื่อเพิ่มรายได้และลดรายจ่ายของครัวเรือน",
    "เพื่อให้ประชาชนมีสุขภาพและคุณภาพชีวิตที่ดี", "เพื่อให้มีน้ำใช้เพื่อการเกษตรอย่างเพียงพอ",
    "เพื่ออนุรักษ์ประเพณีและส่งเสริมการท่องเที่ยว",
)  # fmt: skip
TARGETS = ("ระยะทาง {n} เมตร", "เกษตรกร {n} คน", "ประชาชน {n} คน", "พื้นที่ {n} ไร่", "ผู้เข้าร่วม {n} คน")
RESULTS = (
    "ประชาชนเดินทางสะดวกขึ้น", "ครัวเรือนมีรายได้เพิ่มขึ้น", "ประชาชนมีคุณภาพชีวิตดีขึ้น",
    "มีน้ำเพียงพอตลอดปี", "ชุมชนมีรายได้จากการท่องเที่ยว",
)  # fmt: skip
ROUTE_TEXTS = {  # cell texts saying how a project is funded, by column and route
    "method": {"own": ("ทำเอง",), "joint": ("ทำร่วม",),
               "requested": ("ขอรับการสนับสนุน", "ขอรับการสนับสนุน (อบจ.)")},
    "source": {"own": ("งบประมาณ อบต.", "เทศบาลตำบล{t}", "งบประมาณของตนเอง"),
               "joint": ("ดำเนินการร่วมกับ อบจ.ชัยนาท", "ทำร่วมกับหน่วยงานอื่น"),
               "requested": ("ขอรับการสนับสนุนจาก อบจ.", "กรมทางหลวงชนบท", "ขอสนับสนุนจากจังหวัดชัยนาท")},
}  # fmt: skip

# ---- layouts: one row per way a district office lays out its plan -------------------------------
# cols: (header, field); "years" expands to one column per fiscal year headed year_hdr (None: the
# year as a number). plants: (problem, index of the tambon whose table gets the extra row).
LAYOUTS: dict[str, dict[str, Any]] = {
    "xlsx_sheets": dict(
        fmt="xlsx", split="sheet", shape="wide", files=("แผนพัฒนาตำบล อ.{d} 2568-2570.xlsx",),
        sheet="ต.{t}", titles=("แผนพัฒนาตำบล พ.ศ. 2568 - 2570", "ตำบล{t}", "อำเภอ{d} จังหวัดชัยนาท"),
        merge_titles=True, gap=True, header_rows=2, budget_hdr="งบประมาณ (บาท)", year_hdr="{y}",
        cols=(("ที่", "seq"), ("โครงการ", "name"), ("วัตถุประสงค์", "objective"),
              ("เป้าหมาย (ผลผลิตของโครงการ)", "target"), ("", "years"), ("ตัวชี้วัด (KPI)", "kpi"),
              ("ผลที่คาดว่าจะได้รับ", "result"), ("หน่วยงานรับผิดชอบ", "agency")),
        sections=True, subtotal="รวม", grand="รวมงบประมาณ", grand_merge=True, formulas=True,
        amounts="number", summary="ผ.01", copy_sheet=2, stubs=2,
        plants=(("no_name", 0), ("bad:#REF!", 4), ("tail", 1), ("tail", 5)),
    ),
    "csv_long": dict(
        fmt="csv", encoding="utf-8-sig", split="one", shape="long",
        files=("แผนพัฒนาตำบล อำเภอ{d} ปี 2568-2570.csv",), seq="first", years="text",
        cols=(("ที่", "seq"), ("ตำบล", "tambon"), ("โครงการ", "name"), ("ด้านการพัฒนา", "category"),
              ("ปีงบประมาณ", "year"), ("งบประมาณ (บาท)", "amount"), ("หน่วยงานรับผิดชอบ", "agency"),
              ("หมายเหตุ", "remarks")),
        tambon_styles=("{t}", "{t}", "ต.{t}"), amounts="text",
        plants=(("zero", 0), ("unknown_tambon", 1), ("bad_year", 2), ("negative", 3)),
    ),
    "xls_thai": dict(
        fmt="xls", split="one", shape="wide", files=("แผนพัฒนาตำบล_อ.{d}.xls",), sheet="แผน 68-70",
        titles=("แผนพัฒนาตำบล อำเภอ{d} จังหวัดชัยนาท", "ระยะ ๓ ปี (พ.ศ. ๒๕๖๘ - ๒๕๗๐)"),
        cols=(("ที่", "seq"), ("ตำบล", "tambon"), ("โครงการ", "name"), ("วัตถุประสงค์", "objective"),
              ("เป้าหมาย", "target"), ("", "years"), ("ตัวชี้วัด", "kpi"),
              ("ผลที่คาดว่าจะได้รับ", "result"), ("หน่วยงานที่รับผิดชอบ", "agency")),
        year_hdr="งบประมาณ ปี {yt} (บาท)", seq="thai", amounts="thai", prefix=0.3,
        thai_villages=True, tambon_styles=("ต.{t}", "ตำบล {t}", "{t}"),
        plants=(("bad:ไม่ทราบ", 0), ("fuzzy", 1), ("zero", 2), ("wrong_district", 3)),
    ),
    "ods_villages": dict(
        fmt="ods", split="one", shape="wide", files=("แผนพัฒนาตำบล อ.{d}.ods",),
        sheet="แผนพัฒนา 2568-2570", titles=("แผนพัฒนาตำบล ปี 2568-2570 อำเภอ{d}",), year_hdr=None,
        cols=(("ที่", "seq"), ("ตำบล", "tambon"), ("หมู่ที่", "village"), ("โครงการ", "name"),
              ("ยุทธศาสตร์", "category"), ("", "years"), ("หน่วยงาน", "agency"),
              ("หมายเหตุ", "remarks")),
        subtotal="รวม ต.{t}", amounts="number", vstyles=("หมู่ที่ {v}", "ม.{v}", "ม. {v}"),
        plants=(("no_name", 0), ("tail", 1), ("unknown_tambon", 2), ("negative", 4)),
    ),
    "csv_cp874": dict(
        fmt="csv", encoding="cp874", split="file", shape="wide",
        files=("แผนพัฒนาตำบล{t}.csv",) * 3 + ("ต.{t} (68-70).csv",),
        cols=(("ที่", "seq"), ("โครงการ", "name"), ("วัตถุประสงค์", "objective"),
              ("เป้าหมาย", "target"), ("", "years"), ("ตัวชี้วัด", "kpi"),
              ("หน่วยงานรับผิดชอบ", "agency")),
        year_hdr="งบประมาณ {y}", sections=True, grand="รวมทั้งสิ้น", amounts="text",
        plants=(("no_name", 1), ("bad:#REF!", 3), ("zero", 5)),
    ),
    "xlsx_title": dict(
        fmt="xlsx", split="file", shape="wide", files=("แผนพัฒนาตำบล 2568-2570 ชุดที่ {i}.xlsx",),
        sheet="Sheet1", titles=("แผนพัฒนาตำบล ตำบล{t} อำเภอ{d} จังหวัดชัยนาท",
                                "ประจำปีงบประมาณ พ.ศ. 2568 - 2570"), gap=True, year_hdr="ปี {y}",
        cols=(("ลำดับ", "seq"), ("โครงการ/กิจกรรม", "name"), ("วัตถุประสงค์", "objective"),
              ("เป้าหมาย (ผลผลิตของโครงการ)", "target"), ("", "years"), ("ตัวชี้วัด", "kpi"),
              ("ผลลัพธ์ที่คาดว่าจะได้รับ", "result"), ("ผู้รับผิดชอบ", "agency"),
              ("วิธีดำเนินการ", "method")),
        amounts="number", route_col="method", noise=("newline", "spaces"), stubs=1,
        plants=(("no_name_bad", 0), ("negative", 2)), extras=("unknown_header", "empty_sheet"),
    ),
    "xlsx_requests": dict(
        fmt="xlsx", split="one", shape="wide", files=("แผนพัฒนาตำบล อ.{d}.xlsx",), sheet="แผนพัฒนา",
        titles=("แผนพัฒนาตำบล อำเภอ{d} จังหวัดชัยนาท (พ.ศ. 2568 - 2570)",), year_hdr="{y}",
        cols=(("ที่", "seq"), ("ตำบล", "tambon"), ("โครงการ", "name"), ("วัตถุประสงค์", "objective"),
              ("เป้าหมาย", "target"), ("", "years"), ("หน่วยงานรับผิดชอบ", "agency"),
              ("แหล่งงบประมาณ", "source")),
        amounts="number", route_col="source", per_tambon=(6, 8), old="แผนพัฒนาตำบล อ.{d}.xls",
        requests=dict(
            files=("ผ.02-2 โครงการขอรับการสนับสนุน.xlsx",), sheet="ผ.02-2",
            titles=("บัญชีโครงการพัฒนาที่ขอรับการสนับสนุน (ผ.02/2)", "อำเภอ{d} จังหวัดชัยนาท"),
            cols=(("ที่", "seq"), ("ตำบล", "tambon"), ("ชื่อโครงการ/กิจกรรม", "name"),
                  ("เป้าหมาย/ผลผลิต", "target"), ("", "years"), ("หน่วยงานที่รับผิดชอบ", "agency"),
                  ("แหล่งที่มาของงบประมาณ", "source"))),
        plants=(("fuzzy", 1),),
    ),
    "xlsx_long": dict(
        fmt="xlsx", split="one", shape="long", files=("บัญชีโครงการ อ.{d}.xlsx",), sheet="โครงการ",
        titles=("บัญชีโครงการตามแผนพัฒนาตำบล อำเภอ{d} จังหวัดชัยนาท",), seq="formula", years="number",
        cols=(("ลำดับที่", "seq"), ("ตำบล", "tambon"), ("ชื่อโครงการ", "name"),
              ("ประเด็นการพัฒนา", "category"), ("ปีงบประมาณ", "year"), ("จำนวนเงิน (บาท)", "amount"),
              ("หน่วยงานรับผิดชอบหลัก", "agency"), ("การดำเนินการ", "method")),
        tambon_styles=("{t}", "{t}", "ต.{t}", "{t}\u200b"), formulas=True, amounts="number",
        route_col="method", noise=("zwsp",), grand="รวมทั้งสิ้น", per_tambon=(6, 8),
        plants=(("wrong_district", 1), ("bad_year", 2)), extras=("notes_sheet",),
    ),
}  # fmt: skip

DISTRICTS = {  # code -> (folder, named the way that district office names it; layout)
    "1801": ("1801", "xlsx_sheets"),
    "1802": ("มโนรมย์", "csv_long"),
    "1803": ("Wat Sing", "xls_thai"),
    "1804": ("อำเภอสรรพยา", "ods_villages"),
    "1805": ("sankhaburi", "csv_cp874"),
    "1806": ("หันคา", "xlsx_title"),
    "1807": ("หนองมะโมง", "xlsx_requests"),
    "1808": ("อ.เนินขาม", "xlsx_long"),
}


# ---- in-memory records: what is written, and what each written row is ---------------------------
class F(NamedTuple):
    """A formula and the value Excel would have cached for it."""

    text: str
    value: Decimal


def _money(d: Decimal) -> str:
    return f"{d:.2f}"


@dataclass
class Project:
    district_code: str
    tambon_code: str
    project_name: str
    village_numbers: list[int]
    funding_route: str | None
    category: str | None
    budgets: dict[int, Decimal]
    source: tuple[str, str, int] | None = None  # set by build_manifest on the kept copy

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if k not in ("budgets", "source")}
        out["budgets"] = {str(y): _money(a) for y, a in sorted(self.budgets.items())}
        file, sheet, row = self.source or ("", "", 0)
        return out | {"source_file": file, "source_sheet": sheet, "source_row": row}


@dataclass
class Row:
    cells: list[Any]
    kind: str | None = None  # accepted, rejected or a skipped kind; None for a blank row
    reasons: tuple[str, ...] = ()
    project: Project | None = None
    issues: tuple[str, ...] = ()


@dataclass
class Sheet:
    name: str
    rows: list[Row] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r0 c0 r1 c1
    issues: list[str] = field(default_factory=list)  # sheet-level issue codes
    total_row: int = 0

    def add(self, cells: list[Any], kind: str | None = None, **kw: Any) -> int:
        self.rows.append(Row(list(cells), kind, **kw))
        return len(self.rows)


@dataclass
class File:
    district_code: str
    path: str  # relative to the inbox, district folder first
    fmt: str
    sheets: list[Sheet]
    encoding: str = "utf-8-sig"


@dataclass
class Item:
    """One planned project row (or long-layout lines) before it is laid out."""

    tambon: Any  # the geothai tambon whose table holds it
    name: str  # as written in the name cell
    villages: set[int]
    category: str
    budgets: dict[int, Decimal]
    route: str | None
    texts: dict[str, str]  # the other cells by field: agency, tambon, method, objective, ...
    village_col: int | None = None
    bad: dict[int, Any] = field(default_factory=dict)  # year -> unreadable or negative amount
    bad_year: dict[int, str] = field(default_factory=dict)  # year -> unreadable year (long)
    reasons: list[str] = field(default_factory=list)
    issue: str = ""
    tail: str = ""  # end of the name, spilled onto a continuation row


def _num(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _value(v: Any) -> Decimal | None:
    """The number a spreadsheet cell holds (a formula by its cached value), else None."""
    if isinstance(v, F):
        return v.value
    return Decimal(v) if isinstance(v, (int, Decimal)) else None


def _typed_amount(v: Any) -> Decimal | None:
    """The amount a clerk reads in a cell, text included (for totals rows of text layouts)."""
    digits = v.strip().replace(",", "").translate(ARABIC) if isinstance(v, str) else ""
    return Decimal(digits) if digits.replace(".", "").isdigit() else _value(v)


class DistrictBuilder:
    """Lays out one district's plan in one layout, recording what every row is."""

    def __init__(self, code, tambons, layout, rng, folder, name_th, others=(), per_tambon=None):
        self.code = code
        self.per_tambon = per_tambon  # (lo, hi) projects a tambon, over the layout's own
        self.tambons = list(tambons)
        self.rng = rng
        self.folder = folder
        self.dname = name_th
        self.others = list(others)
        self.L = LAYOUTS[layout]
        self.used: set[str] = set()
        self.cols = self.expand(self.L)

    @staticmethod
    def expand(L: dict) -> list[tuple[Any, str, int | None]]:
        """(header, field, fiscal year or None) per column."""
        fmt, out = L.get("year_hdr"), []
        for header, f in L["cols"]:
            if f != "years":
                out.append((header, f, None))
            for y in YEARS if f == "years" else ():
                out.append((y if fmt is None else fmt.format(y=y, yt=str(y).translate(THAI)), f, y))
        return out

    def col(self, f: str) -> int:
        return next(c for c, (_, g, _) in enumerate(self.cols) if g == f)

    def has(self, f: str) -> bool:
        return any(g == f for _, g, _ in self.cols)

    # -- items -----------------------------------------------------------------------------------
    def new_item(self, t, template=None) -> Item:
        rng, L, tn = self.rng, self.L, t.name_th
        name = ""
        while not name:
            cat, tpl, lo, hi = template or rng.choice(TEMPLATES)
            villages: set[int] = set()
            if "{v}" in tpl:
                villages = set(rng.sample(range(1, 13), 2 if rng.random() < 0.15 else 1))
                style = rng.choice(L.get("vstyles", ("หมู่ที่ {v}",)))
                digits = THAI if L.get("thai_villages") and rng.random() < 0.5 else {}
                marks = [" " + style.format(v=str(v).translate(digits)) for v in sorted(villages)]
                tpl = tpl.replace("{v}", " และ".join(marks))  # หมู่ที่ 3 และ หมู่ที่ 5
            a, b = (p.format(t=tn) for p in rng.sample(PLACES, 2))
            prefix = "โครงการ" if rng.random() < L.get("prefix", 0) else ""
            name = prefix + tpl.format(t=tn, a=a, b=b)
            phases = (f"{name} ระยะที่ {k}" for k in range(2, 10) if self.per_tambon)
            candidates = (name, f"{name} ตำบล{tn}", *phases)  # big plans: phase 2, 3, ...
            name = next((n for n in candidates if n not in self.used), "")
        self.used.add(name)
        step = 10_000 if hi >= 500_000 else 1_000
        odd = rng.randrange(step) if rng.random() < 0.1 else 0  # e.g. 1,632,820
        base = Decimal(min(hi, rng.randrange(lo, hi + 1, step) + odd))
        years = sorted(rng.sample(YEARS, rng.choice((1, 2, 3, 3))))
        budgets = {}
        for i, y in enumerate(years):
            same = i == 0 or rng.random() < 0.5
            budgets[y] = base if same else Decimal(rng.randrange(lo, hi + 1, step))
        route, method, village_col = None, "", None
        if "route_col" in L:
            route = rng.choices(("own", "joint", "requested"), (5, 2, 3))[0]
            method = rng.choice(ROUTE_TEXTS[L["route_col"]][route]).format(t=tn)
        if self.has("village") and rng.random() < (0.5 if villages else 0.6):
            village_col = next(iter(villages), rng.randint(1, 12))
        texts = {
            "objective": OBJECTIVES[cat],
            "result": RESULTS[cat],
            "target": TARGETS[cat].format(n=rng.randrange(20, 900, 10)),
            "kpi": f"ร้อยละ {rng.randrange(70, 100, 5)} ของผู้ได้รับประโยชน์พึงพอใจ",
            "remarks": rng.choice(("", "", "ต่อเนื่อง", "โครงการใหม่")),
            "agency": rng.choice(AGENCIES).format(t=tn, d=self.dname),
            "tambon": rng.choice(L.get("tambon_styles", ("{t}",))).format(t=tn),
            "method": method,
            "source": method,
        }
        name = self.noisy(name)
        return Item(t, name, villages, CATEGORIES[cat], budgets, route, texts, village_col)

    def noisy(self, name: str) -> str:
        """The name as a clerk typed it: line breaks, stray spaces, zero-width spaces."""
        for kind in self.L.get("noise", ()):
            if self.rng.random() >= 0.3:
                continue
            if kind == "newline" and " " in name:
                name = name.replace(" ", "\n", 1)
            elif kind == "spaces":
                name = " " + name.replace(" ", "  ", 1) + " "
            elif kind == "zwsp":
                i = self.rng.randrange(1, len(name))
                name = name[:i] + "\u200b" + name[i:]
        return name

    def plant(self, problem: str, t) -> Item:
        """An extra row carrying a planted problem (or quirk) in tambon t's table."""
        kind, _, raw = problem.partition(":")
        it = self.new_item(t, LONG_ROAD if kind == "tail" else None)
        if kind in ("bad", "negative", "bad_year", "no_name_bad"):
            it.budgets = {y: it.budgets.get(y, next(iter(it.budgets.values()))) for y in YEARS}
        bad_at = YEARS[-1] if self.L["shape"] == "long" else YEARS[1]
        if kind == "tail":
            head, _, tail = it.name.partition(" ถึง")
            it.name, it.tail = head, "ถึง" + tail
        elif kind in ("no_name", "no_name_bad"):
            it.name, it.budgets = "", dict(list(it.budgets.items())[:2])
            it.reasons.append("missing_project_name")
            if kind == "no_name_bad":
                it.bad[bad_at] = "ไม่ทราบ"
        elif kind == "bad":
            it.bad[bad_at] = raw
        elif kind == "negative":
            it.bad[bad_at] = Decimal(-5000) if self.L["amounts"] == "number" else "-5,000"
        elif kind == "bad_year":
            it.bad_year[YEARS[-1]] = "ปี 25x8"
        elif kind == "zero":
            it.budgets = {YEARS[0]: next(iter(it.budgets.values())), YEARS[1]: Decimal(0)}
        elif kind == "unknown_tambon":
            it.texts["tambon"], it.reasons = f"ต.{UNKNOWN_TAMBON}", ["unknown_tambon"]
        elif kind == "wrong_district":
            taken = {d.name_th for d in geothai.districts(self.code[:2])}
            taken |= {s.name_th for s in self.tambons}
            pool = sorted(s.name_th for s in self.others if s.name_th not in taken)
            it.texts["tambon"], it.reasons = f"ต.{self.rng.choice(pool)}", ["tambon_wrong_district"]
        elif kind == "fuzzy":
            names = [s.name_th for s in [*self.tambons, *self.others]]
            it.texts["tambon"], it.issue = misspell(t.name_th, names), "fuzzy_tambon_match"
        for y in it.bad:
            it.budgets.pop(y, None)
        return it

    def items(self) -> dict[str, list[Item]]:
        lo, hi = self.per_tambon or self.L.get("per_tambon", (3, 5))
        out = {}
        for t in self.tambons:
            out[t.code] = [self.new_item(t) for _ in range(self.rng.randint(lo, hi))]
        for problem, i in self.L.get("plants", ()):
            t = self.tambons[i % len(self.tambons)]
            out[t.code].insert(1, self.plant(problem, t))
        return out

    # -- cells -----------------------------------------------------------------------------------
    def money(self, d: Decimal) -> Any:
        style, rng = self.L["amounts"], self.rng
        if d == 0:
            return "-"
        if style == "thai":
            return f"{d:,.0f}".translate(THAI) if rng.random() < 0.6 else d
        if style == "text":
            return rng.choice((f"{d:,.2f}", f" {d:,.0f} ", f"{d:.0f}", f"{d:,.0f}"))
        formula = self.L["shape"] == "long" and self.L.get("formulas") and d % 4 == 0
        if formula and rng.random() < 0.2:
            return F(f"={d / 4:.0f}*4", d)  # unit cost times quantity
        return d

    def total_cell(self, sh: Sheet, c: int, rows: list[int]) -> Any:
        """A subtotal cell: a SUM formula in formula layouts, else the sum a clerk would type."""
        as_number = _value if self.L.get("formulas") else _typed_amount
        value = sum((as_number(sh.rows[r - 1].cells[c]) or Decimal(0) for r in rows), Decimal(0))
        if self.L.get("formulas"):
            x = xl_col(c)
            if rows == list(range(rows[0], rows[-1] + 1)):
                return F(f"=SUM({x}{rows[0]}:{x}{rows[-1]})", value)
            return F("=" + "+".join(f"{x}{r}" for r in rows), value)
        return {"number": value, "text": f"{value:,.2f}"}.get(self.L["amounts"], f"{value:,.0f}")

    def cells(self, it: Item, seq: Any, year: Any = None, amount: Any = None) -> list[Any]:
        values = {"seq": seq, "name": it.name, "village": it.village_col, "year": year}
        values |= {"category": it.category, "amount": amount, **it.texts}
        return [self.budget(it, y) if y else values.get(f) for _, f, y in self.cols]

    def budget(self, it: Item, y: int) -> Any:
        return it.bad[y] if y in it.bad else self.money(it.budgets[y]) if y in it.budgets else None

    def only(self, **fields: Any) -> list[Any]:
        return [fields.get(f) for _, f, _ in self.cols]

    def seq(self, n: int, sh: Sheet) -> Any:
        style = self.L.get("seq")
        if style == "thai":
            return str(n).translate(THAI)
        if style == "formula" and n > 1:
            return F(f"={xl_col(self.col('seq'))}{len(sh.rows)}+1", Decimal(n))
        return n

    def project(self, it: Item, budgets: dict[int, Decimal]) -> Project:
        name = clean_text(it.name) + (" " + clean_text(it.tail) if it.tail else "")
        villages = sorted(it.villages | ({it.village_col} if it.village_col else set()))
        category = it.category if self.L.get("sections") or self.has("category") else None
        return Project(self.code, it.tambon.code, name, villages, it.route, category, dict(budgets))

    # -- tables ----------------------------------------------------------------------------------
    def table(self, name: str, items: list[Item], t=None, first: bool = False) -> Sheet:
        L, sh, keep = self.L, Sheet(name), self.cols
        unknown = first and "unknown_header" in L.get("extras", ())
        if unknown:
            self.cols = [*keep, (UNKNOWN_HEADER, "coordinator", None)]
            for it in items:
                it.texts["coordinator"] = self.rng.choice(("นายสมชาย ใจดี", "นางสาวมาลี ศรีสุข", ""))
        for text in L.get("titles", ()):
            r = sh.add([text.format(t=t.name_th if t else "", d=self.dname)], "title")
            if L.get("merge_titles"):
                sh.merges.append((r - 1, 0, r - 1, len(self.cols) - 1))
        if L.get("gap"):
            sh.add([])
        self.header(sh, unknown)
        (self.long if L["shape"] == "long" else self.wide)(sh, items, first)
        self.cols = keep
        return sh

    def header(self, sh: Sheet, unknown: bool) -> None:
        if self.L.get("header_rows", 1) == 1:
            sh.add([h for h, _, _ in self.cols], "header", issues=("unknown_header",) * unknown)
            return
        r, top, bottom = len(sh.rows), [], []  # two rows: the budget heading spans the years
        for c, (h, _, y) in enumerate(self.cols):
            top.append(self.L["budget_hdr"] if y == YEARS[0] else None if y else h)
            bottom.append(h if y else None)
            sh.merges += [] if y else [(r, c, r + 1, c)]
        years = [c for c, (_, _, y) in enumerate(self.cols) if y]
        sh.merges.append((r, years[0], r, years[-1]))
        sh.add(top, "header")
        sh.add(bottom, "header")

    def groups(self, items: list[Item]) -> list[tuple[str, list[Item]]]:
        """Items under their section (ด้าน) rows, or per tambon for per-tambon subtotals."""
        if self.L.get("sections"):
            keys = [c for c in CATEGORIES if any(it.category == c for it in items)]
            return [(c, [it for it in items if it.category == c]) for c in keys]
        label = self.L.get("subtotal", "")
        if "{t}" not in label:
            return [(label, items)]
        tambons = dict.fromkeys(it.tambon for it in items)
        return [(label.format(t=t.name_th), [i for i in items if i.tambon is t]) for t in tambons]

    def row_reasons(self, it: Item, bad: dict, bad_year: bool = False) -> tuple[str, ...]:
        reasons = set(it.reasons) | ({"unreadable_fiscal_year"} if bad_year else set())
        for v in bad.values():
            reasons.add("negative_budget" if str(v).startswith("-") else "unreadable_budget")
        return tuple(sorted(reasons, key=REASON_ORDER.index))

    def wide(self, sh: Sheet, items: list[Item], first: bool) -> None:
        L, n, subtotals, body = self.L, 0, [], len(sh.rows) + 1
        ycols = [c for c, (_, _, y) in enumerate(self.cols) if y]
        for label, group in self.groups(items):
            if L.get("sections"):
                sh.add(self.only(name=label), "section")
            start = len(sh.rows) + 1
            for it in group:
                n += 1
                reasons = self.row_reasons(it, it.bad)
                proj = None if reasons else self.project(it, it.budgets)
                kind = "rejected" if reasons else "accepted"
                issues = (it.issue,) if it.issue else ()
                cells = self.cells(it, self.seq(n, sh))
                sh.add(cells, kind, reasons=reasons, project=proj, issues=issues)
                if it.tail:
                    sh.add(self.only(name=it.tail), "continuation")
            if L.get("subtotal"):
                rows = list(range(start, len(sh.rows) + 1))
                cells = self.only(name=label if "{t}" in L["subtotal"] else L["subtotal"])
                for c in ycols:
                    cells[c] = self.total_cell(sh, c, rows)
                subtotals.append(sh.add(cells, "subtotal"))
        for _ in range(L.get("stubs", 0) if first else 0):
            n += 1
            sh.add(self.only(seq=self.seq(n, sh)), "blank_stub")
        if L.get("grand"):
            rows = subtotals or list(range(body, len(sh.rows) + 1))
            cells = [None] * len(self.cols)
            cells[0 if L.get("grand_merge") else self.col("name")] = L["grand"]
            for c in ycols:
                cells[c] = self.total_cell(sh, c, rows)
            sh.total_row = sh.add(cells, "subtotal")
            if L.get("grand_merge"):  # the label spans the ที่ and name columns
                sh.merges.append((sh.total_row - 1, 0, sh.total_row - 1, self.col("name")))

    def long(self, sh: Sheet, items: list[Item], first: bool) -> None:
        n, body, amount_col = 0, len(sh.rows) + 1, self.col("amount")
        for p, it in enumerate(items, 1):
            lines = []
            for y in sorted({*it.budgets, *it.bad, *it.bad_year}):
                bad = {y: it.bad[y]} if y in it.bad else {}
                lines.append((y, self.row_reasons(it, bad, y in it.bad_year)))
            good = {y: it.budgets[y] for y, reasons in lines if not reasons}
            proj = self.project(it, good) if good else None
            for i, (y, reasons) in enumerate(lines):
                n += 1
                seq = (p if i == 0 else None) if self.L.get("seq") == "first" else self.seq(n, sh)
                year = it.bad_year.get(y) or self.year_cell(y)
                cells = self.cells(it, seq, year, self.budget(it, y))
                kind = "rejected" if reasons else "accepted"
                issues = (it.issue,) if it.issue and i == 0 else ()
                sh.add(
                    cells, kind, reasons=reasons, project=None if reasons else proj, issues=issues
                )
        if self.L.get("grand"):
            cells = self.only(name=self.L["grand"])
            cells[amount_col] = self.total_cell(sh, amount_col, list(range(body, len(sh.rows) + 1)))
            sh.add(cells, "subtotal")

    def year_cell(self, y: int) -> Any:
        if self.L.get("years") == "number":
            return y
        return self.rng.choice((str(y), str(y), f"ปี {y}", str(y).translate(THAI)))

    def summary(self, sheets: list[Sheet]) -> Sheet:
        """A ผ.01-style sheet of per-tambon totals, by formulas into the tambon sheets."""
        sh = Sheet(self.L["summary"], issues=["summary_sheet"])
        sh.add([f"สรุปโครงการตามแผนพัฒนาตำบล อำเภอ{self.dname} พ.ศ. 2568 - 2570"], "summary_sheet")
        sh.add([])
        sh.add(["ที่", "ตำบล", "จำนวนโครงการ", *map(str, YEARS), "รวม"], "summary_sheet")
        ycols = [c for c, (_, _, y) in enumerate(self.cols) if y]
        for i, s in enumerate(sheets, 1):
            grand = s.rows[s.total_row - 1].cells
            refs = [F(f"='{s.name}'!{xl_col(c)}{s.total_row}", grand[c].value) for c in ycols]
            r = len(sh.rows) + 1
            total = F(f"=SUM(D{r}:F{r})", sum(f.value for f in refs))
            n = sum(row.kind == "accepted" for row in s.rows)
            sh.add([i, s.name, n, *refs, total], "summary_sheet")
        last, sums = len(sh.rows), []
        for x, c in ((xl_col(c), c) for c in range(2, 7)):
            value = sum(_value(row.cells[c]) for row in sh.rows[3:])
            sums.append(F(f"=SUM({x}4:{x}{last})", value))
        sh.add([None, "รวม", *sums], "summary_sheet")
        return sh

    # -- files -----------------------------------------------------------------------------------
    def file(self, name: str, sheets: list[Sheet], fmt: str = "") -> File:
        encoding = self.L.get("encoding", "utf-8-sig")
        return File(self.code, f"{self.folder}/{name}", fmt or self.L["fmt"], sheets, encoding)

    def file_name(self, i: int, t=None) -> str:
        tn = t.name_th if t else ""
        stem = next(
            (s.name_th for s in self.tambons if tn.startswith(s.name_th) and s is not t), ""
        )
        if stem and self.L["fmt"] == "csv":  # a stray space: ห้วยกรด พัฒนา.csv for ห้วยกรดพัฒนา
            return f"{stem} {tn[len(stem) :]}.csv"
        return self.L["files"][i % len(self.L["files"])].format(t=tn, d=self.dname, i=i + 1)

    def build(self) -> list[File]:
        L, by_t = self.L, self.items()
        sheet = L.get("sheet", "") if L["fmt"] != "csv" else ""
        if L["split"] == "sheet":
            sheets = [
                self.table(L["sheet"].format(t=t.name_th), by_t[t.code], t, i == 0)
                for i, t in enumerate(self.tambons)
            ]
            if "copy_sheet" in L:  # an accidental copy `ต.xxx (2)`: every project a duplicate
                k = L["copy_sheet"]
                assert not any(r.kind == "rejected" for r in sheets[k].rows)
                dup = copy.deepcopy(sheets[k])
                dup.name += " (2)"
                sheets.insert(k + 1, dup)
            if "summary" in L:
                sheets.insert(0, self.summary([s for s in sheets if not s.name.endswith(" (2)")]))
            return [self.file(self.file_name(0), sheets)]
        if L["split"] == "file":
            files = [
                self.file(self.file_name(i, t), [self.table(sheet, by_t[t.code], t, i == 0)])
                for i, t in enumerate(self.tambons)
            ]
        else:
            items, files = [it for t in self.tambons for it in by_t[t.code]], []
            if "requests" in L:  # the ผ.02/2 file: projects asking another agency for the money
                keep = self.L, self.cols
                self.L = dict(L, **L["requests"])
                self.cols = self.expand(self.L)
                req = [it for it in items if it.route == "requested"]
                files.append(self.file(self.L["files"][0], [self.table(self.L["sheet"], req)]))
                self.L, self.cols = keep
                items = [it for it in items if it.route != "requested"]
            if "old" in L:  # last round's .xls beside the .xlsx: its rows come back as duplicates
                old = [it for it in items if it.tambon is self.tambons[0] and not it.issue]
                name = L["old"].format(d=self.dname)
                files.append(self.file(name, [self.table(sheet, old)], "xls"))
            files.append(self.file(self.file_name(0), [self.table(sheet, items, None, True)]))
        main = files[-1] if L["split"] == "one" else files[0]
        if "empty_sheet" in L.get("extras", ()):
            main.sheets.append(Sheet("Sheet2", issues=["empty_sheet"]))
        if "notes_sheet" in L.get("extras", ()):
            notes = Sheet("Sheet2", issues=["no_header"])
            notes.add(["ข้อมูล ณ วันที่ 30 กันยายน 2568"], "no_header")
            notes.add(["ผู้จัดทำ: นางสาวสมใจ ใจดี นักวิชาการพัฒนาชุมชน"], "no_header")
            main.sheets.append(notes)
        return files


def build_district(
    code: str,
    tambons,
    layout: str,
    rng: random.Random,
    folder: str = "",
    others=(),
    per_tambon: tuple[int, int] | None = None,
) -> list[File]:
    """One district's plan files, in memory, in a layout of LAYOUTS (planted problems included).

    tambons: the district's geothai subdistricts; others: the province's other tambons (the
    wrong-district plant picks one); per_tambon: (lo, hi) projects a tambon instead of the
    layout's (the benchmark's district-sized files). Write with `write_files`, count with
    `build_manifest`.
    """
    name = next(d.name_th for d in geothai.districts(code[:2]) if d.code == code)
    builder = DistrictBuilder(code, tambons, layout, rng, folder or code, name, others, per_tambon)
    return builder.build()


def build_sample() -> list[File]:
    """Every file of the bundled sample: Chai Nat's eight districts, one layout each."""
    areas = {d.code: geothai.subdistricts(d.code) for d in geothai.districts(PROVINCE)}
    files: list[File] = []
    for code, (folder, layout) in sorted(DISTRICTS.items()):
        others = [s for c, subs in sorted(areas.items()) if c != code for s in subs]
        rng = random.Random(f"{SEED}-{code}")
        files += build_district(code, areas[code], layout, rng, folder, others)
    return files


# ---- writers ------------------------------------------------------------------------------------
def write_xlsx(path: Path, f: File) -> None:
    opts = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(str(path), opts)
    wb.set_properties({"created": CREATED, "author": "สำนักงานพัฒนาชุมชนอำเภอ"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    center = wb.add_format({"align": "center", "valign": "vcenter", "bold": True})
    for sh in f.sheets:
        ws = wb.add_worksheet(sh.name)
        for r0, c0, r1, c1 in sh.merges:
            ws.merge_range(r0, c0, r1, c1, "", center)
        tops = {(r0, c0) for r0, c0, _, _ in sh.merges}
        for r, row in enumerate(sh.rows):
            for c, v in enumerate(row.cells):
                wrapped = isinstance(v, str) and "\n" in v
                fmt = center if (r, c) in tops else wrap if wrapped else None
                if isinstance(v, F):
                    ws.write_formula(r, c, v.text, fmt, _num(v.value))
                elif isinstance(v, (int, Decimal)):
                    ws.write_number(r, c, _num(Decimal(v)), fmt)
                elif v:
                    ws.write_string(r, c, v, fmt)
    wb.close()


def write_xls(path: Path, f: File) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    for sh in f.sheets:
        ws = wb.add_sheet(sh.name)
        merged = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in sh.merges}
        for r, row in enumerate(sh.rows):
            for c, v in enumerate(row.cells):
                v = v if _value(v) is None else _num(_value(v))
                if (r, c) in merged:
                    ws.write_merge(r, merged[r, c][0], c, merged[r, c][1], v)
                elif v not in (None, ""):
                    ws.write(r, c, v)
    wb.save(str(path))


def write_ods(path: Path, f: File) -> None:
    # odfpy declares every namespace it has met in this process: start afresh, same bytes each time
    Element.namespaces.clear()
    doc = OpenDocumentSpreadsheet()
    for sh in f.sheets:
        table = Table(name=sh.name)
        for row in sh.rows:
            tr = TableRow()
            for v in row.cells or [None]:
                number = _value(v)
                if number is not None:
                    cell = TableCell(valuetype="float", value=str(number))
                    cell.addElement(P(text=str(number)))
                elif v:
                    cell = TableCell(valuetype="string")
                    for line in v.split("\n"):
                        cell.addElement(P(text=line))
                else:
                    cell = TableCell()
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w") as out:  # odfpy stamps the time
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=CREATED.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            out.writestr(fixed, src.read(info.filename))


def write_csv(path: Path, f: File) -> None:
    (sh,) = f.sheets
    width = max(len(row.cells) for row in sh.rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in sh.rows:
        assert not any(isinstance(v, F) or "\n" in str(v) for v in row.cells), "one line per row"
        cells = ["" if v is None else str(v) for v in row.cells]
        writer.writerow(cells + [""] * (width - len(cells)))
    path.write_bytes(buf.getvalue().encode(f.encoding))


WRITERS = {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods, "csv": write_csv}


def write_files(inbox: Path, files: list[File]) -> None:
    for f in files:
        path = inbox / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        WRITERS[f.fmt](path, f)


# ---- manifest -----------------------------------------------------------------------------------
def build_manifest(files: list[File]) -> dict[str, Any]:
    """What a correct pipeline must produce from these files (rules in the module docstring)."""
    out_files, rejected, issues, projects = {}, [], [], []
    seen, kept, folders = set(), {}, {}
    for f in sorted(files, key=lambda f: f.path):
        folders.setdefault(f.district_code, f.path.split("/")[0])
        counts: Counter[str] = Counter()
        for sh in f.sheets:
            at = {"source_file": f.path, "source_sheet": sh.name}
            issues += [{**at, "source_row": None, "code": code} for code in sh.issues]
            for r, row in enumerate(sh.rows, 1):
                if all(v is None or v == "" for v in row.cells):
                    continue
                assert row.kind, (f.path, sh.name, r)
                kind, p = row.kind, row.project
                if kind == "accepted" and id(p) not in kept:  # the project's first row
                    budgets = frozenset(p.budgets.items())
                    key = (p.district_code, p.tambon_code, p.project_name, budgets)
                    kept[id(p)] = key not in seen
                    if key in seen:
                        issues.append({**at, "source_row": r, "code": "duplicate_project"})
                    seen.add(key)
                    p.source = (f.path, sh.name, r)
                    projects += [p] * kept[id(p)]
                kind = "duplicate" if kind == "accepted" and not kept[id(p)] else kind
                counts[kind] += 1
                issues += [{**at, "source_row": r, "code": code} for code in row.issues]
                if kind == "rejected":
                    rejected.append({**at, "source_row": r, "reasons": list(row.reasons)})
        skipped = {k: n for k, n in sorted(counts.items()) if k not in ("accepted", "rejected")}
        out_files[f.path] = {
            "n_rows_read": sum(counts.values()),
            "n_rows_accepted": counts["accepted"],
            "n_rows_rejected": counts["rejected"],
            "n_rows_skipped": sum(skipped.values()),
            "skipped_by_kind": skipped,
        }
    districts = {}
    for code, folder in sorted(folders.items()):
        mine = [p for p in projects if p.district_code == code]
        by_year = dict.fromkeys(map(str, YEARS), Decimal(0))
        by_route = dict.fromkeys(("own", "joint", "requested", "null"), Decimal(0))
        for p in mine:
            for y, amount in p.budgets.items():
                by_year[str(y)] += amount
                by_route[p.funding_route or "null"] += amount
        districts[code] = {
            "folder": folder,
            "n_projects": len(mine),
            "budget_by_year": {y: _money(v) for y, v in by_year.items()},
            "budget_by_route": {k: _money(v) for k, v in by_route.items()},
        }
    return {
        "fiscal_years": list(YEARS),
        "districts": districts,
        "files": out_files,
        "rejected": rejected,
        "issues": issues,
        "projects": [p.as_json() for p in projects],
    }


def write_sample(out_dir: Path) -> dict[str, Any]:
    """Write <out_dir>/inbox (replacing it) and <out_dir>/expected.json; return the manifest."""
    out_dir, files = Path(out_dir), build_sample()
    shutil.rmtree(out_dir / "inbox", ignore_errors=True)
    write_files(out_dir / "inbox", files)
    manifest = build_manifest(files)
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    (out_dir / "expected.json").write_text(text + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA / "sample", help="output folder")
    args = parser.parse_args(argv)
    manifest = write_sample(args.out)
    n = sum(d["n_projects"] for d in manifest["districts"].values())
    print(f"wrote {len(manifest['files'])} files, {n} projects to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
