"""Plan limits: what a workspace uses against what its plan allows, and the one check to call.

Any module that adds something a plan limits calls `require_capacity(resource)` before adding
it (inside the workspace's tenant context, before committing), and `require_writable(resource)`
before changing it: a workspace beyond a limit (after a downgrade or a cancelation) keeps all of
its data, read-only, until it is back under the limit or upgrades. Both raise PlanLimitError,
an InputError with code "plan_limit" and status 402 (Payment Required: the role allows the
action, the plan does not; 403 stays for permissions). Browsers show its message with a link to
the billing page; the API renders it in the documented error shape.

Usage is counted by counters: "seats" here (members plus pending invitations, since an
invitation holds a seat); other modules register theirs with `register_usage_counter`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, g, has_request_context, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from saas.errors import InputError
from saas.extensions import db
from saas.modules.billing.accounts import effective_plan
from saas.modules.billing.plans import Limits
from saas.tenants.context import current_tenant_id
from saas.tenants.models import Workspace

log = logging.getLogger(__name__)

# resource -> the Limits attribute that caps it
LIMITED_RESOURCES = {"seats": "seats", "records": "records", "plugins": "plugins"}
COUNTERS_KEY = "billing.usage_counters"


class UpgradeMessage(str):
    """A plain-text message that renders in HTML with a link to the billing page.

    JSON and logs see the text; Jinja (which asks for __html__) adds the link, so the
    existing form-error macros show "… Upgrade the plan" without knowing about billing."""

    upgrade_url: str | None = None

    def __new__(cls, text: str, upgrade_url: str | None = None):
        message = super().__new__(cls, text)
        message.upgrade_url = upgrade_url
        return message

    def __html__(self) -> str:
        if not self.upgrade_url:
            return str(escape(str(self)))
        return str(Markup('{} <a href="{}" data-testid="upgrade-link">{}</a>').format(
            str(self), self.upgrade_url, _("See plans and upgrade")))


class PlanLimitError(InputError):
    """The plan of the workspace does not allow this; upgrading would."""

    def __init__(self, resource: str, limit: int | None, message: str, upgrade_url: str | None = None):
        super().__init__(message=UpgradeMessage(message, upgrade_url), code="plan_limit", status=402)
        self.resource = resource
        self.limit = limit
        self.upgrade_url = upgrade_url


@dataclass
class Usage:
    resource: str
    used: int | None  # None: no counter is registered for this resource yet
    limit: int | None  # None: unlimited

    @property
    def percent(self) -> int:
        if not self.used or not self.limit:
            return 0
        return min(100, round(100 * self.used / self.limit))

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used is not None and self.used > self.limit

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used is not None and self.used >= self.limit


def register_usage_counter(app: Flask, resource: str, counter: Callable[[Workspace], int]) -> None:
    """Let billing count `resource` with `counter(workspace) -> int` (called in its tenant context)."""
    if resource not in LIMITED_RESOURCES:
        raise ValueError(f"no plan limit for {resource!r}; known: {sorted(LIMITED_RESOURCES)}")
    counters = app.extensions.setdefault(COUNTERS_KEY, {})
    if resource in counters:
        raise ValueError(f"a usage counter for {resource!r} is registered already")
    counters[resource] = counter


def count_seats(workspace: Workspace) -> int:
    """Members plus pending invitations: an invitation holds its seat until used or withdrawn."""
    from saas.tenants import invitations, workspaces

    return len(workspaces.members(workspace)) + len(invitations.pending_invitations())


def count_plugins(workspace: Workspace) -> int:
    """Installed (third-party) plugins the workspace enabled; built-in modules do not count."""
    from saas.plugins import enabled_plugins, platform

    plugins = platform().plugins
    return sum(1 for name in enabled_plugins(workspace) if name in plugins and plugins[name].source != "builtin")


def _workspace_in_context() -> Workspace:
    if has_request_context() and g.get("workspace") is not None:
        return g.workspace
    tenant_id = current_tenant_id()
    workspace = db.session.get(Workspace, tenant_id) if tenant_id is not None else None
    if workspace is None:
        raise RuntimeError("plan limits need a workspace in context")
    return workspace


def _count(resource: str, workspace: Workspace) -> int | None:
    counter = current_app.extensions.get(COUNTERS_KEY, {}).get(resource)
    if counter is None and resource == "seats":
        counter = count_seats
    return None if counter is None else int(counter(workspace))


def limits_of(workspace: Workspace) -> Limits:
    """The limits in force for the workspace (its plan's, or Free's after a lapse)."""
    return effective_plan(workspace).limits


def usage(workspace: Workspace) -> dict[str, Usage]:
    """Each limited resource: how much the workspace uses and what its plan allows."""
    limits = limits_of(workspace)
    return {resource: Usage(resource, _count(resource, workspace), getattr(limits, attribute))
            for resource, attribute in LIMITED_RESOURCES.items()}


def _upgrade_url() -> str | None:
    # Only someone who can change the plan gets a link; others are told to ask an admin.
    from saas.tenants.request import can

    if has_request_context() and g.get("workspace") is not None and can("billing.manage"):
        return url_for("billing.page")
    return None


RESOURCE_MESSAGES = {
    "seats": lambda limit: _("Your plan allows %(limit)d seats (members and pending invitations).", limit=limit),
    "records": lambda limit: _("Your plan allows %(limit)d records.", limit=limit),
    "plugins": lambda limit: _("Your plan allows %(limit)d plugins.", limit=limit),
}


def _refuse(resource: str, limit: int, read_only: bool = False) -> PlanLimitError:
    url = _upgrade_url()
    text = RESOURCE_MESSAGES[resource](limit)
    if read_only:
        text += " " + _("This workspace is beyond that limit, so these stay read-only: nothing was deleted.")
    text += " " + (_("Upgrade the plan to add more.") if url else _("Ask an admin of the workspace to upgrade the plan."))
    return PlanLimitError(resource, limit, text, url)


@dataclass
class Capacity:
    """How many more of a resource the plan allows, counted once: a job that adds records in
    batches (an import) takes from it instead of counting the workspace's records before every
    batch, which at a million records cost more than writing them. Someone else adding records
    meanwhile can take the workspace a few past the limit, as two requests at the same moment
    always could."""

    resource: str
    limit: int | None           # None: the plan sets no limit (or nothing counts this resource)
    left: int = 0               # may be below 0: the workspace is beyond its limit (read-only)

    def take(self, wanted: int) -> int:
        """How many of `wanted` more fit; they are counted as taken."""
        if self.limit is None:
            return wanted
        granted = max(0, min(wanted, self.left))
        self.left -= granted
        return granted

    def refusal(self, read_only: bool = False) -> PlanLimitError:
        return _refuse(self.resource, self.limit or 0, read_only=read_only)

    def require_writable(self) -> None:
        """require_writable, from this count."""
        if self.limit is not None and self.left < 0:
            raise self.refusal(read_only=True)


def capacity(resource: str) -> Capacity:
    """The room the plan of the workspace in context leaves for `resource`, counted now."""
    if resource not in LIMITED_RESOURCES:
        raise ValueError(f"no plan limit for {resource!r}")
    workspace = _workspace_in_context()
    limit = getattr(limits_of(workspace), LIMITED_RESOURCES[resource])
    if limit is None:
        return Capacity(resource, None)
    used = _count(resource, workspace)
    if used is None:
        log.warning("no usage counter for %s: the %s limit is not enforced", resource, resource)
        return Capacity(resource, None)
    return Capacity(resource, limit, limit - used)


def require_capacity(resource: str, adding: int = 1) -> None:
    """Raise PlanLimitError unless the workspace in context may hold `adding` more of `resource`.

    With adding=0 it checks that the workspace is within the limit now."""
    room = capacity(resource)
    if room.limit is not None and room.left < adding:
        raise room.refusal()


def require_writable(resource: str) -> None:
    """Raise PlanLimitError when the workspace holds more of `resource` than its plan allows."""
    capacity(resource).require_writable()


def module_allowed(module: str, workspace: Workspace | None = None) -> bool:
    """Whether the plan of the workspace (default: the one in context) includes a built-in module."""
    modules = limits_of(workspace or _workspace_in_context()).modules
    return modules is None or module in modules


def require_module(module: str) -> None:
    """Raise PlanLimitError unless the plan of the workspace in context includes `module`."""
    if not module_allowed(module):
        url = _upgrade_url()
        text = _("The %(module)s module is not part of your plan.", module=module) + " " + (
            _("Upgrade the plan to use it.") if url else _("Ask an admin of the workspace to upgrade the plan."))
        raise PlanLimitError("modules", None, text, url)


def api_rate_limit() -> str:
    """The API rate of the workspace in context, as a Flask-Limiter limit ("300 per minute")."""
    return f"{limits_of(_workspace_in_context()).api_per_minute} per minute"
