"""`python -m nashra.cli`: the same as the `nashra` command."""

import sys

from nashra.cli.main import main

sys.exit(main())
