"""Forms of the expert pool pages (专家库): the HTTP boundary only; the rules live in ``registry.awards.pool``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from registry.awards.display import EXCLUSION_LABELS
from registry.awards.models import TIE_KINDS

TIE_KIND_CHOICES = [SelectChoice(code, EXCLUSION_LABELS.label(code)) for code in TIE_KINDS]


class PoolSearchForm(FlaskForm):
    """The list's filters (GET: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("姓名"), validators=[Optional()])
    specialty = SelectField(_l("专业领域"), choices=[], validate_choice=False)
    active = SelectField(_l("状态"), choices=[SelectChoice("1", _l("在库")), SelectChoice("0", _l("已停用")),
                                                     SelectChoice("", _l("全部"))],
                         default="1", validate_choice=False)
    can_lead = SelectField(_l("可任组长"), choices=[SelectChoice("", _l("全部")), SelectChoice("1", _l("可任组长")),
                                                         SelectChoice("0", _l("不可任组长"))],
                           validate_choice=False)


class ExpertForm(FlaskForm):
    name = StringField(_l("姓名"))
    title = StringField(_l("职称"))
    employer = StringField(_l("工作单位"))
    specialties = TextAreaField(_l("专业领域"), description=_l("多个领域用逗号、顿号或换行分隔，如：卓越绩效、机械制造"))
    can_lead = BooleanField(_l("可担任评审组组长"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.name.flags.required = True


class TieForm(FlaskForm):
    kind = SelectField(_l("关联类型"), choices=TIE_KIND_CHOICES, validate_choice=False)
    enterprise = StringField(_l("名录中的企业"), description=_l("统一社会信用代码或完整的企业名称"))
    org_name = StringField(_l("单位名称"), description=_l("不在企业名录中的单位"))
    group_name = StringField(_l("集团名称"), description=_l("同一集团的企业均回避"))
    note = StringField(_l("备注"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.flags.required = True


class LinkAccountForm(FlaskForm):
    email = StringField(_l("已有评审专家账户的邮箱"))


class NewAccountForm(FlaskForm):
    email = StringField(_l("登录邮箱"))
    password = PasswordField(_l("初始密码"), description=_l("至少 10 位，请线下告知专家并提醒其修改"))
    phone = StringField(_l("手机号码"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email.flags.required = self.password.flags.required = True


class ImportForm(FlaskForm):
    file = FileField(_l("专家名单（.xlsx）"))
