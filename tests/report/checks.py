"""What every rendered report must satisfy: self-contained, readable, drawn, silent in the console."""

import re

MAX_BYTES = 3_000_000


def check_page(path, rendered, numbers=()):
    """Assert the page at `path`, as `rendered` by the browser, is a good report showing `numbers` (text)."""
    html = path.read_text(encoding="utf-8")
    assert len(html.encode()) < MAX_BYTES
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the page loads something from elsewhere"
    assert "<script" not in html and "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(?!#)", html), "only references inside the page (clip paths) may use url()"
    assert rendered.errors() == [], rendered.errors()
    assert rendered.ink() > 0.02, "the screenshot is (nearly) blank"
    assert rendered.pdf_pages >= 1
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert svgs, "no chart"
    assert all('role="img"' in tag and "aria-label=" in tag for tag in svgs)
    assert html.count("<title>") == len(svgs) + 1  # the page's title and one per chart
    assert re.search(r"<h1>", html) and len(re.findall(r"<h2 ", html)) >= 3
    for value in numbers:
        assert value in rendered.text, f"{value!r} is not in the page's text"
