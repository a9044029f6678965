"""Consolidation district by district, each district's result cached in the staging folder.

Duplicates, project ids and the district-wide checks are judged within a district
(transforms.consolidate.consolidate_projects), so each district is consolidated apart. A
province folder's rows sit in the districts their places name (transforms.levels.place_projects):
the province folder and those districts are consolidated together, as one unit.

A unit's result is cached under a key made of its files' stage keys (flows.stage.stage_key),
the area scope, the rules fingerprint and the build fingerprint: a run where one file changed
consolidates that file's unit again and reads the others. An entry is written to a temporary
folder and renamed into place (as flows.stage.stage_file does); an entry that is unreadable or
whose recorded inputs are not this unit's is computed again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from oneplan.flows.durable import fsync_dir, read_regular, read_verified, write_durable
from oneplan.flows.levels import plans_of
from oneplan.flows.reference import build_fingerprint, rules_fingerprint
from oneplan.flows.stage import FileJob
from oneplan.transforms.consolidate import ProjectsPart, consolidate_projects
from oneplan.transforms.levels import FilePlan, place_projects
from oneplan.transforms.rules import Rules

PART_TABLES = ("projects", "budgets", "issues", "duplicates")
DONE = "consolidated.json"  # written last: the entry's inputs
_log = logging.getLogger("oneplan")


def submission_ids(items: list[dict]) -> list[str]:
    return [FileJob(**item["job"]).submission_id for item in items]


def rows_of(table: pa.Table, ids: list[str]) -> pa.Table:
    """The rows of the given files (by submission_id), in their staged order."""
    return table.filter(pc.is_in(table["submission_id"], value_set=pa.array(ids, pa.string())))


def consolidation_units(
    staged: list[dict], projects: pa.Table, plans: dict[str, FilePlan]
) -> list[list[dict]]:
    """The staged files grouped into units consolidated apart: one per district folder, a
    province folder joined with every district its rows are placed in. Units in code order,
    files in staged order."""
    by_folder: dict[str, list[dict]] = {}
    for item in staged:
        by_folder.setdefault(item["job"]["district_code"], []).append(item)
    parent = {code: code for code in by_folder}

    def root(code: str) -> str:
        while parent[code] != code:
            code = parent[code]
        return code

    for code, items in by_folder.items():
        if len(code) != 2:  # only a province folder's rows move (levels.place_projects)
            continue
        rows = rows_of(projects, submission_ids(items)).to_pandas()
        for placed in place_projects(rows, plans)["district_code"].unique():
            if placed in parent:
                parent[root(placed)] = root(code)
    units: dict[str, list[dict]] = {}
    for code in sorted(by_folder):
        units.setdefault(root(code), []).extend(by_folder[code])
    order = {id(item): i for i, item in enumerate(staged)}
    return [sorted(items, key=lambda item: order[id(item)]) for items in units.values()]


def unit_inputs(items: list[dict]) -> dict:
    """What a unit's consolidation depends on (recorded in its cache entry)."""
    return {
        "stage_keys": sorted(Path(item["staged"]).name for item in items),
        "scope": sorted({item["job"].get("provinces", "") for item in items}),
        "rules": rules_fingerprint(),
        "build": build_fingerprint(),
    }


def unit_key(inputs: dict) -> str:
    """The cache entry's folder name: 32 hex digits like a stage key (flows.paths)."""
    text = json.dumps({"kind": "consolidated", **inputs}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def part_to_arrow(part: ProjectsPart) -> dict[str, pa.Table]:
    return {
        name: pa.Table.from_pandas(getattr(part, name), preserve_index=False)
        for name in PART_TABLES
    }


def part_from_arrow(tables: dict[str, pa.Table]) -> ProjectsPart:
    frames = {}
    for name, table in tables.items():
        frame = table.to_pandas()
        for field in table.schema:
            if pa.types.is_list(field.type):  # back to Python lists, as the reader makes them
                frame[field.name] = [
                    None if v is None else list(v) for v in frame[field.name].tolist()
                ]
        frames[name] = frame
    return ProjectsPart(**frames)


def read_part(staging: Path, key: str, inputs: dict) -> dict[str, pa.Table] | None:
    """The cached part's tables, or None when there is none, it is unreadable, it was made
    from other inputs, or a file of it is not the one written (its SHA-256, recorded in the
    entry, differs: edited on disk, or cut by a crash)."""
    entry = staging / key
    try:
        raw = read_regular(entry / DONE, 1 << 20)
        if raw is None:
            return None
        recorded = json.loads(raw)
        hashes = recorded.pop("sha256", None) if isinstance(recorded, dict) else None
        if recorded != {"key": key, **inputs} or not isinstance(hashes, dict):
            return None
        tables = {}
        for name in PART_TABLES:
            data = read_verified(entry / f"{name}.parquet", hashes.get(name))
            if data is None:
                _log.warning("consolidation cache %s not as written: consolidating again", key)
                return None
            tables[name] = pq.read_table(pa.BufferReader(data))
        return tables
    except Exception as err:  # unreadable: computed again
        _log.warning("consolidation cache %s unreadable (%s): consolidating again", entry, err)
        return None


def write_part(staging: Path, key: str, inputs: dict, tables: dict[str, pa.Table]) -> None:
    """The entry written beside its place, each file flushed to disk and its SHA-256
    recorded in the entry's DONE file (written last), then renamed into place."""
    target = staging / key
    tmp = target.with_name(f"{key}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    hashes = {}
    for name, table in tables.items():
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="none")
        hashes[name] = write_durable(tmp / f"{name}.parquet", sink.getvalue().to_pybytes())
    write_durable(tmp / DONE, json.dumps({"key": key, **inputs, "sha256": hashes}).encode())
    fsync_dir(tmp)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    fsync_dir(staging)


def consolidate_unit(
    items: list[dict],
    tables: dict[str, pa.Table],
    plans: dict[str, FilePlan],
    tambon_names: dict[str, str],
    rules: Rules,
) -> ProjectsPart:
    ids = submission_ids(items)
    projects = place_projects(rows_of(tables["projects"], ids).to_pandas(), plans)
    budgets = rows_of(tables["budgets"], ids).to_pandas()
    measures = rows_of(tables["measures"], ids).to_pandas() if "measures" in tables else None
    return consolidate_projects(projects, budgets, tambon_names, rules, measures)


def split_part(tables: dict[str, pa.Table], units: list[list[dict]]) -> list[dict[str, pa.Table]]:
    """One part of several units cut into each unit's part (every row names its file)."""
    unit_of = {}
    for i, items in enumerate(units):
        for item in items:
            unit_of[FileJob(**item["job"]).submission_id] = i
            unit_of[item["job"]["source_file"]] = i
    by_column = {"duplicates": "source_file"}
    out: list[dict[str, pa.Table]] = [{} for _ in units]
    for name, table in tables.items():
        column = by_column.get(name, "submission_id")
        if column not in table.column_names:  # no row: every unit's is empty
            for part in out:
                part[name] = table
            continue
        index = pa.array([unit_of[v] for v in table[column].to_pylist()], pa.int32())
        for i, part in enumerate(out):
            part[name] = table.filter(pc.equal(index, i))
    return out


def consolidate_districts(
    staged: list[dict],
    tables: dict[str, pa.Table],
    tambon_names: dict[str, str],
    rules: Rules,
    staging: Path | None = None,
    failures: list | None = None,
) -> ProjectsPart:
    """Every unit's consolidated part (see consolidation_units) as one part: read from the
    cache in `staging` when a unit's inputs are unchanged; the others consolidated in one
    pass (units never share a duplicate, an id or a district check) and, with `staging`,
    cut into their units and cached. Computed and cached parts both go through their Arrow
    form, so a cached unit gives the same frames as a computed one.

    With a `failures` list, a unit whose consolidation raises is left out of the part and
    appended to it as (its staged items, the error): one district's failure is that
    district's (the caller keeps its previous version), never the province's."""
    plans = plans_of(staged)
    units = consolidation_units(staged, tables["projects"], plans)
    parts: list[dict[str, pa.Table] | None] = [None] * len(units)
    inputs = [unit_inputs(items) if staging is not None else {} for items in units]
    keys = [unit_key(i) if staging is not None else "" for i in inputs]
    if staging is not None:
        parts = [read_part(staging, k, i) for k, i in zip(keys, inputs, strict=True)]
    todo = [i for i, part in enumerate(parts) if part is None]
    if not units:  # no file: the empty part, with its columns
        parts = [part_to_arrow(consolidate_unit([], tables, plans, tambon_names, rules))]
    elif todo:
        items = [item for i in todo for item in units[i]]
        try:
            computed = part_to_arrow(consolidate_unit(items, tables, plans, tambon_names, rules))
            # Cut into units whether cached or not: the rows come in the same order either way.
            done = split_part(computed, [units[i] for i in todo])
        except Exception:
            if failures is None:
                raise
            done = [_one_unit(units[i], tables, plans, tambon_names, rules, failures) for i in todo]
        for i, part in zip(todo, done, strict=True):
            if staging is not None and part is not None:
                write_part(staging, keys[i], inputs[i], part)
            parts[i] = part
    present = [p for p in parts if p is not None]
    if not present:  # every unit failed: the empty part, with its columns
        present = [part_to_arrow(consolidate_unit([], tables, plans, tambon_names, rules))]
    return part_from_arrow({name: concat_parts([p[name] for p in present]) for name in PART_TABLES})


def _one_unit(items, tables, plans, tambon_names, rules, failures: list):
    """One unit consolidated alone: its part, or None with (items, error) in `failures`."""
    try:
        return part_to_arrow(consolidate_unit(items, tables, plans, tambon_names, rules))
    except Exception as err:
        _log.warning("consolidation of %s failed: %s", items[0]["job"]["district_code"], err)
        failures.append((items, f"{type(err).__name__}: {err}"[:300]))
        return None


def concat_parts(tables: list[pa.Table]) -> pa.Table:
    """Units' tables of one kind as one table. A unit with no row (a district whose files
    gave no accepted row) or a column that is null throughout has no type of its own when it
    comes back from pandas (null, or double): it takes the type the other units have, so a
    cached part (a list of village numbers) and a computed empty one meet."""
    present = [t for t in tables if t.num_rows] or tables[:1]
    if len(present) == 1:
        return present[0]
    types: dict[str, pa.DataType] = {}
    for table in present:
        for field, column in zip(table.schema, table.columns, strict=True):
            if field.name not in types and column.null_count < len(column):
                types[field.name] = field.type
    fixed = []
    for table in present:
        for i, (field, column) in enumerate(zip(table.schema, table.columns, strict=True)):
            wanted = types.get(field.name)
            if wanted is not None and field.type != wanted and column.null_count == len(column):
                table = table.set_column(i, field.name, pa.nulls(len(column), wanted))
        fixed.append(table)
    return pa.concat_tables(fixed, promote_options="permissive")


def frames_for_combine(tables: dict[str, pa.Table]) -> dict[str, pd.DataFrame]:
    """The staged tables combine_parts reads whole (row log, issues, rejected rows) as
    DataFrames; projects and budgets only as their (empty) columns."""
    out = {kind: tables[kind].to_pandas() for kind in ("row_log", "issues", "rejected")}
    out.update({kind: tables[kind].slice(0, 0).to_pandas() for kind in ("projects", "budgets")})
    return out
