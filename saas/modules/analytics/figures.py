"""Widget results as plotly figures: one function per chart type, each point carrying the address
of the records behind it (customdata), which a click opens. KPI and table widgets need no figure."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from saas.web.charts import render

HEIGHT = 300
# Run by plotly once the chart is drawn: a click on a bar, slice or point opens its records.
CLICK_SCRIPT = "window.orchardWidgetClicks && window.orchardWidgetClicks(document.getElementById('{plot_id}'));"


def figure(result: dict[str, Any], chart_type: str) -> go.Figure | None:
    """The plotly figure of a widget result, or None for KPI and table widgets."""
    if result.get("kind") == "custom":
        return go.Figure(result["figure"]) if result.get("figure") else None
    if chart_type in ("kpi", "table"):
        return None
    cats, series = result["categories"], result["series"]
    many = len(series) > 1
    if chart_type in ("bar", "stacked_bar"):
        fig = go.Figure([go.Bar(x=cats, y=s["values"], name=s["name"], customdata=s["links"]) for s in series])
        fig.update_layout(barmode="stack" if chart_type == "stacked_bar" else "group")
    elif chart_type in ("line", "area"):
        fig = go.Figure([go.Scatter(x=cats, y=s["values"], name=s["name"], customdata=s["links"],
                                    mode="lines+markers", stackgroup="one" if chart_type == "area" else None)
                         for s in series])
    elif chart_type == "pie":
        values = [sum(v or 0 for v in column) for column in zip(*[s["values"] for s in series])]
        fig = go.Figure(go.Pie(labels=cats, values=values, hole=0.45, customdata=series[0]["links"],
                               sort=False))
    elif chart_type == "funnel":
        fig = go.Figure(go.Funnel(y=cats, x=series[0]["values"], customdata=series[0]["links"],
                                  textinfo="value+percent previous"))
    else:
        raise ValueError(f"unknown chart type {chart_type!r}")
    fig.update_layout(showlegend=many or chart_type == "pie", legend={"orientation": "h"},
                      xaxis_title=None if chart_type in ("pie", "funnel") else result.get("group_label"),
                      yaxis_title=None if chart_type in ("pie", "funnel") else result.get("unit"))
    return fig


def chart_html(result: dict[str, Any], chart_type: str) -> str | None:
    """The chart as an HTML fragment (plotly.js comes from the page), or None when it has none."""
    fig = figure(result, chart_type)
    if fig is None:
        return None
    return render(fig, height=HEIGHT, post_script=CLICK_SCRIPT)
