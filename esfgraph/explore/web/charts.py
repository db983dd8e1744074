"""Server-rendered SVG charts and choropleth classes (numbers in, drawing instructions out).

Why on the server: the pages must work without JavaScript, and a bar is just a rectangle whose
width is a ratio; templates draw what these functions compute.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from esfgraph.web import format as fmt

BAR_HEIGHT = 22
LABEL_WIDTH = 48  # the narrowest label column (years); it grows with the longest label
BAR_WIDTH = 230
VALUE_WIDTH = 110  # room right of the longest bar for its figure ("1 234,5 mnkr")
CHAR_WIDTH = 8.2  # px per character of a 14px label, on the wide side, so no label is cut off
MAX_LABEL_CHARS = 44  # longer labels end in "…" (the whole label is in the bar's <title>)
STACK_AFTER_CHARS = 24  # charts with a longer label draw each label above its bar
STACK_HEIGHT = 38  # px per bar with its label above it
CLASSES = 6  # colour classes of the map, besides "no projects"


def bars(items: Iterable[dict[str, Any]], key: str, lang: str,
         money: bool = True, limit: int = 30) -> dict[str, Any]:
    """A horizontal bar chart: rows of {label, href, value, text, width, y}.

    Args:
        items: dicts with "label", "href" and the number under `key` (decimal text).
        key: which number to draw.
        money: format values as amounts (else as counts).
    """
    rows = []
    for item in list(items)[:limit]:
        number = fmt.to_decimal(item.get(key)) or Decimal(0)
        if str(item.get("granted", "")) == "0":  # no project here states the amount: not 0 kr
            text = fmt.MISSING["en" if lang == "en" else "sv"]
        else:
            text = fmt.compact_money(number, lang) if money else fmt.number(number, lang)
        rows.append({"label": str(item.get("label") or "–"), "href": item.get("href"),
                     "value": number, "text": text})
    top = max((r["value"] for r in rows), default=Decimal(0))
    for i, row in enumerate(rows):
        ratio = float(row["value"] / top) if top > 0 else 0.0
        row["width"] = round(max(ratio * BAR_WIDTH, 1.0 if row["value"] > 0 else 0.0), 1)
        row["y"] = 4 + i * BAR_HEIGHT
        row["short"] = (row["label"] if len(row["label"]) <= MAX_LABEL_CHARS
                        else row["label"][:MAX_LABEL_CHARS - 1] + "…")
    longest = max((len(r["short"]) for r in rows), default=0)
    if longest <= STACK_AFTER_CHARS:
        # label left of its bar, in a column as wide as the longest label
        label_width = max(LABEL_WIDTH, round(longest * CHAR_WIDTH) + 12)
        for row in rows:
            row.update(label_x=label_width - 6, label_y=row["y"] + 15, anchor="end",
                       bar_x=label_width, bar_y=row["y"] + 3,
                       value_x=label_width + row["width"] + 5, value_y=row["y"] + 15)
        return {"rows": rows, "height": 8 + len(rows) * BAR_HEIGHT, "label_width": label_width,
                "width": label_width + BAR_WIDTH + VALUE_WIDTH}
    # long labels (programme areas) go above their bars: the chart stays narrow enough to be
    # read on a phone without being scaled down, and no label is cut off
    width = max(BAR_WIDTH + VALUE_WIDTH, round(longest * CHAR_WIDTH) + 4)
    for i, row in enumerate(rows):
        y = 4 + i * STACK_HEIGHT
        row.update(y=y, label_x=0, label_y=y + 14, anchor="start", bar_x=0, bar_y=y + 19,
                   value_x=row["width"] + 5, value_y=y + 31)
    return {"rows": rows, "height": 8 + len(rows) * STACK_HEIGHT, "label_width": 0,
            "width": width}


def breaks(values: Iterable[Decimal | int], classes: int = CLASSES) -> list[Decimal]:
    """Upper bounds of colour classes: quantiles of the values above zero (skewed data, so
    Stockholm does not wash out every other municipality), without repeats."""
    data = sorted(Decimal(v) for v in values if v and Decimal(v) > 0)
    if not data:
        return []
    bounds: list[Decimal] = []
    for k in range(1, classes + 1):
        bound = data[min(len(data) - 1, round(k * len(data) / classes) - 1)]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def colour_class(number: Decimal | int | None, bounds: list[Decimal]) -> int:
    """0 for no projects, else 1..len(bounds): the first class whose upper bound holds it."""
    if not number or Decimal(number) <= 0 or not bounds:
        return 0
    index = len(bounds)
    for i, bound in enumerate(bounds, start=1):
        if Decimal(number) <= bound:
            index = i
            break
    return _spread(index, len(bounds))


def _spread(index: int, count: int) -> int:
    """Class i of `count` onto the colour ramp 1..CLASSES (few classes still span the ramp)."""
    return max(1, round(index * CLASSES / count)) if count else 0


def legend(bounds: list[Decimal], metric: str, lang: str) -> list[dict[str, Any]]:
    """Legend entries {cls, text} from the class bounds (the first entry is "no projects")."""
    from esfgraph.web.i18n import t

    show = (lambda v: fmt.compact_money(v, lang)) if metric == "grant" else (
        lambda v: fmt.number(v, lang))
    out = [{"cls": 0, "text": t("map.none", lang)}]
    low: Decimal | None = None
    for i, bound in enumerate(bounds, start=1):
        text = f"≤ {show(bound)}" if low is None else f"{show(low)} – {show(bound)}"
        out.append({"cls": _spread(i, len(bounds)), "text": text})
        low = bound
    return out


__all__ = ["bars", "breaks", "colour_class", "legend"]
