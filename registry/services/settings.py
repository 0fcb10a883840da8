"""Administrator-editable settings (可配置规则): the settings page's use cases (list, change, reset), typed and
validated against the declarations the one reader keeps (``registry.settings``). ``set`` refuses a value of the
wrong type, so an area never reads a string where it expects a number.
"""
from __future__ import annotations

import json
import math
from typing import Any

from registry import policy, settings as reader
from registry.database import begin_write
from registry.extensions import db
from registry.models import Setting, User
from registry.services.errors import NotFound, ValidationFailed
from registry.settings import SettingSpec

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
        low_value = value if key == low else reader.get(low)
        high_value = value if key == high else reader.get(high)
        if low_value > high_value * factor:
            raise ValidationFailed({"value": [message.format(low=low_value, high=high_value)]})


def _check_weights(key: str, value: Any) -> None:
    if key == "awards.scoring.stage_weights" and not any(v > 0 for v in value.values()):
        raise ValidationFailed({"value": ["各评审阶段权重至少有一项大于 0，否则无法计算综合得分。"]})


def known() -> dict[str, SettingSpec]:
    """Every declared setting by key, in the page's order (area, then the order the area declares them)."""
    order = list(reader.AREA_LABELS.values())
    return dict(sorted(reader.declared().items(), key=lambda item: order.index(item[1].area)
                       if item[1].area in order else len(order)))


def spec_for(key: str) -> SettingSpec:
    """The declaration of ``key`` asked for from outside (a page address). Raises NotFound for an undeclared key."""
    try:
        return reader.spec(key)
    except reader.UnknownSetting:
        raise NotFound("未知的设置项。") from None


def overview(actor: User) -> list[dict]:
    """Every known setting with its current value and whether it was changed (administrators, bureau).

    Raises Forbidden.
    """
    policy.check(actor, "settings.view")
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
    policy.check(actor, "settings.edit")
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
    policy.check(actor, "settings.edit")
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

