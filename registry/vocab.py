"""Controlled vocabularies: stored codes and their UI labels (Chinese source strings, translated by Babel)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class Vocab(dict):
    """An ordered ``code -> label`` mapping with helpers for forms and validation."""

    def choices(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in self.items()]

    def label(self, code: str | None) -> str:
        return str(self.get(code, code or ""))


ENTERPRISE_ROLES = Vocab(lead=_l("主导"), participant=_l("参与"))
# What kind of organisation a registry entry is (企业 by default): awards and honours go to all of them.
ORG_TYPES = Vocab(
    enterprise=_l("企业"), hospital=_l("医疗机构"), school=_l("学校"), association=_l("社会团体（协会、商会）"),
    institution=_l("事业单位"), government=_l("机关"), other=_l("其他组织"),
)

STANDARD_LEVELS = Vocab(
    international=_l("国际标准"), national=_l("国家标准"), industry=_l("行业标准"), local=_l("地方标准"),
    group_zzb=_l("“浙江制造”标准"), group=_l("团体标准"), enterprise=_l("企业标准"),
)
STANDARD_STATUSES = Vocab(
    approved=_l("立项"), drafting=_l("起草"), consultation=_l("征求意见"), review=_l("评审"),
    published=_l("发布"), in_force=_l("实施"), withdrawn=_l("废止"),
)

CERTIFICATION_TYPES = Vocab(
    pinzibiao=_l("品字标浙江制造"), pinzibiao_declaration=_l("品字标（自我声明+信用保证）"),
    pinzibiao_agri=_l("品字标浙江农产"), pinzibiao_service=_l("品字标浙江服务"), zhejiang_international=_l("“浙江制造”国际认证"),
    iso9001=_l("ISO 9001 质量管理体系"), iso14001=_l("ISO 14001 环境管理体系"),
    iso45001=_l("ISO 45001 职业健康安全管理体系"), iso10012=_l("ISO 10012 测量管理体系"),
    high_quality_service=_l("高品质服务认证"), green_product=_l("绿色产品认证"), other=_l("其他认证"),
)
CERTIFICATION_STATUSES = Vocab(
    valid=_l("有效"), suspended=_l("暂停"), revoked=_l("撤销"), cancelled=_l("注销"), expired=_l("过期"),
)

HONOUR_TYPES = Vocab(
    quality_award=_l("政府质量奖"), quality_award_nomination=_l("政府质量奖提名奖"),
    quality_innovation_award=_l("政府质量创新奖"), quality_award_organisation=_l("政府质量奖组织奖"),
    luban=_l("鲁班奖"), national_quality_project=_l("国家优质工程奖"), zhan_tianyou=_l("詹天佑奖"),
    qianjiang_cup=_l("钱江杯"), kuocang_cup=_l("括苍杯"),
    standard_innovation=_l("标准创新贡献奖"), standard_internationalisation_pilot=_l("标准国际化试点示范单位"),
    standardisation_pilot=_l("国家级/省级标准化试点示范项目"), zhejiang_boutique=_l("“浙江制造精品”"),
    single_champion=_l("制造业单项冠军"), zhejiang_export_brand=_l("浙江出口名牌"), other=_l("其他荣誉"),
)
HONOUR_LEVELS = Vocab(national=_l("国家级"), provincial=_l("省级"), taizhou=_l("台州市级"), linhai=_l("临海市级"))
# Honours given to a project (工程) that several units share: each unit's row names the project.
PROJECT_HONOUR_TYPES = ("luban", "national_quality_project", "zhan_tianyou", "qianjiang_cup", "kuocang_cup")
PROJECT_ROLES = Vocab(
    main_contractor=_l("施工总承包"), participant=_l("参建单位"), designer=_l("设计单位"), supervisor=_l("监理单位"),
    owner=_l("建设单位"), other=_l("其他"),
)
# Honours that hold only while their periodic review (复核) holds: the default years of validity.
REVIEWED_HONOUR_YEARS = {"single_champion": 3}

PATENT_TYPES = Vocab(
    invention=_l("发明"), utility_model=_l("实用新型"), design=_l("外观设计"),
    pct_invention=_l("PCT发明（国家阶段）"), pct_utility_model=_l("PCT实用新型（国家阶段）"),
)
PATENT_STATUSES = Vocab(pending=_l("审查中"), granted=_l("已授权"), lapsed=_l("已失效"), rejected=_l("已驳回"))

GI_STATUSES = Vocab(cultivating=_l("培育中"), applied=_l("已申请"), registered=_l("已注册"))
# How a geographical indication is protected: as a 证明商标/集体商标 (CNIPA trademark) or as a 地理标志产品 (保护申请).
# A 地理标志产品保护 application (registry.models.GiProduct): cultivated, applied for, approved by announcement.
GI_PRODUCT_STATUSES = Vocab(cultivating=_l("培育中"), applied=_l("已申请"), registered=_l("已批准保护"))
GI_ROUTES = Vocab(trademark=_l("地理标志证明商标/集体商标"), product_protection=_l("地理标志产品保护"))

CREDIT_LIST_TYPES = Vocab(
    serious_dishonesty=_l("严重违法失信名单"), abnormal_operation=_l("经营异常名录"),
    quality_blacklist=_l("质量失信黑名单"),
)
# 亩均效益综合评价 classes (浙江: A 优先支持, B 提升发展, C 整治提升, D 限制发展).
BENEFIT_GRADES = Vocab(A=_l("A类（优先支持）"), B=_l("B类（提升发展）"), C=_l("C类（整治提升）"), D=_l("D类（限制发展）"))
INCIDENT_KINDS = Vocab(
    major_quality=_l("重大质量事故"), safety=_l("重大安全事故"), environmental=_l("重大环境事故"),
    failed_spot_check=_l("监督抽查不合格"), major_complaint=_l("重大有效投诉"),
)

JURISDICTION_KINDS = Vocab(street=_l("街道"), town=_l("镇"), zone=_l("开发区"))

USER_ROLES = Vocab(
    enterprise=_l("企业用户"), town=_l("镇街审核员"), bureau=_l("市局审核员"), expert=_l("评审专家"),
    admin=_l("系统管理员"), certifier=_l("认证机构人员"),
)
