"""``python -m gradwise``: the same command line as the ``gradwise`` script."""

import sys

from .cli import main

if __name__ == "__main__":  # worker processes started with 'spawn' import this module as __mp_main__
    sys.exit(main())
