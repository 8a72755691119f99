-- Flutterbye Chain Worker: the PostgreSQL schema.
--
-- Applied as a whole, in one transaction, by the schema migrator (FlutterbyeStore.SchemaMigrator) when the
-- binary starts and by `flutterbye migrate`. It must stay idempotent: every statement can run again on a
-- database that already has it (CREATE ... IF NOT EXISTS, ON CONFLICT DO NOTHING, guarded ALTERs).
-- Later versions append to this file; each appends a row to flutterbye.schema_migrations.
-- Conventions: token amounts and lamports are numeric(20,0) (u64 fits), never floating point;
-- timestamps are timestamptz.

CREATE SCHEMA IF NOT EXISTS flutterbye;

-- One row per schema version that has been applied.
CREATE TABLE IF NOT EXISTS flutterbye.schema_migrations (
    version     integer PRIMARY KEY,
    description text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (1, 'foundation: schema and migration bookkeeping')
ON CONFLICT (version) DO NOTHING;
