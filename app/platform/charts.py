"""Charts drawn on the server as SVG: no JavaScript, readable by screen readers.

A chart always sits next to a table of the same numbers; the SVG carries a
<title> and a <desc> that says the numbers too, so nothing is only visual.
"""
from collections.abc import Sequence

from markupsafe import Markup

BAR_HEIGHT = 28
BAR_GAP = 10
LABEL_WIDTH = 260
BAR_AREA_WIDTH = 300
VALUE_WIDTH = 60
BAR_CHART_WIDTH = LABEL_WIDTH + BAR_AREA_WIDTH + VALUE_WIDTH
FONT_SIZE = 15
# Dark blue on white and black text: contrast well above 4.5:1.
BAR_COLOUR = "#0b5394"
TEXT_COLOUR = "#1a1a1a"
AXIS_COLOUR = "#6b6b6b"


def _svg_start(
    chart_id: str, width: int, height: int | float, title: str, summary: str, *, full_size: bool = False
) -> list[Markup]:
    """The opening <svg> of a chart, labelled by its <title> and by a <desc> that says the numbers.

    A `full_size` chart is drawn at its own width (its container scrolls), so its
    labels keep their font size instead of shrinking with a narrow screen.
    """
    return [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" viewBox="0 0 {w} {h}" '
            'width="{width}" preserveAspectRatio="xMinYMin meet" aria-labelledby="{id}-otsikko {id}-kuvaus">'
        ).format(
            cls="kaavio kaavio-taysikokoinen" if full_size else "kaavio",
            w=width, h=height, width=width if full_size else "100%", id=chart_id,
        ),
        Markup('<title id="{}-otsikko">{}</title>').format(chart_id, title),
        Markup('<desc id="{}-kuvaus">{}</desc>').format(chart_id, summary),
    ]


def _label_axis(top: int | float, bottom: int | float) -> Markup:
    """The vertical line between the row labels and the bars."""
    return Markup('<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{c}" stroke-width="1"/>').format(
        x=LABEL_WIDTH, top=top, bottom=bottom, c=AXIS_COLOUR
    )


def horizontal_bars(
    rows: Sequence[tuple[str, int | float]],
    *,
    title: str,
    description: str = "",
    chart_id: str = "kaavio",
    unit: str = "",
    max_value: float | None = None,
    none_text: str = "–",
) -> Markup:
    """One horizontal bar per (label, value); bars scale to `max_value` or the largest value.

    `chart_id` must be unique on the page: it names the title and desc elements.
    A value of None (a figure withheld, e.g. a small cell) draws no bar, only `none_text`.
    """
    known = [value for _label, value in rows if value is not None]
    largest = max_value if max_value is not None else max(known, default=0)
    height = max(len(rows), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    summary = description or "; ".join(f"{label}: {_shown(value, unit, none_text)}" for label, value in rows)
    parts = [*_svg_start(chart_id, BAR_CHART_WIDTH, height, title, summary), _label_axis(0, height)]
    for index, (label, value) in enumerate(rows):
        top = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        middle = top + BAR_HEIGHT / 2
        length = round(BAR_AREA_WIDTH * value / largest, 1) if largest and value is not None else 0
        parts.append(
            Markup(
                '<g><text x="{lx}" y="{ty}" text-anchor="end" dominant-baseline="middle" font-size="{fs}" fill="{tc}">{label}</text>'
                '<rect x="{bx}" y="{top}" width="{length}" height="{bh}" fill="{bc}"/>'
                '<text x="{vx}" y="{ty}" dominant-baseline="middle" font-size="{fs}" fill="{tc}">{value}</text></g>'
            ).format(
                lx=LABEL_WIDTH - 8,
                ty=middle,
                fs=FONT_SIZE,
                tc=TEXT_COLOUR,
                label=_shorten(label),
                bx=LABEL_WIDTH,
                top=top,
                length=length,
                bh=BAR_HEIGHT,
                bc=BAR_COLOUR,
                vx=LABEL_WIDTH + length + 6,
                value=_shown(value, unit, none_text),
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _shown(value: int | float | None, unit: str, none_text: str) -> str:
    return none_text if value is None else f"{_number(value)}{unit}"


def _number(value: int | float) -> str:
    # Finnish decimal comma.
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return str(int(value))


def _shorten(label: str, limit: int = 32) -> str:
    # The full label is in the <desc> and in the table next to the chart.
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


# Series of a grouped chart differ by fill pattern as well as colour, so they stay
# apart in print and for people who do not see the colours: solid, hatched, dotted.
SERIES_FILLS = ("solid", "hatched", "dotted")
GROUPED_BAR_HEIGHT = 22
LEGEND_HEIGHT = 34


def _series_defs(chart_id: str) -> Markup:
    return Markup(
        '<defs>'
        '<pattern id="{id}-viivoitus" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="{c}" stroke-width="3"/>'
        '</pattern>'
        '<pattern id="{id}-pisteet" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.6" fill="{c}"/>'
        '</pattern>'
        '</defs>'
    ).format(id=chart_id, c=BAR_COLOUR)


def _series_fill(chart_id: str, index: int) -> str:
    kind = SERIES_FILLS[index % len(SERIES_FILLS)]
    if kind == "solid":
        return BAR_COLOUR
    return f"url(#{chart_id}-{'viivoitus' if kind == 'hatched' else 'pisteet'})"


def grouped_bars(
    rows: Sequence[tuple[str, Sequence[int | float | None]]],
    *,
    series: Sequence[str],
    title: str,
    description: str = "",
    chart_id: str = "kaavio",
    unit: str = "",
    none_text: str = "–",
) -> Markup:
    """Horizontal bars in groups: one group per (label, values), one bar per series in each.

    A legend names the series; each bar carries its number as text.
    """
    count = len(series)
    known = [value for _label, values in rows for value in values if value is not None]
    largest = max(known, default=0)
    group_height = count * GROUPED_BAR_HEIGHT + BAR_GAP
    height = LEGEND_HEIGHT + max(len(rows), 1) * group_height + BAR_GAP
    summary = description or "; ".join(
        f"{label}: " + ", ".join(f"{name} {_shown(value, unit, none_text)}" for name, value in zip(series, values))
        for label, values in rows
    )
    parts = [*_svg_start(chart_id, BAR_CHART_WIDTH, height, title, summary), _series_defs(chart_id)]
    legend_x = LABEL_WIDTH
    for index, name in enumerate(series):
        parts.append(
            Markup(
                '<g><rect x="{x}" y="6" width="18" height="18" fill="{fill}" stroke="{c}"/>'
                '<text x="{tx}" y="15" dominant-baseline="middle" font-size="{fs}" fill="{tc}">{name}</text></g>'
            ).format(x=legend_x, fill=_series_fill(chart_id, index), c=BAR_COLOUR, tx=legend_x + 24,
                     fs=FONT_SIZE, tc=TEXT_COLOUR, name=name)
        )
        legend_x += 24 + 9 * len(name) + 24
    parts.append(_label_axis(LEGEND_HEIGHT, height))
    for row_index, (label, values) in enumerate(rows):
        top = LEGEND_HEIGHT + BAR_GAP + row_index * group_height
        parts.append(
            Markup(
                '<text x="{x}" y="{y}" text-anchor="end" dominant-baseline="middle" font-size="{fs}" fill="{tc}">{label}</text>'
            ).format(x=LABEL_WIDTH - 8, y=top + count * GROUPED_BAR_HEIGHT / 2, fs=FONT_SIZE, tc=TEXT_COLOUR,
                     label=_shorten(label))
        )
        for index, value in enumerate(values):
            bar_top = top + index * GROUPED_BAR_HEIGHT
            length = round(BAR_AREA_WIDTH * value / largest, 1) if largest and value is not None else 0
            parts.append(
                Markup(
                    '<rect x="{x}" y="{y}" width="{length}" height="{h}" fill="{fill}" stroke="{c}" stroke-width="{sw}"/>'
                    '<text x="{vx}" y="{ty}" dominant-baseline="middle" font-size="{fs}" fill="{tc}">{value}</text>'
                ).format(x=LABEL_WIDTH, y=bar_top + 1, length=length, h=GROUPED_BAR_HEIGHT - 2,
                         fill=_series_fill(chart_id, index), c=BAR_COLOUR, sw=1 if length else 0,
                         vx=LABEL_WIDTH + length + 6, ty=bar_top + GROUPED_BAR_HEIGHT / 2, fs=FONT_SIZE - 1,
                         tc=TEXT_COLOUR, value=_shown(value, unit, none_text))
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


MATRIX_CELL = 44
MATRIX_HEADER = 120
DOT_COLOUR = "#cfe2f3"  # light blue behind dark text: the number stays readable (over 12:1)
ZERO_COLOUR = "#595959"


def dot_matrix(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[int]],
    *,
    title: str,
    description: str = "",
    chart_id: str = "kaavio",
) -> Markup:
    """A grid of numbers, each on a circle whose area grows with it: a cross table at a glance."""
    largest = max((value for row in values for value in row), default=0)
    # Room on the right for the last column label, which leans over it.
    width = LABEL_WIDTH + len(column_labels) * MATRIX_CELL + MATRIX_HEADER // 2
    height = MATRIX_HEADER + max(len(row_labels), 1) * MATRIX_CELL + BAR_GAP
    summary = description or "; ".join(
        f"{label}: " + (", ".join(f"{column} {value}" for column, value in zip(column_labels, row) if value) or "0")
        for label, row in zip(row_labels, values)
    )
    parts = _svg_start(chart_id, width, height, title, summary, full_size=True)
    for index, column in enumerate(column_labels):
        x = LABEL_WIDTH + index * MATRIX_CELL + MATRIX_CELL / 2
        parts.append(
            Markup(
                '<text x="{x}" y="{y}" transform="rotate(-60 {x} {y})" font-size="{fs}" fill="{tc}">{label}</text>'
            ).format(x=x, y=MATRIX_HEADER - 6, fs=FONT_SIZE - 1, tc=TEXT_COLOUR, label=_shorten(column, 16))
        )
    radius_limit = MATRIX_CELL / 2 - 2
    for row_index, (label, row) in enumerate(zip(row_labels, values)):
        middle = MATRIX_HEADER + row_index * MATRIX_CELL + MATRIX_CELL / 2
        parts.append(
            Markup(
                '<text x="{x}" y="{y}" text-anchor="end" dominant-baseline="middle" font-size="{fs}" fill="{tc}">{label}</text>'
            ).format(x=LABEL_WIDTH - 8, y=middle, fs=FONT_SIZE, tc=TEXT_COLOUR, label=_shorten(label))
        )
        for index, value in enumerate(row):
            x = LABEL_WIDTH + index * MATRIX_CELL + MATRIX_CELL / 2
            if value and largest:
                radius = round(max(radius_limit * (value / largest) ** 0.5, 8), 1)
                parts.append(
                    Markup('<circle cx="{x}" cy="{y}" r="{r}" fill="{f}" stroke="{c}" stroke-width="1"/>').format(
                        x=x, y=middle, r=radius, f=DOT_COLOUR, c=BAR_COLOUR
                    )
                )
            parts.append(
                Markup(
                    '<text x="{x}" y="{y}" text-anchor="middle" dominant-baseline="middle" font-size="{fs}" fill="{tc}">{v}</text>'
                ).format(x=x, y=middle, fs=FONT_SIZE - 1, tc=TEXT_COLOUR if value else ZERO_COLOUR, v=value)
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
