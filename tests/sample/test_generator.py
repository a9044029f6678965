"""The sample generator: deterministic, self-consistent, true to its files, bundled up to date."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import random
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import geothai
import pytest
from oneplan.sample import generator as sample
from python_calamine import CalamineWorkbook

REJECTIONS = {
    "missing_project_name",
    "unknown_tambon",
    "tambon_wrong_district",
    "unreadable_budget",
    "negative_budget",
    "unreadable_fiscal_year",
}
BUNDLED = sample.DATA / "sample"
REGENERATE = "run `oneplan sample` to refresh data/sample"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sample")
    return out, sample.write_sample(out)


def _digests(inbox: Path) -> dict[str, str]:
    files = sorted(p for p in inbox.rglob("*") if p.is_file())
    return {
        p.relative_to(inbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    }


def _read(path: Path) -> dict[str, list[list]]:
    """Every sheet's rows as a reader sees them (a CSV is one sheet named "")."""
    if path.suffix == ".csv":
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(codecs.BOM_UTF8) else raw.decode("cp874")
        return {"": list(csv.reader(io.StringIO(text)))}
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def _amount(cell) -> Decimal:
    if isinstance(cell, float | int):
        return Decimal(str(cell))
    text = cell.strip().replace(",", "").translate(sample.ARABIC)
    return Decimal(0) if text == "-" else Decimal(text)


def test_generating_twice_gives_the_same_manifest_and_the_same_bytes(generated, tmp_path):
    out, manifest = generated
    assert sample.write_sample(tmp_path) == manifest
    assert _digests(tmp_path / "inbox") == _digests(out / "inbox")  # xlsx, xls, ods and csv alike


def test_bundled_sample_is_what_the_generator_writes(generated):
    out, manifest = generated
    bundled = json.loads((BUNDLED / "expected.json").read_text(encoding="utf-8"))
    assert bundled == json.loads(json.dumps(manifest)), REGENERATE
    assert _digests(BUNDLED / "inbox") == _digests(out / "inbox"), REGENERATE


def test_manifest_totals_add_up(generated):
    _, m = generated
    by_district = defaultdict(list)
    for p in m["projects"]:
        by_district[p["district_code"]].append(p)
    # Province-wide projects of the provincial plan sit in the province ("18") itself.
    places = {d.code for d in geothai.districts("18")} | {"18"}
    assert set(m["districts"]) == set(by_district) == places
    linked = {tuple(link["project"]) for link in m["links"]}
    for code, d in m["districts"].items():
        assert d["n_projects"] == len(by_district[code])
        # Money counted once: a project linked to another counts there.
        mine = [
            p
            for p in by_district[code]
            if (p["source_file"], p["source_sheet"], p["source_row"]) not in linked
        ]
        for y in m["fiscal_years"]:
            total = sum((Decimal(p["budgets"].get(str(y), "0")) for p in mine), Decimal(0))
            assert Decimal(d["budget_by_year"][str(y)]) == total, (code, y)
        for route in ("own", "joint", "requested", None):
            total = sum(
                (
                    Decimal(a)
                    for p in mine
                    if p["funding_route"] == route
                    for a in p["budgets"].values()
                ),
                Decimal(0),
            )
            assert Decimal(d["budget_by_route"][route or "null"]) == total, (code, route)
    assert 150 <= sum(p["plan_level"] == "tambon" for p in m["projects"]) <= 300
    amounts = [a for p in m["projects"] for a in p["budgets"].values()]
    assert all(re.fullmatch(r"\d+\.\d\d", a) for a in amounts)
    assert all(set(p["budgets"]) <= {str(y) for y in m["fiscal_years"]} for p in m["projects"])


def test_every_read_row_is_accounted_for(generated):
    _, m = generated
    rejected_per_file = defaultdict(int)
    for r in m["rejected"]:
        rejected_per_file[r["source_file"]] += 1
    for path, f in m["files"].items():
        assert f["n_rows_read"] == f["n_rows_accepted"] + f["n_rows_rejected"] + f["n_rows_skipped"]
        assert f["n_rows_skipped"] == sum(f["skipped_by_kind"].values())
        assert f["n_rows_rejected"] == rejected_per_file[path]
    kinds = {k for f in m["files"].values() for k in f["skipped_by_kind"]}
    assert kinds == {"title", "header", "section", "subtotal", "continuation", "duplicate",
                     "summary_sheet", "blank_stub", "no_header", "subsection", "unit", "note",
                     "signature", "section_title", "amendment", "chart_sheet"}  # fmt: skip
    n_dup_rows = sum(f["skipped_by_kind"].get("duplicate", 0) for f in m["files"].values())
    n_dup_issues = sum(i["code"] == "duplicate_project" for i in m["issues"])
    assert n_dup_rows >= n_dup_issues > 0


def test_every_rejection_reason_is_planted_in_two_formats(generated):
    _, m = generated
    formats = defaultdict(set)
    for r in m["rejected"]:
        for reason in r["reasons"]:
            formats[reason].add(Path(r["source_file"]).suffix)
    assert set(formats) == REJECTIONS
    assert all(len(exts) >= 2 for exts in formats.values()), formats
    assert any(len(r["reasons"]) >= 2 for r in m["rejected"])
    issue_codes = {i["code"] for i in m["issues"]}
    assert {
        "fuzzy_tambon_match",
        "duplicate_project",
        "unknown_header",
        "summary_sheet",
    } <= issue_codes


def test_projects_cover_every_tambon_once_each_and_never_share_a_name(generated):
    _, m = generated
    register = {s.code for d in geothai.districts("18") for s in geothai.subdistricts(d.code)}
    tambon_plans = [p for p in m["projects"] if p["plan_level"] == "tambon"]
    # Every tambon, and one district-wide place: the municipal plan that names no tambon.
    assert {p["tambon_code"] for p in tambon_plans} == register | {sample.MUNICIPAL_DISTRICT}
    keys = [
        (p["plan_level"], p["tambon_code"], p["project_name"], tuple(p["budgets"].items()))
        for p in m["projects"]
    ]
    assert len(keys) == len(set(keys))
    tambons_of_name = defaultdict(
        set
    )  # the same name in two tambons raises same_name_other_tambon: only where planted
    for p in m["projects"]:
        tambons_of_name[p["district_code"], p["project_name"]].add(p["tambon_code"])
    shared = {name for (_, name), t in tambons_of_name.items() if len(t) > 1}
    assert shared == {sample.TWIN_NAME}  # two tambons' same-named projects: two projects (issue 23)
    told = {(i["source_file"], i["source_row"]) for i in m["issues"]
            if i["code"] == "same_name_other_tambon"}  # fmt: skip
    twins = {(p["source_file"], p["source_row"]) for p in m["projects"]
             if p["project_name"] == sample.TWIN_NAME}  # fmt: skip
    assert len(twins) == 2 and twins <= told
    places = [(p["source_file"], p["source_sheet"], p["source_row"]) for p in m["projects"]]
    assert len(places) == len(set(places))


def test_files_read_back_have_the_manifest_row_counts(generated):
    out, m = generated
    for path, f in m["files"].items():
        sheets = _read(out / "inbox" / path)
        n_read = sum(any(str(v).strip() for v in row) for rows in sheets.values() for row in rows)
        assert n_read == f["n_rows_read"], path


@pytest.mark.parametrize("district, ext", [("1801", ".xlsx"), ("1803", ".xls")])
def test_projects_sit_at_their_manifest_rows(generated, district, ext):
    out, m = generated
    folder, layout = sample.DISTRICTS[district]
    cols = sample.DistrictBuilder.expand(sample.LAYOUTS[layout])
    name_col = next(c for c, (_, f, _) in enumerate(cols) if f == "name")
    year_cols = {str(y): c for c, (_, _, y) in enumerate(cols) if y}
    projects = [
        p
        for p in m["projects"]
        if p["district_code"] == district and p["source_sheet"] != sample.LEVEL_SHEET
    ]
    assert projects and all(p["source_file"].endswith(ext) for p in projects)
    for p in projects:
        row = _read(out / "inbox" / p["source_file"])[p["source_sheet"]][p["source_row"] - 1]
        assert p["project_name"].startswith(sample.clean_text(row[name_col])), p
        budgets = {y: _amount(row[c]) for y, c in year_cols.items() if row[c] != ""}
        assert budgets == {y: Decimal(a) for y, a in p["budgets"].items()}, p


def test_planted_cells_sit_at_their_manifest_rows(generated):
    out, m = generated

    def row_of(entry):
        path = out / "inbox" / entry["source_file"]
        return _read(path)[entry["source_sheet"]][entry["source_row"] - 1]

    bad = [r for r in m["rejected"] if r["reasons"] == ["unreadable_budget"]]
    ref = next(r for r in bad if r["source_file"].endswith(".xlsx"))
    assert "#REF!" in row_of(ref)
    unknown = row_of(next(r for r in bad if r["source_file"].endswith(".xls")))
    cols = sample.DistrictBuilder.expand(sample.LAYOUTS["xls_thai"])
    year_cells = [unknown[c] for c, (_, _, y) in enumerate(cols) if y]
    assert "ไม่ทราบ" in year_cells  # one bad cell among good ones: the whole row is rejected
    assert any(_amount(v) > 0 for v in year_cells if v not in ("", "ไม่ทราบ"))
    names = [s.name_th for d in geothai.districts("18") for s in geothai.subdistricts(d.code)]
    fuzzy = next(i for i in m["issues"] if i["code"] == "fuzzy_tambon_match")
    tambon = sample.clean_text(row_of(fuzzy)[1]).removeprefix("ต.").removeprefix("ตำบล").strip()
    assert tambon not in names
    assert sorted(sample.edit_distance(tambon, n) for n in names)[:2][0] == 1
    header = next(i for i in m["issues"] if i["code"] == "unknown_header")
    assert sample.UNKNOWN_HEADER in row_of(header)


def _normalize_header(text) -> str:
    """Headers compared without spaces, brackets or dots, Thai digits as Arabic."""
    return re.sub(r"[\s().]", "", sample.clean_text(str(text)).translate(sample.ARABIC).lower())


def test_every_header_is_a_known_synonym_except_the_planted_one():
    with open(sample.DATA / "header_synonyms.csv", encoding="utf-8", newline="") as fh:
        synonyms = list(csv.DictReader(fh))
    exact = {_normalize_header(s["pattern"]) for s in synonyms if s["match"] == "exact"}
    with open(sample.DATA / "amount_measures.csv", encoding="utf-8", newline="") as fh:
        # A year group's label (เทศบัญญัติ over its years) is a measure, not a column.
        exact |= {
            _normalize_header(w) for row in csv.DictReader(fh) for w in row["pattern"].split("|")
        }
    years = [re.compile(s["pattern"]) for s in synonyms if s["match"] == "regex"]
    unknown = set()
    for f in sample.build_sample():
        for sh in f.sheets:
            for row in (r for r in sh.rows if r.kind == "header"):
                for h in (_normalize_header(v) for v in row.cells if v not in (None, "")):
                    ce_year = re.fullmatch(r"คศ20\d\d", h)  # read as BE and warned
                    if h not in exact and not any(rx.match(h) for rx in years) and not ce_year:
                        unknown.add(h)
    assert unknown == {sample.UNKNOWN_HEADER}


def test_vocabulary_agrees_with_the_reference_tables():
    for routes in sample.ROUTE_TEXTS.values():
        for route, texts in routes.items():
            assert {sample.funding_route(t.format(t="หันคา")) for t in texts} == {route}
    with open(sample.DATA / "strategy_keywords.csv", encoding="utf-8", newline="") as fh:
        keywords = [row["keyword"] for row in csv.DictReader(fh)]
    assert all(any(k in c for k in keywords) for c in sample.CATEGORIES)
    names = [s.name_th for d in geothai.districts("18") for s in geothai.subdistricts(d.code)]
    assert min(sample.edit_distance(sample.UNKNOWN_TAMBON, n) for n in names) >= 3


def test_a_layout_can_be_reused_for_another_district():
    tambons = geothai.subdistricts("1801")
    others = geothai.subdistricts("1802")
    files = sample.build_district("1801", tambons, "xlsx_long", random.Random(7), "x", others)
    manifest = sample.build_manifest(files)
    assert {p["tambon_code"] for p in manifest["projects"]} == {t.code for t in tambons}
    assert all(path.startswith("x/") for path in manifest["files"])


def test_plans_of_every_level_mirror_tambon_projects_with_spelling_variants(generated):
    _, m = generated
    levels = {p["plan_level"] for p in m["projects"]}
    assert levels == {"village", "tambon", "district", "province"}
    at = {(p["source_file"], p["source_sheet"], p["source_row"]): p for p in m["projects"]}
    kinds = defaultdict(int)
    for link in m["links"]:
        child, parent = at[tuple(link["project"])], at[tuple(link["linked_project"])]
        kinds[link["link_kind"], child["plan_level"], parent["plan_level"]] += 1
        assert child["project_name"] != parent["project_name"]  # a variant, never a copy
        assert child["budgets"] == parent["budgets"]
    assert set(kinds) == {
        ("rolls_up_to", "village", "tambon"),
        ("rolls_up_to", "tambon", "district"),
        ("rolls_up_to", "tambon", "province"),
        ("rolls_up_to", "district", "province"),
        ("possible_duplicate", "tambon", "tambon"),
    }
    places = {len(p["tambon_code"]) for p in m["projects"] if p["plan_level"] == "province"}
    assert places == {2, 4, 6}  # province-wide, district-wide and tambon rows
    total = sum(Decimal(r["amount_thb"]) for r in m["plan_rollup"])
    counted = sum(Decimal(r["counted_amount_thb"]) for r in m["plan_rollup"])
    linked = {tuple(link["project"]) for link in m["links"]}
    assert total - counted == sum(Decimal(a) for key in linked for a in at[key]["budgets"].values())


def test_spelling_variant_differs_but_keeps_the_words():
    rng = random.Random(1)
    for name in ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ที่ 3", "ปรับปรุงศูนย์พัฒนาเด็กเล็ก"):
        variant = sample.spelling_variant(name, rng, "ตลุก")
        assert variant != name
        assert variant.removeprefix("โครงการ")[:6] == name.removeprefix("โครงการ")[:6]


def test_the_official_forms_hold_amendments_measures_and_the_sheet_kinds(generated):
    """The municipality's ผ.01/ผ.02 workbook: a project returning in a later amendment is one
    project with its years merged (the later amount winning, warned), the เทศบัญญัติ group is
    a measure kept apart, the chart and ผ.01/1 sheets are skipped with their kind."""
    _, m = generated
    forms = [p for p in m["projects"] if p["district_code"] == sample.FORMS_DISTRICT
             and "เทศบาลตำบล" in p["source_file"]]  # fmt: skip
    road = next(p for p in forms if p["project_name"].startswith("ก่อสร้างถนน คสล. ซอยวัด"))
    assert road["budgets"] == {"2568": "480000.00", "2569": "100000.00"}
    assert road["plan_revision"] == "เพิ่มเติม ครั้งที่ 2/2569"
    assert sum(p["plan_revision"] is not None for p in forms) == 3
    assert {(x["measure"], x["fiscal_year"], x["amount_thb"]) for x in m["measures"]} == {
        ("ordinance", 2568, "430000.00"), ("ordinance", 2568, "250000.00"),
        ("ordinance", 2569, "0.00"),
    }  # fmt: skip
    assert {p["funding_route"] for p in forms if "ผ.02-2" in p["source_file"]} == {"requested"}
    codes = {i["code"] for i in m["issues"]}
    assert {"amendment_changed_amount", "chart_sheet", "summary_sheet"} <= codes
