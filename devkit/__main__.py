"""`python -m devkit`: the developer commands (demo, services, evaluations, bench, load)."""

import sys

from devkit.cli import main

sys.exit(main())
