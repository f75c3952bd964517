"""Number formatting for messages."""

import math


def fmt(value):
    """A short number for messages: 3 significant digits ('n/a' for None)."""
    if value is None:
        return "n/a"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"
