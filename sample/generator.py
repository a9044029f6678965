"""Write a deterministic sample inbox of Chai Nat tambon plans, and what a correct run must yield.

    python -m oneplan.sample.generator [--out DIR]        (default: data/sample)

Writes `<out>/inbox/<district folder>/<files>` and `<out>/expected.json`. Each district has its own
layout (a row of LAYOUTS); together they cover every file shape the districts send (wide and
one-row-per-year budgets, merged headers, CSV, .xls, .ods, summary sheets), with planted
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
- funding_route comes from the method / source-of-funds column (data/funding_routes.csv), else
  from a section title above the rows (data/row_kinds.csv title_*); NULL when there is neither.
- Names are also Thai-normalised (pythainlp's normalize: ตําบล, เเ, tone before vowel).
- The ninth layout family (`build_layout_classes`) is laid out row by row, each row written with
  the kind the reader must give it (title, header, unit, section, subsection, continuation,
  section_title, note, signature, duplicate for a hidden copy's projects).
- The official forms (`build_official_forms`, a municipality's ผ.01/ผ.02 workbook and its
  ผ.02/2) are laid out the same way: chart and ผ.01/1 sheets skipped by their kind
  (chart_sheet, summary_sheet), amendment markers (amendment), a project returning in a later
  amendment written on its rows with the same Project (one project, years merged, the later
  amount winning), the เทศบัญญัติ years as `measures` (listed apart in the manifest).
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
import re
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
PROVINCIAL = {r["code"]: r for r in _table("strategies_provincial.csv")}
STRATEGY_KEYWORDS = [(r["keyword"], r["strategy_code"]) for r in _table("strategy_keywords.csv")]
KEY_NOISE = re.compile(r"[\s()\[\]{}.:*\"'“”‘’\-_]+")
REASON_ORDER = [r["code"] for r in _table("issue_codes.csv") if r["rejects_row"] == "true"]


def clean_text(text: str) -> str:
    """The pipeline's text clean-up: NFC, zero-width characters removed, whitespace collapsed,
    Thai typed forms unified (pythainlp's normalize)."""
    text = " ".join(unicodedata.normalize("NFC", text.translate(ZERO_WIDTH)).split())
    return " ".join(thai_normalize(text).split())


def funding_route(text: str) -> str | None:
    """own / joint / requested for a method or source-of-funds text: first pattern found wins."""
    return next((route for pattern, route in ROUTE_PATTERNS if pattern in text), None)


def infer_strategy(texts: list[str | None]) -> str | None:
    """The provincial strategy the keywords (data/strategy_keywords.csv) of the category and
    the project name point to: most distinct keywords found, strictly more than any other."""
    key = "\x1f".join(KEY_NOISE.sub("", t).lower() for t in texts if t)
    scores = Counter(code for keyword, code in STRATEGY_KEYWORDS if keyword in key)
    ranked = scores.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def strategy_heading(code: str) -> str:
    """A ยุทธศาสตร์ section heading naming a provincial strategy by number and name."""
    row = PROVINCIAL[code]
    return f"ยุทธศาสตร์ที่ {row['number']} {row['name_th']}"


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
CATEGORY_STRATEGY = ("P4", "P1", "P4", "P3", "P2")  # the provincial strategy of each category
SAO, TM = "องค์การบริหารส่วนตำบล{t}", "เทศบาลตำบล{t}"
AGENCIES = (  # (as typed, canonical name in data/agencies.csv, is the tambon's own local body)
    ("อบต.{t}", SAO, True), (SAO, SAO, True), ("อบต. {t}", SAO, True), (TM, TM, True),
    ("ทต.{t}", TM, True), ("กองช่าง อบต.{t}", SAO, True),
    ("รพ.สต.{t}", "โรงพยาบาลส่งเสริมสุขภาพตำบล{t}", True),
    ("สำนักงานเกษตรอำเภอ{d}", "สำนักงานเกษตรอำเภอ{d}", False),
    ("สำนักงานพัฒนาชุมชนอำเภอ{d}", "สำนักงานพัฒนาชุมชนอำเภอ{d}", False),
)  # fmt: skip
PAO, DRR, DPT = "องค์การบริหารส่วนจังหวัดชัยนาท", "กรมทางหลวงชนบท", "สำนักงานโยธาธิการและผังเมืองจังหวัดชัยนาท"
ROUTE_AGENCY = {  # the agency a route text names (canonical), for requested_from
    "ขอรับการสนับสนุน (อบจ.)": PAO, "ขอรับการสนับสนุนจาก อบจ.": PAO, "กรมทางหลวงชนบท": DRR,
    "ขอสนับสนุนจากจังหวัดชัยนาท": "จังหวัดชัยนาท", "ดำเนินการร่วมกับ อบจ.ชัยนาท": PAO,
    "ขอรับการสนับสนุนจาก ทช.": DRR, "ขอรับการสนับสนุนจากโยธาฯ": DPT,
    "ทำร่วมกับ สนง.โยธาธิการและผังเมืองจังหวัด": DPT,
}  # fmt: skip
STRATEGY_CELLS = ("{n}", "ยุทธศาสตร์ที่ {n}", "{nt}", "{name}", "")  # a strategy column's cell
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
               "joint": ("ดำเนินการร่วมกับ อบจ.ชัยนาท", "ทำร่วมกับหน่วยงานอื่น",
                         "ทำร่วมกับ สนง.โยธาธิการและผังเมืองจังหวัด"),
               "requested": ("ขอรับการสนับสนุนจาก อบจ.", "กรมทางหลวงชนบท", "ขอสนับสนุนจากจังหวัดชัยนาท",
                             "ขอรับการสนับสนุนจาก ทช.", "ขอรับการสนับสนุนจากโยธาฯ")},
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
              ("ยุทธศาสตร์จังหวัดที่", "strategy"), ("ปีงบประมาณ", "year"),
              ("งบประมาณ (บาท)", "amount"), ("หน่วยงานรับผิดชอบ", "agency"), ("หมายเหตุ", "remarks")),
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
        year_hdr="งบประมาณ {y}", sections="strategy", grand="รวมทั้งสิ้น", amounts="text",
        plants=(("no_name", 1), ("bad:#REF!", 3), ("zero", 5)),
    ),
    "xlsx_title": dict(
        fmt="xlsx", split="file", shape="wide", files=("แผนพัฒนาตำบล 2568-2570 ชุดที่ {i}.xlsx",),
        sheet="Sheet1", titles=("แผนพัฒนาตำบล ตำบล{t} อำเภอ{d} จังหวัดชัยนาท",
                                "ประจำปีงบประมาณ พ.ศ. 2568 - 2570"), gap=True, year_hdr="ปี {y}",
        cols=(("ลำดับ", "seq"), ("โครงการ/กิจกรรม", "name"), ("วัตถุประสงค์", "objective"),
              ("เป้าหมาย (ผลผลิตของโครงการ)", "target"), ("", "years"), ("ตัวชี้วัด", "kpi"),
              ("ผลลัพธ์ที่คาดว่าจะได้รับ", "result"), ("ผู้รับผิดชอบ", "agency"),
              ("วิธีดำเนินการ", "method"), ("ความสอดคล้องกับยุทธศาสตร์จังหวัด", "strategy")),
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
    strategy_code: str | None = None
    strategy_source: str | None = None  # column | section | inferred
    responsible_agency: str | None = None  # canonical (data/agencies.csv)
    requested_from: str | None = None  # canonical agency asked, for requested / joint
    source: tuple[str, str, int] | None = None  # set by build_manifest on the kept copy
    plan_level: str = "tambon"  # the level of the plan whose file holds it (see build_levels)
    plan_revision: str | None = None  # the amendment that last added or changed it
    # other measures than the plan's money (เทศบัญญัติ...): (measure, year) -> amount
    measures: dict[tuple[str, int], Decimal] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if k not in ("budgets", "source", "measures")}
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
    hidden: bool = False

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
    # True links this file's projects make: (project, linked project, link kind)
    links: list[tuple[Project, Project, str]] = field(default_factory=list)


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
    strategy: str = ""  # the provincial strategy code of its category (column / section truth)
    agency: tuple[str, bool] = ("", True)  # canonical responsible agency, is the tambon's own


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
        typed, canonical, own = rng.choice(AGENCIES)
        strategy = CATEGORY_STRATEGY[cat]
        texts = {
            "strategy": self.strategy_cell(strategy) if self.has("strategy") else "",
            "objective": OBJECTIVES[cat],
            "result": RESULTS[cat],
            "target": TARGETS[cat].format(n=rng.randrange(20, 900, 10)),
            "kpi": f"ร้อยละ {rng.randrange(70, 100, 5)} ของผู้ได้รับประโยชน์พึงพอใจ",
            "remarks": rng.choice(("", "", "ต่อเนื่อง", "โครงการใหม่")),
            "agency": typed.format(t=tn, d=self.dname),
            "tambon": rng.choice(L.get("tambon_styles", ("{t}",))).format(t=tn),
            "method": method,
            "source": method,
        }
        name = self.noisy(name)
        category = CATEGORIES[cat]
        if L.get("sections") == "strategy":
            category = strategy_heading(strategy)
        it = Item(t, name, villages, category, budgets, route, texts, village_col)
        it.strategy, it.agency = strategy, (canonical.format(t=tn, d=self.dname), own)
        return it

    def strategy_cell(self, code: str) -> str:
        """The strategy column's cell as a clerk fills it: a number, Thai digits, the name."""
        row = PROVINCIAL[code]
        style = self.rng.choice(STRATEGY_CELLS)
        n = row["number"]
        return style.format(n=n, nt=n.translate(THAI), name=row["name_th"])

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
        p = Project(self.code, it.tambon.code, name, villages, it.route, category, dict(budgets))
        if self.has("strategy") and it.texts["strategy"]:
            p.strategy_code, p.strategy_source = it.strategy, "column"
        elif self.L.get("sections") == "strategy":
            p.strategy_code, p.strategy_source = it.strategy, "section"
        else:
            p.strategy_code = infer_strategy([category, name])
            p.strategy_source = "inferred" if p.strategy_code else None
        if self.has("agency"):
            p.responsible_agency = it.agency[0]
        if it.route in ("requested", "joint"):
            other = None if it.agency[1] or not self.has("agency") else it.agency[0]
            p.requested_from = ROUTE_AGENCY.get(it.texts["method"]) or other
        return p

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
            order = CATEGORIES
            if self.L["sections"] == "strategy":
                order = tuple(strategy_heading(code) for code in PROVINCIAL)
            keys = [c for c in order if any(it.category == c for it in items)]
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


# ---- the ninth layout family: plans as districts really send them (issue 12) --------------------
# Written row by row (no randomness), so that each row's kind is stated where it is written. One
# district gets, beside its own files, a folder per tambon holding:
# - a workbook with one sheet per fiscal year (`ปี 2568`, `2569`, `ปีงบ 70`) and one amount column,
#   the same project on several year sheets (one project, a budget each year); wrapped text with
#   merged-down number/budget cells; a repeated header with its title and a `(บาท)` unit row;
#   a numbered sub-section; a note and a signature block; budgets typed `บ.`/`.-`/`บาท`; a project
#   with no amount in any year; a hidden copy of a year sheet and a hidden draft of its own;
#   Thai typed in ways NFC does not unify (ตําบล in the folder name, เเ, นํ้า);
# - a workbook with a two-row header (`ปี ๒๕๖๘` over `งบประมาณ (บาท)`, a CE year `ค.ศ. 2027`), two
#   tables stacked under section titles (ส่วนที่ 1 ... ดำเนินการเอง / ส่วนที่ 2 ... ขอรับการ
#   สนับสนุน...) that set funding_route, and a sheet whose year is only in its title.
CLASSES_DISTRICT = "1806"


def thai_normalize(text: str) -> str:
    """pythainlp's normalize until nothing changes (the pipeline stores names this way)."""
    from pythainlp.util import normalize

    for _ in range(4):
        done = normalize(text)
        if done == text:
            break
        text = done
    return text


class _ClassSheet(Sheet):
    """A hand-laid sheet: rows are added with the kind the reader must give them."""

    def row(self, cells: list[Any], kind: str | None = None, **kw: Any) -> int:
        return self.add(cells, kind, **kw)


def _class_project(code, tambon, name, budgets, villages=(), route=None, category=None) -> Project:
    p = Project(code, tambon.code, clean_text(name), list(villages), route, category, budgets)
    p.strategy_code = infer_strategy([category, p.project_name])
    p.strategy_source = "inferred" if p.strategy_code else None
    return p


def build_layout_classes(code: str, folder: str, tambons) -> list[File]:
    """The ninth layout family's files for district `code` (see the block comment above)."""
    D = Decimal
    t1, t2 = tambons[1], tambons[2]
    year_file = File(code, f"{folder}/ตําบล{t1.name_th}/แผนพัฒนาตำบล 2568-2570.xlsx", "xlsx", [])
    header = ["ที่", "โครงการ", "วัตถุประสงค์", "งบประมาณ (บาท)", "หน่วยงานรับผิดชอบ"]
    cat = "ยุทธศาสตร์ที่ 1 ด้านโครงสร้างพื้นฐาน"
    road = _class_project(
        code, t1, f"ก่อสร้างถนนหินคลุก{t1.name_th} ถึงคลองชลประทาน หมู่ที่ 3",
        {2568: D(250000), 2569: D(260000)}, [3], None, cat,
    )  # fmt: skip
    canal = _class_project(
        code, t1, f"ขุดลอกคลองแยก{t1.name_th} หมู่ที่ 5", {2568: D(150000), 2570: D(160000)},
        [5], None, cat,
    )  # fmt: skip
    drain = _class_project(
        code, t1, f"ก่อสร้างรางระบายน้ำ{t1.name_th}", {2568: D(80000)}, (), None, cat
    )
    light = _class_project(
        code, t1, f"ติดตั้งไฟฟ้าส่องสว่าง{t1.name_th}", {2568: D(60000)}, (), None, cat
    )
    train = _class_project(code, t1, f"อบรมอาสาสมัคร{t1.name_th}", {2569: D(30000)}, (), None, cat)
    hall = _class_project(code, t1, f"ปรับปรุงศาลาประชาคม{t1.name_th}", {})
    jobs = _class_project(code, t1, f"ส่งเสริมอาชีพสตรี{t1.name_th}", {2570: D(20000)})
    draft = _class_project(code, t1, f"ก่อสร้างลานกีฬา{t1.name_th}", {2569: D(90000)})
    road.responsible_agency = SAO.format(t=t1.name_th)  # "อบต." is the tambon's own body

    def year_sheet_2568(name: str, copy: bool) -> Sheet:
        sh = _ClassSheet(
            name, issues=["fiscal_year_inferred"] + (["hidden_sheet_copy"] if copy else [])
        )
        sh.hidden = copy
        accepted = "duplicate" if copy else "accepted"
        dup = ("duplicate_project",) if copy else ()
        sh.row(["แผนพัฒนาตำบล อำเภอหันคา จังหวัดชัยนาท"], "title")
        sh.row(header, "header")
        sh.row(["", cat], "section")
        sh.row(["", "1.1 แผนงานเคหะและชุมชน"], "subsection")
        r = sh.row([1, f"ก่อสร้างถนนหินคลุก{t1.name_th}", "เพื่อให้ประชาชน", 250000, "อบต."],
                   accepted, project=road, issues=dup)  # fmt: skip
        sh.row(["", "ถึงคลองชลประทาน หมู่ที่ 3", "สัญจรสะดวก", "", ""], "continuation")
        sh.merges += [(r - 1, 0, r, 0), (r - 1, 3, r, 3), (r - 1, 4, r, 4)]
        sh.row([2, f"ขุดลอกคลองเเยก{t1.name_th} หมู่ที่ 5", "", "150,000 บ.", ""], accepted,
               project=canal, issues=dup)  # fmt: skip
        sh.row([3, f"ก่อสร้างรางระบายนํ้า{t1.name_th}", "", "๘๐,๐๐๐.-", ""], accepted,
               project=drain, issues=dup)  # fmt: skip
        sh.row(["แผนพัฒนาตำบล อำเภอหันคา (ต่อ)"], "title")
        sh.row(header, "header")
        sh.row(["", "", "", "(บาท)", ""], "unit")
        sh.row([4, f"ติดตั้งไฟฟ้าส่องสว่าง{t1.name_th}", "", 60000, ""], accepted, project=light,
               issues=dup)  # fmt: skip
        sh.row([5, f"อบรมอาสาสมัคร{t1.name_th}", "", "", ""], accepted, project=train, issues=dup)
        sh.row(["", "รวม", "", 540000, ""], "subtotal")
        sh.row(["หมายเหตุ : โครงการที่ 5 ดำเนินการในปี 2569"], "note")
        sh.row(["", "ลงชื่อ.............................ผู้จัดทำ"], "signature")
        sh.row(["", "(นางสาวสมใจ รักดี)"], "signature")
        sh.row(["", "ตำแหน่ง นักพัฒนาชุมชน"], "signature")
        return sh

    s68 = year_sheet_2568("ปี 2568", copy=False)
    s69 = _ClassSheet("2569", issues=["fiscal_year_inferred"])
    s69.row(header, "header")
    s69.row([1, road.project_name, "", 260000, ""], "accepted", project=road)
    s69.row([5, f"อบรมอาสาสมัคร{t1.name_th}", "", "30,000", ""], "accepted", project=train)
    s69.row([6, hall.project_name, "", "", ""], "accepted", project=hall, issues=("no_budget",))
    s70 = _ClassSheet("ปีงบ 70", issues=["fiscal_year_inferred"])
    s70.row(header, "header")
    s70.row([2, f"ขุดลอกคลองเเยก{t1.name_th} หมู่ที่ 5", "", "160,000", ""], "accepted",
            project=canal)  # fmt: skip
    s70.row([7, jobs.project_name, "", "๒๐,๐๐๐ บาท", ""], "accepted", project=jobs)
    copy = year_sheet_2568("ปี 2568 (2)", copy=True)
    hidden = _ClassSheet("ร่าง ปี 2569", issues=["fiscal_year_inferred", "hidden_sheet"])
    hidden.hidden = True
    hidden.row(header, "header")
    hidden.row([1, draft.project_name, "", 90000, ""], "accepted", project=draft)
    year_file.sheets = [s68, s69, s70, copy, hidden]

    stacked = File(code, f"{folder}/ตำบล{t2.name_th}/บัญชีโครงการ.xlsx", "xlsx", [])
    top = ["ที่", "โครงการ", "ปี ๒๕๖๘", "ปี ๒๕๖๙", "ค.ศ. 2027", "หน่วยงานรับผิดชอบ"]
    unit = ["", "", "งบประมาณ (บาท)", "งบประมาณ (บาท)", "งบประมาณ (บาท)", ""]
    fix = _class_project(code, t2, f"ซ่อมแซมถนนลูกรัง{t2.name_th}", {2568: D(50000)}, (), "own")
    fest = _class_project(
        code, t2, f"จัดงานประเพณีสงกรานต์{t2.name_th}", {y: D(30000) for y in YEARS}, (), "own"
    )
    bridge = _class_project(
        code, t2, f"ก่อสร้างสะพานข้ามคลอง{t2.name_th}", {2568: D(2500000)}, (), "requested"
    )
    power = _class_project(code, t2, f"ขยายเขตไฟฟ้า{t2.name_th}", {2569: D(400000)}, (), "requested")
    farm = _class_project(code, t2, f"จัดซื้อวัสดุการเกษตร{t2.name_th}", {2569: D(45000)})
    for own_project in (fix, fest, farm):  # typed "อบต.": the tambon's own body
        own_project.responsible_agency = SAO.format(t=t2.name_th)
    bridge.responsible_agency = bridge.requested_from = PAO  # typed "อบจ.ชัยนาท"
    power.responsible_agency = power.requested_from = "การไฟฟ้าส่วนภูมิภาค"
    plan = _ClassSheet("แผน")
    plan.row(["บัญชีโครงการพัฒนาตำบล อำเภอหันคา"], "title")
    plan.row(["ส่วนที่ 1 โครงการที่ อบต. ดำเนินการเอง"], "title")
    r = plan.row(top, "header")
    plan.row(unit, "header", issues=())
    plan.rows[r - 1].issues = ("fiscal_year_ce",)
    plan.merges += [(r - 1, c, r, c) for c in (0, 1, 5)]
    plan.row([1, fix.project_name, 50000, "", "", "อบต."], "accepted", project=fix)
    plan.row([2, fest.project_name, 30000, 30000, 30000, "อบต."], "accepted", project=fest)
    plan.row(["ส่วนที่ 2 โครงการที่ขอรับการสนับสนุนจากหน่วยงานอื่น"], "section_title")
    r = plan.row(top, "header")
    plan.row(unit, "header")
    plan.merges += [(r - 1, c, r, c) for c in (0, 1, 5)]
    plan.row([1, bridge.project_name, 2500000, "", "", "อบจ.ชัยนาท"], "accepted", project=bridge)
    plan.row([2, power.project_name, "", 400000, "", "การไฟฟ้าส่วนภูมิภาค"], "accepted",
             project=power)  # fmt: skip
    plan.row(["", "รวม", 2500000, 400000, "", ""], "subtotal")
    extra = _ClassSheet("โครงการเพิ่มเติม", issues=["fiscal_year_inferred"])
    extra.row(["โครงการเพิ่มเติม ประจำปีงบประมาณ พ.ศ. ๒๕๖๙"], "title")
    extra.row(["ที่", "โครงการ", "งบประมาณ", "หน่วยงานรับผิดชอบ"], "header")
    extra.row([1, farm.project_name, 45000, "อบต."], "accepted", project=farm)
    stacked.sheets = [plan, extra]
    return [year_file, stacked]


def build_sample() -> list[File]:
    """Every file of the bundled sample: Chai Nat's eight districts, one layout each, and the
    ninth layout family (`build_layout_classes`) beside one district's own files."""
    areas = {d.code: geothai.subdistricts(d.code) for d in geothai.districts(PROVINCE)}
    files: list[File] = []
    for code, (folder, layout) in sorted(DISTRICTS.items()):
        others = [s for c, subs in sorted(areas.items()) if c != code for s in subs]
        rng = random.Random(f"{SEED}-{code}")
        files += build_district(code, areas[code], layout, rng, folder, others)
    folder = DISTRICTS[CLASSES_DISTRICT][0]
    files += build_layout_classes(CLASSES_DISTRICT, folder, areas[CLASSES_DISTRICT])
    files += build_levels(files, random.Random(f"{SEED}-levels"))
    folder = DISTRICTS[FORMS_DISTRICT][0]
    files += build_official_forms(FORMS_DISTRICT, folder, areas[FORMS_DISTRICT])
    return files + build_municipal_plan(MUNICIPAL_DISTRICT, DISTRICTS[MUNICIPAL_DISTRICT][0])


# ---- a municipality's plan that names no tambon (it covers the town): district-wide --------
MUNICIPAL_DISTRICT = "1805"
MUNICIPALITY = "เทศบาลเมืองสรรคบุรี"


def build_municipal_plan(code: str, folder: str) -> list[File]:
    """A town municipality's plan list sent in its district folder: no tambon column, and no
    sheet name, file name or title names a tambon (the plan covers the town, which may span
    several). Its projects are placed district-wide (tambon_code = the district code), with
    one warning for the file (issue 20)."""
    district = {d.code: d.name_th for d in geothai.districts(PROVINCE)}[code]
    sh = _ClassSheet("แผนพัฒนา")
    sh.row([f"แผนพัฒนาท้องถิ่น (พ.ศ. {YEARS[0]}-{YEARS[-1]})"], "title")
    sh.row([f"{MUNICIPALITY} อำเภอ{district} จังหวัดชัยนาท"], "title")
    sh.row(["ที่", "โครงการ", *[f"งบประมาณ {y}" for y in YEARS]], "header")
    drains = {YEARS[0]: Decimal(1_200_000), YEARS[1]: Decimal(800_000)}
    works = (
        ("ก่อสร้างระบบระบายน้ำในเขตเทศบาล", drains),
        ("ปรับปรุงภูมิทัศน์ตลาดสดเทศบาล", {YEARS[2]: Decimal(650_000)}),
    )
    for n, (name, budgets) in enumerate(works, start=1):
        p = Project(code, code, clean_text(name), [], None, None, dict(budgets))
        p.strategy_code = infer_strategy([p.project_name])
        p.strategy_source = "inferred" if p.strategy_code else None
        sh.row([n, name, *[budgets.get(y, "") for y in YEARS]], "accepted", project=p)
    sh.issues = ["placed_district_wide"]
    return [File(code, f"{folder}/แผนพัฒนาท้องถิ่น {MUNICIPALITY}.xlsx", "xlsx", [sh])]


# ---- the official local-plan forms (ผ.01/ผ.02) as a municipality fills them in ----------------
FORMS_DISTRICT = "1802"  # a municipality of this district keeps its plan in the official forms
FORM_HEADER = (
    "ที่", "โครงการ", "วัตถุประสงค์", "เป้าหมาย (ผลผลิตของโครงการ)", "งบประมาณ", "", "",
    "เทศบัญญัติ", "", "", "ตัวชี้วัด (KPI)", "ผลที่คาดว่าจะได้รับ", "หน่วยงานที่รับผิดชอบหลัก",
)  # fmt: skip
FORM_YEARS = (YEARS[0], f"ปี {YEARS[1]}", str(YEARS[2]).translate(THAI))  # number, text, Thai
SIGNATURES = (
    ("ลงชื่อ..................................ผู้จัดทำ", "ลงชื่อ..................................ผู้อนุมัติ"),
    ("(นางสาวพรทิพย์ ศรีสุข)", "(………………………………)"),
    ("ผู้อำนวยการกองช่าง", "นายกเทศมนตรีตำบล{t}"),
)  # fmt: skip


def _form_title(municipality: str, district: str, chain: list[str]) -> list[str]:
    return [
        "รายละเอียดโครงการพัฒนา",
        f"แผนพัฒนาท้องถิ่น (พ.ศ. {YEARS[0]}-{YEARS[-1]})",
        f"{municipality} อำเภอ{district} จังหวัดชัยนาท",
        "ก. ยุทธศาสตร์ชาติ ด้านการสร้างความสามารถในการแข่งขัน",
        "ข. แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ ฉบับที่ 13",
        "ค. Sustainable Development Goals เป้าหมายที่ 9 อุตสาหกรรม นวัตกรรม และโครงสร้างพื้นฐาน",
        "ง. ยุทธศาสตร์จังหวัดที่ 4 การพัฒนาคุณภาพคน และความมั่นคงทางสังคม",
        "จ. ยุทธศาสตร์การพัฒนาของ อปท. ในเขตจังหวัดที่ 1 การพัฒนาโครงสร้างพื้นฐาน",
        *chain,
    ]


def _form_sheet(name: str, title: list[str], measures: bool = True, extra=()) -> _ClassSheet:
    """A ผ.02 sheet: its title rows, then the three-row header (งบประมาณ merged over its
    years, a เทศบัญญัติ group written once over the same years, `(บาท)` under each year)."""
    sh = _ClassSheet(name)
    for text in title:
        sh.row([text], "title")
    header = list(FORM_HEADER) if measures else [*FORM_HEADER[:7], *FORM_HEADER[10:]]
    header += extra
    r = sh.row(header, "header")
    years = [*FORM_YEARS, *(YEARS if measures else ())]
    sh.row(["", "", "", "", *years, *[""] * (len(header) - 4 - len(years))], "header")
    sh.row(["", "", "", "", *["(บาท)"] * len(years)], "unit")
    sh.merges.append((r - 1, 4, r - 1, 6))
    sh.merges += [(r - 1, c, r + 1, c) for c in (0, 1, 2, 3, *range(4 + len(years), len(header)))]
    return sh


def _form_row(seq, it: Project, texts: tuple[str, str, str, str], year_cells, ask: str = ""):
    """A project row of the form: number, name, objective, target, the years, KPI, result,
    agency (and, on a ผ.02/2 sheet, the agency asked)."""
    objective, target, kpi, result = texts
    out = [seq, it.project_name, objective, target, *year_cells, kpi, result, "ทต.คุ้งสำเภา"]
    return out + [ask] if ask else out


def _amounts(cells: dict[int, Any], ordinance: dict[int, Any] | None = None, measures=True):
    """The year cells of a form row: the plan's years, then the เทศบัญญัติ years."""
    plan = [cells.get(y, "") for y in YEARS]
    return plan + [(ordinance or {}).get(y, "") for y in YEARS] if measures else plan


def build_official_forms(code: str, folder: str, tambons) -> list[File]:
    """A municipality's plan in the official forms (ผ.01/ผ.02), written from the form's
    description: a chart sheet, a ผ.01/1 summary by community, ผ.02 sheets per strategy and
    แผนงาน with the ก.-จ. strategy chain in their titles, the three-row header with a second
    year group (เทศบัญญัติ, another measure: kept apart, never added in), รวมงบประมาณ /
    รวมจำนวนโครงการ under each แผนงาน, amendment sections numbered from 1 again with projects
    returning for other years (one project, the later amendment's amount winning), a signature
    block in the year columns; and its ผ.02/2 workbook of requests to other agencies."""
    D = Decimal
    t = tambons[0]  # เทศบาลตำบลคุ้งสำเภา sits in ต.คุ้งสำเภา
    municipality = TM.format(t=t.name_th)
    district = {d.code: d.name_th for d in geothai.districts(PROVINCE)}[code]
    base = f"{folder}/{municipality}"
    own = TM.format(t=t.name_th)
    texts = ("เพื่อให้ประชาชนสัญจรสะดวก", "1 สาย", "ร้อยละของประชาชนที่พึงพอใจ", "การคมนาคมสะดวก")

    def project(name, budgets, category, villages=(), route=None):
        p = Project(code, t.code, clean_text(name), list(villages), route, category, budgets)
        # Every form sheet's title states ง. ยุทธศาสตร์จังหวัดที่ 4: the file's own alignment wins.
        p.strategy_code, p.strategy_source = "P4", "file"
        p.responsible_agency = own
        return p

    housing = "(1) แผนงานเคหะและชุมชน"
    works = "(2) แผนงานอุตสาหกรรมและการโยธา"
    road = project("ก่อสร้างถนน คสล. ซอยวัดคุ้งสำเภา หมู่ที่ 2", {2568: D(480000), 2569: D(100000)},
                   housing, [2])  # fmt: skip
    road.measures = {("ordinance", 2568): D(430000)}
    drain = project("ก่อสร้างท่อระบายน้ำ ค.ส.ล. ถนนเทศบาลสาย 3",
                    {2568: D(300000), 2569: D(600000), 2570: D(600000)}, housing)  # fmt: skip
    cctv = project("ติดตั้งกล้องวงจรปิดในเขตเทศบาลตำบลคุ้งสำเภา", {2568: D(250000), 2569: D(0)},
                   housing)  # fmt: skip
    cctv.measures = {("ordinance", 2568): D(250000), ("ordinance", 2569): D(0)}
    paving = project("ปรับปรุงผิวจราจรแอสฟัลท์ติกถนนเทศบาลสาย 1", {2570: D(800000)}, works)
    court = project("ก่อสร้างลานกีฬาอเนกประสงค์ชุมชนตลาดคุ้งสำเภา", {2569: D(350000)}, works)
    first, second = "เพิ่มเติม ครั้งที่ 1/2568", "เพิ่มเติม ครั้งที่ 2/2569"
    drain.plan_revision = court.plan_revision = first
    road.plan_revision = second
    chain = ["1. ยุทธศาสตร์การพัฒนาด้านโครงสร้างพื้นฐาน", "1.1 กลยุทธ์ พัฒนาระบบคมนาคมและระบายน้ำ",
             housing]  # fmt: skip
    sh = _form_sheet("ยุทธ1.1แผนงานเคหะ", _form_title(municipality, district, chain))
    sh.row(_form_row(1, road, texts, _amounts({2568: "450,000"}, {2568: 430000})),
           "accepted", project=road)  # fmt: skip
    sh.row(_form_row(2, drain, texts, _amounts({2569: 600000, 2570: 600000})),
           "accepted", project=drain)  # fmt: skip
    sh.row(_form_row(3, cctv, texts, _amounts({2568: 250000, 2569: "-"},
                                              {2568: 250000, 2569: "-"})),
           "accepted", project=cctv)  # fmt: skip
    sh.row(["", "รวมงบประมาณ", "", "", 700000, 600000, 600000], "subtotal")
    sh.row(["", "รวมจำนวนโครงการ", "", "", 2, 2, 1], "subtotal")
    sh.row(["", works], "subsection")
    sh.row(_form_row(1, paving, texts, _amounts({2570: "800,000"})), "accepted",
           project=paving)  # fmt: skip
    sh.row(["", "รวมงบประมาณ", "", "", "", "", 800000], "subtotal")
    sh.row(["", "รวมจำนวนโครงการ", "", "", "", "", 1], "subtotal")
    # Amendments pasted under the totals, numbered from 1 again.
    r = sh.row(["เพิ่มเติมครั้งที่ 1 / 2568"], "amendment")
    sh.merges.append((r - 1, 0, r - 1, 3))
    sh.row(_form_row(1, drain, texts, _amounts({2568: 300000})), "accepted", project=drain)
    sh.row(_form_row(2, court, texts, _amounts({2569: 350000})), "accepted", project=court)
    sh.row(["", "เพิ่มเติม 2/69"], "amendment")  # in the name column: never glued above
    sh.row(_form_row(1, road, texts, _amounts({2568: 480000, 2569: 100000})), "accepted",
           project=road, issues=("amendment_changed_amount",))  # fmt: skip
    sh.row(["", "รวมงบประมาณ", "", "", 780000, 450000, ""], "subtotal")
    sh.row(["", "รวมจำนวนโครงการ", "", "", 2, 2, ""], "subtotal")
    for left, right in SIGNATURES:  # under the year columns, as offices print it
        sh.row(["", "", "", "", left, "", "", "", right.format(t=t.name_th)], "signature")

    school = project("จัดซื้ออาหารเสริม (นม) โรงเรียนในเขตเทศบาล", {y: D(420000) for y in YEARS},
                     "(1) แผนงานการศึกษา")  # fmt: skip
    care = project("ปรับปรุงอาคารศูนย์พัฒนาเด็กเล็กเทศบาลตำบลคุ้งสำเภา", {2570: D(150000)},
                   "(1) แผนงานการศึกษา")  # fmt: skip
    chain2 = ["2. ยุทธศาสตร์การพัฒนาด้านคุณภาพชีวิต", "2.1 กลยุทธ์ ส่งเสริมการศึกษา",
              "(1) แผนงานการศึกษา"]  # fmt: skip
    edu = _form_sheet("ยุทธ2.1แผนงานการศึกษา", _form_title(municipality, district, chain2))
    edu.row(_form_row(1, school, texts, _amounts({y: 420000 for y in YEARS}, {})),
            "accepted", project=school)  # fmt: skip
    edu.row(_form_row(2, care, texts, _amounts({2570: 150000}, {})), "accepted",
            project=care)  # fmt: skip
    edu.row(["", "รวมงบประมาณ", "", "", 420000, 420000, 570000], "subtotal")
    edu.row(["", "รวมจำนวนโครงการ", "", "", 1, 1, 2], "subtotal")

    chart = _ClassSheet("กราฟ", issues=["chart_sheet"])
    chart.row(["กราฟแสดงงบประมาณตามยุทธศาสตร์"], "chart_sheet")
    chart.row(["ยุทธศาสตร์", "งบประมาณ"], "chart_sheet")
    chart.row(["1", 3_230_000], "chart_sheet")
    summary = _ClassSheet("ผ.01-1", issues=["summary_sheet"])
    summary.row(["บัญชีสรุปโครงการพัฒนาที่นำมาจากแผนพัฒนาหมู่บ้านและแผนชุมชน (ผ.01/1)"],
                "summary_sheet")  # fmt: skip
    summary.row(["ชุมชน", "จำนวนโครงการ", "งบประมาณ (บาท)"], "summary_sheet")
    summary.row(["ชุมชนตลาดคุ้งสำเภา", 2, 650000], "summary_sheet")
    summary.row(["ชุมชนวัดคุ้งสำเภา", 1, 480000], "summary_sheet")
    plan = File(code, f"{base}/แผนพัฒนาท้องถิ่น (พ.ศ. 2568-2570).xlsx", "xlsx",
                [chart, summary, sh, edu])  # fmt: skip

    # ผ.02/2: what the municipality asks other agencies to fund.
    levee = project("ก่อสร้างเขื่อนป้องกันตลิ่งริมแม่น้ำเจ้าพระยาชุมชนคุ้งสำเภา",
                    {2568: D(9000000), 2569: D(9000000)}, works, route="requested")  # fmt: skip
    levee.requested_from = PAO
    link = project("ก่อสร้างถนนลาดยางสายคุ้งสำเภา-วัดโคก", {2569: D(4500000)}, works,
                   route="requested")  # fmt: skip
    link.requested_from = DRR
    title = _form_title(municipality, district, chain[:2] + [works])
    title.insert(1, "สำหรับ ประสานโครงการพัฒนาจังหวัด")
    ask = _form_sheet("ผ.02-2", title, measures=False, extra=("หน่วยงานที่จะขอประสาน",))
    ask.row(_form_row(1, levee, texts, _amounts({2568: 9000000, 2569: 9000000}, measures=False),
                      "อบจ.ชัยนาท"), "accepted", project=levee)  # fmt: skip
    ask.row(_form_row(2, link, texts, _amounts({2569: "4,500,000"}, measures=False),
                      "แขวงทางหลวงชนบทชัยนาท"), "accepted", project=link)  # fmt: skip
    ask.row(["", "รวมงบประมาณ", "", "", 9000000, 13500000, ""], "subtotal")
    requests = File(code, f"{base}/ผ.02-2 ประสานโครงการพัฒนาจังหวัด.xlsx", "xlsx", [ask])
    return [plan, requests]


# ---- plans of other levels: village, district and provincial plans mirroring tambon requests ----
VILLAGE_DISTRICTS = ("1804", "1806")  # village plans (แผนชุมชน) for two tambons of each
DISTRICT_PLANS = ("1806", "1807")  # a district plan (แผนพัฒนาอำเภอ) taking up tambon requests
PROVINCE_FOLDER = "จ.ชัยนาท"
LEVEL_SHEET = "แผนงาน"  # the one sheet of each file build_levels writes
COPY_DISTRICTS = ("1803", "1805")  # a tambon's amendment copying a neighbour's project
VILLAGE_ONLY = (
    "จัดซื้อเครื่องออกกำลังกายกลางแจ้งประจำหมู่บ้าน", "จัดตั้งกองทุนเมล็ดพันธุ์ข้าวชุมชน",
    "ส่งเสริมการทอผ้าพื้นเมืองกลุ่มแม่บ้าน", "จัดทำป้ายชื่อซอยและบ้านเลขที่",
)  # fmt: skip
DISTRICT_ONLY = (
    "จัดงานมหกรรมของดีอำเภอ{d}", "พัฒนาศูนย์เรียนรู้เศรษฐกิจพอเพียงระดับอำเภอ{d}",
    "ส่งเสริมอาชีพผู้สูงอายุระดับอำเภอ{d}",
)  # fmt: skip
# How a district plan writes the place of its district-wide rows, in turn: nothing, the whole
# district, the district with its prefix (อ.หันคา / อำเภอหนองมะโมง: the whole district even
# where a tambon has the district's name).
DISTRICT_WIDE_PLACES = ("", "ทั้งอำเภอ", "อ.{d}", "อำเภอ{d}")
# Trailing words a plan above adds to a tambon project it takes in (issue 23).
TRAILING_WORDS = ("เพื่อกักเก็บน้ำ", "เพื่อการเกษตร", "เพื่อประโยชน์ของประชาชน")
# Look-alike projects that must stay apart (issue 23): (tambon plan's name, name in the plan
# above); the same money, place and years, a distinguishing word or village differs.
LOOK_ALIKES = (
    ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย หมู่ที่ 3",
     "ก่อสร้างถนน คสล. สายบ้านนายสมศักดิ์ ม.3"),
    ("ขุดลอกสระน้ำสาธารณะ หมู่ที่ 3", "ขุดลอกสระน้ำสาธารณะ หมู่ที่ 5"),
    ("ก่อสร้างรางระบายน้ำ สาย A", "ก่อสร้างรางระบายน้ำ สาย B"),
)  # fmt: skip
# The same name in two tambons of one district, the same money: two projects (issue 23).
TWIN_NAME = "ขุดลอกคลองส่งน้ำชลประทาน หมู่ที่ 2"
PROVINCE_ONLY = (
    "พัฒนาระบบโลจิสติกส์สินค้าเกษตรของจังหวัด", "จัดงานเทศกาลส้มโอขาวแตงกวาและงานกาชาดจังหวัด",
)  # fmt: skip
LEVEL_HEADERS = {
    "village": (("ที่", "seq"), ("โครงการ", "name"), ("years", None), ("หน่วยงานรับผิดชอบ", "agency")),
    "district": (("ที่", "seq"), ("ตำบล", "place"), ("โครงการ", "name"), ("years", None),
                 ("หน่วยงานรับผิดชอบ", "agency")),
    "province": (("ที่", "seq"), ("โครงการ", "name"), ("พื้นที่ดำเนินการ", "place"), ("years", None),
                 ("หน่วยงานรับผิดชอบ", "agency")),
}  # fmt: skip


def spelling_variant(name: str, rng: random.Random, tambon: str = "") -> str:
    """The same project as another office types it: abbreviations (คสล., ศพด.), the word
    โครงการ, another village-number style, the tambon added; never the same text."""
    out = name.removesuffix(f" ตำบล{tambon}") if tambon else name
    swaps = [("คอนกรีตเสริมเหล็ก", rng.choice(("คสล.", " ค.ส.ล. ", " คสล. "))),
             ("ศูนย์พัฒนาเด็กเล็ก", "ศพด.")]  # fmt: skip
    for long, short in swaps:
        if long in out and rng.random() < 0.8:
            out = out.replace(long, short)
    if out.count("หมู่ที่ ") == 1 and rng.random() < 0.6:
        out = out.replace("หมู่ที่ ", rng.choice(("ม.", "หมู่ ")))
    out = out.removeprefix("โครงการ") if out.startswith("โครงการ") else "โครงการ" + out
    if tambon and rng.random() < 0.4:
        out += f" ต.{tambon}"
    return clean_text(out)


def _kept_projects(files: list[File]) -> list[tuple[Project, File]]:
    """Each accepted tambon project once (its first copy in path, sheet and row order)."""
    seen, out = set(), []
    for f in sorted(files, key=lambda f: f.path):
        for sh in f.sheets:
            for row in sh.rows:
                p = row.project
                if row.kind != "accepted" or p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                key = (p.district_code, p.tambon_code, p.project_name, frozenset(p.budgets.items()))
                if key not in seen:
                    seen.add(key)
                    out.append((p, f))
    return out


def _has_village_mark(name: str) -> bool:
    return "หมู่" in name.replace("หมู่บ้าน", "") or "ม." in name


# An agency typed in a plan of another level -> its canonical name (data/agencies.csv); any
# other text is canonical as typed, or not in the table (kept as typed).
LEVEL_AGENCY = {"อบจ.ชัยนาท": PAO, "สำนักงานจังหวัดชัยนาท": "จังหวัดชัยนาท"}


def _level_agency(typed: str) -> str:
    """The canonical responsible agency of a level row's agency text: `อบต.X` is X's own
    organisation; the rest through LEVEL_AGENCY, else as typed."""
    if typed.startswith("อบต."):
        return SAO.format(t=typed.removeprefix("อบต."))
    return LEVEL_AGENCY.get(typed, typed)


def _level_sheet(level: str, title: list[str], rows: list[tuple[dict, Project | None]]) -> Sheet:
    """A plain plan table of another level: title rows, one header row, one row a project.
    Each project is aligned as the pipeline aligns a row with no strategy column or section:
    strategy inferred from its name, responsible agency canonical, route unknown."""
    cols = []
    for header, f in LEVEL_HEADERS[level]:
        cols += (
            [(f"งบประมาณ {y}", "year", y) for y in YEARS]
            if header == "years"
            else [(header, f, None)]
        )
    sh = Sheet(LEVEL_SHEET)
    for text in title:
        sh.add([text], "title")
    sh.add([h for h, _, _ in cols], "header")
    for n, (cells, p) in enumerate(rows, 1):
        values = {**cells, "seq": n}
        budgets = p.budgets if p else {}
        if p is not None:
            p.strategy_code = infer_strategy([p.category, p.project_name])
            p.strategy_source = "inferred" if p.strategy_code else None
            p.responsible_agency = _level_agency(cells["agency"]) if cells.get("agency") else None
        sh.add(
            [
                _num(budgets[y]) if y in budgets else None if y else values.get(f)
                for _, f, y in cols
            ],
            "accepted",
            project=p,
        )
    return sh


def _money_of(rng: random.Random, lo: int, hi: int) -> dict[int, Decimal]:
    years = sorted(rng.sample(YEARS, rng.choice((1, 2, 3))))
    base = Decimal(rng.randrange(lo, hi, 10_000))
    return dict.fromkeys(years, base)


def build_levels(files: list[File], rng: random.Random) -> list[File]:
    """Plans of the other levels over the tambon plans in `files`: village plans for two
    tambons of VILLAGE_DISTRICTS, a district plan in DISTRICT_PLANS, a provincial plan in
    the province folder, and amendments copying a project into a neighbouring tambon. Their
    projects mirror tambon projects with spelling variants; each File records the true links."""
    kept = _kept_projects(files)
    districts = {d.code: d.name_th for d in geothai.districts(PROVINCE)}
    tambon_names = {s.code: s.name_th for c in districts for s in geothai.subdistricts(c)}
    folders = {f.district_code: f.path.split("/")[0] for f in files}
    used: set[int] = set()
    out: list[File] = []
    extra = random.Random(f"{SEED}-issue23")  # the issue-23 cases: the rest keeps its draws

    def mirror(p: Project, level: str, code: str, villages=None, tambon_code=None) -> Project:
        name = spelling_variant(p.project_name, rng, tambon_names.get(p.tambon_code, ""))
        if villages is None:
            villages = sorted(p.village_numbers) if _has_village_mark(name) else []
        return Project(code, tambon_code or p.tambon_code, name, villages, None, None,
                       dict(p.budgets), plan_level=level)  # fmt: skip

    # Village plans: a village's own projects and those the tambon plan took in.
    for code in VILLAGE_DISTRICTS:
        mine = [(p, f) for p, f in kept if p.district_code == code and len(p.village_numbers) == 1]
        for t in sorted({p.tambon_code for p, _ in mine})[:2]:
            by_village: dict[int, list[Project]] = {}
            for p, _ in mine:
                if p.tambon_code == t:
                    by_village.setdefault(p.village_numbers[0], []).append(p)
            for v in sorted(by_village)[:2]:
                tn, links, rows = tambon_names[t], [], []
                for p in by_village[v][:2]:
                    child = mirror(p, "village", code, villages=[v])
                    links.append((child, p, "rolls_up_to"))
                    rows.append(({"name": child.project_name, "agency": "คณะกรรมการหมู่บ้าน"}, child))
                    used.add(id(p))
                n_own = sum(f.district_code == code for f in out)  # one name a district
                own_name = VILLAGE_ONLY[n_own % len(VILLAGE_ONLY)]
                own = Project(code, t, own_name, [v], None, None, _money_of(rng, 20_000, 200_000),
                              plan_level="village")  # fmt: skip
                rows.append(({"name": own_name, "agency": "คณะกรรมการหมู่บ้าน"}, own))
                title = [f"แผนชุมชน หมู่ที่ {v} ตำบล{tn} อำเภอ{districts[code]} จังหวัดชัยนาท",
                         "ปี พ.ศ. 2568 - 2570"]  # fmt: skip
                path = f"{folders[code]}/แผนชุมชน หมู่ที่ {v} ต.{tn}.xlsx"
                out.append(File(code, path, "xlsx", [_level_sheet("village", title, rows)],
                                links=links))  # fmt: skip
    # District plans: requests of the district's tambons taken up, and its own projects.
    district_projects: dict[str, list[tuple[Project, Project]]] = {}
    for code in DISTRICT_PLANS:
        d = districts[code]
        asks = [p for p, _ in kept if p.district_code == code and p.funding_route == "requested"
                and id(p) not in used][:4]  # fmt: skip
        links, rows = [], []
        for k, p in enumerate(asks):
            up = mirror(p, "district", code)
            if k == 0:  # the plan above adds a few words at the end (and abbreviates)
                up.project_name = _abbreviated(up.project_name) + " " + extra.choice(TRAILING_WORDS)
            links.append((p, up, "rolls_up_to"))
            rows.append(({"name": up.project_name, "place": f"ต.{tambon_names[p.tambon_code]}",
                          "agency": "ที่ทำการปกครองอำเภอ" + d}, up))  # fmt: skip
            district_projects.setdefault(code, []).append((p, up))
            used.add(id(p))
        for i, template in enumerate(DISTRICT_ONLY):
            wide = Project(code, code, template.format(d=d), [], None, None,
                           _money_of(rng, 200_000, 900_000), plan_level="district")  # fmt: skip
            place = DISTRICT_WIDE_PLACES[
                (i + DISTRICT_PLANS.index(code)) % len(DISTRICT_WIDE_PLACES)
            ].format(d=d)
            rows.append(({"name": wide.project_name, "place": place,
                          "agency": "สำนักงานพัฒนาชุมชนอำเภอ" + d}, wide))  # fmt: skip
            district_projects.setdefault(code, []).append((None, wide))
        title = [f"แผนพัฒนาอำเภอ{d} จังหวัดชัยนาท", "พ.ศ. 2568 - 2570"]
        path = f"{folders[code]}/แผนพัฒนาอำเภอ{d} 2568-2570.xlsx"
        out.append(File(code, path, "xlsx", [_level_sheet("district", title, rows)], links=links))
    # The provincial plan: tambon requests, a district plan's projects, province-wide ones.
    links, rows = [], []
    asks = [p for p, _ in kept if p.funding_route == "requested" and id(p) not in used
            and p.district_code not in DISTRICT_PLANS][:5]  # fmt: skip
    for p in asks:
        up = mirror(p, "province", p.district_code)
        links.append((p, up, "rolls_up_to"))
        place = f"ต.{tambon_names[p.tambon_code]} อ.{districts[p.district_code]}"
        rows.append(({"name": up.project_name, "place": place, "agency": "อบจ.ชัยนาท"}, up))
    for code, pairs in sorted(district_projects.items()):
        for origin, dp in (pairs[0], pairs[-1]):  # a taken-up request and a district project
            up = mirror(dp, "province", code)
            links.append((dp, up, "rolls_up_to"))
            place = f"อ.{districts[code]}" if origin is None else (
                f"ต.{tambon_names[origin.tambon_code]} อ.{districts[code]}")  # fmt: skip
            rows.append(({"name": up.project_name, "place": place,
                          "agency": "สำนักงานจังหวัดชัยนาท"}, up))  # fmt: skip
    for name in PROVINCE_ONLY:
        wide = Project(PROVINCE, PROVINCE, name, [], None, None,
                       _money_of(rng, 1_000_000, 5_000_000), plan_level="province")  # fmt: skip
        rows.append(({"name": name, "place": "ทั้งจังหวัด", "agency": "สำนักงานจังหวัดชัยนาท"}, wide))
    title = ["แผนพัฒนาจังหวัดชัยนาท (พ.ศ. 2568 - 2570)", "บัญชีโครงการ"]
    path = f"{PROVINCE_FOLDER}/แผนพัฒนาจังหวัดชัยนาท พ.ศ. 2568-2570.xlsx"
    out.append(File(PROVINCE, path, "xlsx", [_level_sheet("province", title, rows)], links=links))
    # Amendments: a tambon's plan copies a neighbour's project (same money, other spelling).
    for code in COPY_DISTRICTS:
        mine = [p for p, _ in kept if p.district_code == code and id(p) not in used]
        tambons = sorted({p.tambon_code for p in mine})
        t1, t2 = tambons[0], tambons[1]
        original = next(p for p in mine if p.tambon_code == t1)
        # An amendment of the tambon's own plan lists one of its projects again (a copy:
        # the same place); a neighbour's same-named project would be another project.
        t2 = t1
        copy_ = mirror(original, "tambon", code, tambon_code=t2)
        copy_.village_numbers = sorted(original.village_numbers) if _has_village_mark(
            copy_.project_name) else []  # fmt: skip
        new = Project(code, t2, f"ปรับปรุงซ่อมแซมอาคารอเนกประสงค์ตำบล{tambon_names[t2]}", [],
                      None, None, _money_of(rng, 100_000, 500_000))  # fmt: skip
        rows = [
            ({"name": copy_.project_name, "agency": "อบต." + tambon_names[t2]}, copy_),
            ({"name": new.project_name, "agency": "อบต." + tambon_names[t2]}, new),
        ]
        copy_.plan_revision = new.plan_revision = "เพิ่มเติม ครั้งที่ 1"  # from the title
        title = [f"แผนพัฒนาตำบล เพิ่มเติม ครั้งที่ 1 ตำบล{tambon_names[t2]} อำเภอ{districts[code]}"]
        path = f"{folders[code]}/แผนพัฒนาตำบล{tambon_names[t2]} เพิ่มเติม ครั้งที่ 1.xlsx"
        sheet = _level_sheet("village", title, rows)
        out.append(
            File(code, path, "xlsx", [sheet], links=[(copy_, original, "possible_duplicate")])
        )
    out += _look_alikes(districts, tambon_names, folders, extra)
    return out


def _villages_of(name: str) -> list[int]:
    return [int(n) for n in re.findall(r"(?:หมู่ที่|หมู่|ม\.)\s*([0-9]+)", name)]


def _abbreviated(name: str) -> str:
    """A name as a plan above shortens it: ถ. for ถนน, บ. for บ้าน, ม. for หมู่ที่."""
    for long, short in (("ถนน", " ถ."), ("หมู่ที่ ", "ม."), ("สายบ้าน", "สาย บ.")):
        name = name.replace(long, short, 1)
    return clean_text(name)


def _look_alikes(districts, tambon_names, folders, rng: random.Random) -> list[File]:
    """Projects that look alike and are not one (issue 23): in a district with a district
    plan, a tambon's amendment lists each LOOK_ALIKES tambon name and the district plan's
    second file lists the other name, the same money and place; and two tambons of a
    district each list TWIN_NAME with the same money. No true link: all counted."""
    out = []
    code = DISTRICT_PLANS[0]
    d = districts[code]
    tambons = sorted(s.code for s in geothai.subdistricts(code))
    t = tambons[-1]
    tn = tambon_names[t]
    mine, above = [], []
    for low, high in LOOK_ALIKES:
        money = _money_of(rng, 100_000, 900_000)
        villages = _villages_of(low)
        mine.append(({"name": low, "agency": "อบต." + tn},
                     Project(code, t, low, villages, None, None, dict(money))))  # fmt: skip
        above.append(({"name": high, "place": f"ต.{tn}", "agency": "ที่ทำการปกครองอำเภอ" + d},
                      Project(code, t, high, _villages_of(high), None, None,
                              dict(money), plan_level="district")))  # fmt: skip
    for _, p in mine:  # the amendment the title states (issue 20)
        p.plan_revision = "เพิ่มเติม ครั้งที่ 2"
    for _, p in above:
        p.plan_revision = "เพิ่มเติม ครั้งที่ 1"
    title = [f"แผนพัฒนาตำบล เพิ่มเติม ครั้งที่ 2 ตำบล{tn} อำเภอ{d}"]
    path = f"{folders[code]}/แผนพัฒนาตำบล{tn} เพิ่มเติม ครั้งที่ 2.xlsx"
    out.append(File(code, path, "xlsx", [_level_sheet("village", title, mine)]))
    title = [f"แผนพัฒนาอำเภอ{d} เพิ่มเติม ครั้งที่ 1 จังหวัดชัยนาท"]
    path = f"{folders[code]}/แผนพัฒนาอำเภอ{d} เพิ่มเติม ครั้งที่ 1.xlsx"
    out.append(File(code, path, "xlsx", [_level_sheet("district", title, above)]))
    twin = COPY_DISTRICTS[0]
    money = {YEARS[0]: Decimal(480_000)}
    for t in sorted(s.code for s in geothai.subdistricts(twin))[-2:]:
        tn = tambon_names[t]
        p = Project(twin, t, TWIN_NAME, [2], None, None, dict(money))
        p.plan_revision = "เพิ่มเติม ครั้งที่ 2"
        title = [f"แผนพัฒนาตำบล เพิ่มเติม ครั้งที่ 2 ตำบล{tn} อำเภอ{districts[twin]}"]
        path = f"{folders[twin]}/แผนพัฒนาตำบล{tn} เพิ่มเติม ครั้งที่ 2.xlsx"
        rows = [({"name": TWIN_NAME, "agency": "อบต." + tn}, p)]
        sheet = _level_sheet("village", title, rows)
        sheet.rows[-1].issues = ("same_name_other_tambon",)  # told, not merged
        out.append(File(twin, path, "xlsx", [sheet]))
    return out


# ---- writers ------------------------------------------------------------------------------------
def write_xlsx(path: Path, f: File) -> None:
    opts = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(str(path), opts)
    wb.set_properties({"created": CREATED, "author": "สำนักงานพัฒนาชุมชนอำเภอ"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    center = wb.add_format({"align": "center", "valign": "vcenter", "bold": True})
    for sh in f.sheets:
        ws = wb.add_worksheet(sh.name)
        if sh.hidden:
            ws.hide()
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
                    plan = p.plan_level if p.plan_level != "village" else str(p.village_numbers)
                    key = (p.district_code, p.tambon_code, plan, p.project_name, budgets)
                    kept[id(p)] = key not in seen
                    if key in seen:
                        issues.append({**at, "source_row": r, "code": "duplicate_project"})
                    seen.add(key)
                    p.source = (f.path, sh.name, r)
                    projects += [p] * kept[id(p)]
                    if kept[id(p)]:
                        issues += [{**at, "source_row": r, "code": c} for c in _alignment_issues(p)]
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
    linked = {id(a) for f in files for a, _, _ in f.links}
    districts = {}
    for code in sorted({p.district_code for p in projects}):
        folder = folders.get(code, "")
        mine = [p for p in projects if p.district_code == code]
        by_year = dict.fromkeys(map(str, YEARS), Decimal(0))
        by_route = dict.fromkeys(("own", "joint", "requested", "null"), Decimal(0))
        for p in mine:
            if id(p) in linked:  # counted once: in the project it links to
                continue
            for y, amount in p.budgets.items():
                by_year[str(y)] += amount
                by_route[p.funding_route or "null"] += amount
        districts[code] = {
            "folder": folder,
            "n_projects": len(mine),
            "budget_by_year": {y: _money(v) for y, v in by_year.items()},
            "budget_by_route": {k: _money(v) for k, v in by_route.items()},
        }
    links = [
        {"project": list(a.source), "linked_project": list(b.source), "link_kind": kind}
        for f in sorted(files, key=lambda f: f.path)
        for a, b, kind in f.links
    ]
    return {
        "fiscal_years": list(YEARS),
        "districts": districts,
        "files": out_files,
        "rejected": rejected,
        "issues": issues,
        "projects": [p.as_json() for p in projects],
        "links": links,
        "measures": [
            {
                "source_file": p.source[0],
                "source_sheet": p.source[1],
                "source_row": p.source[2],
                "measure": measure,
                "fiscal_year": year,
                "amount_thb": _money(amount),
            }
            for p in projects
            for (measure, year), amount in sorted(p.measures.items())
        ],  # fmt: skip
        "plan_rollup": _rollup(projects, [(a, b) for f in files for a, b, _ in f.links]),
    }


def _alignment_issues(p: Project) -> list[str]:
    """The info issues a kept project carries: no strategy, or a request naming no agency."""
    out = [] if p.strategy_code else ["strategy_unknown"]
    if p.funding_route in ("requested", "joint") and p.requested_from is None:
        out.append("requested_from_unknown")
    return out


def _rollup(projects: list[Project], links: list[tuple[Project, Project]]) -> list[dict]:
    """Baht per plan level, district and fiscal year: as written, and counted once (a project
    linked to another has its money counted there)."""
    linked = {id(a) for a, _ in links}
    totals: dict[tuple[str, str, int], list[Decimal]] = {}
    for p in projects:
        for y, amount in p.budgets.items():
            entry = totals.setdefault((p.plan_level, p.district_code, y), [Decimal(0)] * 2)
            entry[0] += amount
            entry[1] += Decimal(0) if id(p) in linked else amount
    return [
        {"plan_level": level, "district_code": code, "fiscal_year": y,
         "amount_thb": _money(a), "counted_amount_thb": _money(c)}
        for (level, code, y), (a, c) in sorted(totals.items())
    ]  # fmt: skip


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
