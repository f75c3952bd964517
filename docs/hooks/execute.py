"""mkdocs hook: run every page's code before the build, so the figures the pages show are drawn now.

``GRADWISE_DOCS_EXECUTE`` chooses what runs: ``all`` (the default, ``make docs``),
``missing`` (only pages whose figures are not there yet: the test suite, which has just
run every page in tests/docs/test_pages.py), or ``none``.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402


def on_pre_build(config):
    mode = os.environ.get("GRADWISE_DOCS_EXECUTE", "all")
    if mode not in ("all", "missing", "none"):
        raise ValueError(f"GRADWISE_DOCS_EXECUTE must be 'all', 'missing' or 'none', got {mode!r}.")
    if mode == "none":
        return
    for page in pages.runnable_pages():
        if mode == "missing" and all((pages.GENERATED / name).exists() for name in pages.generated_images(page)):
            continue
        with pages.database_for(page) as database:
            seconds = pages.run_page(page, database=database)
        print(f"ran {page.relative_to(pages.DOCS)} in {seconds:.1f} s", file=sys.stderr)
