"""Customer value per workspace: the job that reads the orders, scores RFM, fits BG/NBD and
Gamma-Gamma, and writes each customer's segment and predictions onto the contact; and its runs.

Where the values live: read-only system fields of the contact (field definitions with
`is_system=True` and no standard column), their values in the contact's `custom` JSON under these
reserved keys. The query builder already reads a field without a column from `custom` and casts it
by type, so lists, filters, saved views, the API, widgets (group by a select) and the lifecycle
"field" condition use them with no join and no change to the query builder; the record forms leave
them out (a system field without a column is not editable), and the API refuses writes to them.

The job is idempotent: it recomputes everything from the orders and replaces the values in one
UPDATE (PostgreSQL: binary COPY into a temporary table, UPDATE ... FROM it; SQLite: executemany), inside one transaction with
the run's result, so a failed run leaves the previous values. A fit that does not converge keeps
the last good fit: the predictions are computed with its parameters, and the run says so.
"""
from __future__ import annotations

import json
import logging
import math
from datetime import date, datetime, timedelta, timezone

import numpy as np
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from saas.plugin_api import TenantScoped, _, _l, db, enqueue, report_progress, tenant_table_args
from saas.modules.analytics import clv
from saas.modules.analytics.rfm import SEGMENTS, CustomerFigures, L, customer_figures, segment_summary

log = logging.getLogger("saas.analytics.value")

# Enough history to fit: customers with orders, and customers who came back at least once.
MIN_CUSTOMERS = 30
MIN_REPEAT_CUSTOMERS = 10
HORIZONS = (30, 90, 365)
CLV_HORIZON = 365
STEPS = 5          # progress: read, RFM, BG/NBD, Gamma-Gamma, write
STALE_AFTER = timedelta(hours=2)


def _utcnow() -> datetime:
    from saas.tenants.models import utcnow

    return utcnow()


class CustomerValueRun(TenantScoped, db.Model):
    """One run of the customer value job: its state, the fitted parameters and the segment summary."""

    __tablename__ = "customer_value_runs"
    __table_args__ = tenant_table_args(Index("ix_customer_value_runs_tenant_created", "tenant_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # queued, running, done, not_enough_data, not_converged (kept the last good fit), failed
    status: Mapped[str] = mapped_column(String(20), default="queued")
    job_id: Mapped[str | None] = mapped_column(String(64))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    as_of: Mapped[date | None] = mapped_column(Date)
    customers: Mapped[int | None] = mapped_column(Integer)
    repeat_customers: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int | None] = mapped_column(Integer)
    bgnbd: Mapped[dict | None] = mapped_column(JSON)           # r, alpha, a, b, log_likelihood
    gamma_gamma: Mapped[dict | None] = mapped_column(JSON)     # p, q, v, log_likelihood
    fit_from_run_id: Mapped[int | None] = mapped_column(Integer)   # whose fit the predictions used
    segments: Mapped[dict | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def finished(self) -> bool:
        return self.status not in ("queued", "running")

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * (self.progress_done or 0) / STEPS)


# --- the read-only fields ----------------------------------------------------------------------

SEGMENT_OPTIONS = [{"value": key, "labels": dict(labels)} for key, labels in SEGMENTS.items()]
VALUE_FIELDS: tuple[dict, ...] = (
    {"key": "rfm_segment", "type": "single_select", "labels": L("RFM segment", "RFM 客户分群", "RFM 客戶分群"),
     "options": SEGMENT_OPTIONS},
    {"key": "rfm_score", "type": "text", "labels": L("RFM score", "RFM 评分", "RFM 評分")},
    {"key": "p_alive", "type": "number", "labels": L("Probability still active", "仍活跃概率", "仍活躍機率")},
    {"key": "expected_purchases_30", "type": "number",
     "labels": L("Expected purchases, next 30 days", "预计购买次数（未来 30 天）", "預計購買次數（未來 30 天）")},
    {"key": "expected_purchases_90", "type": "number",
     "labels": L("Expected purchases, next 90 days", "预计购买次数（未来 90 天）", "預計購買次數（未來 90 天）")},
    {"key": "expected_purchases_365", "type": "number",
     "labels": L("Expected purchases, next 365 days", "预计购买次数（未来 365 天）", "預計購買次數（未來 365 天）")},
    {"key": "expected_order_value", "type": "currency", "labels": L("Expected order value", "预计客单价", "預計客單價")},
    {"key": "predicted_clv", "type": "currency",
     "labels": L("Predicted value, next 12 months", "预测客户价值（未来 12 个月）", "預測客戶價值（未來 12 個月）")},
)
VALUE_KEYS = tuple(f["key"] for f in VALUE_FIELDS)
PREDICTION_KEYS = VALUE_KEYS[2:]


def ensure_fields() -> list[str]:
    """Create the read-only value fields on the contact object of the workspace in context
    (idempotent). Returns the keys it cannot use because a custom field of an admin took them."""
    from saas.metadata.definitions import bump_version, ensure_definitions, object_definition
    from saas.metadata.models import FieldDefinition

    contact = object_definition("contact")
    if contact is None:
        ensure_definitions()
        contact = object_definition("contact")
    existing = {row.key: row for row in db.session.scalars(
        select(FieldDefinition).where(FieldDefinition.object_id == contact.id))}
    position = max((row.position for row in existing.values()), default=0)
    added = False
    for spec in VALUE_FIELDS:
        if spec["key"] in existing:
            continue
        position += 10
        db.session.add(FieldDefinition(
            object_id=contact.id, key=spec["key"], type=spec["type"], labels=dict(spec["labels"]), help_texts={},
            options=[dict(o) for o in spec.get("options", ())], required=False, unique=False, position=position,
            hidden=False, is_system=True, filterable=False))
        added = True
    if added:
        db.session.flush()
        bump_version()
    return [key for key in VALUE_KEYS if key in existing and not existing[key].is_system]


# --- runs --------------------------------------------------------------------------------------

def latest_run() -> CustomerValueRun | None:
    """The newest run of the workspace in context."""
    return db.session.scalar(select(CustomerValueRun).order_by(CustomerValueRun.id.desc()).limit(1))


def last_good_run(before_id: int | None = None) -> CustomerValueRun | None:
    """The newest run whose models converged (optionally older than run `before_id`)."""
    statement = select(CustomerValueRun).where(CustomerValueRun.status == "done")
    if before_id is not None:
        statement = statement.where(CustomerValueRun.id < before_id)
    return db.session.scalar(statement.order_by(CustomerValueRun.id.desc()).limit(1))


def get_run(run_id: int) -> CustomerValueRun | None:
    """A run of the workspace in context, or None (another workspace's id is None too)."""
    return db.session.scalar(select(CustomerValueRun).where(CustomerValueRun.id == run_id))


def request_run(user_id: int | None = None) -> CustomerValueRun:
    """Queue a run for the workspace in context (commits), unless one is queued or running already."""
    pending = db.session.scalar(select(CustomerValueRun).where(CustomerValueRun.status.in_(("queued", "running")))
                                .order_by(CustomerValueRun.id.desc()).limit(1))
    if pending is not None:
        created = pending.created_at if pending.created_at.tzinfo else pending.created_at.replace(tzinfo=timezone.utc)
        if _utcnow() - created < STALE_AFTER:
            return pending
        # A worker died under it: say so and start again.
        pending.status, pending.finished_at = "failed", _utcnow()
        pending.message = _("The computation stopped without finishing; it was started again.")
    run = CustomerValueRun(status="queued", requested_by=user_id)
    db.session.add(run)
    db.session.flush()
    enqueue(run_job, run.id, queue="analytics")
    db.session.commit()                  # the job leaves with the commit
    return run


def nightly_job() -> None:
    """The scheduled entry point: a run for the workspace in context (one per night)."""
    request_run(None)


def run_job(run_id: int, today: str | None = None) -> str | None:
    """The rq job: compute run `run_id` of the workspace in context. Returns its final status."""
    run = get_run(run_id)
    if run is None or run.finished:
        return None if run is None else run.status
    run.status, run.started_at = "running", _utcnow()
    db.session.commit()
    try:
        compute(run, date.fromisoformat(today) if today else None)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("customer value run %s failed", run_id)
        run = get_run(run_id)
        run.status, run.finished_at = "failed", _utcnow()
        run.message = _("The computation failed: %(error)s", error=f"{type(exc).__name__}: {exc}")
        db.session.commit()
    return run.status


def _progress(run: CustomerValueRun, done: int, commit: bool = True) -> None:
    # The page polls the run's row: each step commits it. Steps before the last write nothing
    # else, so no customer's values are ever half-written.
    run.progress_done = done
    report_progress(done, STEPS)
    if commit:
        db.session.commit()


def compute(run: CustomerValueRun, today: date | None = None, commit_progress: bool = True) -> CustomerValueRun:
    """Read the orders, score RFM, fit the models and write every customer's values. Commits the
    progress after each step (unless `commit_progress` is False: all in the caller's transaction);
    the values and the run's result go in the caller's last commit."""
    taken = ensure_fields()
    figures = customer_figures(today)
    run.as_of = figures.today
    run.customers = len(figures)
    run.repeat_customers = int((figures.frequency > 0).sum()) if len(figures) else 0
    run.orders = int(figures.orders.sum()) if len(figures) else 0
    _progress(run, 1, commit_progress)
    values: dict[str, list] = {"rfm_segment": figures.segments.tolist() if len(figures) else [],
                               "rfm_score": figures.scores if len(figures) else []}
    _progress(run, 2, commit_progress)
    predictions, clv_values = _predict(run, figures, commit_progress)
    values.update(predictions)
    _progress(run, 4, commit=False)
    write_values(figures.contact_id, values, [k for k in VALUE_KEYS if k not in taken])
    _mark_data_changed()
    run.segments = segment_summary(figures, clv_values)
    if taken:
        note = _("These keys are custom fields of this workspace, so they were not written: %(keys)s.",
                 keys=", ".join(taken))
        run.message = f"{run.message} {note}" if run.message else note
    run.finished_at = _utcnow()
    _progress(run, STEPS, commit=False)
    return run


def _predict(run: CustomerValueRun, figures: CustomerFigures,
             commit_progress: bool = True) -> tuple[dict[str, list], np.ndarray | None]:
    """Fit (or fall back to the last good fit) and predict; sets the run's status and message."""
    x, t_x, age, m = figures.frequency, figures.recency, figures.age, figures.monetary_value
    if run.customers < MIN_CUSTOMERS or run.repeat_customers < MIN_REPEAT_CUSTOMERS:
        run.status = "not_enough_data"
        run.message = _("Not enough data yet: predictions need at least %(customers)d customers with orders, "
                        "%(repeat)d of whom ordered on more than one day (now %(have)d and %(have_repeat)d).",
                        customers=MIN_CUSTOMERS, repeat=MIN_REPEAT_CUSTOMERS, have=run.customers,
                        have_repeat=run.repeat_customers)
        return {}, None
    previous = last_good_run(before_id=run.id)
    start_bg = tuple(previous.bgnbd[k] for k in ("r", "alpha", "a", "b")) if previous else None
    start_gg = tuple(previous.gamma_gamma[k] for k in ("p", "q", "v")) if previous else None
    bg = clv.fit_bgnbd(x, t_x, age, start=start_bg)
    _progress(run, 3, commit_progress)
    gg = clv.fit_gamma_gamma(x, m, start=start_gg)
    # Gamma-Gamma's mean needs q > 1; BG/NBD's expectation needs finite values.
    usable = bg.converged and gg.converged and gg.q > 1
    if usable:
        run.status, run.fit_from_run_id = "done", run.id
        run.bgnbd = {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "log_likelihood": bg.log_likelihood}
        run.gamma_gamma = {"p": gg.p, "q": gg.q, "v": gg.v, "log_likelihood": gg.log_likelihood}
    elif previous is not None:
        run.status, run.fit_from_run_id = "not_converged", previous.id
        bg = clv.BgNbdParams(**{k: previous.bgnbd[k] for k in ("r", "alpha", "a", "b", "log_likelihood")})
        gg = clv.GammaGammaParams(**{k: previous.gamma_gamma[k] for k in ("p", "q", "v", "log_likelihood")})
        run.message = _("The models did not converge on this data; the predictions use the last good fit, of "
                        "%(date)s.", date=previous.as_of.isoformat() if previous.as_of else "?")
    else:
        run.status = "not_converged"
        run.message = _("The models did not converge on this data and there is no earlier fit to keep; "
                        "no predictions were written.")
        return {}, None
    with np.errstate(all="ignore"):
        alive = clv.probability_alive(bg, x, t_x, age)
        expected = {t: clv.expected_purchases(bg, t, x, t_x, age) for t in HORIZONS}
        order_value = clv.expected_order_value(gg, x, m)
        lifetime = expected[CLV_HORIZON] * order_value
    out = {"p_alive": _rounded(alive, 4), "expected_order_value": _rounded(order_value, 2),
           "predicted_clv": _rounded(lifetime, 2)}
    for t in HORIZONS:
        out[f"expected_purchases_{t}"] = _rounded(expected[t], 3)
    return out, lifetime


def _rounded(values: np.ndarray, places: int) -> list:
    """Finite values rounded, None for what the model cannot say (NaN, inf)."""
    values = np.round(np.asarray(values, dtype=float), places)
    return [v if math.isfinite(v) else None for v in values.tolist()]


# --- the bulk write ----------------------------------------------------------------------------

def write_values(contact_ids: np.ndarray, values: dict[str, list], keys: list[str]) -> int:
    """Replace the value keys on every contact of the workspace in context: the given contacts get
    `values` (a key missing or None is removed), every other contact loses the keys. One statement
    per step, never a query per contact. Returns how many contacts got values."""
    from saas.plugin_api import current_workspace

    if not keys:
        return 0
    tenant_id = current_workspace().id
    ids = [int(i) for i in contact_ids.tolist()]
    columns = {key: values[key] for key in keys if key in values}
    if db.session.get_bind().dialect.name == "postgresql":
        _write_postgres(tenant_id, ids, columns, keys)
    else:
        _write_sqlite(tenant_id, ids, columns, keys)
    return len(ids)


_SQL_TYPES = {"text": "text", "single_select": "text", "number": "float8", "currency": "float8"}


def _write_postgres(tenant_id: int, ids: list[int], columns: dict[str, list], keys: list[str]) -> None:
    # Keys are fixed identifiers (VALUE_KEYS), never input: safe to name in SQL.
    removed = "ARRAY[" + ", ".join(f"'{k}'" for k in keys) + "]::text[]"
    types = {f["key"]: _SQL_TYPES[f["type"]] for f in VALUE_FIELDS}
    connection = db.session.connection()
    # The values go in typed columns by binary COPY into a temporary table, and the database makes
    # each JSON document in the one UPDATE ... FROM it: no JSON built or bound per customer in Python.
    connection.execute(text(
        "CREATE TEMPORARY TABLE customer_value_load (id integer"
        + "".join(f", {key} {types[key]}" for key in columns) + ") ON COMMIT DROP"))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY customer_value_load (id{''.join(', ' + k for k in columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int4", *(types[key] for key in columns)])
        for row in zip(ids, *columns.values()):
            copy.write_row(row)
    connection.execute(text("ANALYZE customer_value_load"))
    # jsonb_strip_nulls: a value the model cannot give (None) leaves its key out.
    document = "jsonb_strip_nulls(jsonb_build_object(" + ", ".join(f"'{k}', v.{k}" for k in columns) + "))"
    connection.execute(text(
        f"UPDATE contacts AS c SET custom = (c.custom - {removed}) || {document} FROM customer_value_load AS v "
        "WHERE c.tenant_id = :tenant AND c.id = v.id"), {"tenant": tenant_id})
    # Customers without orders any more (orders deleted, cancelled): their old values go.
    connection.execute(text(
        f"UPDATE contacts AS c SET custom = c.custom - {removed} WHERE c.tenant_id = :tenant AND c.custom ?| {removed} "
        "AND NOT EXISTS (SELECT 1 FROM customer_value_load AS v WHERE v.id = c.id)"), {"tenant": tenant_id})
    connection.execute(text("DROP TABLE customer_value_load"))


def _write_sqlite(tenant_id: int, ids: list[int], columns: dict[str, list], keys: list[str]) -> None:
    # json_patch (RFC 7396) removes a key patched with null: every key is in every patch.
    patches = [json.dumps({key: columns[key][index] if key in columns else None for key in keys})
               for index in range(len(ids))]
    has_any = " OR ".join(f"json_type(custom, '$.{k}') IS NOT NULL" for k in keys)
    connection = db.session.connection()
    connection.execute(text(f"UPDATE contacts SET custom = json_patch(custom, :clear) "
                            f"WHERE tenant_id = :tenant AND ({has_any})"),
                       {"clear": json.dumps({key: None for key in keys}), "tenant": tenant_id})
    if ids:
        connection.execute(text("UPDATE contacts SET custom = json_patch(custom, :patch) "
                                "WHERE tenant_id = :tenant AND id = :id"),
                           [{"patch": patch, "tenant": tenant_id, "id": i} for i, patch in zip(ids, patches)])


def _mark_data_changed() -> None:
    # Widgets cached over contacts must see the new values after the commit, as after a record
    # edit (the cache's data version; the values are written around the record services).
    from saas.plugin_api import current_workspace

    try:
        from saas.modules.analytics import cache
    except ImportError:          # the report widgets are another part of the package, built apart
        return
    cache.mark_changed(db.session(), current_workspace().id)


def status_label(run: CustomerValueRun | None):
    """A short label of a run's state for the page."""
    labels = {"queued": _l("Waiting to start"), "running": _l("Computing"), "done": _l("Up to date"),
              "not_enough_data": _l("Not enough data yet"), "not_converged": _l("Kept the last good fit"),
              "failed": _l("Failed")}
    return labels.get(run.status, run.status) if run else _l("Never computed")
