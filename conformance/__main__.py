"""`python -m conformance ...`: the `conformance` command (conformance/cli)."""

import sys

from .cli import main

sys.exit(main())
