"""Forms of the administrator pages: the HTTP boundary only (the account and settings services validate)."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, PasswordField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.fields.choices import SelectChoice

from registry.enterprises.forms import catalogue_choices
from registry.forms.specs import EMPTY_CHOICE, options
from registry.models import CertificationBody, Jurisdiction
from registry.vocab import USER_ROLES

ALL_CHOICE = SelectChoice("", _l("全部"))


class UserSearchForm(FlaskForm):
    """The user list's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("邮箱、姓名或电话"))
    role = SelectField(_l("角色"), choices=[])

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata, **kwargs)
        self.role.choices = [ALL_CHOICE] + options(USER_ROLES.choices())


class UserCreateForm(FlaskForm):
    email = StringField(_l("电子邮箱"))
    display_name = StringField(_l("姓名"))
    role = SelectField(_l("角色"), choices=[])
    enterprise = StringField(_l("所属企业（统一社会信用代码）"), description=_l("企业用户必填"))
    jurisdiction = SelectField(_l("所属镇街"), choices=[], description=_l("镇街审核员必填"))
    certification_body = SelectField(_l("所属认证机构"), choices=[], description=_l("认证机构人员必填"))
    phone = StringField(_l("手机号码"))
    password = PasswordField(_l("初始密码"), description=_l("至少 10 位；请线下告知用户并提醒其登录后修改"))

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [EMPTY_CHOICE] + [SelectChoice(code, USER_ROLES.label(code)) for code in roles]
        self.jurisdiction.choices = [EMPTY_CHOICE] + catalogue_choices(Jurisdiction)
        self.certification_body.choices = [EMPTY_CHOICE] + catalogue_choices(CertificationBody)
        for name in ("email", "role", "password"):
            self[name].flags.required = True


class UserEditForm(FlaskForm):
    display_name = StringField(_l("姓名"))
    phone = StringField(_l("手机号码"))
    jurisdiction = SelectField(_l("所属镇街"), choices=[])

    def __init__(self, *args, town=False, keep_jurisdiction=None, **kwargs):
        super().__init__(*args, **kwargs)
        if town:
            self.jurisdiction.choices = [EMPTY_CHOICE] + catalogue_choices(Jurisdiction, keep_jurisdiction)
        else:
            del self.jurisdiction
        self.display_name.flags.required = True


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("新密码"), description=_l("至少 10 位；重置后该用户的所有登录会话和 API 令牌立即失效"))


class TokenForm(FlaskForm):
    label = StringField(_l("令牌名称"), description=_l("如：数据对接、统计报送"))
    days = StringField(_l("有效期（天）"), description=_l("留空为 90 天；最长 365 天"))


class SettingForm(FlaskForm):
    """One setting's value; the field shown depends on the setting's type (see ``for_spec``)."""

    value = StringField(_l("设置值"))

    @classmethod
    def for_spec(cls, spec, **kwargs) -> "SettingForm":
        field = {"bool": BooleanField(_l("启用")), "list": TextAreaField(_l("设置值")),
                 "dict": TextAreaField(_l("设置值"))}.get(spec.type)
        if spec.type == "str" and spec.choices:
            field = SelectField(_l("设置值"), choices=options((k, gettext(v)) for k, v in spec.choices.items()))
        if spec.type == "list" and spec.choices:
            field = SelectMultipleField(_l("设置值"), choices=options((k, gettext(v)) for k, v in spec.choices.items()),
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
        form_class = type("TypedSettingForm", (cls,), {"value": field}) if field is not None else cls
        return form_class(**kwargs)


class HolidayForm(FlaskForm):
    """One calendar day the bureau declares (节假日 or 调休上班)."""
    day = DateField(_l("日期"), validators=[InputRequired()])
    is_workday = SelectField(_l("类型"), choices=[("0", _l("放假")), ("1", _l("调休上班"))], default="0")
    note = StringField(_l("说明"), validators=[Optional(), Length(max=100)])
