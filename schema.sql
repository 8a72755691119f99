-- Flutterbye Chain Worker: the PostgreSQL schema.
--
-- Applied as a whole by `flutterbye migrate` and on every start of the worker (FlutterbyeStore.SchemaMigrator):
-- in one transaction, under an advisory lock, so concurrent starters apply it one after another.
-- It MUST stay idempotent: every statement must succeed, and change nothing, on a database that already has
-- it (CREATE ... IF NOT EXISTS, INSERT ... ON CONFLICT DO NOTHING, guarded ALTERs in DO blocks).
-- Later issues append the job queue and the index tables here, each with a new row in
-- flutterbye.schema_migrations.
-- Conventions: money columns (lamports, token amounts) are numeric(20,0), which holds any u64, never floating
-- point; times are timestamptz.

CREATE SCHEMA IF NOT EXISTS flutterbye;

-- One row per schema version that has been applied.
CREATE TABLE IF NOT EXISTS flutterbye.schema_migrations (
    version     integer PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    description text NOT NULL
);

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (1, 'foundation')
ON CONFLICT (version) DO NOTHING;
