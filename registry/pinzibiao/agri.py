"""品字标浙江农产 (认定 rather than certification, domain.md section 3), as data.

申请 → 镇街推荐 → 入库审核 (the 品字标 route's stages) → 认定材料审查 → 现场核查 → 认定决定 → 获得认定. The province's
认定 body decides; the bureau records each result and the 认定 certificate, a registry Certification of type
``pinzibiao_agri``.
"""
from __future__ import annotations

from registry.i18n import N_
from registry.pinzibiao import route_rules
from registry.pinzibiao.stages import (apply_stage, existing_standard, pool_review, recognition_stages,
                                       town_recommendation)
from workflows.spec import Field, Workflow

PINZIBIAO_AGRI_V1 = Workflow(
    name="pinzibiao_agri", version=1, label=N_("品字标浙江农产认定"),
    fields=(Field("product", N_("农产品名称")), Field("standard_proposal", N_("执行标准"), required=False),
            Field("self_assessment", N_("自评价"), kind="textarea"), existing_standard()),
    stages=(apply_stage(route_rules.ready_for_recognition), town_recommendation(), pool_review(), *recognition_stages("pinzibiao_agri")),
)

VERSIONS = (PINZIBIAO_AGRI_V1,)
