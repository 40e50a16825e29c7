"""The report's charts, drawn by matplotlib as SVG text to inline in the page.

Figures are built with matplotlib.figure.Figure, not pyplot: no global figure registry and no GUI
backend to pick (savefig to SVG needs none), so it runs the same in a worker, a test or a laptop.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib loads in ~0.3 s: only `nashra report` pays for it
    from matplotlib.figure import Figure

# Lines per chart: the outlets with the most of the measure, and one line for the others' mean per
# outlet (their sum would dwarf every other line), so a chart stays readable with 37 outlets.
TOP_OUTLETS = 7
DAY_FORMAT = "%Y-%m-%d"  # with the year: the axis may span a turn of the year or several
OVER_COLOR, UNDER_COLOR = "#c62828", "#4c78a8"


def top_series(series: dict[str, dict[date, int]], top: int = TOP_OUTLETS) -> dict[str, dict[date, float]]:
    """The `top` outlets by total, plus one "others" series: the rest's mean per outlet and day."""
    ranked = sorted(series, key=lambda name: (-sum(series[name].values()), name))
    kept: dict[str, dict[date, float]] = {name: dict(series[name]) for name in ranked[:top]}
    rest = ranked[top:]
    if rest:
        others: dict[date, float] = {}
        for name in rest:
            for day, value in series[name].items():
                others[day] = others.get(day, 0.0) + value / len(rest)
        kept[f"others: mean of {len(rest)} outlets"] = others
    return kept


def daily_figure(series: dict[str, dict[date, int]], days: list[date], ylabel: str) -> Figure:
    """One line per outlet over every day of `days`: a day without data is a 0 at its place."""
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3.4), layout="constrained")
    ax = fig.add_subplot()
    marker = "o" if len(days) <= 62 else None  # a short range: show each day's point
    for name, points in top_series(series).items():
        style = {"color": "#999999", "linestyle": "--"} if name.startswith("others: ") else {}
        values = [points.get(day, 0) for day in days]
        ax.plot(days, values, label=name, linewidth=1.4, marker=marker, markersize=3, **style)
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=9))
    ax.xaxis.set_major_formatter(DateFormatter(DAY_FORMAT))
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    return fig


def rates_figure(rates: dict[str, tuple[float, float]], limits: tuple[float, float]) -> Figure:
    """Failure and duplicate rate per outlet as bars, each panel with its limit as a line;
    a bar over its limit is red."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    names = sorted(rates, reverse=True)  # barh draws bottom-up: reversed reads top-down A..Z
    fig = Figure(figsize=(10, 1.2 + 0.26 * len(names)), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    titles = ("failure rate (extraction/validation)", "duplicate rate")
    for panel, (ax, title, limit) in enumerate(zip(axes, titles, limits, strict=True)):
        values = [rates[name][panel] for name in names]
        colors = [OVER_COLOR if value > limit else UNDER_COLOR for value in values]
        ax.barh(names, values, color=colors)
        ax.axvline(limit, color=OVER_COLOR, linestyle="--", linewidth=1.2, label=f"limit {limit:.0%}")
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_title(title, fontsize="medium")
        ax.legend(loc="lower right", fontsize="small")
        ax.grid(axis="x", alpha=0.3)
    return fig


def to_svg(fig: Figure, name: str) -> str:
    """The figure as an <svg> element: text kept as text (smaller, searchable, testable), ids
    salted by `name` so two charts inlined in one page never share an id."""
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]  # drop the XML declaration and DOCTYPE: the page is HTML
