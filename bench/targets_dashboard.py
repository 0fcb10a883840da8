"""Bench the targets dashboard at 100,000 enterprises and ~1,000,000 records: cold, warm, per filter, and the
cost of a record change (which figures are recomputed).

    python -m bench.targets_dashboard [--enterprises 100000] [--skip-seed] [--requests 300]
    DATABASE_URL=postgresql://root@127.0.0.1:5432/test python -m bench.targets_dashboard

Seeding reuses ``bench/seed.py`` (core bulk inserts) into its own place: ``BENCH_DIR`` (default
/tmp/targets-bench) for SQLite, database ``targets_bench`` on PostgreSQL, so it never collides with the
registry bench. Timings are in-process (Flask test client: session, permission check, indicator rows, figures
from the cache or SQL, template and SVG rendering), warm = the figures are in the Redis cache.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import time
from datetime import date

os.environ.setdefault("BENCH_DIR", "/tmp/targets-bench")

from bench import common  # noqa: E402
from bench.common import BENCH_EMAIL, BENCH_PASSWORD, load_average, out, percentile, step  # noqa: E402

common.BENCH_DB_NAME = os.environ.get("BENCH_DB_NAME") or "targets_bench"
AS_OF = date(2025, 6, 30)


def _login(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post("/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token})
    assert done.status_code == 302, done.status_code


def _timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def _stats(label: str, times: list[float], baseline: list[float] | None = None, goal_ms: float | None = None) -> None:
    """One line: percentiles, the p95 as a multiple of the baseline's p95 (same process, just before), the load."""
    p95 = percentile(times, 95)
    ratio = f"  {p95 / percentile(baseline, 95):5.2f}x base" if baseline else ""
    verdict = f"  goal p95<={goal_ms:.0f}ms {'OK' if p95 <= goal_ms else 'MISSED'}" if goal_ms else ""
    out(f"  {label:<46} n={len(times):>4}  p50 {percentile(times, 50):7.1f} ms  p95 {p95:7.1f} ms"
        f"  p99 {percentile(times, 99):7.1f} ms  max {times[-1]:7.1f} ms{ratio}  load {os.getloadavg()[0]:.1f}{verdict}")


def _once(label: str, ms: float, goal_ms: float) -> None:
    out(f"  {label:<46} {ms:8.0f} ms  load {os.getloadavg()[0]:.1f}  goal <{goal_ms / 1000:g} s "
        f"{'OK' if ms < goal_ms else 'MISSED'}")


class Recorder:
    """Counts which rules really ran SQL (cache misses) during a block."""

    def __init__(self):
        from registry.targets import counting

        self.counting, self.ran = counting, []
        self.count, self.by_town = counting.count, counting.count_by_jurisdiction

    def __enter__(self):
        self.ran = []
        self.counting.count = lambda rule, *a: self.ran.append(rule.name) or self.count(rule, *a)
        self.counting.count_by_jurisdiction = lambda rule, *a: self.ran.append("towns:" + rule.name) or self.by_town(rule, *a)
        return self

    def __exit__(self, *exc):
        self.counting.count, self.counting.count_by_jurisdiction = self.count, self.by_town


def run(args) -> None:
    from registry.extensions import db
    from registry.models import Certification, Enterprise, Honour, Industry, Jurisdiction
    from registry.targets import counting, versions
    from registry.targets.rules import all_rules
    from registry.targets.seed import seed_indicators

    url = common.bench_database_url()
    if not args.skip_seed:
        from bench.seed import build, report

        report(build(args.enterprises))
    app = common.make_app(url)
    client = app.test_client()
    with app.app_context():
        seed_indicators()
        versions.bump_all()  # the seeder wrote with core inserts, past the ORM hooks
        counts = {t: db.session.execute(db.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("enterprises", "honours", "certifications", "standards", "standard_drafters",
                            "trademarks", "patents")}
        out("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        towns = [j.code for j in db.session.scalars(db.select(Jurisdiction))]
        industries = [i.code for i in db.session.scalars(db.select(Industry))]
    _login(client)
    page = f"/targets/?as_of={AS_OF.isoformat()}"
    out(f"[{load_average()}] {url.split('@')[-1]}")

    with step("cold: every rule counted in SQL"):
        with app.app_context():
            per_rule = {}
            for name, rule in all_rules().items():
                started = time.perf_counter()
                counting.count(rule, AS_OF)
                per_rule[name] = (time.perf_counter() - started) * 1000
            slowest = sorted(per_rule.items(), key=lambda kv: -kv[1])[:5]
            out(f"  sum of {len(per_rule)} rule queries {sum(per_rule.values()):.0f} ms; slowest: "
                + ", ".join(f"{k} {v:.0f} ms" for k, v in slowest))
    with app.app_context():
        versions.bump_all()
    town_cold = _timed_each(client, [f"{page}&jurisdiction={j}" for j in random.Random(5).sample(towns, 3)])
    _stats("a town's figures (town filter), cold cache", town_cold)
    with app.app_context():
        versions.bump_all()
    cold_page = _timed(lambda: client.get(page), 1)
    _once("dashboard page, cold cache", cold_page[0], 5000)
    cold_towns = _timed(lambda: client.get(f"/targets/towns?as_of={AS_OF.isoformat()}"), 1)
    _once("town assessment page, cold cache", cold_towns[0], 1000)

    with step("the worker's warm (targets.warm_figures) from a cold cache, then the first visits"):
        from registry.targets.warm import warm as warm_figures

        with app.app_context():
            versions.bump_all()
            started = time.perf_counter()
            result = warm_figures(AS_OF)
            took = (time.perf_counter() - started) * 1000
        out(f"  worker: every figure of both pages counted in {took:.0f} ms ({result})  load {os.getloadavg()[0]:.1f}")
        _once("first dashboard visit after the worker's warm", _timed(lambda: client.get(page), 1)[0], 5000)
        _once("first town assessment after the worker's warm",
              _timed(lambda: client.get(f"/targets/towns?as_of={AS_OF.isoformat()}"), 1)[0], 1000)
        _stats("first visit of each town's figures after the warm",
               _timed_each(client, [f"{page}&jurisdiction={j}" for j in towns]))

    with step("warm"):
        baseline = _timed(lambda: client.get("/"), args.requests)
        _stats("baseline GET / (signed-in home page)", baseline)
        assert client.get(page).status_code == 200
        with app.app_context(), Recorder() as rec:
            warm = _timed(lambda: client.get(page), args.requests)
        _stats("GET /targets/ (full dashboard page)", warm, baseline, goal_ms=100)
        out(f"  rules recomputed during the warm run: {len(rec.ran)}")
        warm_towns = _timed(lambda: client.get(f"/targets/towns?as_of={AS_OF.isoformat()}"), max(50, args.requests // 3))
        _stats("GET /targets/towns (town assessment)", warm_towns, baseline)
        api_headers = _api_headers(app)
        warm_api = _timed(lambda: client.get(f"/api/v1/targets?as_of={AS_OF.isoformat()}", headers=api_headers),
                          args.requests)
        _stats("GET /api/v1/targets", warm_api, baseline)
        _stats("baseline again", _timed(lambda: client.get("/"), args.requests))

    with step("filters (first visit cold, then warm)"):
        rng = random.Random(3)
        combos = [(rng.choice(towns), rng.choice(industries)) for _ in range(10)]
        first = _timed_each(client, [f"{page}&jurisdiction={j}&industry={i}" for j, i in combos])
        again = _timed_each(client, [f"{page}&jurisdiction={j}&industry={i}" for j, i in combos] * 10)
        _stats("first visit of a filter (cold for that filter)", first)
        _stats("repeat visits (warm)", again, baseline)
        town_first = _timed_each(client, [f"{page}&jurisdiction={j}" for j in rng.sample(towns, 5)])
        _stats("a town's figures, first visit (town filter; warmed by the worker)", town_first)

    towns_page = f"/targets/towns?as_of={AS_OF.isoformat()}"
    with step("a record changes: what is recomputed (dashboard, then town assessment)"):
        for label, change in _changes():
            with app.app_context():
                change(db, Honour, Certification, Enterprise)
            for name, path in (("dashboard", page), ("towns", towns_page)):
                with app.app_context(), Recorder() as rec:
                    started = time.perf_counter()
                    assert client.get(path).status_code == 200
                    elapsed = (time.perf_counter() - started) * 1000
                recomputed = sorted(set(rec.ran))
                out(f"  {label:<40} next {name:<9} {elapsed:6.0f} ms; recomputed {len(recomputed)}/{len(all_rules())}: "
                    + (", ".join(recomputed) if len(recomputed) <= 3 else "all"))
            # The same change once more, with the worker's minutely warm between the change and the visit.
            with app.app_context():
                change(db, Honour, Certification, Enterprise)
                started = time.perf_counter()
                warm_figures(AS_OF)
                took = (time.perf_counter() - started) * 1000
            for name, path in (("dashboard", page), ("towns", towns_page)):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                out(f"  {'  again, after the warm (' + f'{took:.0f} ms in the worker)':<40} next {name:<9} "
                    f"{(time.perf_counter() - started) * 1000:6.0f} ms")
            _stats("  then warm again (dashboard)", _timed(lambda: client.get(page), 30))


def _timed_each(client, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def _api_headers(app) -> dict:
    from registry.auth.tokens import issue_token
    from registry.extensions import db
    from registry.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == BENCH_EMAIL))
        return {"Authorization": f"Bearer {issue_token(user)}"}


def _changes():
    def honour(db, Honour, Certification, Enterprise):  # noqa: N803
        db.session.add(Honour(enterprise_id=3, honour_type="qianjiang_cup", level="provincial", year=2025,
                              awarded_on=date(2025, 3, 1)))
        db.session.commit()

    def revoke(db, Honour, Certification, Enterprise):  # noqa: N803
        row = db.session.scalar(db.select(Honour).where(Honour.honour_type == "zhejiang_boutique",
                                                       Honour.revoked_on.is_(None)).limit(1))
        row.revoked_on = date(2025, 1, 1)
        db.session.commit()

    def certificate(db, Honour, Certification, Enterprise):  # noqa: N803
        row = db.session.scalar(db.select(Certification).where(Certification.cert_type == "pinzibiao",
                                                               Certification.status == "valid").limit(1))
        row.status, row.status_changed_on = "revoked", date(2025, 2, 1)
        db.session.commit()

    def patent_only(db, Honour, Certification, Enterprise):  # noqa: N803
        from registry.models import Patent

        row = db.session.scalar(db.select(Patent).limit(1))
        row.title = row.title + "(改)"
        db.session.commit()

    def move(db, Honour, Certification, Enterprise):  # noqa: N803
        ent = db.session.get(Enterprise, 5)
        others = db.session.scalars(db.select(db.text("id FROM jurisdictions"))).all()
        ent.jurisdiction_id = next(j for j in others if j != ent.jurisdiction_id)
        db.session.commit()

    return [("new 钱江杯 honour", honour), ("浙江制造精品 honour revoked", revoke),
            ("品字标 certificate revoked", certificate), ("patent title edited (counted by no rule)", patent_only),
            ("enterprise moved to another town", move)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--requests", type=int, default=300)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
