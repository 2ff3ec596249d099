"""Many new rows in one INSERT whose rows travel as ONE JSON parameter (PostgreSQL ``jsonb_to_recordset``).

``bulk_create`` binds rows x columns parameters: psycopg quotes each value and splits a query of thousands
of placeholders, which for a batch of hundreds of rows costs more CPU than the database spends on them.
Here the rows are one ``json.dumps`` (C speed) and PostgreSQL types the columns. Elsewhere, ``bulk_create``.
Auto-increment primary keys are filled by the database and not read back.
"""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal

from django.db import connections, models


def insert_rows(model: type[models.Model], instances: list[models.Model]) -> None:
    connection = connections[model.objects.db]
    if len(instances) < 2 or connection.vendor != "postgresql":
        model.objects.bulk_create(instances)
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    columns = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT {names} "
           f"FROM jsonb_to_recordset(%s::jsonb) AS v({columns})")
    rows = [{f.column: _plain(f.pre_save(instance, add=True)) for f in fields} for instance in instances]
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, ensure_ascii=False, separators=(",", ":"))])
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value
