"""Entity store benchmark on PostgreSQL: lookup latency by unique id and upserts/s with 1 million entities.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/store_bench .venv/bin/python bench/store.py [--entities N]

Creates the database named in DATABASE_URL (a dedicated one whose name ends in "bench": it is recreated,
and dropped at the end unless --keep), migrates it, seeds N ``contact`` entities with one set-based INSERT, then measures:
  * lookups through ``entities.services.lookup.find_by_unique_ids`` by a scalar id (``customer_number``)
    and by a repeatable ``_type`` id (``email.email``), p50/p95 in ms;
  * ``apply_mapping_result`` upserts/s, half updates of existing entities, half creates, as events of
    1 entity (one transaction each) and as events of 100 entities.
Targets (issue 5): p95 lookup < 5 ms, >= 2,000 upserts/s. Every phase is bounded by --seconds.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/store_bench"
ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000, help="lookups per identifier kind")
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound of each upsert phase")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    return parser.parse_args()


def admin_connection(url: str):
    """A psycopg connection to the server's maintenance DB, and the bench DB name."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        sys.exit("bench/store.py needs a PostgreSQL DATABASE_URL")
    name = cfg["NAME"]
    if not name or not name.endswith("bench"):
        sys.exit(f"refusing to use database '{name}': it is dropped afterwards; name a dedicated one ending "
                 f"in 'bench', e.g. {DEFAULT_URL}")
    conn = psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                           password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True)
    return conn, name


def recreate_database(url: str) -> None:
    conn, name = admin_connection(url)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    conn, name = admin_connection(url)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpintegration.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(org, count: int) -> float:
    """Set-based insert of ``count`` contacts; the GIN index is rebuilt afterwards (faster than per row)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS entities_entity_attributes_gin")
        cursor.execute(
            """
            INSERT INTO entities_entity (id, organization_id, schema, attributes, created_at, updated_at,
                                         last_synced_at, last_event_id, last_integration_id)
            SELECT gen_random_uuid(), %s, 'contact',
                   jsonb_build_object('customer_number', 'C-' || g,
                                      'first_name', 'First ' || g, 'last_name', 'Last ' || (g %% 977),
                                      'email', jsonb_build_array(jsonb_build_object('email', 'u' || g || '@example.com')),
                                      'city', 'City ' || (g %% 113)),
                   now(), now(), now(), 'seed', 'bench'
            FROM generate_series(1, %s) AS g
            """,
            [org.pk, count],
        )
        cursor.execute(
            "CREATE INDEX entities_entity_attributes_gin ON entities_entity USING gin (attributes jsonb_path_ops) WITH (fastupdate = off)"
        )
        cursor.execute("ANALYZE entities_entity")
    return time.perf_counter() - started


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def bench_lookups(org, count: int, n: int) -> dict[str, tuple[float, float]]:
    from entities.services.lookup import find_by_unique_ids

    rng = random.Random(7)
    out = {}
    for label, make in (
        ("customer_number", lambda i: {"customer_number": f"C-{i}"}),
        ("email.email", lambda i: {"email.email": f"u{i}@example.com"}),
    ):
        for _ in range(50):  # warm up connection and plan cache
            find_by_unique_ids(org, "contact", make(rng.randint(1, count)))
        samples = []
        for _ in range(n):
            ids = make(rng.randint(1, count))
            started = time.perf_counter()
            found = find_by_unique_ids(org, "contact", ids)
            samples.append((time.perf_counter() - started) * 1000)
            assert len(found) == 1, (ids, found)
        out[label] = (statistics.median(samples), percentile(samples, 95))
    return out


def bench_upserts(org, count: int, batch: int, seconds: float, start_new: int) -> tuple[float, int]:
    """Events of ``batch`` entity updates, alternating an existing and a new entity; returns (upserts/s, n)."""
    from entities.services import apply_mapping_result
    from integrations.mapping.results import EntityUpdate, MappingResult

    rng = random.Random(batch)
    new_id = start_new
    done = 0
    started = time.perf_counter()
    event = 0
    while time.perf_counter() - started < seconds:
        updates = []
        for i in range(batch):
            if i % 2 == 0:
                number = f"C-{rng.randint(1, count)}"
            else:
                new_id += 1
                number = f"N-{new_id}"
            updates.append(EntityUpdate(
                entity_slug="contact", unique_identifiers={"customer_number": number},
                attributes={"customer_number": number, "first_name": f"Bench {event}", "tags": {"_append": ["b"]}},
            ))
        event += 1
        apply_mapping_result(org, MappingResult(entity_updates=updates), integration_id="bench",
                             event_id=f"evt-{event}")
        done += batch
    elapsed = time.perf_counter() - started
    return done / elapsed, done


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    print(f"database: {url.rsplit('@', 1)[-1]}  entities: {args.entities:,}")
    recreate_database(url)
    try:
        setup_django(url)
        from erpintegration.models import Organization

        org = Organization.objects.create(slug="bench", name="Bench")
        seconds = seed(org, args.entities)
        print(f"seeded {args.entities:,} entities in {seconds:.1f} s ({args.entities / seconds:,.0f} rows/s)")

        lookups = bench_lookups(org, args.entities, args.lookups)
        for label, (p50, p95) in lookups.items():
            print(f"lookup by {label:<16} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   ({args.lookups} lookups)")
        single, n1 = bench_upserts(org, args.entities, 1, args.seconds, 10_000_000)
        print(f"upserts, 1 entity per event     {single:8,.0f} /s   ({n1:,} upserts)")
        batched, n100 = bench_upserts(org, args.entities, 100, args.seconds, 20_000_000)
        print(f"upserts, 100 entities per event {batched:8,.0f} /s   ({n100:,} upserts)")

        worst_p95 = max(p95 for _, p95 in lookups.values())
        lookup_ok = worst_p95 < 5.0
        upsert_ok = batched >= 2000
        print(f"target lookup p95 < 5 ms: {'MET' if lookup_ok else 'NOT MET'} (worst p95 {worst_p95:.2f} ms)")
        print(f"target >= 2,000 upserts/s (100 per event): {'MET' if upsert_ok else 'NOT MET'} ({batched:,.0f}/s);"
              f" 1 per event: {single:,.0f}/s")
        return 0
    finally:
        if args.keep:
            print("kept the bench database")
        else:
            drop_database(url)
            print("dropped the bench database")


if __name__ == "__main__":
    sys.exit(main())
