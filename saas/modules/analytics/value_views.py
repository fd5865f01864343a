"""The customer value pages: the RFM segment grid with the latest run, a run started on demand,
and the run's progress fragment that the page polls."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from saas.plugin_api import _, can, permission_required, pick_label, render_figure
from saas.modules.analytics import predictions
from saas.modules.analytics.rfm import SEGMENT_GRID, SEGMENTS
from saas.tenants.request import is_htmx

bp = Blueprint("customer_value", __name__, template_folder="templates")

LIST_COLUMNS = ("name", "email", "rfm_segment", "p_alive", "expected_purchases_90", "predicted_clv")


def _segment_rows(run: predictions.CustomerValueRun | None) -> list[dict]:
    summary = (run.segments or {}) if run else {}
    total = sum((s or {}).get("customers", 0) for s in summary.values()) or 0
    rows = []
    for key, labels in SEGMENTS.items():
        item = summary.get(key) or {}
        customers = item.get("customers", 0)
        rows.append({"key": key, "label": pick_label(labels), "customers": customers,
                     "share": (100.0 * customers / total) if total else 0.0, "revenue": item.get("revenue") or 0.0,
                     "recency_days": item.get("recency_days"), "orders": item.get("orders"), "clv": item.get("clv"),
                     "list_url": url_for("contacts.index", ff="rfm_segment", fo="eq", fv=key,
                                         columns=list(LIST_COLUMNS), sort="-predicted_clv")})
    return rows


def _treemap(rows: list[dict]) -> str | None:
    """The segments as a plotly treemap sized by customers, coloured by revenue."""
    import plotly.graph_objects as go

    shown = [r for r in rows if r["customers"]]
    if not shown:
        return None
    figure = go.Figure(go.Treemap(
        labels=[r["label"] for r in shown], parents=[""] * len(shown), values=[r["customers"] for r in shown],
        customdata=[[r["revenue"], r["share"]] for r in shown],
        marker={"colors": [r["revenue"] for r in shown], "colorscale": "Greens", "showscale": False},
        texttemplate="%{label}<br>%{value:,}",
        hovertemplate="%{label}<br>" + _("Customers") + ": %{value:,} (%{customdata[1]:.1f}%)<br>"
                      + _("Revenue") + ": %{customdata[0]:,.2f}<extra></extra>"))
    return render_figure(figure, height=380)


def _grid(rows: list[dict]) -> list[list[dict]]:
    """The R × FM score grid (R 5 at the top), each cell naming its segment."""
    by_key = {r["key"]: r for r in rows}
    return [[{"r": r, "fm": fm, "segment": SEGMENT_GRID[r - 1][fm - 1],
              "label": by_key[SEGMENT_GRID[r - 1][fm - 1]]["label"]} for fm in range(1, 6)] for r in range(5, 0, -1)]


@bp.route("/")
@permission_required("workspace.view")
def index():
    latest = predictions.latest_run()
    shown = latest if latest is not None and latest.segments is not None else predictions.last_good_run()
    good = predictions.last_good_run()
    rows = _segment_rows(shown)
    return render_template("analytics/value/index.html", latest=latest, shown=shown, good=good, rows=rows,
                           treemap=_treemap(rows), grid=_grid(rows), can_run=can("records.edit"),
                           status_label=predictions.status_label,
                           min_customers=predictions.MIN_CUSTOMERS, min_repeat=predictions.MIN_REPEAT_CUSTOMERS)


@bp.route("/runs", methods=["POST"])
@permission_required("records.edit")
def start_run():
    run = predictions.request_run(current_user.id)
    if is_htmx():
        return _progress_response(run)
    return redirect(url_for(".index"))


@bp.route("/runs/<int:value_run_id>")
@permission_required("workspace.view")
def run_progress(value_run_id: int):
    run = predictions.get_run(value_run_id)
    if run is None:
        abort(404)
    if not is_htmx():
        return redirect(url_for(".index"))
    return _progress_response(run)


def _progress_response(run: predictions.CustomerValueRun):
    from flask_htmx import make_response

    body = render_template("analytics/value/_progress.html", run=run, status_label=predictions.status_label)
    # Once the run is over the page reloads to show the new figures (without Redis it ran already).
    return make_response(body, refresh=True) if run.finished else body
