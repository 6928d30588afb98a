"""Stage 3, charts: the house style every chart is drawn in (under the chart file's own settings).

Reads nothing; gives FONT, PALETTE, CHART_CONFIG (a Vega-Lite config) and the two widths every
chart is drawn at (WIDE for a desktop text column, NARROW for a phone).
"""

from __future__ import annotations


# System fonts only; the stack must end in a generic family or text may vanish from PNGs.
# Liberation Sans (Debian, where the SVG is rendered) has the same metrics as Arial and
# Helvetica (readers' machines), so labels measured at build time fit when the browser draws them.
FONT = "'Liberation Sans', Arial, Helvetica, sans-serif"
# The house style, applied to every chart under the chart file's own settings (which win): a
# colour-blind-safe categorical palette (Okabe-Ito, without its yellow and black, which fail 3:1
# on a white or a dark page; explainer.css swaps each for a lighter partner in the dark palette),
# text of 12 px or more, light gridlines, no frame, horizontal axis titles where they fit.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6100", "#767676"]
CHART_CONFIG = {
    "font": FONT,
    "background": None,
    # No Vega ARIA: it writes English ("Y-axis titled ...", "bar") and field names into every mark.
    # The chart is one image (role="img") named and described in the page's language instead.
    "aria": False,
    "view": {"stroke": None},
    "range": {"category": PALETTE},
    "mark": {"color": PALETTE[0], "aria": False},
    "bar": {"color": PALETTE[0]},
    "line": {"color": PALETTE[0], "strokeWidth": 2},
    "point": {"color": PALETTE[0], "filled": True, "size": 50},
    "rule": {"color": "#767676"},
    "text": {"fontSize": 12},
    "title": {"fontSize": 14, "subtitleFontSize": 12, "anchor": "start", "fontWeight": "bold"},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "labelPadding": 4,
        "gridColor": "#e6e6e6",
        "gridWidth": 1,
        "domainColor": "#767676",
        "tickColor": "#767676",
    },
    "axisX": {"grid": False},
    "axisDiscrete": {"labelOverlap": "greedy"},  # a phone drops every other month rather than overprint them
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal", "symbolSize": 80},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
}
# Each chart is drawn twice: for a column as wide as a desktop text column, and for a 360 px
# phone (the content is 328 px wide there). The page shows the one that fits, by CSS container
# query with JavaScript off and by the container's width with it on; each is drawn at its own
# size, so chart text stays at 12 px instead of shrinking with the SVG.
WIDE, NARROW = 680, 328
NARROW_LIMIT = 520  # a container narrower than this shows the narrow drawing (explainer.css, charts.js)
