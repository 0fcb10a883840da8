"""Administrator-editable settings (可配置规则): one table of every key the areas read, typed and validated.

The areas keep their own defaults (``workflows.settings.DEFAULTS``, ``registry.awards.settings.DEFAULTS``, and the
stage time limits / optional-stage switches named in the workflow definitions); this module imports those
declarations rather than repeating them, and adds what the administrator pages need: a Chinese label, the area,
the value type (taken from the default), and for some keys the allowed values or bounds. ``set`` refuses a value
of the wrong type, so an area never reads a string where it expects a number.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from registry.database import begin_write
from registry.extensions import db
from registry.i18n import N_
from registry.models import Setting, User
from registry.models.accounts import ROLE_ADMIN, ROLE_BUREAU
from registry.services.errors import Forbidden, NotFound, ValidationFailed

TYPES = ("int", "float", "bool", "str", "list", "dict")


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    area: str  # Chinese name of the area that reads the key
    type: str  # one of TYPES
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: dict[str, str] | None = None  # allowed values (str) or items (list): code -> Chinese label
    hint: str = ""
    # A label the system builds (a stage's time limit): the msgid and its arguments, for the page's language.
    label_msgid: str | None = None
    label_args: dict | None = None

    def display_label(self) -> str:
        """The label in the page's language (``label`` stays the Chinese source, for messages and logs)."""
        from flask_babel import gettext

        if self.label_msgid:
            return gettext(self.label_msgid, **{k: gettext(v) for k, v in (self.label_args or {}).items()})
        return gettext(self.label)


# Labels, bounds and allowed values of the keys the areas declare (the defaults stay with the areas).
_EXTRA: dict[str, dict] = {
    "workflows.reminder_days": dict(label=N_("截止前提醒（工作日）"), minimum=0, maximum=30),
    "workflows.correction_days": dict(label=N_("退回补正的补正期限（工作日）"), minimum=1, maximum=60),
    "workflows.outbox_max_attempts": dict(label=N_("通知发送最多尝试次数"), minimum=1, maximum=50),
    "pinzibiao.validity_years": dict(label=N_("品字标证书有效期（年）"), minimum=1, maximum=10),
    "pinzibiao.surveillance_notice_days": dict(label=N_("年度监督审核提前提醒（天）"), minimum=0, maximum=365),
    "pinzibiao.expiry_notice_days": dict(label=N_("证书到期提前提醒（天）"), minimum=0, maximum=730),
    "awards.eligibility.rules": dict(label=N_("资格审查启用的规则"), choices="eligibility_rules"),
    "awards.eligibility.min_years": dict(label=N_("最少经营年限（年）"), minimum=0, maximum=50),
    "awards.eligibility.credit_lookback_years": dict(label=N_("信用记录回溯年限（年）"), minimum=0, maximum=20),
    "awards.eligibility.credit_list_types": dict(label=N_("阻止申报的信用名单类型"), choices="credit_list_types"),
    "awards.eligibility.incident_lookback_years": dict(label=N_("事故与抽查回溯年限（年）"), minimum=0, maximum=20),
    "awards.eligibility.incident_kinds": dict(label=N_("阻止申报的事故类型"), choices="incident_kinds"),
    "awards.eligibility.certificate_types": dict(label=N_("须持有的认证（任一）"), choices="certification_types"),
    "awards.panel.size": dict(label=N_("专家组人数"), minimum=1, maximum=30),
    "awards.panel.min_size": dict(label=N_("专家组最少人数"), minimum=1, maximum=30),
    "awards.panel.substitutes": dict(label=N_("候补专家人数"), minimum=0, maximum=20),
    "awards.panel.leader_rule": dict(label=N_("组长产生方式"), choices="leader_rules"),
    "awards.panel.max_load": dict(label=N_("同批次每位专家最多评审组数"), minimum=1, maximum=50),
    "awards.scoring.drop_extremes": dict(label=N_("去掉一个最高分和一个最低分")),
    "awards.scoring.min_scores_to_trim": dict(label=N_("去极值所需最少评分数"), minimum=3, maximum=30),
    "awards.scoring.spread_threshold_pct": dict(label=N_("评分差异阈值（占类目满分 %）"), minimum=0, maximum=100),
    "awards.scoring.max_attempts": dict(label=N_("最多评分轮次"), minimum=1, maximum=10),
    "awards.scoring.stage_weights": dict(label=N_("各评审阶段权重"), hint=N_("JSON 对象，如 {\"document\": 0.4, \"site\": 0.6}")),
    "awards.notice.days": dict(label=N_("公示天数（新批次默认）"), minimum=1, maximum=60),
    "awards.notice.working_days": dict(label=N_("公示按工作日计算（新批次默认）")),
    "targets.quality_award_orgs.count_nomination": dict(label=N_("政府质量奖获奖组织计入提名奖")),
    # retention (registry.retention.settings): the audit trail's floor is the law's six months, refused below
    "retention.audit_days": dict(label=N_("安全审计记录保留天数（不少于 180 天）"), minimum=180, maximum=3650),
    "retention.expired_sessions_days": dict(label=N_("过期登录会话保留天数"), minimum=0, maximum=365),
    "retention.delivered_outbox_days": dict(label=N_("已送达消息任务保留天数"), minimum=1, maximum=3650),
    "retention.read_notifications_days": dict(label=N_("已读站内消息保留天数"), minimum=1, maximum=3650),
    "retention.export_files_days": dict(label=N_("后台导出文件保留天数"), minimum=1, maximum=365),
    "retention.attachment_versions_days": dict(label=N_("已结束申报的旧版附件保留天数"), minimum=30, maximum=3650),
    "targets.zzb_standards.count_participants": dict(label=N_("“浙江制造”标准计入仅参与起草的标准")),
}

# Settings that must agree with each other: (smaller key, larger key, factor, message). A value is refused when
# smaller > larger * factor, whichever of the two is being changed (or reset to its default).
RELATIONS: tuple[tuple[str, str, int, str], ...] = (
    ("awards.panel.min_size", "awards.panel.size", 1,
     "专家组最少人数（{low}）不能多于专家组人数（{high}），否则按设置抽取的专家组都会被拒绝。"),
    ("awards.scoring.min_scores_to_trim", "awards.panel.size", 1,
     "去极值所需最少评分数（{low}）不能多于专家组人数（{high}），否则最高分和最低分永远不会去掉。"),
    ("pinzibiao.expiry_notice_days", "pinzibiao.validity_years", 365,
     "证书到期提前提醒（{low} 天）不能长于证书有效期（{high} 年），否则证书一发出就会提醒到期。"),
)


def _check_relations(key: str, value: Any) -> None:
    """Refuse ``value`` for ``key`` when it contradicts a related setting's current value. Raises ValidationFailed."""
    for low, high, factor, message in RELATIONS:
        if key not in (low, high):
            continue
        low_value = value if key == low else get(low)
        high_value = value if key == high else get(high)
        if low_value > high_value * factor:
            raise ValidationFailed({"value": [message.format(low=low_value, high=high_value)]})


def _check_weights(key: str, value: Any) -> None:
    if key == "awards.scoring.stage_weights" and not any(v > 0 for v in value.values()):
        raise ValidationFailed({"value": ["各评审阶段权重至少有一项大于 0，否则无法计算综合得分。"]})


# key prefix -> area, in the order the page lists them
_AREAS = {"workflows": N_("流程通用"), "pinzibiao": N_("品字标"), "awards": N_("政府质量奖"),
          "quality_award": N_("政府质量奖流程"), "targets": N_("规划指标统计口径"),
          "retention": N_("数据保留")}


def _choice_lists() -> dict[str, dict[str, str]]:
    """The allowed codes of the list and choice settings, with their labels, from the vocabularies that own them."""
    from registry.awards.eligibility import RULES
    from registry.vocab import CERTIFICATION_TYPES, CREDIT_LIST_TYPES, INCIDENT_KINDS

    return {"eligibility_rules": {code: str(rule.label) for code, rule in RULES.items()},
            "credit_list_types": dict(CREDIT_LIST_TYPES.choices()),
            "incident_kinds": dict(INCIDENT_KINDS.choices()),
            "certification_types": dict(CERTIFICATION_TYPES.choices()),
            "leader_rules": {"qualified": N_("具备组长资格的专家担任"), "first": N_("首位抽中的专家担任")}}


def _type_of(value: Any) -> str:
    for name, kind in (("bool", bool), ("int", int), ("float", float), ("str", str), ("list", list), ("dict", dict)):
        if isinstance(value, kind):
            return name
    raise TypeError(f"setting default of unsupported type: {value!r}")


TIME_LIMIT = N_("%(workflow)s·%(stage)s 办理时限（%(unit)s）")
STAGE_SWITCH = N_("%(workflow)s·启用“%(stage)s”环节")


def _declared() -> dict[str, tuple[Any, tuple[str, dict] | None]]:
    """key -> (default, (label msgid, its arguments) or None) from every area's own declarations."""
    from registry.awards import settings as award_settings
    from registry.retention import settings as retention_settings
    from registry.targets import settings as target_settings
    from workflows import settings as workflow_settings
    from workflows.definitions import _all as all_workflows

    found: dict[str, tuple[Any, str | None]] = {}
    for key, default in {**workflow_settings.DEFAULTS, **award_settings.DEFAULTS, **target_settings.DEFAULTS,
                         **retention_settings.DEFAULTS}.items():
        found[key] = (default, None)
    for workflow in all_workflows():
        for stage in workflow.stages:
            names = {"workflow": workflow.label, "stage": stage.label}
            if stage.time_limit_setting and stage.time_limit_days is not None:
                unit = N_("天") if stage.calendar_days else N_("工作日")
                found.setdefault(stage.time_limit_setting, (stage.time_limit_days, (TIME_LIMIT, {**names, "unit": unit})))
            if stage.enabled_setting:
                found.setdefault(stage.enabled_setting, (False, (STAGE_SWITCH, names)))
    return found


def known() -> dict[str, SettingSpec]:
    """Every setting key an area reads, by key, in a stable order (area, then key)."""
    specs = {}
    choice_lists = _choice_lists()
    for key, (default, label) in _declared().items():
        extra = dict(_EXTRA.get(key, {}))
        if "choices" in extra:
            extra["choices"] = choice_lists[extra["choices"]]
        kind = _type_of(default)
        if kind == "int" and "minimum" not in extra and key.endswith("_days"):
            extra.update(minimum=1, maximum=365)  # stage time limits
        area = _AREAS.get(key.split(".")[0], key.split(".")[0])
        msgid, args = label if label else (None, None)
        built = msgid % args if msgid else key
        specs[key] = SettingSpec(key=key, label=extra.pop("label", built), area=area, type=kind, default=default,
                                 label_msgid=None if "label" in _EXTRA.get(key, {}) else msgid,
                                 label_args=args, **extra)
    order = list(_AREAS.values())
    return dict(sorted(specs.items(), key=lambda item: order.index(item[1].area) if item[1].area in order
                       else len(order)))  # stable: an area's keys keep their declared order


def spec_for(key: str) -> SettingSpec:
    """The declaration of ``key``. Raises NotFound for a key no area reads."""
    spec = known().get(key)
    if spec is None:
        raise NotFound("未知的设置项。")
    return spec


def get(key: str, default: Any = None) -> Any:
    """The stored value of ``key``, else its declared default, else ``default``."""
    row = db.session.get(Setting, key)
    if row is not None and row.value is not None:
        return row.value
    spec = known().get(key)
    return spec.default if spec is not None else default


def overview(actor: User) -> list[dict]:
    """Every known setting with its current value and whether it was changed (administrators, bureau).

    Raises Forbidden.
    """
    _require(actor, (ROLE_ADMIN, ROLE_BUREAU))
    stored = {row.key: row.value for row in db.session.query(Setting).all()}
    return [{"spec": spec, "value": stored.get(key, spec.default) if stored.get(key) is not None else spec.default,
             "changed": key in stored and stored[key] is not None and stored[key] != spec.default}
            for key, spec in known().items()]


def parse(spec: SettingSpec, raw: Any) -> Any:
    """The typed value of ``raw`` (a form string or a JSON value) for ``spec``. Raises ValueError (Chinese)."""
    text = raw.strip() if isinstance(raw, str) else raw
    if spec.type == "bool":
        if isinstance(text, bool):
            return text
        if text in ("1", "true", "on", "是", "y", "yes"):
            return True
        if text in ("0", "false", "off", "否", "n", "no", ""):
            return False
        raise ValueError("应为“是”或“否”。")
    if spec.type in ("int", "float"):
        if isinstance(text, bool) or text in ("", None):
            raise ValueError("请填写数值。")
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise ValueError("必须是整数。" if spec.type == "int" else "必须是数字。") from None
        if not math.isfinite(number):
            raise ValueError("必须是有限的数字。")
        if spec.type == "int":
            if not number.is_integer():
                raise ValueError("必须是整数。")
            number = int(number)
        if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
            raise ValueError(f"应在 {spec.minimum:g} 至 {spec.maximum:g} 之间。")
        return number
    if spec.type == "str":
        if not isinstance(text, str) or not text:
            raise ValueError("请填写。")
        if spec.choices and text not in spec.choices:
            raise ValueError(f"可选值：{'、'.join(f'{c}({label})' for c, label in spec.choices.items())}。")
        return text[:200]
    if spec.type == "list":
        if isinstance(text, list) and not all(isinstance(t, str) for t in text):
            raise ValueError("应为代码列表。")
        items = [str(t).strip() for t in text] if isinstance(text, list) else [p.strip() for p in str(text).replace(",", ",").replace(
            "\n", ",").split(",") if p.strip()]
        if not all(0 < len(item) <= 64 for item in items):
            raise ValueError("应为以逗号分隔的代码列表。")
        unknown = [item for item in items if spec.choices and item not in spec.choices]
        if unknown:
            raise ValueError(f"未知的代码：{'、'.join(unknown)}；可选：{'、'.join(spec.choices)}。")
        if spec.choices and not items:
            raise ValueError("至少选择一项。")
        return list(dict.fromkeys(items))
    # dict: a JSON object of numbers keyed like the default (e.g. stage weights)
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        raise ValueError("应为 JSON 对象，如 {\"document\": 0.4}。") from None
    if not isinstance(value, dict) or sorted(value) != sorted(spec.default) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
            for v in value.values()):
        raise ValueError(f"应为 JSON 对象，键为 {'、'.join(spec.default)}，值为非负数字。")
    return value


def set(actor: User, key: str, raw: Any) -> Any:  # noqa: A001  (the service's verb, used as settings.set)
    """Store ``key`` = the parsed ``raw`` (administrators only); returns the stored value.

    Raises Forbidden, NotFound (unknown key), ValidationFailed({"value": [...]}) for a value of the wrong type.
    """
    _require(actor, (ROLE_ADMIN,))
    spec = spec_for(key)
    try:
        value = parse(spec, raw)
    except ValueError as exc:
        raise ValidationFailed({"value": [f"{spec.label}:{exc}"]}) from None
    _check_relations(key, value)
    _check_weights(key, value)
    begin_write()
    row = db.session.get(Setting, key)
    before = row.value if row is not None else None
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    _audit("setting_change", actor, key, {"key": key, "from": before, "to": value})
    db.session.commit()
    return value


def reset(actor: User, key: str) -> None:
    """Remove the stored value of ``key`` so its area's default applies again. Raises Forbidden, NotFound,
    ValidationFailed (the default contradicts a related setting)."""
    _require(actor, (ROLE_ADMIN,))
    spec = spec_for(key)
    _check_relations(key, spec.default)
    begin_write()
    row = db.session.get(Setting, key)
    if row is not None:
        _audit("setting_reset", actor, key, {"key": key, "from": row.value})
        db.session.delete(row)
    db.session.commit()


def _audit(event: str, actor: User, key: str, details: dict) -> None:
    from registry.audit.trail import record

    record(event, actor, f"setting:{key}", details)


def _require(actor: User, roles: tuple[str, ...]) -> None:
    if actor.role not in roles:
        raise Forbidden("只有系统管理员可以修改系统设置。" if roles == (ROLE_ADMIN,) else "没有查看系统设置的权限。")
