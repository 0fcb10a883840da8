"""Seed the bench database: 100,000 enterprises and about 1,000,000 records with SQLAlchemy core bulk inserts.

Rows are generated per chunk of enterprises with explicit ids and inserted with ``executemany`` batches (COPY on
PostgreSQL), so memory stays flat and no row needs a RETURNING. The schema comes from the real Alembic migrations,
so the indexes measured are the ones production has. Enterprise 1 gets exactly 1 record, enterprise 2 exactly 200
and enterprise 3 exactly 2,000: the query-count check compares their pages (issue 16: paged per kind, the same
statements for all three).

    python -m bench.seed [--enterprises 100000] [--seed 7]
    BENCH_DB_NAME=registry_bench_1m python -m bench.seed --enterprises 1000000   # the province: ~10,000,000 records
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timezone

from sqlalchemy import insert, text

from bench.common import BENCH_EMAIL, BENCH_PASSWORD, bench_database_url, make_app, out, recreate_database, step
from registry.demo import names
from stdnum.cn.uscc import calc_check_digit

CHUNK = 5_000
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
ONE_RECORD_ID, MANY_RECORDS_ID, MOST_RECORDS_ID = 1, 2, 3
FIXED_IDS = (ONE_RECORD_ID, MANY_RECORDS_ID, MOST_RECORDS_ID)
_D2016 = date(2016, 1, 1).toordinal()
_SPAN = date(2026, 10, 31).toordinal() - _D2016
_CERT_TYPES = ("iso9001", "iso9001", "iso14001", "iso45001", "pinzibiao", "iso10012", "high_quality_service",
               "green_product", "zhejiang_international", "other")
_CERT_STATUS = ("valid",) * 30 + ("suspended", "revoked", "cancelled")
_STD_PREFIX = (("group_zzb", "T/ZZB"), ("national", "GB/T"), ("industry", "JB/T"), ("local", "DB33/T"),
               ("group", "T/ZJSJ"), ("enterprise", "Q/LH"), ("international", "ISO"))
_HONOURS = (("quality_award", "linhai"), ("quality_award", "taizhou"), ("qianjiang_cup", "provincial"),
            ("kuocang_cup", "taizhou"), ("zhejiang_boutique", "provincial"), ("standard_innovation", "provincial"),
            ("single_champion", "national"), ("zhejiang_export_brand", "provincial"), ("other", "linhai"),
            ("luban", "national"), ("standardisation_pilot", "provincial"))
_PATENT_TYPES = ((1, "invention"), (2, "utility_model"), (2, "utility_model"), (3, "design"))


def _base31(n: int, width: int) -> str:
    digits = ""
    for _ in range(width):
        n, r = divmod(n, 31)
        digits = names._USCC_ALPHABET[r] + digits
    return digits


def _day(rng: random.Random) -> date:
    return date.fromordinal(_D2016 + rng.randrange(_SPAN))


def _plan(rng: random.Random, enterprise_id: int, above: bool) -> dict[str, int]:
    """How many records of each kind an enterprise gets: skewed, as real registries are."""
    if enterprise_id == ONE_RECORD_ID:
        return {"patents": 1}
    if enterprise_id == MANY_RECORDS_ID:
        return {"patents": 120, "trademarks": 30, "certifications": 25, "standards": 10, "honours": 10,
                "credit_records": 3, "incident_records": 2}
    if enterprise_id == MOST_RECORDS_ID:
        return {"patents": 1200, "trademarks": 300, "certifications": 250, "standards": 100, "honours": 100,
                "credit_records": 30, "incident_records": 20}
    if above:
        plan = {"patents": rng.randint(2, 22), "trademarks": rng.randint(1, 5), "certifications": rng.randint(2, 7),
                "standards": rng.choice((0, 0, 1, 1, 2, 3)), "honours": rng.choice((0, 0, 1, 2, 3))}
    else:
        plan = {"patents": rng.choice((0, 0, 1, 1, 2, 4)), "trademarks": rng.choice((0, 1, 1, 2)),
                "certifications": rng.choice((0, 0, 1, 2, 3)), "standards": 0,
                "honours": 1 if rng.random() < 0.05 else 0}
    plan["credit_records"] = 1 if rng.random() < 0.03 else 0
    plan["incident_records"] = 1 if rng.random() < 0.08 else 0
    return plan


class Generator:
    """Builds row dicts chunk by chunk; counters keep every unique number unique."""

    def __init__(self, rng: random.Random, jurisdictions: list[tuple[int, str]], industries: list[tuple[int, str]]):
        self.rng = rng
        self.jurisdictions = jurisdictions
        self.industries = industries
        self.ids = {k: 0 for k in ("standards", "standard_drafters", "certifications", "honours", "patents",
                                   "trademarks", "credit_records", "incident_records")}

    def _next(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def chunk(self, first_id: int, count: int) -> dict[str, list[dict]]:
        rng = self.rng
        rows: dict[str, list[dict]] = {k: [] for k in ("enterprises", *self.ids)}
        stamp = {"created_at": NOW, "updated_at": NOW}
        for eid in range(first_id, first_id + count):
            jid, jname = rng.choice(self.jurisdictions)
            iid, icode = rng.choice(self.industries)
            above = eid in (MANY_RECORDS_ID, MOST_RECORDS_ID) or rng.random() < 0.3
            established = date.fromordinal(date(1995, 1, 1).toordinal() + rng.randrange(10_500))
            trade = rng.choice(names._FIRST) + rng.choice(names._SECOND) + (rng.choice(names._SECOND)
                                                                            if rng.random() < 0.3 else "")
            body8 = "MA" + _base31(eid, 6) if established.year >= 2016 else f"{10_000_000 + eid:08d}"
            first17 = "91" + names.LINHAI_DIVISION + names.org_code(body8)
            rows["enterprises"].append({
                "id": eid, "name": names.company_name(rng, trade, icode, above), "uscc": first17 + calc_check_digit(first17),
                "uscc_override_reason": None, "jurisdiction_id": jid, "industry_id": iid, "above_scale": above,
                "established_on": established, "legal_representative": names.person_name(rng), "group_name": None,
                "contact_name": names.person_name(rng), "contact_phone": names.phone(rng), "contact_email": None,
                "address": names.address(rng, jname), "version": 1, **stamp})
            product = rng.choice(names.INDUSTRY_TRADES[icode][1])
            for kind, n in _plan(rng, eid, above).items():
                for _ in range(n):
                    getattr(self, "_" + kind)(rows, eid, product, stamp)
        return rows

    def _patents(self, rows, eid, product, stamp):
        pid = self._next("patents")
        type_digit, patent_type = self.rng.choice(_PATENT_TYPES)
        filed = _day(self.rng)
        granted = date.fromordinal(filed.toordinal() + 200) if filed.year < 2025 else None
        rows["patents"].append({"id": pid, "enterprise_id": eid, "number": names.patent_number(filed.year, type_digit, pid),
                                "patent_type": patent_type, "title": f"一种{product}的加工装置", "filed_on": filed,
                                "granted_on": granted, "status": "granted" if granted else "pending", **stamp})

    def _trademarks(self, rows, eid, product, stamp):
        tid = self._next("trademarks")
        registered = _day(self.rng)
        madrid = self.rng.random() < 0.04
        rows["trademarks"].append({
            "id": tid, "enterprise_id": eid, "reg_number": str(10_000_000 + tid), "nice_class": self.rng.randint(1, 45),
            "mark": product[:4], "registered_on": registered, "expires_on": names.add_years(registered, 10),
            "madrid": madrid, "madrid_registered_on": registered if madrid else None,
            "geographical_indication": False, "gi_status": None, "gi_applied_on": None, **stamp})

    def _certifications(self, rows, eid, product, stamp):
        cid = self._next("certifications")
        cert_type = self.rng.choice(_CERT_TYPES)
        issued = _day(self.rng)
        status = self.rng.choice(_CERT_STATUS)
        rows["certifications"].append({
            "id": cid, "enterprise_id": eid, "cert_type": cert_type, "number": f"BENCH{cid:08d}",
            "issuer": "中国质量认证中心", "scope": product,
            "product_domain": "家具" if cert_type == "green_product" else None, "issued_on": issued,
            "expires_on": names.add_years(issued, 3), "status": status,
            "status_changed_on": issued if status != "valid" else None, **stamp})

    def _standards(self, rows, eid, product, stamp):
        sid = self._next("standards")
        level, prefix = _STD_PREFIX[sid % len(_STD_PREFIX)]
        published = _day(self.rng)
        number = (f"ISO {sid}:{published.year}" if level == "international"
                  else f"{prefix} {sid}-{published.year}")
        rows["standards"].append({"id": sid, "number": number, "level": level, "title": f"{product}技术条件",
                                  "status": "published", "published_on": published, "effective_on": published,
                                  "withdrawn_on": None, **stamp})
        drafters = [eid] if eid in FIXED_IDS else \
            [eid] + [x for x in {self.rng.randint(3, eid + 2) for _ in range(self.rng.choice((0, 1, 2, 3)))}
                     if x < eid and x not in FIXED_IDS]
        for n, enterprise_id in enumerate(drafters):
            rows["standard_drafters"].append({"id": self._next("standard_drafters"), "standard_id": sid,
                                              "enterprise_id": enterprise_id,
                                              "role": "lead" if n == 0 else "participant", **stamp})

    def _honours(self, rows, eid, product, stamp):
        honour_type, level = self.rng.choice(_HONOURS)
        year = self.rng.randint(2016, 2025)
        rows["honours"].append({"id": self._next("honours"), "enterprise_id": eid, "honour_type": honour_type,
                                "level": level, "year": year, "awarded_on": date(year, 12, 1), "title": None,
                                "issuer": "临海市人民政府", "revoked_on": None, "revoke_reason": None,
                                "source_application_id": None, **stamp})

    def _credit_records(self, rows, eid, product, stamp):
        listed = _day(self.rng)
        rows["credit_records"].append({"id": self._next("credit_records"), "enterprise_id": eid,
                                       "list_type": "abnormal_operation", "listed_on": listed,
                                       "removed_on": None if self.rng.random() < 0.5 else names.add_years(listed, 1),
                                       "authority": "临海市市场监督管理局", "reason": "未按规定期限公示年度报告。",
                                       **stamp})

    def _incident_records(self, rows, eid, product, stamp):
        rows["incident_records"].append({"id": self._next("incident_records"), "enterprise_id": eid,
                                         "occurred_on": _day(self.rng), "kind": "failed_spot_check",
                                         "description": f"{product}监督抽查不合格。", **stamp})


TABLE_ORDER = ("enterprises", "standards", "standard_drafters", "certifications", "honours", "patents", "trademarks",
               "credit_records", "incident_records")


def _insert(conn, table, rows: list[dict], use_copy: bool) -> None:
    """Bulk-insert ``rows``: COPY on PostgreSQL, else one core ``executemany`` per 10,000 rows."""
    if not rows:
        return
    if use_copy:
        columns = list(rows[0])
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(table), rows[start:start + 10_000])


def _set_aside_indexes(engine) -> list[str]:
    """PostgreSQL: drop the seeded tables' indexes that back no constraint and return their definitions.

    Building an index once over the loaded rows is several times faster than keeping it up to date row by row
    (the list's name-ordered indexes take random page writes for every enterprise); ``_restore_indexes`` builds the
    same definitions again, so the indexes measured are still exactly the migrations'."""
    with engine.begin() as conn:
        found = conn.execute(text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(:tables) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"),
            {"tables": list(TABLE_ORDER)}).all()
        for name, _definition in found:
            conn.execute(text(f"DROP INDEX {name}"))
    return [definition for _name, definition in found]


def _restore_indexes(engine, definitions: list[str]) -> None:
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for definition in definitions:
            conn.execute(text(definition))


def seed(engine, metadata, enterprises: int, rng_seed: int = 7) -> dict[str, int]:
    """Insert ``enterprises`` enterprises and their records (catalogues must exist); return rows per table."""
    tables = {name: metadata.tables[name] for name in TABLE_ORDER}
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        jurisdictions = [tuple(r) for r in conn.execute(text("SELECT id, name FROM jurisdictions ORDER BY id"))]
        industries = [tuple(r) for r in conn.execute(text("SELECT id, code FROM industries ORDER BY id"))]
    generator = Generator(random.Random(rng_seed), jurisdictions, industries)
    counts = {name: 0 for name in TABLE_ORDER}
    set_aside = _set_aside_indexes(engine) if postgres else []
    for first in range(1, enterprises + 1, CHUNK):
        rows = generator.chunk(first, min(CHUNK, enterprises + 1 - first))
        with engine.begin() as conn:
            for name in TABLE_ORDER:
                _insert(conn, tables[name], rows[name], postgres)
                counts[name] += len(rows[name])
    if set_aside:
        with step(f"rebuild {len(set_aside)} indexes"):
            _restore_indexes(engine, set_aside)
    with engine.begin() as conn:
        if postgres:
            for name in TABLE_ORDER:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {name}))"))
    return counts


def add_bench_user(engine, metadata) -> None:
    from registry.auth.passwords import hash_password

    with engine.begin() as conn:
        conn.execute(insert(metadata.tables["users"]), [{
            "email": BENCH_EMAIL, "display_name": "压测市局账号", "password_hash": hash_password(BENCH_PASSWORD),
            "role": "bureau", "is_active_account": True, "created_at": NOW, "updated_at": NOW}])


def analyze(engine) -> None:
    """Statistics and (PostgreSQL) the visibility map, as autovacuum would leave them after a bulk load."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def build(enterprises: int = 100_000, rng_seed: int = 7) -> dict:
    """Fresh database, migrations, catalogues, rows, bench account, VACUUM ANALYZE. Returns counts and timings."""
    from flask_migrate import upgrade

    from registry.extensions import db
    from registry.seeds.catalogues import seed_catalogues

    url = bench_database_url()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with step(f"fresh database {url.split('@')[-1]}"):
        recreate_database(url)
        app = make_app(url)
        with app.app_context():
            upgrade()
            seed_catalogues()
            engine, metadata = db.engine, db.metadata
            timings["schema"] = time.perf_counter() - started
            t = time.perf_counter()
    with app.app_context():
        with step(f"seed {enterprises:,} enterprises"):
            counts = seed(db.engine, db.metadata, enterprises, rng_seed)
            add_bench_user(db.engine, db.metadata)
            timings["rows"] = time.perf_counter() - t
        t = time.perf_counter()
        with step("VACUUM ANALYZE"):
            analyze(db.engine)
        timings["analyze"] = time.perf_counter() - t
        db.engine.dispose()
    timings["total"] = time.perf_counter() - started
    records = sum(v for k, v in counts.items() if k != "enterprises")
    return {"url": url, "enterprises": enterprises, "counts": counts, "records": records, "timings": timings}


def report(result: dict) -> None:
    out("rows:")
    for name, n in result["counts"].items():
        out(f"  {name:<18} {n:>10,}")
    out(f"  {'records (all but enterprises)':<18} {result['records']:>10,}")
    t = result["timings"]
    goal = seed_goal(result.get("enterprises", 100_000))
    out(f"seeding: schema {t['schema']:.1f} s + rows {t['rows']:.1f} s + VACUUM/ANALYZE {t['analyze']:.1f} s "
        f"= {t['total']:.1f} s (goal <= {goal} s): {'OK' if t['total'] <= goal else 'MISSED'}")


def seed_goal(enterprises: int) -> int:
    """Seconds the seeding may take: 2 minutes for the 100,000-enterprise registry (issue 2), 15 minutes for the
    1,000,000-enterprise province (issue 16)."""
    return 120 if enterprises <= 100_000 else 900


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    report(build(args.enterprises, args.seed))


if __name__ == "__main__":
    main()
