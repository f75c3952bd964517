"""Look at the built documentation site in headless Chromium, and take the README's lesson screenshot.

Every page of site/ (built by `make docs`) is opened in headless Chromium with the network
cut; a page fails when the browser logs an error or warning (a script error, an image or a
stylesheet that did not load), when an image it shows is missing from the site, or when it
renders (nearly) blank. The lesson given (vanishing gradients by default) is saved as
docs/screenshot-lesson.png (taken 1440 pixels wide, with the navigation showing, and saved 900 wide) for the README.

    make docs && python scripts/check-docs-site.py [--lesson lessons/NAME.html] [--no-screenshot]

Needs Chromium (bash scripts/ensure-chromium.sh) and websocket-client (the test extra); it
drives the browser with the report tests' helper, tests/report/browser.py. Exits 1 when a
page has a problem.
"""

import argparse
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.report.browser import Browser, chromium_path  # noqa: E402


def problems_of(page, rendered):
    """What is wrong with one rendered page of the site, as sentences."""
    found = [f"browser {level}: {text}" for _, level, text in rendered.errors()]
    for source in re.findall(r'<img[^>]+src="([^"]+)"', rendered.html):
        if not source.startswith(("data:", "http")) and not (page.parent / source.split("#")[0]).exists():
            found.append(f"image not in the site: {source}")
    if rendered.ink() < 0.02:
        found.append("the page renders (nearly) blank")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default=str(ROOT / "site"), help="the built site (default site/)")
    parser.add_argument("--lesson", default="lessons/vanishing-gradients.html",
                        help="the page saved as docs/screenshot-lesson.png")
    parser.add_argument("--no-screenshot", action="store_true", help="check the pages only")
    args = parser.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").exists():
        parser.error(f"{site} has no index.html: build the site first (make docs)")
    if chromium_path() is None:
        parser.error("Chromium was not found: run `bash scripts/ensure-chromium.sh` first")
    browser = Browser()
    failed = 0
    try:
        for page in sorted(site.rglob("*.html")):
            if page.name == "404.html":
                continue
            rendered = browser.render(str(page))
            problems = problems_of(page, rendered)
            failed += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} {page.relative_to(site)}"
                  + "".join(f"\n     {problem}" for problem in problems))
        if not args.no_screenshot:
            from PIL import Image

            image = Image.open(io.BytesIO(browser.render(str(site / args.lesson), width=1440, height=2200).png))
            image = image.convert("RGB").resize((900, round(image.height * 900 / image.width)), Image.LANCZOS)
            # 128 colours without dithering: the page is flat colour and text, the file a third the size
            image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            image.save(ROOT / "docs" / "screenshot-lesson.png", optimize=True)
            print(f"wrote docs/screenshot-lesson.png from {args.lesson}")
    finally:
        browser.close()
    print(f"{failed} page(s) with problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
