"""Sign-in and password forms (HTTP boundary only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("邮箱"), validators=[DataRequired(message=_l("请输入邮箱。")), Length(max=120)])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请输入密码。")), Length(max=200)])
    next = StringField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired()])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(min=10, max=200)])
