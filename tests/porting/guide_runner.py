"""What the guide-style porting tests share: run a snippet as a script, then check its expectations."""

import runpy

import numpy as np


def run_snippet_and_check(path, expectations):
    """Run `path` as ``__main__`` in the current directory; assert each expression over its variables."""
    scope = runpy.run_path(str(path), run_name="__main__")
    for expression in expectations:
        assert eval(expression, {"np": np}, dict(scope)), expression  # noqa: S307 - our own expressions
