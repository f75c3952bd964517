"""Every fenced block of every documentation page runs: its Python blocks in order, drawing the figures the
page shows, then its shell commands (tests/docs/commands.py says how, and which run in a cheap form).

The pages run in parallel (each writes its own files); test_site.py builds the site from a
copy of docs/, so it never races with them.
"""

import re
import sys
from pathlib import Path

import pytest

from . import commands

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "hooks"))
import pages  # noqa: E402

ALL_PAGES = sorted(pages.DOCS.rglob("*.md"))
PAGES_WITH_CODE = [page for page in ALL_PAGES if pages.code_blocks(page) or pages.command_blocks(page)]
# What a ```text block may hold: only what a page's code wrote, included by pymdownx.snippets.
INCLUDE = re.compile(r'(\s*--8<-- "images/generated/[^"]+"\s*)+')


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda page: str(page.relative_to(pages.DOCS)))
def test_page_runs_and_draws_its_figures(page, tmp_path):
    with pages.database_for(page) as database:
        pages.run_page(page, database=database)
        commands.run_commands(page, tmp_path, database=database)
    for name in pages.generated_images(page):
        written = pages.GENERATED / name
        assert written.stat().st_size > (1000 if name.endswith(".png") else 0), f"{written} is (nearly) empty"


def test_every_block_a_page_shows_is_run():
    not_run = [f"{page.relative_to(pages.DOCS)}:{line} ({language or 'no language'})"
               for page in ALL_PAGES for line, language, text in pages.fenced_blocks(page)
               if language not in ("python", "bash") and not (language == "text" and INCLUDE.fullmatch(text))]
    assert not not_run, f"blocks that show code no test runs (fence them python or bash): {not_run}"


def test_every_cheap_form_is_for_a_command_a_page_shows():
    shown = [command for page in ALL_PAGES for _, command in commands.command_lines(page)]
    for pattern in [form.pattern for form in commands.CHEAP_FORMS] + [row[0] for row in commands.EXPECTED_STATUS]:
        assert any(re.search(pattern, command) for command in shown), f"no page shows a command matching {pattern}"


def test_a_failing_command_names_its_page_and_line(tmp_path):
    page = tmp_path / "broken.md"
    page.write_text("# t\n\n```bash\ngradwise --version   # fine\n\ngradwise predict --model nothing.gw \\\n"
                    "    --data nothing.csv\n```\n")
    with pytest.raises(commands.CommandError, match=r"broken.md, line 6: `gradwise predict --model nothing.gw "
                                                     r"--data nothing.csv` .*ended with status 1"):
        commands.run_commands(page, tmp_path)


def test_a_command_run_in_a_cheap_form_still_fails_when_broken(tmp_path):
    page = tmp_path / "install.md"
    page.write_text('```bash\npython3 -m venv .venv && .venv/bin/pip install -q -e ".[no_such_extra]"\n```\n')
    with pytest.raises(commands.CommandError, match="no extra 'no_such_extra'"):
        commands.run_commands(page, tmp_path)


def test_the_lessons_have_code_that_runs():
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
