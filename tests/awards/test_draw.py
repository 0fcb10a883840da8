"""The panel draw (随机抽取评审专家): replay from the record, no conflicted expert ever seated (property test), sizes honoured."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from registry.awards import draw as drawing
from registry.awards.draw import ApplicantFacts, ExpertFacts, TieFacts, norm


def oracle_conflicted(expert: ExpertFacts, applicant: ApplicantFacts) -> bool:
    """Written independently of PoolIndex: the 回避 rules stated plainly."""
    if expert.id in applicant.declared:
        return True
    for tie in expert.ties:
        if tie.enterprise_id == applicant.enterprise_id:
            return True
        names = {norm(applicant.name), norm(applicant.group_name)} - {""}
        if norm(tie.org_name) and norm(tie.org_name) in names:
            return True
        if norm(tie.group_name) and norm(tie.group_name) in names:
            return True
        if norm(tie.legal_rep) and norm(tie.legal_rep) == norm(applicant.legal_rep):
            return True
    return False


NAMES = [f"企业{i}" for i in range(6)]
GROUPS = [None, "海正集团", "伟星集团"]
REPS = [None, "张三", "李四", "王五"]

ties = st.builds(TieFacts, tie_id=st.integers(1, 10_000), kind=st.sampled_from(drawing_kinds := (
    "employer", "former_employer", "consultant", "legal_rep", "declared")),
    enterprise_id=st.one_of(st.none(), st.integers(1, 6)), org_name=st.one_of(st.none(), st.sampled_from(NAMES)),
    group_name=st.sampled_from(GROUPS), legal_rep=st.sampled_from(REPS))


@st.composite
def pools(draw):
    n = draw(st.integers(0, 40))
    return [ExpertFacts(id=i + 1, can_lead=draw(st.booleans()), ties=tuple(draw(st.lists(ties, max_size=3))))
            for i in range(n)]


applicants = st.builds(ApplicantFacts, key=st.integers(1, 500), enterprise_id=st.integers(1, 6),
                       name=st.sampled_from(NAMES), group_name=st.sampled_from(GROUPS),
                       legal_rep=st.sampled_from(REPS),
                       declared=st.frozensets(st.integers(1, 40), max_size=5))


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=pools(), applicant=applicants, size=st.integers(5, 7), n_subs=st.integers(0, 4),
       rule=st.sampled_from(drawing.LEADER_RULES), seed=st.text(min_size=1, max_size=8))
def test_no_panel_contains_a_conflicted_expert(pool, applicant, size, n_subs, rule, seed):
    by_id = {e.id: e for e in pool}
    clean = [e for e in pool if not oracle_conflicted(e, applicant)]
    leaders_left = [e for e in clean if e.can_lead]
    try:
        result = drawing.draw_panel(pool, applicant, size=size, n_substitutes=n_subs, leader_rule=rule, seed=seed)
    except drawing.InsufficientPool:
        assert len(clean) < size or (rule == "qualified" and not leaders_left)
        return
    seated = result.panel + result.substitutes
    assert not any(oracle_conflicted(by_id[i], applicant) for i in seated)
    assert len(result.panel) == size and len(set(seated)) == len(seated)
    assert len(result.substitutes) == min(n_subs, len(clean) - size)
    assert result.panel[0] == result.leader
    if rule == "qualified":
        assert by_id[result.leader].can_lead
    excluded = {x["expert_id"] for x in result.inputs["exclusions"]}
    assert excluded == {e.id for e in pool if oracle_conflicted(e, applicant)}
    assert drawing.replay(result.seed, result.inputs) == result.result


def test_same_seed_same_panel_and_order_of_pool_does_not_matter():
    rng = random.Random(7)
    pool = [ExpertFacts(id=i, can_lead=i % 4 == 0) for i in range(1, 60)]
    applicant = ApplicantFacts(key=1, enterprise_id=1, name="企业1")
    first = drawing.draw_panel(pool, applicant, seed="abc")
    shuffled = pool[:]
    rng.shuffle(shuffled)
    again = drawing.draw_panel(shuffled, applicant, seed="abc")
    assert first.result == again.result and first.inputs == again.inputs
    assert drawing.draw_panel(pool, applicant, seed="abd").result != first.result


def test_size_below_minimum_is_refused():
    pool = [ExpertFacts(id=i, can_lead=True) for i in range(1, 20)]
    with pytest.raises(ValueError):
        drawing.draw_panel(pool, ApplicantFacts(key=1, enterprise_id=1, name="x"), size=4, seed="s")


def test_batch_spreads_load_and_each_draw_replays():
    pool = [ExpertFacts(id=i, can_lead=i % 3 == 0) for i in range(1, 41)]
    applicants = [ApplicantFacts(key=k, enterprise_id=k, name=f"企业{k}") for k in range(1, 16)]
    draws = drawing.draw_batch(pool, applicants, seed="batch", max_load=3, size=5, n_substitutes=2)
    load: dict[int, int] = {}
    for d in draws:
        for i in d.panel + d.substitutes:
            load[i] = load.get(i, 0) + 1
        assert drawing.replay(d.seed, d.inputs) == d.result
    assert max(load.values()) <= 3
