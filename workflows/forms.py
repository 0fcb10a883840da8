"""Forms at the HTTP boundary of the workflow pages (explicit fields only; status and ownership never come from input)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from registry.routing import MAX_ID
from workflows.services import preferences


class ApplicationForm(FlaskForm):
    product = StringField(_l("产品名称"), validators=[DataRequired(), Length(max=200)])
    standard_id = SelectField(_l("已有“浙江制造”标准"), coerce=lambda v: int(v) if v else None, validate_choice=False)
    standard_proposal = StringField(_l("拟制定标准名称（尚无标准时）"), validators=[Optional(), Length(max=200)])
    self_assessment = TextAreaField(_l("自评价"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class NewApplicationForm(ApplicationForm):
    """A new application also chooses its route to the 品字标 (choices: the route definitions' labels)."""

    workflow = SelectField(_l("申请途径"), validators=[DataRequired()])


class ActionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[DataRequired(), NumberRange(min=0, max=MAX_ID)])
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=2000)])


class UploadForm(FlaskForm):
    slot = SelectField(_l("附件类别"))
    file = FileField(_l("文件"), validators=[FileRequired()])


class PreferenceForm(FlaskForm):
    email_enabled = BooleanField(_l("接收邮件通知"))
    email = StringField(_l("通知邮箱（留空则用账号邮箱）"), validators=[Optional(), Length(max=120)])
    webhook_enabled = BooleanField(_l("接收钉钉（浙政钉）机器人推送"))
    webhook_url = StringField(_l("机器人 Webhook 地址"), validators=[Optional(), Length(max=500)])
    sms_enabled = BooleanField(_l("接收短信通知"))
    mobile = StringField(_l("手机号码"), validators=[Optional(), Length(max=32)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not preferences.sms_available():  # no gateway: the page says so instead of offering SMS
            del self.sms_enabled
            del self.mobile

    def sms_choice(self) -> dict:
        """The SMS arguments for ``preferences.save`` (none when the channel is not offered)."""
        if "sms_enabled" not in self:
            return {}
        return {"sms_enabled": self.sms_enabled.data, "mobile": self.mobile.data}
