"""Issue 12 item 4: pickers of the city's standards offer only what applies (the 浙江制造 standards the application
may name, its own first, searchable) and the rule holds in the service; a field picked from a list says 请选择, not 请填写 (every such field)."""
from __future__ import annotations

import pytest

from registry.enterprises.forms import EnterpriseForm  # noqa: F401  (the master form shows these as selects)
from registry.records.fields import coerce_value
from registry.records.kinds import KINDS
from registry.services.enterprises import ENTERPRISE_FIELDS
from registry.services.errors import ValidationFailed
from tests.factories import StandardDrafterFactory, StandardFactory
from tests.workflows.conftest import own_standard, place
from workflows import engine
from workflows.services import applications


def test_new_application_lists_only_the_zzb_standards_it_may_name(client, auth, cast):
    """Its own 浙江制造 standards first, then published ones others drafted (marked: the bureau confirms those);
    never others' unpublished ones or other levels (issue 9 item 3)."""
    mine = own_standard(cast.enterprise, number="T/ZZB 5001-2025", title="本企业的齿轮标准", status="drafting")
    theirs = StandardDrafterFactory(standard=StandardFactory(number="T/ZZB 5000-2025", title="别家企业的标准")).standard
    StandardDrafterFactory(standard=StandardFactory(number="T/ZZB 5002-2025", title="别家起草中的标准",
                                                    status="drafting", published_on=None))
    own_standard(cast.enterprise, number="GB/T 5003-2025", level="national", title="本企业参与的国家标准")
    auth.login(cast.applicant)
    html = client.get("/applications/new").get_data(as_text=True)
    assert f'value="{mine.id}"' in html and "本企业的齿轮标准" in html
    assert f'value="{theirs.id}"' in html and "别家企业的标准（他人起草，须经市局确认覆盖本产品）" in html
    assert html.index("本企业的齿轮标准") < html.index("别家企业的标准")
    assert "别家起草中的标准" not in html and "本企业参与的国家标准" not in html


def test_a_long_list_gets_a_search_box(client, auth, cast):
    for n in range(10):
        own_standard(cast.enterprise, number=f"T/ZZB {6000 + n}-2025", title=f"标准{n}")
    auth.login(cast.applicant)
    html = client.get("/applications/new").get_data(as_text=True)
    assert 'data-filter-options="#standard_id"' in html


def test_the_service_refuses_another_enterprises_unpublished_standard(cast, draft):
    other = StandardFactory(title="别家企业的标准", status="drafting", published_on=None)
    with pytest.raises(ValidationFailed) as refused:
        applications.start(cast.applicant, "pinzibiao", None, {"product": "齿轮", "standard_id": other.id})
    assert "他人起草的标准须已发布" in refused.value.errors["standard_id"][0]
    application = draft()
    place(application.id, "standard_drafting", "in_progress")
    with pytest.raises(ValidationFailed):
        engine.apply(application.id, "link_standard", cast.bureau, payload={"standard_id": other.id})
    mine = own_standard(cast.enterprise)
    engine.apply(application.id, "link_standard", cast.bureau, payload={"standard_id": mine.id})


def test_the_standard_picker_on_an_action_says_choose(cast, draft):
    application = draft()
    place(application.id, "standard_drafting", "in_progress")
    with pytest.raises(ValidationFailed) as refused:
        engine.apply(application.id, "link_standard", cast.bureau, payload={})
    assert refused.value.errors["standard_id"] == ["请选择标准。"]


def _picked(specs):
    return [s for s in specs if s.required and (s.type == "choice" or s.picked)]


def test_every_required_picked_field_says_choose():
    specs = [s for kind in KINDS.values() for s in _picked(kind.fields)] + _picked(ENTERPRISE_FIELDS)
    assert {s.name for s in specs} >= {"jurisdiction", "industry"}
    for spec in specs:
        with pytest.raises(ValueError, match=f"^请选择{spec.header}。$"):
            coerce_value(spec, "")


def test_master_form_without_a_town_says_choose(client, auth, make_user):
    from tests.enterprises.helpers import submit
    from tests.factories import industry, make_uscc

    auth.login(make_user("bureau"))
    response = submit(client, "/enterprises/new", {"name": "临海市新登记机械有限公司", "uscc": make_uscc(4343),
                                                   "jurisdiction": "", "industry": industry().code})
    html = response.get_data(as_text=True)
    assert "请选择所属镇街" in html and "请填写所属镇街" not in html
