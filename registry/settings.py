"""The one reader of administrator-editable settings (可配置规则): every key declared once, read one way.

Each area declares its keys beside the code that reads them (``SETTINGS`` in the modules of ``AREAS``, one line
per area, the way ``registry.blueprints`` lists blueprints); a workflow stage's time limit or on/off switch is
declared by the stage itself (``Stage.time_limit_setting``, ``Stage.enabled_setting``). ``get`` returns the
stored value, else the declared default; a key nobody declared is a programming error and raises
``UnknownSetting`` (a typo must not read a silent default). The administrator pages (``registry.services.settings``)
validate and store values. Values are cached per process (``registry.refcache``): a change applies at once in the
process that makes it and within ``REFERENCE_CACHE_SECONDS`` in the others.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from registry.i18n import N_

TYPES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}

# Modules whose SETTINGS tuple declares an area's keys; one line per area.
AREAS = (
    "workflows.settings",
    "registry.awards.settings",
    "registry.targets.settings",
    "registry.retention.settings",
)

# key prefix -> the area's name on the settings page, in the page's order
AREA_LABELS = {"workflows": N_("流程通用"), "pinzibiao": N_("品字标"), "awards": N_("政府质量奖"),
               "quality_award": N_("政府质量奖流程"), "targets": N_("规划指标统计口径"), "retention": N_("数据保留")}

TIME_LIMIT = N_("%(workflow)s·%(stage)s 办理时限（%(unit)s）")
STAGE_SWITCH = N_("%(workflow)s·启用“%(stage)s”环节")


class UnknownSetting(KeyError):
    """A key no area declares: a programming error (a typo or a missing declaration), never a user's input."""


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, type name (a value of ``TYPES``), default and Chinese label, with optional bounds."""

    key: str
    type: str
    default: Any
    label: str
    minimum: float | None = None
    maximum: float | None = None
    options: Callable[[], dict[str, str]] | None = None  # allowed values (str) or items (list): code -> label
    hint: str = ""
    # A label the system builds (a stage's time limit): the msgid and its arguments, for the page's language.
    label_msgid: str | None = None
    label_args: dict | None = None

    @property
    def area(self) -> str:
        prefix = self.key.split(".")[0]
        return AREA_LABELS.get(prefix, prefix)

    @property
    def choices(self) -> dict[str, str] | None:
        return self.options() if self.options else None

    def display_label(self) -> str:
        """The label in the page's language (``label`` stays the Chinese source, for messages and logs)."""
        from flask_babel import gettext

        if self.label_msgid:
            return gettext(self.label_msgid, **{k: gettext(v) for k, v in (self.label_args or {}).items()})
        return gettext(self.label)


def declare(key: str, kind: type, default: Any, label: str, **more: Any) -> SettingSpec:
    """A setting declaration. Raises TypeError when the default is not of ``kind`` (checked once, at declaration)."""
    if type(default) is not kind:  # bool is an int in Python: compare exactly
        raise TypeError(f"setting {key}: default {default!r} is not {kind.__name__}")
    return SettingSpec(key=key, type=TYPES[kind], default=default, label=label, **more)


def _stage_settings(workflows) -> list[SettingSpec]:
    found = []
    for workflow in workflows:
        for stage in workflow.stages:
            names = {"workflow": workflow.label, "stage": stage.label}
            if stage.time_limit_setting and stage.time_limit_days is not None:
                args = {**names, "unit": N_("天") if stage.calendar_days else N_("工作日")}
                found.append(SettingSpec(key=stage.time_limit_setting, type="int", default=stage.time_limit_days,
                                         label=TIME_LIMIT % args, minimum=1, maximum=365, label_msgid=TIME_LIMIT,
                                         label_args=args))
            if stage.enabled_setting:
                found.append(SettingSpec(key=stage.enabled_setting, type="bool", default=False,
                                         label=STAGE_SWITCH % names, label_msgid=STAGE_SWITCH, label_args=names))
    return found


_built: list[tuple[tuple, dict[str, SettingSpec]]] = []  # the last table ``declared`` built, and from what


def declared() -> dict[str, SettingSpec]:
    """Every declared setting by key: the areas' in ``AREAS`` order, then the workflow stages' (an older definition
    version repeating a key keeps the first declaration). Raises ValueError when two areas declare one key.

    Built again only when the areas' declarations or the app's definitions are other objects than last time: every
    ``get`` looks its key up here (each workflow action reads several settings), so the callers share the table
    and must not change it."""
    from importlib import import_module

    from workflows import definitions

    sources = (tuple(import_module(module).SETTINGS for module in AREAS), tuple(definitions.all_versions()))
    if _built and _built[0][0] == sources:
        return _built[0][1]
    found: dict[str, SettingSpec] = {}
    for area in sources[0]:
        for spec in area:
            if spec.key in found:
                raise ValueError(f"setting {spec.key} declared twice")
            found[spec.key] = spec
    for spec in _stage_settings(sources[1]):
        found.setdefault(spec.key, spec)
    _built[:] = [(sources, found)]
    return found


def spec(key: str) -> SettingSpec:
    """The declaration of ``key``. Raises UnknownSetting."""
    found = declared().get(key)
    if found is None:
        raise UnknownSetting(key)
    return found


def get(key: str) -> Any:
    """The stored value of ``key``, else its declared default. Raises UnknownSetting for an undeclared key."""
    from registry import refcache
    from registry.extensions import db
    from registry.models import Setting

    declaration = spec(key)
    if not refcache.enabled():
        row = db.session.get(Setting, key)
        return declaration.default if row is None or row.value is None else row.value
    stored = refcache.cached("settings", lambda: dict(db.session.execute(select(Setting.key, Setting.value)).all()))
    value = stored.get(key)
    if value is None:
        return declaration.default
    return copy.deepcopy(value) if isinstance(value, (list, dict)) else value  # the cached copy stays as stored


def put(key: str, value: Any) -> None:
    """Store ``value`` for ``key`` unchecked, for code and tests that set a rule directly (the caller commits;
    administrators go through ``registry.services.settings.set``, which validates). Raises UnknownSetting."""
    from registry import refcache
    from registry.extensions import db
    from registry.models import Setting

    spec(key)
    refcache.mark_written(db.session())
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
