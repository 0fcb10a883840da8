"""The panel draw (随机抽取评审专家; not the "double random" of inspections, which draws inspection targets and
inspectors): pure functions over plain facts, so a draw can be replayed from its record.

``draw_panel`` excludes every expert with a conflict (回避) with the applicant, computed from registry ties:
the applicant itself, its group, a shared legal representative, former employers, consultancy ties, and
declared conflicts. The rest is a seeded permutation of the sorted candidate ids, so the same seed and the
same recorded inputs give the same panel on any machine (``random.Random(str)`` seeds through SHA-512).
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

LEADER_RULES = ("qualified", "first")
# Which conflict a tie to the applicant itself is, by the tie's kind.
_DIRECT = {"employer": "employer", "former_employer": "former_employer", "consultant": "consultant",
           "legal_rep": "legal_rep", "declared": "declared"}


class InsufficientPool(Exception):
    """Too few experts remain after exclusions to seat the panel (or no one may lead it)."""


@dataclass(frozen=True)
class TieFacts:
    tie_id: int | None
    kind: str
    enterprise_id: int | None = None
    org_name: str | None = None  # the tied organisation's name
    group_name: str | None = None  # its group (集团)
    legal_rep: str | None = None  # its legal representative


@dataclass(frozen=True)
class ExpertFacts:
    id: int
    can_lead: bool = False
    ties: tuple[TieFacts, ...] = ()


@dataclass(frozen=True)
class ApplicantFacts:
    key: int  # the entry id: one applicant, one draw seed
    enterprise_id: int
    name: str
    group_name: str | None = None
    legal_rep: str | None = None
    declared: frozenset[int] = frozenset()  # experts who declared a conflict with this applicant


@dataclass
class Draw:
    seed: str
    inputs: dict
    panel: list[int]  # leader first, then members in drawn order
    leader: int
    substitutes: list[int] = field(default_factory=list)

    @property
    def result(self) -> dict:
        return {"panel": self.panel, "leader": self.leader, "substitutes": self.substitutes}


def norm(text: str | None) -> str:
    """Names compared without spaces and with half-width brackets (企业名 often differ only there)."""
    if not text:
        return ""
    return text.replace(" ", "").replace("\u3000", "").replace("（", "(").replace("）", ")").strip()


class PoolIndex:
    """The pool's ties indexed by what they point at, so each applicant's conflicts are a few lookups."""

    def __init__(self, pool: list[ExpertFacts]):
        self.experts = {e.id: e for e in pool}
        self.ids = sorted(self.experts)
        self.leaders = frozenset(e.id for e in pool if e.can_lead)
        self._by = {k: defaultdict(list) for k in ("enterprise", "name", "group", "legal_rep")}
        for expert in pool:
            for tie in expert.ties:
                direct = {"code": _DIRECT.get(tie.kind, tie.kind), "tie_id": tie.tie_id}
                if tie.enterprise_id is not None:
                    self._by["enterprise"][tie.enterprise_id].append((expert.id, direct))
                if norm(tie.org_name):
                    self._by["name"][norm(tie.org_name)].append((expert.id, direct))
                if norm(tie.group_name):
                    self._by["group"][norm(tie.group_name)].append(
                        (expert.id, {"code": "same_group", "tie_id": tie.tie_id}))
                if norm(tie.legal_rep):
                    self._by["legal_rep"][norm(tie.legal_rep)].append(
                        (expert.id, {"code": "shared_legal_rep", "tie_id": tie.tie_id}))

    def conflicts(self, applicant: ApplicantFacts) -> dict[int, list[dict]]:
        """Expert id -> the reasons they must stand aside for ``applicant`` (only experts in the pool)."""
        found: dict[int, list[dict]] = defaultdict(list)
        group = norm(applicant.group_name)
        hits = list(self._by["enterprise"].get(applicant.enterprise_id, ()))
        hits += self._by["name"].get(norm(applicant.name), ())
        if group:
            # A tie to the group's parent company, or to any member of the same group.
            hits += [(i, {**r, "code": "same_group"}) for i, r in self._by["name"].get(group, ())]
            hits += self._by["group"].get(group, ())
        hits += [(i, r) for i, r in self._by["group"].get(norm(applicant.name), ())]  # applicant is the parent
        if norm(applicant.legal_rep):
            hits += self._by["legal_rep"].get(norm(applicant.legal_rep), ())
        hits += [(i, {"code": "declared", "tie_id": None}) for i in applicant.declared if i in self.experts]
        for expert_id, reason in hits:
            if reason not in found[expert_id]:
                found[expert_id].append(reason)
        return dict(found)


def pick(candidates: list[int], leaders: frozenset[int] | set[int], *, size: int, n_substitutes: int,
         leader_rule: str, seed: str) -> tuple[list[int], int, list[int]]:
    """Seeded choice from sorted ``candidates``: (panel with the leader first, leader, substitutes in order).

    Raises InsufficientPool when fewer than ``size`` candidates remain, or no candidate may lead.
    """
    if leader_rule not in LEADER_RULES:
        raise ValueError(f"unknown leader rule {leader_rule!r}")
    candidates = sorted(candidates)
    if len(candidates) < size:
        raise InsufficientPool(f"回避后仅剩 {len(candidates)} 名专家，不足 {size} 人。")
    rng = random.Random(f"awards-draw:{seed}")
    if leader_rule == "qualified":
        qualified = [i for i in candidates if i in leaders]
        if not qualified:
            raise InsufficientPool("回避后没有可担任组长的专家。")
        leader = rng.choice(qualified)
        rest = [i for i in candidates if i != leader]
        picks = rng.sample(rest, min(size - 1 + n_substitutes, len(rest)))
        return [leader] + picks[:size - 1], leader, picks[size - 1:]
    picks = rng.sample(candidates, min(size + n_substitutes, len(candidates)))
    return picks[:size], picks[0], picks[size:]


def draw_panel(pool: list[ExpertFacts] | PoolIndex, applicant: ApplicantFacts, *, size: int = 5,
               n_substitutes: int = 3, leader_rule: str = "qualified", seed: str, min_size: int = 5,
               extra_exclusions: dict[int, list[dict]] | None = None) -> Draw:
    """Draw a panel for one applicant. Changes nothing; raises InsufficientPool or ValueError (size < min_size)."""
    if size < min_size:
        raise ValueError(f"专家组不少于 {min_size} 人。")
    index = pool if isinstance(pool, PoolIndex) else PoolIndex(pool)
    exclusions = index.conflicts(applicant)
    for expert_id, reasons in (extra_exclusions or {}).items():
        exclusions.setdefault(expert_id, []).extend(reasons)
    candidates = [i for i in index.ids if i not in exclusions]
    panel, leader, subs = pick(candidates, index.leaders, size=size, n_substitutes=n_substitutes,
                               leader_rule=leader_rule, seed=seed)
    inputs = {
        "applicant": {"key": applicant.key, "enterprise_id": applicant.enterprise_id, "name": applicant.name,
                      "group_name": applicant.group_name, "legal_rep": applicant.legal_rep},
        "pool": index.ids,
        "leaders": sorted(index.leaders),
        "exclusions": [{"expert_id": i, "reasons": exclusions[i]} for i in sorted(exclusions)],
        "size": size, "n_substitutes": n_substitutes, "leader_rule": leader_rule,
    }
    return Draw(seed=seed, inputs=inputs, panel=panel, leader=leader, substitutes=subs)


def replay(seed: str, inputs: dict) -> dict:
    """The result a recorded draw must have had, recomputed from its seed and recorded inputs alone."""
    excluded = {x["expert_id"] for x in inputs["exclusions"]}
    candidates = [i for i in inputs["pool"] if i not in excluded]
    panel, leader, subs = pick(candidates, frozenset(inputs["leaders"]), size=inputs["size"],
                               n_substitutes=inputs["n_substitutes"], leader_rule=inputs["leader_rule"], seed=seed)
    return {"panel": panel, "leader": leader, "substitutes": subs}


def draw_batch(pool: list[ExpertFacts], applicants: list[ApplicantFacts], *, seed: str, max_load: int | None = None,
               **options) -> list[Draw]:
    """Draw for many applicants in key order; each gets the seed ``<seed>:<key>``. With ``max_load``, an expert
    already holding that many seats (panel or substitute) in this batch is excluded (reason ``load``) from the
    following draws, so the work is spread. Changes nothing; raises InsufficientPool naming the applicant."""
    index = PoolIndex(pool)
    load: dict[int, int] = defaultdict(int)
    draws = []
    for applicant in sorted(applicants, key=lambda a: a.key):
        busy = {i: [{"code": "load", "tie_id": None}] for i, n in load.items() if max_load and n >= max_load}
        try:
            draw = draw_panel(index, applicant, seed=f"{seed}:{applicant.key}", extra_exclusions=busy, **options)
        except InsufficientPool as exc:
            raise InsufficientPool(f"{applicant.name}：{exc}") from exc
        for expert_id in draw.panel + draw.substitutes:
            load[expert_id] += 1
        draws.append(draw)
    return draws
