"""python -m oneplan: the oneplan command."""

import sys

from oneplan.flows.cli import main

sys.exit(main())
