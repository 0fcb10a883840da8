"""Forms of the targets pages: the dashboard filters (GET), an indicator, a reported value."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from registry.forms.validators import digits

CATEGORY_CHOICES = [SelectChoice("质量建设", _l("质量建设")), SelectChoice("标准建设", _l("标准建设")),
                    SelectChoice("品牌建设", _l("品牌建设"))]
KIND_CHOICES = [SelectChoice("new", _l("新增")), SelectChoice("cumulative", _l("累计")),
                SelectChoice("rate", _l("比例")), SelectChoice("growth", _l("同比增长"))]
METHOD_CHOICES = [SelectChoice("reported", _l("填报")), SelectChoice("derived", _l("登记库统计"))]


class FiltersForm(FlaskForm):
    """GET filters: no CSRF (nothing changes)."""

    class Meta:
        csrf = False

    as_of = DateField(_l("截至日期"), validators=[Optional()])
    jurisdiction = SelectField(_l("镇街"), choices=[], validate_choice=False)
    industry = SelectField(_l("产业"), choices=[], validate_choice=False)


class IndicatorForm(FlaskForm):
    code = StringField(_l("指标代码"), validators=[DataRequired(), Length(max=32)])
    category = SelectField(_l("类别"), choices=CATEGORY_CHOICES)
    name = StringField(_l("指标名称"), validators=[DataRequired(), Length(max=200)])
    unit = StringField(_l("单位"), validators=[Optional(), Length(max=16)])
    target_text = StringField(_l("2025年目标（按规划原文，如 ≥96）"), validators=[DataRequired(), Length(max=32)])
    kind = SelectField(_l("类型"), choices=KIND_CHOICES)
    method = SelectField(_l("取数方式"), choices=METHOD_CHOICES)
    rule = SelectField(_l("统计口径（登记库统计）"), choices=[], validate_choice=False)
    sort_order = IntegerField(_l("排序"), validators=[Optional(), digits(), NumberRange(min=0, max=10000)])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])


class ReportedValueForm(FlaskForm):
    year = IntegerField(_l("年度"), validators=[InputRequired(), digits(), NumberRange(min=2016, max=2035)])
    value = FloatField(_l("数值"), validators=[InputRequired(), digits(12)])
    source = StringField(_l("数据来源"), validators=[DataRequired(), Length(max=300)])
    published_on = DateField(_l("来源发布日期"), validators=[Optional()])
    items = TextAreaField(_l("官方清单（每行一项：证书号、标准号、注册号或组织名称）"),
                          validators=[Optional(), Length(max=20000)])
    attachment = FileField(_l("附件（PDF、图片、Excel、Word）"))


class ReviewForm(FlaskForm):
    kind = SelectField(_l("评估类型"), choices=[SelectChoice("annual", _l("年度监测报告")),
                                               SelectChoice("midterm", _l("中期评估（2023年）")),
                                               SelectChoice("final", _l("总结评估（2025年）"))])
    year = IntegerField(_l("年度"), validators=[InputRequired(), digits(), NumberRange(min=2021, max=2025)])
