"""Where the package's files are and a run's default paths.

Imports nothing but pathlib: the command line builds its parser from these, and `oneplan
status`, `oneplan sql` and `oneplan --help` must not pay for pandas or Prefect to do so.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the checkout, or site-packages/oneplan
DATA = ROOT / "data"
SQL = ROOT / "sql"
DEFAULT_INBOX = ROOT / "data" / "sample" / "inbox"
DEFAULT_DB = ROOT / "out" / "oneplan.duckdb"
DEFAULT_EXPORT = ROOT / "out" / "export"
