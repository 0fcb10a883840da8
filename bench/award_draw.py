"""Bench: a batch draw of review panels (随机抽取评审专家) over 2,000 experts for 500 applications (issue 4).

    .venv/bin/python -m bench.award_draw            # the pure draw: time, and every constraint re-checked
    .venv/bin/python -m bench.award_draw --db       # also through the service on a fresh SQLite file: facts
                                                    # built from registry ties, 500 PanelDraw records written

Constraints checked after the draw, independently of the draw's own index: no seated expert (panel or
substitute) has a conflict with the applicant; panel size and substitute count honoured; the leader may lead;
no expert over the batch load cap; every draw replays from its recorded seed and inputs to the same panel.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time

from registry.awards import draw as drawing

EXPERTS, APPLICANTS, FIRMS, GROUPS, REPS = 2000, 500, 3000, 60, 1200
SIZE, SUBS, MAX_LOAD = 5, 3, 4


def world(seed: int = 2026):
    """Firms (id -> name, group, legal rep), the 500 applicants among them, and an expert pool with ties."""
    rng = random.Random(seed)
    firms = {i: (f"临海企业{i}有限公司", f"集团{rng.randrange(GROUPS)}" if rng.random() < 0.3 else None,
                 f"法人{rng.randrange(REPS)}") for i in range(1, FIRMS + 1)}
    applicants = [drawing.ApplicantFacts(key=k, enterprise_id=f, name=firms[f][0], group_name=firms[f][1],
                                         legal_rep=firms[f][2])
                  for k, f in enumerate(rng.sample(sorted(firms), APPLICANTS), start=1)]
    pool = []
    for i in range(1, EXPERTS + 1):
        ties = []
        for n in range(rng.randint(1, 4)):
            kind = rng.choice(("employer", "former_employer", "consultant", "legal_rep"))
            firm = rng.randrange(1, FIRMS + 1)
            name, group, rep = firms[firm]
            ties.append(drawing.TieFacts(tie_id=i * 10 + n, kind=kind, enterprise_id=firm, org_name=name,
                                         group_name=group, legal_rep=rep))
        if rng.random() < 0.05:
            ties.append(drawing.TieFacts(tie_id=i * 10 + 9, kind="declared", group_name=f"集团{rng.randrange(GROUPS)}"))
        pool.append(drawing.ExpertFacts(id=i, can_lead=rng.random() < 0.2, ties=tuple(ties)))
    return pool, applicants


def conflicted(expert: drawing.ExpertFacts, a: drawing.ApplicantFacts) -> bool:
    """The 回避 rules restated plainly (not through PoolIndex)."""
    names = {drawing.norm(a.name), drawing.norm(a.group_name)} - {""}
    return expert.id in a.declared or any(
        t.enterprise_id == a.enterprise_id or (drawing.norm(t.org_name) in names)
        or (drawing.norm(t.group_name) and drawing.norm(t.group_name) in names)
        or (drawing.norm(t.legal_rep) and drawing.norm(t.legal_rep) == drawing.norm(a.legal_rep))
        for t in expert.ties)


def verify(pool, applicants, draws) -> dict:
    by_id = {e.id: e for e in pool}
    by_key = {a.key: a for a in applicants}
    load: dict[int, int] = {}
    bad = {"conflicted_seated": 0, "wrong_size": 0, "short_substitutes": 0, "leader_not_qualified": 0,
           "replay_mismatch": 0, "duplicates": 0}
    excluded = []
    for d in draws:
        a = by_key[d.inputs["applicant"]["key"]]
        seated = d.panel + d.substitutes
        bad["conflicted_seated"] += sum(conflicted(by_id[i], a) for i in seated)
        bad["wrong_size"] += len(d.panel) != SIZE
        bad["short_substitutes"] += len(d.substitutes) != SUBS
        bad["leader_not_qualified"] += not by_id[d.leader].can_lead
        bad["duplicates"] += len(set(seated)) != len(seated)
        bad["replay_mismatch"] += drawing.replay(d.seed, d.inputs) != d.result
        excluded.append(sum(1 for x in d.inputs["exclusions"] if x["reasons"][0]["code"] != "load"))
        for i in seated:
            load[i] = load.get(i, 0) + 1
    return {**bad, "max_load": max(load.values()), "experts_used": len(load),
            "conflict_exclusions_mean": round(statistics.mean(excluded), 1), "conflict_exclusions_max": max(excluded)}


def pure() -> None:
    pool, applicants = world()
    started = time.perf_counter()
    draws = drawing.draw_batch(pool, applicants, seed="bench-2026", max_load=MAX_LOAD, size=SIZE,
                               n_substitutes=SUBS, leader_rule="qualified")
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    again = drawing.draw_batch(list(reversed(pool)), list(reversed(applicants)), seed="bench-2026",
                               max_load=MAX_LOAD, size=SIZE, n_substitutes=SUBS, leader_rule="qualified")
    rerun = time.perf_counter() - started
    print(f"pure draw: {EXPERTS} experts, {APPLICANTS} applications, panel {SIZE} + {SUBS} substitutes, "
          f"load cap {MAX_LOAD}")
    print(f"  batch draw time: {elapsed * 1000:.0f} ms ({elapsed / APPLICANTS * 1000:.2f} ms per application); "
          f"rerun with pool and applicants reversed: {rerun * 1000:.0f} ms, identical: "
          f"{[d.result for d in draws] == [d.result for d in again]}")
    for key, value in verify(pool, applicants, draws).items():
        print(f"  {key}: {value}")


def through_service() -> None:
    """Rows in a fresh SQLite database, then ``panels.draw_panels`` for all 500 entries in one batch."""
    import datetime as dt

    from registry import create_app
    from registry import settings
    from registry.awards import panels, rounds
    from registry.awards.models import AwardEntry, Expert, ExpertTie, PanelDraw
    from registry.extensions import db
    from registry.models import Enterprise, Industry, Jurisdiction, User
    from registry.seeds.catalogues import seed_catalogues

    tmp = tempfile.mkdtemp(prefix="award-bench-")
    os.environ.setdefault("REGISTRY_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite", "INSTANCE_DIR": tmp,
                      "REDIS_URL": "redis://127.0.0.1:1/0", "CELERY_QUEUE": "award-bench"})
    pool, applicants = world()
    with app.app_context():
        db.create_all()
        seed_catalogues()
        j, ind = db.session.query(Jurisdiction).first(), db.session.query(Industry).first()
        from stdnum.cn import uscc

        def code(n):
            chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
            body = "91331082" + "".join(chars[(n // 31 ** p) % 31] for p in range(8, -1, -1))
            return body + uscc.calc_check_digit(body)

        firms = {}
        rng = random.Random(2026)
        for i in range(1, FIRMS + 1):
            name, group, rep = (f"临海企业{i}有限公司", f"集团{rng.randrange(GROUPS)}" if rng.random() < 0.3 else None,
                                f"法人{rng.randrange(REPS)}")
            firms[i] = Enterprise(id=i, name=name, uscc=code(i), jurisdiction_id=j.id, industry_id=ind.id,
                                  group_name=group, legal_representative=rep, established_on=dt.date(2010, 1, 1))
        db.session.add_all(firms.values())
        bureau = User(email="bench-bureau@example.cn", display_name="市局", password_hash="x", role="bureau")
        db.session.add(bureau)
        for e in pool:
            expert = Expert(id=e.id, name=f"专家{e.id}", can_lead=e.can_lead, specialties=[])
            expert.ties = [ExpertTie(kind=t.kind, enterprise_id=t.enterprise_id, group_name=None if t.enterprise_id
                                     else t.group_name) for t in e.ties]
            db.session.add(expert)
        db.session.commit()
        now = dt.datetime(2026, 3, 10, 2, tzinfo=dt.timezone.utc)
        found = rounds.open_round(bureau, name="基准批次", level="linhai", year=2026, call_opens_on=dt.date(2026, 3, 1),
                                  call_closes_on=dt.date(2026, 3, 31), quotas={"quality_award": 4})
        entries = [AwardEntry(round_id=found.id, enterprise_id=a.enterprise_id, self_assessment={}) for a in applicants]
        db.session.add_all(entries)
        settings.put("awards.panel.max_load", MAX_LOAD)
        db.session.commit()
        started = time.perf_counter()
        rows = panels.draw_panels(bureau, [e.id for e in entries], now, size=SIZE, n_substitutes=SUBS)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        replayed = sum(panels.verify(r.id) for r in db.session.query(PanelDraw).all())
        verify_time = time.perf_counter() - started
        print(f"through the service (SQLite): {len(rows)} draws recorded in {elapsed:.2f} s "
              f"(facts from {sum(len(e.ties) for e in pool)} ties, PanelDraw + PanelMember rows, one commit); "
              f"replayed from the database {replayed}/{len(rows)} identical in {verify_time:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="store_true", help="also run through the service on a SQLite file")
    args = parser.parse_args()
    pure()
    if args.db:
        through_service()
