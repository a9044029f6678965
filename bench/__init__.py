"""Benchmark of the One Plan pipeline on district-sized files at province, region and nation scale.

    python -m bench [--scale province[,region]] [--runs 3] [--out bench/results]
    python -m bench --tiny [--scale ...]        the old tiny-file corpora (about 28 rows a file)

`bench.corpus_district` writes the district-sized corpora (one workbook per district or per
tambon, 100 to 1,000 rows, the sample's layouts, geothai's real codes) on top of `bench.corpus`;
`bench.paired` times ours (`run_plan`, `oneplan run`) against the pandas script (openpyxl and
calamine, header=None) and the python-calamine floor in paired rounds of fresh processes;
`bench.measure` is the older per-mode harness (`--tiny`), and `bench.profile` profiles
`run_plan` on one corpus.
"""

import os

# The "one file changed" reruns modify a file and run at once: measure the change being
# published, not held for the quiet period of a possibly stalled upload (flows/config.py).
os.environ.setdefault("ONEPLAN_QUIET_SECONDS", "0")
