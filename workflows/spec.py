"""The vocabulary workflow definitions are written in: Workflow, Stage, Action, Field (frozen dataclasses).

A definition is data: stages in order, the actions allowed in each, who may take them, guards, effects,
time limits in working days, and what happens by itself (auto-completion, a window that closes).
The engine (``workflows.engine``) is the only code that interprets it.

Who may act is named by *relations* between a user and an application (``registry.policy.applications``):
``applicant`` (an account of the applying enterprise), ``town`` (a town reviewer of the enterprise's
jurisdiction), ``bureau`` (bureau staff and administrators), ``expert`` (an expert with an active
assignment to the application), ``certifier`` (staff of the certification body the application is assigned to),
``system`` (beat jobs: no user).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from registry.i18n import N_

# Application statuses. ``in_progress``: waiting on the stage's actors; ``returned``: waiting on the applicant (补正,
# clock paused); ``done``: reached the final stage. Definitions may use further statuses (e.g. ``suspended``).
DRAFT, IN_PROGRESS, RETURNED, DONE = "draft", "in_progress", "returned", "done"
REJECTED, WITHDRAWN = "rejected", "withdrawn"
CLOSED_STATUSES = frozenset({REJECTED, WITHDRAWN})

RELATIONS = ("applicant", "town", "bureau", "expert", "certifier", "system")

NEXT = "@next"  # Action.target: the next stage that is switched on

# Guard: (application, actor or None, payload) -> None if the action may proceed, else a user-facing message.
Guard = Callable[[Any, Any, dict], "str | None"]
# Effect: (application, actor or None, payload, now) -> None; runs inside the engine's transaction.
Effect = Callable[[Any, Any, dict, Any], None]
# IdCheck: (enterprise id of the application, actor or None, id) -> None if the application may name this id for
# the field's purpose, else a user-facing message (the field's 422).
IdCheck = Callable[[int, Any, int], "str | None"]

# Kinds of Field that hold the id of a row elsewhere (a registry Standard, an award round...): every such field
# names the check that decides which ids the application may name, and a field called ``*_id`` must be one.
ID_KINDS = frozenset({"standard", "id"})


@dataclass(frozen=True)
class Field:
    """An input an action takes (stored in ``application.data`` under ``name`` unless ``store`` is False)."""

    name: str
    label: str
    kind: str = "text"  # text, textarea, date, int; ids: standard (a registry Standard id), id (any other row's id)
    required: bool = True
    store: bool = True
    # A list to pick from: ``choices() -> [(value, label)]`` (pages show a select; the action's effect or guard
    # still checks the value, as anything from outside).
    choices: Callable[[], list[tuple[str, str]]] | None = None
    check: IdCheck | None = None  # id kinds: which ids may be named (the engine and the create form ask it)
    # id kinds: what pages offer an application of an enterprise, ``options(enterprise_id) -> [(id, label)]`` in
    # order (the engine still asks ``check``).
    options: Callable[[int], list[tuple[str, str]]] | None = None

    def __post_init__(self):
        if self.name.endswith("_id") and self.kind not in ID_KINDS:
            raise ValueError(f"field {self.name}: an id field takes an id kind ({sorted(ID_KINDS)})")
        if self.kind in ID_KINDS and self.check is None:
            raise ValueError(f"field {self.name}: an id field names the check of the ids it accepts")


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    roles: frozenset[str]
    target: str | None = None  # a stage name, NEXT, or None to stay in the stage
    status: str | None = None  # resulting status; default IN_PROGRESS (DONE when the target stage is final)
    from_statuses: frozenset[str] = frozenset({IN_PROGRESS})
    needs_reason: bool = False
    fields: tuple[Field, ...] = ()
    guard: Guard | None = None
    effects: tuple[Effect, ...] = ()
    # exclusive=False: the action records itself without bumping ``version`` (e.g. one expert's score among
    # several); it still requires the stage and status to be unchanged.
    exclusive: bool = True
    notify: bool = True
    style: str = "primary"  # button look: primary, danger, plain

    def __post_init__(self):
        unknown = set(self.roles) - set(RELATIONS)
        if unknown:
            raise ValueError(f"action {self.name}: unknown roles {unknown}")


@dataclass(frozen=True)
class Auto:
    """Something the beat sweep applies by itself as ``system``.

    ``when``: a guard that must pass (e.g. "the linked standard is published"); checked on every sweep.
    ``on_timeout``: apply only once the stage's due time has passed (e.g. a public-notice window closing).
    """

    action: str
    when: Guard | None = None
    on_timeout: bool = False


@dataclass(frozen=True)
class Stage:
    name: str
    label: str
    actors: frozenset[str]  # who is expected to act now (inboxes, notifications, reminders)
    actions: tuple[Action, ...]
    time_limit_days: int | None = None  # working days; None: no deadline
    time_limit_setting: str | None = None  # Setting key overriding time_limit_days
    calendar_days: bool = False  # count the limit in calendar days instead of working days
    auto: tuple[Auto, ...] = ()
    enabled_setting: str | None = None  # optional stage: skipped unless this Setting is true
    final: bool = False

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)


@dataclass(frozen=True)
class Workflow:
    name: str
    version: int
    label: str
    stages: tuple[Stage, ...]
    fields: tuple[Field, ...] = ()  # what the applicant fills in while drafting
    reminder_days_setting: str = "workflows.reminder_days"  # working days before a deadline to remind
    # A fixed last day for a stage of one application, when the domain sets one (an award round's stage deadlines):
    # ``due_date(application_id, stage_name) -> date | None``; it takes precedence over the stage's time limit.
    due_date: Callable[[int, str], date | None] | None = None
    # The page an application of this workflow is handled on (an area with its own pages names its endpoint).
    page_endpoint: str = "workflows.show"

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"{self.name} v{self.version} has no stage {name!r}")

    @property
    def first(self) -> Stage:
        return self.stages[0]

    def following(self, name: str, enabled: Callable[[Stage], bool]) -> Stage:
        """The next stage after ``name`` that is switched on."""
        names = [s.name for s in self.stages]
        for stage in self.stages[names.index(name) + 1:]:
            if stage.enabled_setting is None or enabled(stage):
                return stage
        raise KeyError(f"{self.name}: no stage after {name!r}")


def act(name: str, label: str, roles: set[str] | frozenset[str], **kw) -> Action:
    """Shorthand used by definitions: ``act("recommend", "推荐", {"town"}, target=NEXT)``."""
    if "from_statuses" in kw:
        kw["from_statuses"] = frozenset(kw["from_statuses"])
    return Action(name=name, label=label, roles=frozenset(roles), **kw)


def reviewer_actions(roles: set[str], forward: Action) -> tuple[Action, ...]:
    """The common reviewer set: the stage's forward action, return for material (补正), reject; and the applicant's
    answers: resubmit after a return, withdraw."""
    return (
        forward,
        act("return", N_("退回补正"), roles, status=RETURNED, needs_reason=True, style="plain"),
        act("reject", N_("不予通过"), roles, status=REJECTED, needs_reason=True, style="danger"),
        resubmit(),
        withdraw(),
    )


def resubmit() -> Action:
    return act("resubmit", N_("补正后重新提交"), {"applicant"}, from_statuses={RETURNED})


def withdraw() -> Action:
    return act("withdraw", N_("撤回申请"), {"applicant"}, status=WITHDRAWN, needs_reason=True,
               from_statuses={DRAFT, IN_PROGRESS, RETURNED}, style="danger")

STATUS_LABELS = {
    DRAFT: N_("草稿"), IN_PROGRESS: N_("办理中"), RETURNED: N_("退回补正"), DONE: N_("已完成"), REJECTED: N_("未通过"),
    WITHDRAWN: N_("已撤回"), "suspended": N_("已暂停"), "revoked": N_("已撤销"), "cancelled": N_("已注销"),
}
