"""`bench` is not an installed package (pyproject lists flows and transforms): import it from
the repository root whichever way pytest was started."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
