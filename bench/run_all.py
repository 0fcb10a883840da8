"""``make bench``: seed 100,000 enterprises, then measure the registry pages against a trivial route.

    python -m bench.run_all [--skip-seed] [--concurrency 4] [--duration 10] [--workers 4]

Targets PostgreSQL when DATABASE_URL is set (database ``registry_bench`` on that server is dropped and recreated),
else a SQLite file under BENCH_DIR (default /tmp/registry-bench). Load goes to 127.0.0.1 only, bounded in time
and count.
"""
from __future__ import annotations

import argparse
import os
import random

from sqlalchemy import create_engine, text

from bench import seed as bench_seed
from bench.common import bench_database_url, load_average, make_app, out, step
from bench.registry_pages import Server, print_results, profile_pages, run_load, signed_in_session

GOAL_MS = 50.0
BASELINE = "baseline GET /login"


def sample_urls(database_url: str, rng: random.Random) -> dict[str, list[str]]:
    """URLs per target, drawn from the seeded rows."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        top = conn.execute(text("SELECT max(id) FROM enterprises")).scalar() or 1
        ids = [rng.randint(1, top) for _ in range(500)]
        rows = conn.execute(text("SELECT name, uscc FROM enterprises WHERE id IN (%s)" % ",".join(map(str, ids))))
        names_codes = list(rows)
        codes = [(c, j) for c, j in conn.execute(text("SELECT code, code FROM jurisdictions"))]
        industries = [c for (c,) in conn.execute(text("SELECT code FROM industries"))]
    engine.dispose()
    # The 字号 (trade name) sits after the place prefix: '临海市鑫隆机械有限公司' -> '鑫隆'.
    trades = [n.removeprefix("浙江").removeprefix("台州").removeprefix("临海市")[:2] for n, _ in names_codes]
    words = ["眼镜", "医药", "汽车部件", "物流", "新材料", "休闲用品"]
    filters = []
    for _ in range(200):
        parts = [f"jurisdiction={rng.choice(codes)[0]}" if rng.random() < 0.6 else "",
                 f"industry={rng.choice(industries)}" if rng.random() < 0.5 else "",
                 f"above_scale={rng.choice('10')}" if rng.random() < 0.3 else "",
                 f"pinzibiao={rng.choice('10')}" if rng.random() < 0.2 else "",
                 f"credit={rng.choice(('listed', 'clean'))}" if rng.random() < 0.2 else ""]
        filters.append("/enterprises?" + "&".join(p for p in parts if p))
    return {
        BASELINE: ["/login"],
        "list /enterprises?page=N": [f"/enterprises?page={rng.randint(1, 100)}" for _ in range(200)]
        + ["/enterprises", "/enterprises?sort=established&direction=desc"],
        "list with filters": filters,
        "search Chinese substring": [f"/enterprises?q={t}" for t in trades] + [f"/enterprises?q={w}" for w in words],
        "search credit code": [f"/enterprises?q={c}" for _, c in names_codes],
        "enterprise page (random)": [f"/enterprises/{i}" for i in ids],
        "enterprise page (200 records)": ["/enterprises/2"],
        "enterprise page (2,000 records)": ["/enterprises/3"],
    }


def profile_paths(code: str) -> list[str]:
    """The pages profiled in-process: the baseline first, then list, searches and the 1-, 200- and 2,000-record
    enterprises (issue 16 item 3), and one later page of a kind of the 2,000-record one."""
    return ["/login", "/enterprises", "/enterprises?page=50", "/enterprises?q=眼镜", "/enterprises?q=鑫隆",
            f"/enterprises?q={code}", "/enterprises?jurisdiction=331082001&pinzibiao=1",
            "/enterprises/1", "/enterprises/2", "/enterprises/3", "/enterprises/3?patents_page=7"]


def print_profile(profile: dict[str, dict]) -> None:
    """One line per page: statements, wall, SQL, app CPU and CPU as a ratio to /login (issue 16: at most 2x);
    then the statement counts of the 1-, 200- and 2,000-record enterprises, which must be equal."""
    base = profile["/login"]["cpu_ms"] or 1e-9
    out(f"   {'page':<48} {'status':>6} {'SQL stmts':>9} {'wall ms':>8} {'SQL ms':>7} {'app CPU ms':>10} "
        f"{'x /login':>8}")
    for path, p in profile.items():
        ratio = p["cpu_ms"] / base
        verdict = "" if path == "/login" else ("  OK" if ratio <= 2 else "  MISSED (> 2x)")
        out(f"   {path:<48} {p['status']:>6} {p['statements']:>9} {p['total_ms']:>8.1f} {p['sql_ms']:>7.1f} "
            f"{p['cpu_ms']:>10.1f} {ratio:>8.2f}{verdict}")
    counts = [profile[f"/enterprises/{i}"]["statements"] for i in (1, 2, 3)]
    out(f"   enterprise page, 1 / 200 / 2,000 records: {' / '.join(map(str, counts))} SQL statements -> "
        f"{'SAME (OK)' if len(set(counts)) == 1 else 'DIFFERENT (MISSED)'}")


def credit_code(database_url: str) -> str:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        code = conn.execute(text("SELECT uscc FROM enterprises ORDER BY id DESC LIMIT 1")).scalar()
    engine.dispose()
    return code or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed and measure the registry pages.")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--skip-seed", action="store_true", help="reuse the bench database as it is")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target")
    parser.add_argument("--max-requests", type=int, default=20_000, help="cap per target")
    # One gunicorn worker per CPU: the database and the load clients share this machine, and more workers than
    # CPUs only trade latency for context switches (measured: 4 workers on 2 CPUs, list p95 57 ms; 2 workers, 40 ms).
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=5103)
    parser.add_argument("--repeats", type=int, default=15, help="in-process requests per page (median)")
    parser.add_argument("--profile-only", action="store_true", help="the in-process profile only, no load")
    args = parser.parse_args(argv)

    url = bench_database_url()
    if not args.skip_seed:
        bench_seed.report(bench_seed.build(args.enterprises))
    app = make_app(url)
    if "enterprises.show" not in app.view_functions or "enterprises.index" not in app.view_functions:
        out("The enterprise views (blueprint 'enterprises': index, show) are not registered yet: "
            "seeding measured, pages not.")
        return 0

    with step(f"in-process, one request at a time, median of {args.repeats} ({load_average()})"):
        profile = profile_pages(app, profile_paths(credit_code(url)), args.repeats)
    print_profile(profile)
    if args.profile_only:
        return 0

    urls = sample_urls(url, random.Random(11))
    baseline_urls = urls.pop(BASELINE)
    pairs = []
    with Server(url, args.port, args.workers, args.threads) as server:
        sessions = [signed_in_session(server.base) for _ in range(args.concurrency)]
        out(f"-- load: {args.concurrency} clients, {args.duration:.0f} s per target, each target interleaved 1:1 "
            f"with the baseline; gunicorn {args.workers} workers x {args.threads} threads on {server.base}; "
            f"{load_average()}")
        for label, target_urls in urls.items():
            got = run_load(server.base, sessions, {label: target_urls, BASELINE: baseline_urls}, args.duration,
                           args.max_requests)
            pairs.append((got[label], got[BASELINE]))
            out(f"   {label}: {got[label].count} requests (+ {got[BASELINE].count} baseline)")
    print_results(pairs, {label: GOAL_MS for label in urls if label.startswith(("list", "search"))})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
