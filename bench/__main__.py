"""python -m bench: the district-sized paired benchmark (bench.paired); `--tiny` runs the old
tiny-file corpora (bench.measure) with that module's options."""

import sys

if "--tiny" in sys.argv[1:]:
    from bench.measure import main

    sys.argv.remove("--tiny")
else:
    from bench.paired import main

raise SystemExit(main())
