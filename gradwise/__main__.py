"""``python -m gradwise``: the same command line as the ``gradwise`` script."""

import sys

from .cli import main

sys.exit(main())
