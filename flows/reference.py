"""Load the reference tables in `data/` into the reader's `Rules` and the official areas."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pandas as pd
from oneplan.flows.defaults import DATA, DEFAULT_DB, DEFAULT_EXPORT, DEFAULT_INBOX, ROOT, SQL
from oneplan.transforms.areas import CHAI_NAT, TambonMatcher, areas_frame
from oneplan.transforms.rules import Rules, build_rules

RULE_TABLES = (
    "header_synonyms",
    "row_kinds",
    "sheet_kinds",
    "funding_routes",
    "issue_codes",
    "strategies",
)


def _read_table(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The compiled reading rules from data/*.csv."""
    return build_rules(*(_read_table(name) for name in RULE_TABLES))


@lru_cache(maxsize=4)
def load_areas(provinces: str = CHAI_NAT) -> pd.DataFrame:
    """Official districts and tambons in scope: a province code, several ("18,17") or "all"."""
    return areas_frame(provinces)


@lru_cache(maxsize=4)
def load_matcher(provinces: str = CHAI_NAT) -> TambonMatcher:
    return TambonMatcher(load_areas(provinces))


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """Changes whenever the reading rules or the reader's code change: staged parses made
    under other rules are not reused."""
    digest = hashlib.sha256()
    paths = sorted(DATA.glob("*.csv")) + sorted((ROOT / "transforms").glob("*.py"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def build_fingerprint() -> str:
    """Changes whenever anything that shapes the published tables changes: the reading rules,
    the transforms, the flows and the SQL."""
    digest = hashlib.sha256()
    paths = (
        sorted(DATA.glob("*.csv"))
        + sorted((ROOT / "transforms").glob("*.py"))
        + sorted((ROOT / "flows").glob("*.py"))
        + sorted(SQL.rglob("*.sql"))
    )
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


__all__ = [  # the paths live in flows.defaults (no heavy imports); re-exported here
    "DATA", "DEFAULT_DB", "DEFAULT_EXPORT", "DEFAULT_INBOX", "ROOT", "SQL",
    "build_fingerprint", "load_areas", "load_matcher", "load_rules", "rules_fingerprint",
]  # fmt: skip
