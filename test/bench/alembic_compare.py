#!/usr/bin/python3
"""Alembic's autogenerate comparison on the same database and target as retort's benchmark.

  alembic_compare.py URL SNAPSHOT   prints the number of differences Alembic's compare_metadata
                                    finds between the database and the snapshot's tables

Runs with Debian's python3-alembic (SQLAlchemy 1.4), the version the people retort is for use.
"""
import json
import re
import sys

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.dialects import postgresql as pg


def sa_type(name):
    m = re.fullmatch(r"character varying\((\d+)\)", name)
    if m:
        return sa.String(int(m.group(1)))
    m = re.fullmatch(r"numeric\((\d+),(\d+)\)", name)
    if m:
        return sa.Numeric(int(m.group(1)), int(m.group(2)))
    return {
        "integer": sa.Integer(), "bigint": sa.BigInteger(), "smallint": sa.SmallInteger(),
        "text": sa.Text(), "boolean": sa.Boolean(), "date": sa.Date(),
        "timestamp with time zone": sa.DateTime(timezone=True),
        "double precision": pg.DOUBLE_PRECISION(), "jsonb": pg.JSONB(), "uuid": pg.UUID(),
    }[name]


def metadata_of(snapshot):
    md = sa.MetaData()
    for schema in snapshot["schemas"]:
        for t in schema["tables"]:
            pk = set(t.get("primary_key", {}).get("columns", []))
            cols = []
            for c in t["columns"]:
                args = [c["name"], sa_type(c["type"])]
                if "identity" in c:
                    args.append(sa.Identity(always=c["identity"]["always"]))
                kw = {"nullable": c["nullable"], "primary_key": c["name"] in pk}
                if "default" in c:
                    kw["server_default"] = sa.text(c["default"])
                cols.append(sa.Column(*args, **kw))
            table = sa.Table(t["name"], md, *cols)
            for fk in t.get("foreign_keys", []):
                table.append_constraint(sa.ForeignKeyConstraint(
                    fk["columns"], [f'{fk["ref_table"]}.{c}' for c in fk["ref_columns"]],
                    name=fk["name"]))
            for ix in t.get("indexes", []):
                sa.Index(ix["name"], *[table.c[k["column"]] for k in ix["keys"]])
    return md


def main():
    url, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        md = metadata_of(json.load(f))
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), md)
    print(len(diffs))


if __name__ == "__main__":
    main()
