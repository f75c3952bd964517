"""Every fenced Python block of every documentation page runs, in order, and draws the figures its page shows.

The pages run in parallel (each writes its own files); test_site.py builds the site from a
copy of docs/, so it never races with them.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "hooks"))
import pages  # noqa: E402


@pytest.mark.parametrize("page", pages.runnable_pages(), ids=lambda page: str(page.relative_to(pages.DOCS)))
def test_page_runs_and_draws_its_figures(page):
    pages.run_page(page)
    for name in pages.generated_images(page):
        written = pages.GENERATED / name
        assert written.stat().st_size > (1000 if name.endswith(".png") else 0), f"{written} is (nearly) empty"


def test_the_lessons_and_guides_have_code_that_runs():
    runnable = {str(page.relative_to(pages.DOCS)) for page in pages.runnable_pages()}
    lessons = {str(page.relative_to(pages.DOCS)) for page in (pages.DOCS / "lessons").glob("*.md")} - {"lessons/index.md"}
    assert lessons and lessons <= runnable, f"lessons without a block that runs: {sorted(lessons - runnable)}"


def test_a_failing_block_names_its_page_and_line(tmp_path):
    page = tmp_path / "broken.md"
    page.write_text("# t\n\n```python\nx = 1\n```\n\ntext\n\n```python\nraise ValueError('boom')\n```\n")
    with pytest.raises(pages.PageError, match=r"broken.md, block at line 10: ValueError: boom"):
        pages.run_page(page)


def test_a_figure_the_page_shows_but_does_not_draw_fails(tmp_path):
    page = tmp_path / "undrawn.md"
    page.write_text("# t\n\n```python\nx = 1\n```\n\n![curve](../images/generated/never_drawn.png)\n")
    with pytest.raises(FileNotFoundError, match="never_drawn.png"):
        pages.run_page(page)
