"""The award's forms: explicit fields only (status and ownership are never taken from input)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from registry.awards.gbt19580 import CATEGORIES, ITEMS, PERCENT_STEP, field_name
from registry.awards.models import LEVELS
from registry.forms.validators import digits
from registry.routing import MAX_ID
from registry.vocab import HONOUR_LEVELS

LEVEL_CHOICES = [(code, HONOUR_LEVELS.label(code)) for code in LEVELS]
QUOTA_FIELDS = {"quota_award": "quality_award", "quota_nomination": "quality_award_nomination",
                "quota_innovation": "quality_innovation_award", "quota_organisation": "quality_award_organisation"}


class CsrfForm(FlaskForm):
    """A bare POST (a button): only the CSRF token."""


class RoundForm(FlaskForm):
    name = StringField(_l("批次名称"), validators=[DataRequired(), Length(max=120)])
    level = SelectField(_l("级别"), choices=LEVEL_CHOICES)
    year = IntegerField(_l("年度"), validators=[InputRequired(), digits(), NumberRange(2000, 2100)])
    call_opens_on = DateField(_l("申报开始日期"), validators=[InputRequired()])
    call_closes_on = DateField(_l("申报截止日期"), validators=[InputRequired()])
    # One quota per award kind (registry.awards.kinds); a kind with no places is not awarded in the round.
    quota_award = IntegerField(_l("质量奖名额"), validators=[Optional(), digits(), NumberRange(0, 50)], default=1)
    quota_nomination = IntegerField(_l("提名奖名额"), validators=[Optional(), digits(), NumberRange(0, 50)], default=0)
    quota_innovation = IntegerField(_l("质量创新奖名额"), validators=[Optional(), digits(), NumberRange(0, 50)], default=0)
    quota_organisation = IntegerField(_l("组织奖名额（省级）"), validators=[Optional(), digits(), NumberRange(0, 50)],
                                      default=0)
    notice_days = IntegerField(_l("公示天数"), validators=[InputRequired(), digits(), NumberRange(1, 60)], default=7)
    notice_working_days = BooleanField(_l("按工作日计算公示期"))
    presentation_enabled = BooleanField(_l("设陈述答辩环节"))
    shortlist_min_score = DecimalField(_l("入围最低分（材料评审）"), places=1,
                                       validators=[Optional(), digits(), NumberRange(0, 1000)])
    shortlist_max = IntegerField(_l("入围最多个数"), validators=[Optional(), digits(), NumberRange(1, 500)])
    scoring_scheme = SelectField(_l("专家评分方式"), default="categories", choices=[
        ("categories", _l("按 7 个类目打分")), ("items", _l("按 GB/T 19580 的 23 个评分项及评分指南百分比打分"))])
    issuer = StringField(_l("授予机关"), validators=[Optional(), Length(max=200)], default="临海市人民政府")
    # The round's last day per stage (rounds.DEADLINE_STAGES); empty: the stage's working-day limit applies.
    deadline_recommend = DateField(_l("推荐截止日期"), validators=[Optional()])
    deadline_eligibility = DateField(_l("资格审查截止日期"), validators=[Optional()])
    deadline_document_review = DateField(_l("材料评审截止日期"), validators=[Optional()])
    deadline_presentation = DateField(_l("陈述答辩截止日期"), validators=[Optional()])
    deadline_site_review = DateField(_l("现场评审截止日期"), validators=[Optional()])
    deadline_deliberation = DateField(_l("审议截止日期"), validators=[Optional()])

    def quotas(self) -> dict[str, int]:
        return {kind: getattr(self, name).data or 0 for name, kind in QUOTA_FIELDS.items()}

    def stage_deadlines(self) -> dict:
        return {name.removeprefix("deadline_"): field.data for name, field in self._fields.items()
                if name.startswith("deadline_")}


def _score_fields(prefix: str, label_suffix: str = "") -> dict:
    return {f"{prefix}{c.code}": DecimalField(f"{c.clause} {c.label}（{c.points}分）{label_suffix}", places=1,
                                              validators=[InputRequired(), digits(), NumberRange(0, c.points)])
            for c in CATEGORIES}


SelfAssessmentForm = type("SelfAssessmentForm", (FlaskForm,), {
    # The kinds the round awards that can be applied for (the view sets the choices).
    "kind": SelectField(_l("申报奖项"), choices=[], validate_choice=True),
    **_score_fields("self_"),
    "excellence_since": IntegerField(_l("导入卓越绩效管理模式的年份"), validators=[
        Optional(), digits(), NumberRange(1980, 2100)], description=_l("资格审查按此计算推行卓越绩效管理的年限")),
    "declaration": BooleanField(_l("本企业承诺：所填信息和提交材料真实、准确、完整，如有虚假，愿承担相应责任。")),
})

ScoreForm = type("ScoreForm", (FlaskForm,), {
    **_score_fields("score_"),
    "comment": TextAreaField(_l("评审意见"), validators=[Optional(), Length(max=4000)]),
})

# By item: the percentage the scoring guide's band gives each of the 23 items (the service turns it into points).
ItemScoreForm = type("ItemScoreForm", (FlaskForm,), {
    **{field_name(i.code): IntegerField(f"{i.code} {i.label}（{i.points}分）", validators=[
        InputRequired(), digits(), NumberRange(0, 100)], render_kw={"min": 0, "max": 100, "step": PERCENT_STEP})
       for i in ITEMS},
    "comment": TextAreaField(_l("评审意见"), validators=[Optional(), Length(max=4000)]),
})


class UploadForm(FlaskForm):
    slot = SelectField(_l("材料类型"), choices=[])
    file = FileField(_l("文件（PDF、JPG、PNG）"))


class ActionForm(FlaskForm):
    """One engine action; its fields (if any) are read by name from the request by the view."""
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=2000)])
    version = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=MAX_ID)])


class RuleOverrideForm(FlaskForm):
    """The bureau's correction of one eligibility rule's outcome."""
    rule = StringField(validators=[DataRequired(), Length(max=40)])
    outcome = SelectField(_l("更正为"), choices=[("passed", _l("通过")), ("failed", _l("不通过"))])
    reason = TextAreaField(_l("更正理由"), validators=[Optional(), Length(max=2000)])


class EligibilityForm(FlaskForm):
    decision = SelectField(_l("审查结论"), choices=[("eligible", _l("符合申报条件")), ("ineligible", _l("不符合申报条件"))])
    reason = TextAreaField(_l("理由（与自动核查结果不一致时必填）"), validators=[Optional(), Length(max=2000)])


class DrawForm(FlaskForm):
    size = IntegerField(_l("专家组人数"), validators=[InputRequired(), NumberRange(5, 15)], default=5)
    substitutes = IntegerField(_l("候补人数"), validators=[InputRequired(), NumberRange(0, 10)], default=3)
    reason = TextAreaField(_l("重新抽取理由"), validators=[Optional(), Length(max=2000)])


class DeclareForm(FlaskForm):
    conflict = SelectField(_l("利益冲突声明"), choices=[("no", _l("本人与该企业无利益冲突")),
                                                      ("yes", _l("本人与该企业存在利益冲突，申请回避"))])
    reason = TextAreaField(_l("回避原因"), validators=[Optional(), Length(max=2000)])


class ObjectionForm(FlaskForm):
    """The public page's objection: anyone, under their real name, no account (the service checks and cleans)."""
    name = StringField(_l("姓名（实名）"), validators=[DataRequired(), Length(max=64)])
    phone = StringField(_l("联系电话"), validators=[DataRequired(), Length(max=32)])
    entry_id = SelectField(_l("异议对象"), coerce=int, choices=[])
    text = TextAreaField(_l("异议内容（事实和理由）"), validators=[DataRequired(), Length(max=4000)])
    file = FileField(_l("证明材料（可选，PDF、JPG、PNG）"))


class PaperObjectionForm(ObjectionForm):
    """An objection received on paper, entered by the bureau."""
    received_on = DateField(_l("收到日期"), validators=[InputRequired()])


class ObjectionDecisionForm(FlaskForm):
    outcome = SelectField(_l("核实结论"), choices=[("dismissed", _l("异议不成立")), ("upheld", _l("异议成立"))])
    investigation = TextAreaField(_l("调查核实情况"), validators=[DataRequired(), Length(max=4000)])
    reason = TextAreaField(_l("答复意见（答复异议人）"), validators=[DataRequired(), Length(max=2000)])


class ApprovalForm(FlaskForm):
    """The city government's decision (审定), recorded from its document."""
    number = StringField(_l("审定文件文号"), validators=[DataRequired(), Length(max=100)])
    decided_on = DateField(_l("审定日期"), validators=[InputRequired()])


class OutcomeForm(FlaskForm):
    """The higher body's decision on the county's recommendations; each entry's result is read by name
    (outcome_<id>)."""
    number = StringField(_l("评定文件文号"), validators=[DataRequired(), Length(max=100)])
    decided_on = DateField(_l("评定日期"), validators=[InputRequired()])


class CommitteeForm(FlaskForm):
    """The committee's meeting; each ranked entry's vote and result are read by name (votes_for_<id>...)."""
    met_on = DateField(_l("审议日期"), validators=[InputRequired()])
    members = TextAreaField(_l("出席委员（每行一人：姓名，单位，职务）"), validators=[DataRequired(), Length(max=4000)])
    resolution = TextAreaField(_l("审议决议"), validators=[DataRequired(), Length(max=4000)])


_ROLE_WORDS = (("副主任", "vice_chair"), ("主任", "chair"))


def parse_members(text: str) -> list[dict]:
    """Committee members from lines "姓名，单位，职务" (full- or half-width commas or tabs; 职务 主任委员 / 副主任委员 /
    委员, default 委员)."""
    import re

    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in re.split(r"[,，\t、]", line) if p.strip()]
        if not parts:
            continue
        role = "member"
        if len(parts) > 1:
            for word, code in _ROLE_WORDS:
                if word in parts[-1]:
                    role = code
                    parts = parts[:-1]
                    break
            else:
                if parts[-1].endswith("委员"):
                    parts = parts[:-1]
        out.append({"name": parts[0], "affiliation": "，".join(parts[1:]) or None, "role": role})
    return out


def members_text(members) -> str:
    words = {"chair": "主任委员", "vice_chair": "副主任委员", "member": "委员"}
    return "\n".join("，".join(p for p in (m.name, m.affiliation, words.get(m.role, "委员")) if p) for m in members)


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("撤销原因"), validators=[DataRequired(), Length(max=2000)])
    evidence = StringField(_l("撤销依据（文号或证据）"), validators=[DataRequired(), Length(max=300)])
    on = DateField(_l("撤销日期"), validators=[InputRequired()])
