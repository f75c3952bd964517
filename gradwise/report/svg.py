"""Charts as inline SVG: matplotlib figures drawn without pyplot, saved as SVG text.

Text stays text (``svg.fonttype='none'``), so a browser's search and a screen reader
find the labels; each chart carries a ``<title>`` and an ``aria-label`` (its alt text).
Each figure gets its own hash salt, so the ids of several inline SVGs in one page never
collide.
"""

import io
import itertools
import re

_SALTS = itertools.count()


def default_style():
    """matplotlib's default style for the charts of a page, whatever an earlier plot set globally.

    Optuna's matplotlib plots switch pyplot's global style to 'ggplot'; a page's charts
    should not depend on what was plotted before it.
    """
    import matplotlib.style

    return matplotlib.style.context("default")


def new_figure(width=6.4, height=3.6, rows=1, columns=1):
    """(Figure, axes) on the Agg canvas, never through pyplot (no window, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # optional dependency (extra 'tools')
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots(rows, columns, squeeze=rows * columns == 1)


def to_svg(figure, alt):
    """The figure as an ``<svg>`` element with `alt` as its title and aria-label."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"gw{next(_SALTS)}",
                                "font.family": ["DejaVu Sans", "sans-serif"]}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    alt_text = _attribute(alt)
    text = re.sub(r"<svg\b", f"<svg role=\"img\" aria-label=\"{alt_text}\"", text, count=1)
    head_end = text.index(">") + 1
    return text[:head_end] + f"<title>{_text(alt)}</title>" + text[head_end:]


def figure_html(figure, alt, caption=None):
    """``<figure>`` with the chart and a caption (the numbers beside it are the caller's)."""
    svg = to_svg(figure, alt)
    caption = f"<figcaption>{_text(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{caption}</figure>"


def _text(value):
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value):
    return _text(value).replace('"', "&quot;")
