"""A self-contained HTML page: headings, tables, code and figures, with its style sheet inline.

Every report is one file that opens offline: no script, no font or style sheet from
elsewhere; charts are inline SVG (``svg``). The style sheet prints on A4.
``Page.write`` writes through a temporary file and a rename, so a browser that reloads
while training rewrites the page never reads half a file.
"""

import html
import math
import numbers
import os
import tempfile

STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24;
       background: #fff; margin: 0 auto; max-width: 1120px; padding: 1.2em 1.6em 3em; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 2px solid #d8dee4; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
p.lead { color: #444; margin-top: 0; }
nav ol { columns: 2; margin: 0.4em 0; padding-left: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td.num { text-align: right; }
tr.best td { background: #eef7ee; font-weight: 600; }
pre, code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 0.6em 0.8em; overflow-x: auto; white-space: pre-wrap; }
figure { margin: 0.8em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92em; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 0.6em 1.2em; }
.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: 0.4em 0.8em; }
.finding { border-left: 4px solid #8c959f; padding: 0.1em 0.9em; margin: 0.8em 0; }
.finding.critical, .finding.error { border-color: #cf222e; }
.finding.warning { border-color: #e0a800; }
.severity { text-transform: uppercase; font-size: 0.8em; font-weight: 700; }
footer { margin-top: 3em; color: #57606a; font-size: 0.85em; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav, .no-print { display: none; }
  figure, table, .finding, pre { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""


def escape(value):
    return html.escape(str(value), quote=True)


def number(value, digits=4):
    """A number as text: ints with thousands separators, floats to `digits` significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return f"{value:.{digits}g}" if value and (abs(value) < 1e-3 or abs(value) >= 1e5) else f"{value:.{digits}f}"


def table(header, rows, numeric=(), highlight=None, caption=None):
    """An HTML table; `numeric` column indexes are right-aligned, row `highlight` is marked as the best."""
    head = "".join(f"<th scope=\"col\">{escape(name)}</th>" for name in header)
    body = []
    for index, row in enumerate(rows):
        cells = "".join(f"<td class=\"num\">{escape(cell)}</td>" if column in numeric else f"<td>{escape(cell)}</td>"
                        for column, cell in enumerate(row))
        body.append(f"<tr class=\"best\">{cells}</tr>" if index == highlight else f"<tr>{cells}</tr>")
    caption = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def pairs(items):
    """A two-column table of (name, value) pairs, values already text."""
    rows = "".join(f"<tr><th scope=\"row\">{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in items)
    return f"<table><tbody>{rows}</tbody></table>"


def code(text):
    return f"<pre><code>{escape(text)}</code></pre>"


def paragraph(text, cls=None):
    attribute = f" class=\"{cls}\"" if cls else ""
    return f"<p{attribute}>{escape(text)}</p>"


class Page:
    """An HTML page built section by section; ``html()`` gives the text, ``write(path)`` saves it."""

    def __init__(self, title, lead=None, refresh=None):
        self.title, self.lead, self.refresh = title, lead, refresh
        self.sections = []

    def section(self, heading, *parts, first=False):
        """Add a section (at the top with `first`); `parts` are HTML strings, empty ones skipped."""
        entry = (heading, "\n".join(part for part in parts if part))
        self.sections.insert(0, entry) if first else self.sections.append(entry)

    def html(self):
        refresh = f"<meta http-equiv=\"refresh\" content=\"{int(self.refresh)}\">" if self.refresh else ""
        sections = [(f"s{index}", heading, content) for index, (heading, content) in enumerate(self.sections, 1)]
        toc = "".join(f"<li><a href=\"#{a}\">{escape(h)}</a></li>" for a, h, _ in sections)
        body = "\n".join(f"<section id=\"{a}\" aria-labelledby=\"{a}h\"><h2 id=\"{a}h\">{escape(h)}</h2>\n{content}"
                         f"</section>" for a, h, content in sections)
        lead = paragraph(self.lead, "lead") if self.lead else ""
        return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{refresh}"
                f"<title>{escape(self.title)}</title><style>{STYLE}</style></head>\n<body><header>"
                f"<h1>{escape(self.title)}</h1>{lead}</header>\n<nav aria-label=\"Contents\"><ol>{toc}</ol></nav>\n"
                f"<main>{body}</main>\n<footer>Written by gradwise; one self-contained file.</footer></body></html>\n")

    def write(self, path):
        """Write the page atomically to `path`; returns its size in bytes."""
        text = self.html().encode("utf-8")
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise
        return len(text)
