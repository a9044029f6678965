"""python -m bench: see bench.measure."""

from bench.measure import main

raise SystemExit(main())
