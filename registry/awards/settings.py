"""The award's configurable rules, declared for the one reader ``registry.settings``.

Administrators change a rule on the settings page; nothing is cached, so a change applies to the next check,
draw or aggregation.
"""
from __future__ import annotations

from registry.i18n import N_
from registry.settings import declare


def _eligibility_rules() -> dict[str, str]:
    from registry.awards.eligibility import RULES

    return {code: str(rule.label) for code, rule in RULES.items()}


def _vocabulary(name: str):
    def choices() -> dict[str, str]:
        from registry import vocab

        return dict(getattr(vocab, name).choices())
    return choices


def _leader_rules() -> dict[str, str]:
    return {"qualified": N_("具备组长资格的专家担任"), "first": N_("首位抽中的专家担任")}


SETTINGS = (
    # Eligibility (资格审查): which rules run, and their parameters.
    declare("awards.eligibility.rules", list, ["years_in_operation", "excellence_practice", "no_recent_win",
                                               "benefit_grade", "credit", "incidents", "certification"],
            N_("资格审查启用的规则"), options=_eligibility_rules),
    declare("awards.eligibility.min_years", int, 3, N_("最少经营年限（年）"), minimum=0, maximum=50),
    declare("awards.eligibility.excellence_years", int, 3, N_("推行卓越绩效管理最少年限（年）"), minimum=0, maximum=20),
    declare("awards.eligibility.recent_win_years", int, 5, N_("不得再次申报的获奖年限（年）"), minimum=0, maximum=20,
            hint=N_("此年限内已获本级政府质量奖的，不得申报")),
    # 提名奖 winners may apply again by default
    declare("awards.eligibility.recent_win_types", list, ["quality_award"], N_("限制再次申报的奖项"),
            options=_vocabulary("HONOUR_TYPES")),
    declare("awards.eligibility.benefit_grades", list, ["A", "B"], N_("亩均效益评价须为以下等级之一"),
            options=_vocabulary("BENEFIT_GRADES")),
    # the grades are published a year late: the newest one no older than this counts
    declare("awards.eligibility.benefit_max_age_years", int, 2, N_("亩均效益评价结果的最长时效（年）"), minimum=0,
            maximum=10),
    declare("awards.eligibility.benefit_org_types", list, ["enterprise"], N_("参加亩均效益评价的组织类型"),
            options=_vocabulary("ORG_TYPES")),
    declare("awards.eligibility.credit_lookback_years", int, 3, N_("信用记录回溯年限（年）"), minimum=0, maximum=20),
    declare("awards.eligibility.credit_list_types", list,
            ["serious_dishonesty", "abnormal_operation", "quality_blacklist"], N_("阻止申报的信用名单类型"),
            options=_vocabulary("CREDIT_LIST_TYPES")),
    declare("awards.eligibility.incident_lookback_years", int, 3, N_("事故与抽查回溯年限（年）"), minimum=0, maximum=20),
    declare("awards.eligibility.incident_kinds", list,
            ["major_quality", "safety", "environmental", "failed_spot_check", "major_complaint"],
            N_("阻止申报的事故类型"), options=_vocabulary("INCIDENT_KINDS")),
    declare("awards.eligibility.certificate_types", list, ["iso9001"], N_("须持有的认证（任一）"),
            options=_vocabulary("CERTIFICATION_TYPES")),
    # Parameters a level sets differently (level -> {parameter: value}); the round's level picks them. The
    # province's rules ask 5 years registered and 3 of 卓越绩效; the county's are the general ones above.
    declare("awards.eligibility.by_level", dict, {"provincial": {"min_years": 5, "excellence_years": 3},
                                                  "national": {"min_years": 5, "excellence_years": 3}},
            N_("各级别评选的不同条件"),
            hint=N_("JSON 对象，如 {\"provincial\": {\"min_years\": 5}}（省级评选须成立满 5 年）；未列出的参数按上方通用设置")),
    # Panel draw (随机抽取评审专家).
    declare("awards.panel.size", int, 5, N_("专家组人数"), minimum=1, maximum=30),
    declare("awards.panel.min_size", int, 5, N_("专家组最少人数"), minimum=1, maximum=30),
    declare("awards.panel.substitutes", int, 3, N_("候补专家人数"), minimum=0, maximum=20),
    # qualified: a can_lead expert leads; first: the first drawn leads
    declare("awards.panel.leader_rule", str, "qualified", N_("组长产生方式"), options=_leader_rules),
    # panels (seats incl. substitutes) per expert within one batch
    declare("awards.panel.max_load", int, 3, N_("同批次每位专家最多评审组数"), minimum=1, maximum=50),
    # Scoring.
    declare("awards.scoring.drop_extremes", bool, True, N_("去掉一个最高分和一个最低分")),
    declare("awards.scoring.min_scores_to_trim", int, 3, N_("去极值所需最少评分数"), minimum=3, maximum=30),
    # max - min above this % of the category maximum: re-score
    declare("awards.scoring.spread_threshold_pct", int, 30, N_("评分差异阈值（占类目满分 %）"), minimum=0, maximum=100),
    # after this many attempts a wide spread is accepted and flagged
    declare("awards.scoring.max_attempts", int, 2, N_("最多评分轮次"), minimum=1, maximum=10),
    declare("awards.scoring.stage_weights", dict, {"document": 0.4, "presentation": 0.0, "site": 0.6},
            N_("各评审阶段权重"), hint=N_("JSON 对象，如 {\"document\": 0.4, \"site\": 0.6}")),
    # Committee (评审委员会审议): members present at least this many; an entry is proposed only with votes for from
    # more than this share of the members present (0.5: 过半数; 0.6667: 三分之二以上).
    declare("awards.committee.min_members", int, 5, N_("评审委员会审议最少出席人数"), minimum=3, maximum=50),
    declare("awards.committee.pass_share", float, 0.5, N_("拟表彰须获赞成票超过出席委员的比例"), minimum=0.5, maximum=0.9,
            hint=N_("0.5 为过半数，0.6667 为三分之二以上")),
    # Public notice (公示) defaults for new rounds.
    declare("awards.notice.days", int, 7, N_("公示天数（新批次默认）"), minimum=1, maximum=60),
    declare("awards.notice.working_days", bool, False, N_("公示按工作日计算（新批次默认）")),
)
