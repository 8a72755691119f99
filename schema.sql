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

-- Adds a column unless the table has it; true when it added it. The later versions' new columns go through it: an
-- ALTER TABLE takes the table's strongest lock even when it changes nothing (ADD COLUMN IF NOT EXISTS included), and
-- would wait for every open reader of the table, with every later reader and writer waiting behind it. `definition`
-- is the column's type and constraints, a constant of this script.
CREATE OR REPLACE FUNCTION flutterbye.add_column_once(target regclass, name text, definition text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = target AND attname = name AND NOT attisdropped) THEN
        RETURN false;
    END IF;
    EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', target, name, definition);
    RETURN true;
END
$$;

-- ------------------------------------------------------------------------------------------------------------
-- Version 2: the token job queue.
--
-- One row per token job the backend asked for. The row and its state are the whole API (as in River/Oban):
--   available -> running -> submitted -> confirmed -> finalized
--   running/submitted -> retryable (a transient error; back to running when scheduled_at passes)
--   any unfinished state -> failed (permanent error, or attempts exhausted) | cancelled (by an operator)
-- A claimed job carries a lease (lease_expires_at) that its worker renews; a job whose lease expired is
-- rescued by any worker. The idempotency key is unique (flutterbye.token_job_keys, version 18): enqueueing it again
-- returns the same job.

CREATE TABLE IF NOT EXISTS flutterbye.token_jobs (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key         text NOT NULL,
    state                   text NOT NULL DEFAULT 'available',
    token_program           text NOT NULL,
    decimals                smallint NOT NULL,
    name                    text NOT NULL,
    symbol                  text NOT NULL,
    uri                     text NOT NULL,
    amount                  numeric(20,0) NOT NULL,
    recipient               text NOT NULL,
    memo                    text,
    priority                smallint NOT NULL DEFAULT 0,
    scheduled_at            timestamptz NOT NULL DEFAULT now(),
    attempt                 integer NOT NULL DEFAULT 0,
    max_attempts            integer NOT NULL DEFAULT 25,
    attempted_by            text,
    lease_expires_at        timestamptz,
    errors                  jsonb NOT NULL DEFAULT '[]'::jsonb,
    mint_address            text,
    signature               text,
    raw_transaction         bytea,
    last_valid_block_height bigint,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    submitted_at            timestamptz,
    confirmed_at            timestamptz,
    finalized_at            timestamptz,
    finished_at             timestamptz,
    CONSTRAINT token_jobs_idempotency_key_length CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    CONSTRAINT token_jobs_state_valid CHECK (state IN
        ('available', 'running', 'submitted', 'confirmed', 'finalized', 'retryable', 'failed', 'cancelled')),
    CONSTRAINT token_jobs_program_valid CHECK (token_program IN ('token', 'token-2022')),
    CONSTRAINT token_jobs_decimals_range CHECK (decimals BETWEEN 0 AND 9),
    CONSTRAINT token_jobs_name_length CHECK (octet_length(name) <= 32),
    CONSTRAINT token_jobs_symbol_length CHECK (octet_length(symbol) <= 10),
    CONSTRAINT token_jobs_uri_length CHECK (octet_length(uri) <= 200),
    CONSTRAINT token_jobs_amount_u64 CHECK (amount BETWEEN 0 AND 18446744073709551615),
    CONSTRAINT token_jobs_memo_length CHECK (memo IS NULL OR octet_length(memo) <= 500),
    CONSTRAINT token_jobs_attempts CHECK (attempt >= 0 AND max_attempts >= 1)
);

-- The claim query's path: runnable jobs by priority, then schedule.
CREATE INDEX IF NOT EXISTS token_jobs_runnable
    ON flutterbye.token_jobs (priority DESC, scheduled_at, id)
    WHERE state IN ('available', 'retryable');
-- The rescuer's path: leased jobs by lease expiry.
CREATE INDEX IF NOT EXISTS token_jobs_leased
    ON flutterbye.token_jobs (lease_expires_at)
    WHERE state IN ('running', 'submitted', 'confirmed');
-- The pruner's path: finished jobs by finish time.
CREATE INDEX IF NOT EXISTS token_jobs_finished
    ON flutterbye.token_jobs (finished_at)
    WHERE finished_at IS NOT NULL;

-- How a refusal shows a value given as an address: quoted (quote_literal), unless it looks like a secret key (base58
-- text of 45 characters or more, no address being that long, or a keypair file's JSON array), which is not shown: the
-- message goes to the client and to PostgreSQL's log. Version 21.
CREATE OR REPLACE FUNCTION flutterbye.shown_address(candidate text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN candidate IS NULL THEN 'null'
        WHEN candidate ~ '^[1-9A-HJ-NP-Za-km-z]{45,}$' OR candidate ~ '^[[:space:]]*\[' THEN 'a value that looks like a secret key (not shown)'
        ELSE quote_literal(candidate)
    END
$$;

-- Whether text is a base58 Solana address: 32 to 44 base58 characters that decode to exactly 32 bytes.
CREATE OR REPLACE FUNCTION flutterbye.is_solana_address(candidate text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    alphabet constant text := '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    total integer;
    value numeric := 0;
    chunk bigint;
    width integer;
    significant integer;
BEGIN
    IF candidate IS NULL OR length(candidate) NOT BETWEEN 32 AND 44 OR candidate !~ '^[1-9A-HJ-NP-Za-km-z]+$' THEN
        RETURN false;
    END IF;
    total := length(candidate);
    -- The base58 number, nine digits at a time in a bigint (58^9 < 2^63), then into the numeric.
    FOR chunk_start IN 1..total BY 9 LOOP
        width := least(9, total - chunk_start + 1);
        chunk := 0;
        FOR i IN chunk_start..chunk_start + width - 1 LOOP
            chunk := chunk * 58 + strpos(alphabet, substr(candidate, i, 1)) - 1;
        END LOOP;
        value := value * (58::numeric ^ width) + chunk;
    END LOOP;
    -- Each leading '1' is a zero byte; the number makes up the rest, with no leading zero byte of its own.
    significant := 32 - (total - length(ltrim(candidate, '1')));
    IF significant <= 0 THEN
        RETURN significant = 0 AND value = 0;
    END IF;
    RETURN value >= 256::numeric ^ (significant - 1) AND value < 256::numeric ^ significant;
END
$$;

-- flutterbye.enqueue_token_job(), the statement the backend enqueues with: its latest form is in version 8 below.

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (2, 'token job queue: token_jobs, enqueue_token_job()')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 3: the checks of the request columns become domains.
--
-- A table's CHECK constraints are read and evaluated by every INSERT and every UPDATE of the table; a domain's
-- check runs only where a value is assigned to a column of that type. The request columns are written once, by
-- enqueue, so moving their checks into domains takes that work off the queue's hot UPDATEs (claim, confirm,
-- lease renewal) while enforcing exactly the same rules. On a database that has version 2, changing the columns'
-- types rewrites the table once (under its lock); prune finished jobs first if it is large.

DO $$
DECLARE
    domain_definitions constant text[][] := ARRAY[
        ['job_idempotency_key', 'text CHECK (length(VALUE) BETWEEN 1 AND 200)'],
        ['token_program_name', 'text CHECK (VALUE IN (''token'', ''token-2022''))'],
        ['token_decimals', 'smallint CHECK (VALUE BETWEEN 0 AND 9)'],
        ['token_name', 'text CHECK (octet_length(VALUE) <= 32)'],
        ['token_symbol', 'text CHECK (octet_length(VALUE) <= 10)'],
        ['token_uri', 'text CHECK (octet_length(VALUE) <= 200)'],
        ['token_amount', 'numeric(20,0) CHECK (VALUE BETWEEN 0 AND 18446744073709551615)'],
        ['job_memo', 'text CHECK (octet_length(VALUE) <= 500)']];
    column_domains constant text[][] := ARRAY[
        ['idempotency_key', 'job_idempotency_key', 'token_jobs_idempotency_key_length'],
        ['token_program', 'token_program_name', 'token_jobs_program_valid'],
        ['decimals', 'token_decimals', 'token_jobs_decimals_range'],
        ['name', 'token_name', 'token_jobs_name_length'],
        ['symbol', 'token_symbol', 'token_jobs_symbol_length'],
        ['uri', 'token_uri', 'token_jobs_uri_length'],
        ['amount', 'token_amount', 'token_jobs_amount_u64'],
        ['memo', 'job_memo', 'token_jobs_memo_length']];
BEGIN
    FOR i IN 1..array_length(domain_definitions, 1) LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'flutterbye' AND t.typname = domain_definitions[i][1]
        ) THEN
            EXECUTE format('CREATE DOMAIN flutterbye.%I AS %s', domain_definitions[i][1], domain_definitions[i][2]);
        END IF;
    END LOOP;
    FOR i IN 1..array_length(column_domains, 1) LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = 'flutterbye.token_jobs'::regclass AND a.attname = column_domains[i][1]
                AND t.typname = column_domains[i][2]
        ) THEN
            EXECUTE format('ALTER TABLE flutterbye.token_jobs ALTER COLUMN %I TYPE flutterbye.%I',
                column_domains[i][1], column_domains[i][2]);
        END IF;
        -- Only when it is there: an ALTER TABLE locks the table even when it changes nothing, and this script runs
        -- on every start, beside running workers.
        IF EXISTS (
            SELECT 1 FROM pg_constraint
            WHERE conrelid = 'flutterbye.token_jobs'::regclass AND conname = column_domains[i][3]
        ) THEN
            EXECUTE format('ALTER TABLE flutterbye.token_jobs DROP CONSTRAINT %I', column_domains[i][3]);
        END IF;
    END LOOP;
END
$$;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (3, 'token job request columns checked by domains')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 4: the index of FLBY, escrow and fee-wallet activity (FlutterbyeIndexer).
--
-- The chain_* tables hold what the indexer read from the chain, one row per fact, each keyed so that writing it
-- again changes nothing (every write is INSERT ... ON CONFLICT DO NOTHING); the cursor of the address whose
-- history a batch came from advances in the same transaction as the batch's rows. Analytics reads the views
-- below them (the contract, documented in the README), never the tables.
-- A transaction that was indexed at `confirmed` and is gone from the chain once its slot is finalized is marked
-- dropped: it stays in indexed_transactions (dropped = true) and leaves every other view.

CREATE TABLE IF NOT EXISTS flutterbye.chain_transactions (
    signature   text PRIMARY KEY,
    slot        bigint NOT NULL,
    block_time  timestamptz,
    fee         numeric(20,0) NOT NULL,
    err         jsonb,
    memo        text,
    finalized   boolean NOT NULL DEFAULT false,
    dropped     boolean NOT NULL DEFAULT false,
    indexed_at  timestamptz NOT NULL DEFAULT now(),
    logs        jsonb
);

-- Version 5: the log lines of a failed transaction, a JSON array of strings (NULL for one that succeeded).
SELECT flutterbye.add_column_once('flutterbye.chain_transactions', 'logs', 'jsonb');

-- The finality pass's path: transactions not yet finalized, oldest first.
CREATE INDEX IF NOT EXISTS chain_transactions_unsettled
    ON flutterbye.chain_transactions (slot)
    WHERE NOT finalized AND NOT dropped;

-- One row per movement of FLBY: decoded from an instruction (instruction_index, and inner_index for an invoked
-- one), or derived from the token balances when no decoded instruction explains a change (instruction_index NULL).
CREATE TABLE IF NOT EXISTS flutterbye.chain_flby_movements (
    signature           text NOT NULL,
    movement_index      integer NOT NULL,
    instruction_index   integer,
    inner_index         integer,
    kind                text NOT NULL CHECK (kind IN ('mint', 'burn', 'transfer')),  -- more kinds: version 15
    source_account      text,
    source_owner        text,
    destination_account text,
    destination_owner   text,
    amount              numeric(20,0) NOT NULL,
    PRIMARY KEY (signature, movement_index)
);

-- One row per FLBY token account a transaction's token balances show: its amount before (NULL when it was not
-- an FLBY token account before, i.e. the transaction created it) and after (0 when the transaction closed it).
-- Balances are sums of these, so they are right whatever order transactions are indexed in.
CREATE TABLE IF NOT EXISTS flutterbye.chain_flby_balance_changes (
    signature     text NOT NULL,
    token_account text NOT NULL,
    owner         text,
    slot          bigint NOT NULL,
    pre_amount    numeric(20,0),
    post_amount   numeric(20,0) NOT NULL,
    PRIMARY KEY (signature, token_account)
);

CREATE INDEX IF NOT EXISTS chain_flby_balance_changes_account
    ON flutterbye.chain_flby_balance_changes (token_account, slot);

-- One row per (transaction, watched wallet) the transaction touches: the wallet itself or a token account it owns.
CREATE TABLE IF NOT EXISTS flutterbye.chain_wallet_activity (
    signature      text NOT NULL,
    wallet         text NOT NULL CHECK (wallet IN ('escrow', 'fee')),
    address        text NOT NULL,
    slot           bigint NOT NULL,
    pre_lamports   numeric(20,0),
    post_lamports  numeric(20,0),
    lamports_delta bigint NOT NULL,
    flby_delta     numeric(21,0) NOT NULL,
    PRIMARY KEY (signature, wallet)
);

CREATE INDEX IF NOT EXISTS chain_wallet_activity_wallet
    ON flutterbye.chain_wallet_activity (wallet, slot);

-- The configured Flutterbye program's own log lines: those of its invocation frames (at every depth, not the lines of
-- programs it calls), line_index their place in the transaction's whole log, depth the frame's (version 12; NULL
-- for lines kept before, which were every line of the transaction).
CREATE TABLE IF NOT EXISTS flutterbye.chain_program_log_lines (
    signature  text NOT NULL,
    line_index integer NOT NULL,
    line       text NOT NULL,
    PRIMARY KEY (signature, line_index)
);
SELECT flutterbye.add_column_once('flutterbye.chain_program_log_lines', 'depth', 'integer');

-- The program's `Program data:` lines (version 12): the data, and with an Anchor IDL configured
-- (FLUTTERBYE_PROGRAM_IDL) the event's name and fields; name NULL for data no event of the IDL starts with,
-- decode_error set for an event whose data does not decode by its fields.
CREATE TABLE IF NOT EXISTS flutterbye.chain_program_events (
    signature    text NOT NULL,
    event_index  integer NOT NULL,
    line_index   integer NOT NULL,
    depth        integer NOT NULL,
    name         text,
    fields       jsonb,
    data         bytea NOT NULL,
    decode_error text,
    PRIMARY KEY (signature, event_index)
);

-- One row per address whose history the indexer follows: where it stands (the newest signature indexed, NULL
-- before the first) and how often it is polled (busy addresses often, quiet ones rarely).
CREATE TABLE IF NOT EXISTS flutterbye.chain_address_cursors (
    address          text PRIMARY KEY,
    role             text NOT NULL CHECK (role IN
        ('mint', 'escrow', 'fee', 'program', 'flby_account', 'escrow_token_account', 'fee_token_account')),
    newest_signature text,
    newest_slot      bigint,
    signatures_seen  bigint NOT NULL DEFAULT 0,
    last_activity_at timestamptz,
    discovered_at    timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The analytics contract.

CREATE OR REPLACE VIEW flutterbye.indexed_transactions AS
SELECT t.signature, t.slot, t.block_time, t.fee, t.err, t.memo, t.finalized, t.dropped, t.indexed_at, t.logs
FROM flutterbye.chain_transactions t;

CREATE OR REPLACE VIEW flutterbye.flby_movements AS
SELECT m.signature, t.slot, t.block_time, m.instruction_index, m.inner_index, m.kind, m.source_account, m.source_owner,
       m.destination_account, m.destination_owner, m.amount, t.finalized, m.movement_index
FROM flutterbye.chain_flby_movements m
JOIN flutterbye.chain_transactions t ON t.signature = m.signature
WHERE NOT t.dropped;

-- flby_balances: defined in version 9.

CREATE OR REPLACE VIEW flutterbye.flby_supply AS
SELECT (coalesce(sum(m.amount) FILTER (WHERE m.kind = 'mint'), 0)
        - coalesce(sum(m.amount) FILTER (WHERE m.kind = 'burn'), 0))::numeric(20,0) AS supply,
       coalesce(sum(m.amount) FILTER (WHERE m.kind = 'mint'), 0)::numeric(20,0) AS minted,
       coalesce(sum(m.amount) FILTER (WHERE m.kind = 'burn'), 0)::numeric(20,0) AS burned,
       max(t.slot) AS slot,
       -- Token-2022 transfer fees withheld and not withdrawn (version 15): part of the supply, in no balance.
       (coalesce(sum(m.amount) FILTER (WHERE m.kind = 'fee_withheld'), 0)
        - coalesce(sum(m.amount) FILTER (WHERE m.kind = 'fee_withdrawn'), 0))::numeric(20,0) AS withheld
FROM flutterbye.chain_flby_movements m
JOIN flutterbye.chain_transactions t ON t.signature = m.signature
WHERE NOT t.dropped;

CREATE OR REPLACE VIEW flutterbye.wallet_activity AS
SELECT w.wallet, w.signature, t.slot, t.block_time, w.lamports_delta, w.flby_delta, t.fee, t.err, t.memo, w.address,
       t.finalized
FROM flutterbye.chain_wallet_activity w
JOIN flutterbye.chain_transactions t ON t.signature = w.signature
WHERE NOT t.dropped;

-- index_cursors: defined in version 9.

CREATE OR REPLACE VIEW flutterbye.program_logs AS
SELECT l.signature, t.slot, l.line_index, l.line, l.depth
FROM flutterbye.chain_program_log_lines l
JOIN flutterbye.chain_transactions t ON t.signature = l.signature
WHERE NOT t.dropped;

CREATE OR REPLACE VIEW flutterbye.program_events AS
SELECT e.signature, t.slot, t.block_time, e.event_index, e.name, e.fields, e.data, e.decode_error, e.line_index, e.depth,
       t.finalized
FROM flutterbye.chain_program_events e
JOIN flutterbye.chain_transactions t ON t.signature = e.signature
WHERE NOT t.dropped;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (4, 'index of FLBY, escrow and fee-wallet activity: chain_* tables and the analytics views')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 5: a failed transaction keeps its log lines (chain_transactions.logs, added beside the table above, and
-- indexed_transactions.logs).

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (5, 'a failed transaction keeps its log lines: chain_transactions.logs, indexed_transactions.logs')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 6: the event log that GET /v1/events streams (FlutterbyeStore.EventLog).
--
-- Triggers append one row per job state change and per newly indexed FLBY, escrow or fee-wallet movement, in the
-- transaction that made it, and NOTIFY flutterbye_events. A row is keyed by the transaction that wrote it (xid, its
-- 64-bit id) and a sequence number. Sequence numbers are taken in insert order but become visible in commit order,
-- so a reader that followed the sequence alone could pass a row that commits later. Readers therefore take only rows
-- whose transaction is older than every transaction still running (xid < the snapshot's xmin: all of those have
-- ended) in (xid, id) order; every row committed later has a larger xid. A cursor (xid, id) thus names a point of a
-- sequence that only grows at its end, and resuming after it misses nothing and repeats nothing.
-- (xids and xmin are the cluster's: a writing transaction left open in any database of it holds the stream back.)
-- The chain events' triggers see only the rows an INSERT or COPY actually added (ON CONFLICT DO NOTHING leaves the
-- others out of the transition table), so writing a batch again adds no event. An event is a narrow row that names
-- what changed (a job's state change; a chain row, which never changes but for finalized and dropped), and
-- flutterbye.event_data builds its data when it is read: the queue's and the indexer's writes carry a few columns
-- per change, not a JSON document, and no NOTIFY per row.

CREATE TABLE IF NOT EXISTS flutterbye.events (
    xid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    id             bigint GENERATED ALWAYS AS IDENTITY,
    kind           text NOT NULL CHECK (kind IN ('job_state', 'flby_movement', 'wallet_movement', 'transaction_dropped')),
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    -- job_state: the job, its new and previous state (null when it was enqueued) and its attempt then.
    job_id         bigint,
    state          text,
    previous_state text,
    attempt        integer,
    -- flby_movement, wallet_movement, transaction_dropped: the transaction; with movement_index or wallet, the row.
    signature      text,
    movement_index integer,
    wallet         text,
    PRIMARY KEY (xid, id)
);

-- The pruner's path: events by age (a BRIN index: rows arrive in time order, and it costs next to nothing to keep).
CREATE INDEX IF NOT EXISTS events_occurred_at ON flutterbye.events USING brin (occurred_at);

-- The newest (xid, id) the pruner has deleted: a cursor before it may have missed events, and is refused.
CREATE TABLE IF NOT EXISTS flutterbye.event_log_horizon (
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    pruned_through_xid xid8 NOT NULL DEFAULT '0',
    pruned_through_id  bigint NOT NULL DEFAULT 0
);

INSERT INTO flutterbye.event_log_horizon DEFAULT VALUES ON CONFLICT DO NOTHING;

-- An event's data, the JSON object a stream sends, from the rows it names as the views show them (amounts and deltas
-- as decimal text: a u64 does not fit a double). A job event: the change (job, state, previous state, attempt) with
-- the job's key, signature and mint as they are now, and for a job that failed or will be retried, that attempt's
-- error; those are null once the job is pruned. A chain event: an empty object for a row that is gone (the indexer
-- never deletes one).
CREATE OR REPLACE FUNCTION flutterbye.event_data(e flutterbye.events) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(CASE e.kind
        WHEN 'job_state' THEN jsonb_build_object(
            'job_id', e.job_id,
            'idempotency_key', j.idempotency_key,
            'state', e.state,
            'previous_state', e.previous_state,
            'attempt', e.attempt,
            'signature', j.signature,
            'mint_address', j.mint_address,
            'error', CASE WHEN e.state IN ('retryable', 'failed') THEN (
                SELECT x FROM jsonb_array_elements(j.errors) AS x WHERE (x ->> 'attempt')::int = e.attempt
                ORDER BY x ->> 'at' DESC LIMIT 1) END)
        WHEN 'flby_movement' THEN (
            SELECT jsonb_build_object(
                'signature', m.signature,
                'slot', t.slot,
                'block_time', t.block_time,
                'movement_index', m.movement_index,
                'instruction_index', m.instruction_index,
                'inner_index', m.inner_index,
                'kind', m.kind,
                'source_account', m.source_account,
                'source_owner', m.source_owner,
                'destination_account', m.destination_account,
                'destination_owner', m.destination_owner,
                'amount', m.amount::text)
            FROM flutterbye.chain_flby_movements m
            JOIN flutterbye.chain_transactions t ON t.signature = m.signature
            WHERE m.signature = e.signature AND m.movement_index = e.movement_index)
        WHEN 'wallet_movement' THEN (
            SELECT jsonb_build_object(
                'wallet', w.wallet,
                'address', w.address,
                'signature', w.signature,
                'slot', t.slot,
                'block_time', t.block_time,
                'lamports_delta', w.lamports_delta::text,
                'flby_delta', w.flby_delta::text,
                'fee', t.fee::text,
                'failed', t.err IS NOT NULL)
            FROM flutterbye.chain_wallet_activity w
            JOIN flutterbye.chain_transactions t ON t.signature = w.signature
            WHERE w.signature = e.signature AND w.wallet = e.wallet)
        WHEN 'transaction_dropped' THEN (
            SELECT jsonb_build_object('signature', t.signature, 'slot', t.slot)
            FROM flutterbye.chain_transactions t
            WHERE t.signature = e.signature)
    END, '{}'::jsonb)
    FROM (SELECT) AS one
    LEFT JOIN flutterbye.token_jobs j ON e.kind = 'job_state' AND j.id = e.job_id
$$;

-- Jobs' state changes and enqueueings, one event each, written once per statement from its transition tables (the
-- queue's statements change up to hundreds of jobs at once). No NOTIFY: jobs change state many times a second
-- under load, and EventLogService looks for new events several times a second anyway. The price: each queue
-- statement that changes states runs this INSERT too, about a quarter of the queue's throughput (docs/benchmarks.md,
-- "Queue"; the statement, not the number of rows it writes).
CREATE OR REPLACE FUNCTION flutterbye.record_job_state_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flutterbye.events (kind, job_id, state, previous_state, attempt)
    SELECT 'job_state', n.id, n.state, o.state, n.attempt
    FROM new_jobs n JOIN old_jobs o ON o.id = n.id
    WHERE n.state IS DISTINCT FROM o.state
    ORDER BY n.id;
    RETURN NULL;
END;
$$;

-- What an INSERT of jobs records, in one trigger: the jobs' idempotency keys (flutterbye.token_job_keys, version 18)
-- and their enqueueing events. The queue and enqueue_token_job take each key for its job before the INSERT; any other
-- writer (an operator's SQL) takes it here, and a key of another job fails the INSERT with unique_violation. Each key
-- is looked up through the key table's index whatever the statistics say (enable_seqscan off; OFFSET 0 keeps the
-- lookup a subquery per job): a plan kept from a moment the table looked empty read every key at every enqueue.
CREATE OR REPLACE FUNCTION flutterbye.record_enqueued_jobs() RETURNS trigger
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
BEGIN
    INSERT INTO flutterbye.token_job_keys (idempotency_key, job_id)
    SELECT n.idempotency_key, n.id FROM new_jobs n
    WHERE NOT EXISTS (
        SELECT FROM flutterbye.token_job_keys k WHERE k.idempotency_key = n.idempotency_key AND k.job_id = n.id OFFSET 0);
    INSERT INTO flutterbye.events (kind, job_id, state, attempt)
    SELECT 'job_state', n.id, n.state, n.attempt FROM new_jobs n ORDER BY n.id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER token_jobs_enqueued_events
    AFTER INSERT ON flutterbye.token_jobs
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.record_enqueued_jobs();

-- (A trigger with transition tables cannot name columns: it runs for every UPDATE, and finds the state changes.)
CREATE OR REPLACE TRIGGER token_jobs_state_events
    AFTER UPDATE ON flutterbye.token_jobs
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.record_job_state_events();

-- Newly indexed FLBY movements, in the order they were written.
CREATE OR REPLACE FUNCTION flutterbye.record_flby_movement_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flutterbye.events (kind, signature, movement_index)
    SELECT 'flby_movement', m.signature, m.movement_index FROM new_movements m;
    IF FOUND THEN
        PERFORM pg_notify('flutterbye_events', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER chain_flby_movements_events
    AFTER INSERT ON flutterbye.chain_flby_movements
    REFERENCING NEW TABLE AS new_movements
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.record_flby_movement_events();

-- Newly indexed escrow and fee-wallet activity.
CREATE OR REPLACE FUNCTION flutterbye.record_wallet_movement_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flutterbye.events (kind, signature, wallet)
    SELECT 'wallet_movement', w.signature, w.wallet FROM new_activity w;
    IF FOUND THEN
        PERFORM pg_notify('flutterbye_events', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER chain_wallet_activity_events
    AFTER INSERT ON flutterbye.chain_wallet_activity
    REFERENCING NEW TABLE AS new_activity
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.record_wallet_movement_events();

-- An indexed transaction found gone from the chain after finality: its movements leave every view, and a client
-- that was sent them learns it here.
CREATE OR REPLACE FUNCTION flutterbye.record_transaction_dropped_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flutterbye.events (kind, signature) VALUES ('transaction_dropped', NEW.signature);
    PERFORM pg_notify('flutterbye_events', '');
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER chain_transactions_dropped_event
    AFTER UPDATE OF dropped ON flutterbye.chain_transactions
    FOR EACH ROW WHEN (NEW.dropped AND NOT OLD.dropped)
    EXECUTE FUNCTION flutterbye.record_transaction_dropped_event();

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (6, 'the event log GET /v1/events streams: events, event_log_horizon and the triggers that fill them')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 7: the sender's exactly-once guards.
--
-- lease_token: every claim draws a new token from flutterbye.token_job_lease_tokens, and every step a worker writes
--   (storing a transaction, confirming, failing, releasing, renewing the lease) names it. A runner whose claim was
--   taken over, even by a process with the same FLUTTERBYE_WORKER_ID or by its own process after a database stall
--   longer than the lease, can write nothing more. (attempted_by still says who holds or last held the job.)
-- signatures: every transaction the job ever stored, oldest first; `signature` and `raw_transaction` keep the newest.
--   Whether the job's token exists is checked against all of them: a token counts as the job's only when one of its
--   own transactions created it.
-- flutterbye.key_fingerprints: the fingerprint (a one-way hash, never the secret) of the master seed the jobs' mint
--   addresses derive from. A worker started with another seed refuses to start: it would give retried jobs other
--   mint addresses.

CREATE SEQUENCE IF NOT EXISTS flutterbye.token_job_lease_tokens;

SELECT flutterbye.add_column_once('flutterbye.token_jobs', 'lease_token', 'bigint');

DO $$
BEGIN
    IF flutterbye.add_column_once('flutterbye.token_jobs', 'signatures', 'text[] NOT NULL DEFAULT ''{}''') THEN
        -- Jobs stored before this version kept only their newest transaction.
        UPDATE flutterbye.token_jobs SET signatures = ARRAY[signature] WHERE signature IS NOT NULL;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS flutterbye.key_fingerprints (
    -- What the key is for: 'master_seed'.
    name         text PRIMARY KEY,
    -- Hex of a one-way hash of the key (TokenWorker's MasterSeedFingerprint); the key itself is never stored.
    fingerprint  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (7, 'lease tokens, every stored signature of a job, the master seed''s fingerprint')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 8: every job the queue accepts can be sent, and finalization goes round all confirmed jobs.
--
-- flutterbye.token_job_transaction_size: the bytes of the largest transaction a worker builds for a job.
--   enqueue_token_job refuses a job over Solana's limit of 1232 bytes (such a job was accepted, then failed with
--   invalid_transaction), naming the fields that make it so long.
-- finality_checked_at: when a finalizer last asked the chain whether a confirmed job's transaction is finalized.
--   Finalizers take the jobs never checked first, then those checked longest ago, and stamp what they take, so jobs
--   whose transactions never finalize (a transaction the chain no longer knows) go round with the others instead of
--   being taken first every time and holding them back.

-- flutterbye.token_job_transaction_size and flutterbye.enqueue_token_job: their latest forms are in version 11 below.

SELECT flutterbye.add_column_once('flutterbye.token_jobs', 'finality_checked_at', 'timestamptz');

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (8, 'enqueue_token_job refuses a job whose transaction cannot fit in 1232 bytes; token_jobs.finality_checked_at')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 9: the indexer keeps what exists (issue 17).
--
-- chain_absence_checks: a stored transaction the node could not find (a null status and a null getTransaction, once
--   its blockhash had expired) has a row here counting the misses in a row, with the finalized slot and the time of
--   the first and the latest. The indexer marks it dropped only after several misses spread over slots and time
--   (FlutterbyeIndexer.DropPolicy): a lagging or non-archival endpoint behind failover answers null for transactions
--   that exist. Any sighting deletes the row. A dropped transaction keeps its row (dropped_at set) and is checked
--   again for a while; seen again, it is restored.
-- Restoring a dropped transaction (dropped back to false) logs its movements and wallet rows again as events, in the
--   transaction that restores it: a client that removed them on transaction_dropped gets them back.
-- flutterbye.take_back_transactions: what the indexer runs before it writes transactions again that it may have
--   stored: one stored in the same slot and dropped is restored; one stored in another slot happened on a fork that
--   died, so it is dropped (with its event) and its rows are deleted, to be written as the chain has it now.
-- chain_address_cursors.closed_slot: a token account that no longer exists, whose history was read to its end (the
--   slot of its cursor then); it is not polled until it is seen again. NULL while it is open.

CREATE TABLE IF NOT EXISTS flutterbye.chain_absence_checks (
    signature  text PRIMARY KEY,
    misses     integer NOT NULL,
    first_slot bigint NOT NULL,
    first_at   timestamptz NOT NULL,
    last_slot  bigint NOT NULL,
    last_at    timestamptz NOT NULL,
    dropped_at timestamptz
);

DO $$
BEGIN
    -- Transactions dropped before this version (after one null status and one null getTransaction) are checked again.
    IF NOT EXISTS (SELECT 1 FROM flutterbye.schema_migrations WHERE version = 9) THEN
        INSERT INTO flutterbye.chain_absence_checks (signature, misses, first_slot, first_at, last_slot, last_at, dropped_at)
        SELECT signature, 1, slot, now(), slot, now() - interval '1 day', now()
        FROM flutterbye.chain_transactions WHERE dropped
        ON CONFLICT (signature) DO NOTHING;
    END IF;
    PERFORM flutterbye.add_column_once('flutterbye.chain_address_cursors', 'closed_slot', 'bigint');
END
$$;

CREATE OR REPLACE FUNCTION flutterbye.record_transaction_restored_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO flutterbye.events (kind, signature, movement_index)
    SELECT 'flby_movement', m.signature, m.movement_index FROM flutterbye.chain_flby_movements m
    WHERE m.signature = NEW.signature ORDER BY m.movement_index;
    INSERT INTO flutterbye.events (kind, signature, wallet)
    SELECT 'wallet_movement', w.signature, w.wallet FROM flutterbye.chain_wallet_activity w
    WHERE w.signature = NEW.signature ORDER BY w.wallet;
    DELETE FROM flutterbye.chain_absence_checks WHERE signature = NEW.signature;
    PERFORM pg_notify('flutterbye_events', '');
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER chain_transactions_restored_events
    AFTER UPDATE OF dropped ON flutterbye.chain_transactions
    FOR EACH ROW WHEN (OLD.dropped AND NOT NEW.dropped)
    EXECUTE FUNCTION flutterbye.record_transaction_restored_events();

CREATE OR REPLACE FUNCTION flutterbye.take_back_transactions(signatures text[], slots bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    moved text[];
BEGIN
    UPDATE flutterbye.chain_transactions t SET dropped = false
    FROM unnest(signatures, slots) AS n(signature, slot)
    WHERE t.signature = n.signature AND t.slot = n.slot AND t.dropped;
    UPDATE flutterbye.chain_transactions t SET dropped = true
    FROM unnest(signatures, slots) AS n(signature, slot)
    WHERE t.signature = n.signature AND t.slot <> n.slot AND NOT t.dropped;
    SELECT array_agg(t.signature) INTO moved
    FROM flutterbye.chain_transactions t JOIN unnest(signatures, slots) AS n(signature, slot)
        ON t.signature = n.signature AND t.slot <> n.slot;
    IF moved IS NOT NULL THEN
        DELETE FROM flutterbye.chain_flby_movements WHERE signature = ANY(moved);
        DELETE FROM flutterbye.chain_flby_balance_changes WHERE signature = ANY(moved);
        DELETE FROM flutterbye.chain_wallet_activity WHERE signature = ANY(moved);
        DELETE FROM flutterbye.chain_program_log_lines WHERE signature = ANY(moved);
        DELETE FROM flutterbye.chain_program_events WHERE signature = ANY(moved);
        DELETE FROM flutterbye.chain_absence_checks WHERE signature = ANY(moved);
        DELETE FROM flutterbye.chain_transactions WHERE signature = ANY(moved);
    END IF;
END
$$;

-- chain_address_cursors.retired_at: version 22, below.
SELECT flutterbye.add_column_once('flutterbye.chain_address_cursors', 'retired_at', 'timestamptz');

CREATE OR REPLACE VIEW flutterbye.index_cursors AS
SELECT c.address, c.role, c.newest_signature, c.newest_slot, c.updated_at, c.signatures_seen, c.last_activity_at,
       c.closed_slot, c.retired_at
FROM flutterbye.chain_address_cursors c;

-- The balance of an account is its opening balance plus every change since (a sum, so right whatever order the
-- transactions were indexed in). The opening balance is the amount before the account's earliest indexed transaction:
-- 0 when that transaction created it (no pre_amount), as when the indexer starts from the beginning of history; for
-- an account older than the indexer's start point, what it held then (it may have been closed and created again
-- since: an associated token account can be). When several transactions share the account's earliest slot, whose
-- order an index cannot see, each starts where another ended, so the first one's pre_amount is the one left when
-- every post_amount of the slot is matched against a pre_amount (a missing one counts as 0: created after a close).
-- Only when the slot's amounts form a cycle is there none; the creation, else the largest, is taken then.
-- Its owner is the one after its last change (version 24): among the changes of its newest slot, the one whose
-- post_amount no other change of that slot starts from; the newest owner known otherwise.
CREATE OR REPLACE VIEW flutterbye.flby_balances AS
SELECT coalesce(l.owner, a.owner) AS owner, a.token_account, (o.amount + a.delta)::numeric(20,0) AS amount, a.slot
FROM (
    SELECT c.token_account,
           (array_agg(c.owner ORDER BY c.slot DESC, c.post_amount) FILTER (WHERE c.owner IS NOT NULL))[1] AS owner,
           sum(c.post_amount - coalesce(c.pre_amount, 0)) AS delta,
           min(c.slot) AS first_slot,
           max(c.slot) AS slot
    FROM flutterbye.chain_flby_balance_changes c
    JOIN flutterbye.chain_transactions t ON t.signature = c.signature
    WHERE NOT t.dropped
    GROUP BY c.token_account
) a
CROSS JOIN LATERAL (
    SELECT coalesce(
        (SELECT min(u.amount) FROM (
            SELECT coalesce(f.pre_amount, 0) AS amount
            FROM flutterbye.chain_flby_balance_changes f JOIN flutterbye.chain_transactions ft ON ft.signature = f.signature
            WHERE f.token_account = a.token_account AND f.slot = a.first_slot AND NOT ft.dropped
            EXCEPT ALL
            SELECT f.post_amount
            FROM flutterbye.chain_flby_balance_changes f JOIN flutterbye.chain_transactions ft ON ft.signature = f.signature
            WHERE f.token_account = a.token_account AND f.slot = a.first_slot AND NOT ft.dropped) u),
        (SELECT coalesce(f.pre_amount, 0)
         FROM flutterbye.chain_flby_balance_changes f JOIN flutterbye.chain_transactions ft ON ft.signature = f.signature
         WHERE f.token_account = a.token_account AND f.slot = a.first_slot AND NOT ft.dropped
         ORDER BY f.pre_amount DESC NULLS FIRST LIMIT 1)) AS amount
) o
LEFT JOIN LATERAL (
    SELECT f.owner
    FROM flutterbye.chain_flby_balance_changes f JOIN flutterbye.chain_transactions ft ON ft.signature = f.signature
    WHERE f.token_account = a.token_account AND f.slot = a.slot AND NOT ft.dropped AND f.owner IS NOT NULL
      AND f.post_amount IN (
          SELECT g.post_amount
          FROM flutterbye.chain_flby_balance_changes g JOIN flutterbye.chain_transactions gt ON gt.signature = g.signature
          WHERE g.token_account = a.token_account AND g.slot = a.slot AND NOT gt.dropped
          EXCEPT ALL
          SELECT coalesce(g.pre_amount, 0)
          FROM flutterbye.chain_flby_balance_changes g JOIN flutterbye.chain_transactions gt ON gt.signature = g.signature
          WHERE g.token_account = a.token_account AND g.slot = a.slot AND NOT gt.dropped)
    -- Of changes ending at the same amount (a payment, then a hand-over that moves nothing), the one no other change
    -- starts from (version 25).
    ORDER BY EXISTS (
        SELECT 1
        FROM flutterbye.chain_flby_balance_changes g JOIN flutterbye.chain_transactions gt ON gt.signature = g.signature
        WHERE g.token_account = a.token_account AND g.slot = a.slot AND NOT gt.dropped AND g.signature <> f.signature
          AND coalesce(g.pre_amount, 0) = f.post_amount), f.post_amount
    LIMIT 1
) l ON true;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (9, 'the indexer keeps what exists: absence checks, restores, closed accounts, balances of reopened accounts')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 10: a start takes no locks when the schema is the one it carries.
--
-- schema_script: the SHA-256 of the script applied last (SchemaMigrator records it in the transaction that applies
--   the script). A start whose script has that digest applies nothing: CREATE OR REPLACE VIEW and TRIGGER, CREATE
--   INDEX and ALTER TABLE take locks even when they change nothing, and a long analytics query on a view would stall
--   the start, and every query after it. `flutterbye migrate` always applies the whole script.

CREATE TABLE IF NOT EXISTS flutterbye.schema_script (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    sha256     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (10, 'the digest of the schema script applied last: a start with the same script takes no locks')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 11: the choices a token issuer makes per job (issue 19).
--
-- mint_authority: after minting, 'keep' (the service keeps it, as before), 'revoke' (a fixed supply: none on chain)
--   or the base58 address it is handed to (an escrow multisig, say).
-- freeze_authority: 'none' (as before), 'ours' (the service's mint authority key) or an address.
-- metadata_update_authority: Token-2022 only (null for a classic token): 'ours' (as before), 'none' (the metadata can
--   no longer change) or an address; the metadata pointer's authority follows it.
-- additional_metadata: Token-2022 only: TokenMetadata's additional key/value fields, a JSON array of [key, value]
--   string pairs in order (null: none).
-- All of them go into the job's one transaction (SetAuthority after MintTo, the freeze authority in InitializeMint2,
-- UpdateField per field and UpdateAuthority after the metadata's Initialize), so the transaction's size depends on
-- them: token_job_transaction_size takes them, and enqueue_token_job refuses what cannot fit. A reused idempotency key
-- with other choices is a conflict, as with the other fields. Jobs stored before this version keep today's choices.

SELECT flutterbye.add_column_once('flutterbye.token_jobs', 'mint_authority', 'text NOT NULL DEFAULT ''keep''');
SELECT flutterbye.add_column_once('flutterbye.token_jobs', 'freeze_authority', 'text NOT NULL DEFAULT ''none''');
DO $$
BEGIN
    IF flutterbye.add_column_once('flutterbye.token_jobs', 'metadata_update_authority', 'text') THEN
        -- Token-2022 jobs stored before this version have the service as the metadata's update authority.
        UPDATE flutterbye.token_jobs SET metadata_update_authority = 'ours' WHERE token_program = 'token-2022';
    END IF;
END
$$;
SELECT flutterbye.add_column_once('flutterbye.token_jobs', 'additional_metadata', 'jsonb');

-- The forms of versions 8 to 10 take fewer arguments; with both, a call naming only the old ones would be ambiguous.
DROP FUNCTION IF EXISTS flutterbye.token_job_transaction_size(text, text, text, text, text);
DROP FUNCTION IF EXISTS flutterbye.enqueue_token_job(text, text, integer, text, text, text, text, text, text, integer, timestamptz, integer);

-- The bytes of the largest transaction a worker may build for a job: TokenWorker's builder (SolanaCore's
-- TokenCreationPlan, measured by TokenCreationSize) with the compute unit limit and price set, a mint authority of its
-- own (three signatures) and, for the classic program, Metaplex metadata; every key distinct. A legacy transaction is
-- compact-u16(signatures) + 64 per signature + header (3) + compact-u16(keys) + 32 per key + blockhash (32) +
-- compact-u16(instructions) + per instruction: program index (1), compact-u16(accounts), one byte per account,
-- compact-u16(data length), data. compact-u16(n) is 1 byte below 128, 2 below 16384, else 3. All of it is fixed for a
-- program except:
--   * the metadata instruction's data (Token-2022's TokenMetadata Initialize: an 8-byte discriminator and three u32
--     lengths; Metaplex's CreateMetadataAccountV3: 1 + three u32 lengths + 2 + 5 one-byte flags): 20 bytes + the
--     UTF-8 bytes of name, symbol and uri, after a compact-u16 length;
--   * the memo (none when null or empty): the Memo program's key (32) + an instruction of 1 + 1 + 1 (the payer) +
--     compact-u16(memo bytes) + the memo's bytes;
--   * a freeze authority: InitializeMint2's COption carries the key, 32 bytes more;
--   * a mint authority not kept: SetAuthority (mint, current authority; data 6, 0 and a COption key): 8 bytes to
--     revoke, 40 to hand it to an address;
--   * Token-2022 only, an update authority not ours: UpdateAuthority (metadata, current authority; an 8-byte
--     discriminator and the new key or 32 zeros): 45 bytes;
--   * Token-2022 only, each additional field: UpdateField (metadata, update authority; data: discriminator 8, the
--     Key variant 1, the key and the value as u32-length strings: 17 + key + value bytes = d): 4 + compact-u16(d) + d;
--   * the instruction count's compact-u16: one byte more from 128 instructions (Token-2022 has 10 without the memo
--     and the choices, the classic program 9).
-- The rest, the metadata's 20 fixed bytes included: Token-2022 771 bytes (3 signatures 193, header 3, 9 keys 289,
-- blockhash 32, instruction count 1, the 10 instructions but the memo 253), the classic program 767 (11 keys 353, its
-- instructions 185). A test holds this equal to the builder's size over field lengths, choices and worker
-- configurations.
CREATE OR REPLACE FUNCTION flutterbye.token_job_transaction_size(
    token_program text, name text, symbol text, uri text, memo text, mint_authority text DEFAULT 'keep',
    freeze_authority text DEFAULT 'none', metadata_update_authority text DEFAULT NULL, additional_metadata jsonb DEFAULT NULL)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE token_program WHEN 'token-2022' THEN 771 ELSE 767 END
        + metadata + CASE WHEN 20 + metadata < 128 THEN 1 ELSE 2 END
        + CASE WHEN memo_bytes = 0 THEN 0 ELSE 35 + memo_bytes + CASE WHEN memo_bytes < 128 THEN 1 ELSE 2 END END
        + CASE WHEN freezes THEN 32 ELSE 0 END
        + CASE mint_choice WHEN 'keep' THEN 0 WHEN 'revoke' THEN 8 ELSE 40 END
        + CASE WHEN hands_metadata THEN 45 ELSE 0 END
        + field_bytes
        + CASE WHEN instructions >= 16384 THEN 2 WHEN instructions >= 128 THEN 1 ELSE 0 END
    FROM (SELECT coalesce(octet_length(name), 0) + coalesce(octet_length(symbol), 0) + coalesce(octet_length(uri), 0) AS metadata,
                 coalesce(octet_length(memo), 0) AS memo_bytes,
                 coalesce(freeze_authority, 'none') <> 'none' AS freezes,
                 coalesce(mint_authority, 'keep') AS mint_choice,
                 token_program = 'token-2022' AND coalesce(metadata_update_authority, 'ours') <> 'ours' AS hands_metadata) AS lengths,
         (SELECT count(*)::integer AS field_count,
                 coalesce(sum(4 + d + CASE WHEN d < 128 THEN 1 WHEN d < 16384 THEN 2 ELSE 3 END), 0)::integer AS field_bytes
          FROM (SELECT 17 + octet_length(pair->>0) + octet_length(pair->>1) AS d
                FROM jsonb_array_elements(CASE WHEN token_program = 'token-2022' AND jsonb_typeof(additional_metadata) = 'array'
                                               THEN additional_metadata ELSE '[]'::jsonb END) AS pair) AS each_field) AS fields,
         LATERAL (SELECT CASE token_program WHEN 'token-2022' THEN 10 ELSE 9 END + CASE WHEN memo_bytes = 0 THEN 0 ELSE 1 END
                         + CASE WHEN mint_choice = 'keep' THEN 0 ELSE 1 END + CASE WHEN hands_metadata THEN 1 ELSE 0 END
                         + field_count AS instructions) AS counted
$$;

-- Enqueues a token job: the one statement the backend runs, inside its own transaction if it likes:
--   SELECT * FROM flutterbye.enqueue_token_job(idempotency_key => 'order-42', token_program => 'token-2022',
--       decimals => 6, name => 'Flutterbye Launch', symbol => 'FLBYL', uri => 'https://…/launch.json',
--       amount => '1000000000', recipient => '<base58 wallet>', memo => 'order 42',
--       mint_authority => 'revoke', additional_metadata => '[["website", "https://flutterbye.example"]]');
-- The choices may be left out (or null) for today's: mint_authority 'keep', freeze_authority 'none',
-- metadata_update_authority 'ours' (Token-2022), no additional metadata.
-- Bad input raises SQLSTATE 22023 with the message 'invalid <field>: <reason>' (nothing is written); a job whose
-- transaction would be over Solana's 1232 bytes with 'invalid <fields>: ...', naming the fields that make it so long.
-- The same idempotency key with the same parameters returns the existing job (inserted = false); with
-- different parameters it raises SQLSTATE 23505 naming the key. The parameters include priority, max_attempts and
-- scheduled_at as given (left out: now, and left out again the same), compared with what the job was enqueued with.
-- New jobs wake workers with NOTIFY.
CREATE OR REPLACE FUNCTION flutterbye.enqueue_token_job(
    idempotency_key text,
    token_program text,
    decimals integer,
    name text,
    symbol text,
    uri text,
    amount text,
    recipient text,
    memo text DEFAULT NULL,
    priority integer DEFAULT 0,
    scheduled_at timestamptz DEFAULT NULL,
    max_attempts integer DEFAULT 25,
    mint_authority text DEFAULT 'keep',
    freeze_authority text DEFAULT 'none',
    metadata_update_authority text DEFAULT NULL,
    additional_metadata jsonb DEFAULT NULL
) RETURNS TABLE (job_id bigint, inserted boolean, job_state text)
LANGUAGE plpgsql AS $$
DECLARE
    zero_address constant text := '11111111111111111111111111111111';
    classic_has_no_metadata constant text :=
        'a classic token (token_program token) has no Token-2022 metadata: leave it out, or use token-2022';
    parsed_amount numeric;
    chosen_mint_authority text := coalesce(enqueue_token_job.mint_authority, 'keep');
    chosen_freeze_authority text := coalesce(enqueue_token_job.freeze_authority, 'none');
    chosen_update_authority text := enqueue_token_job.metadata_update_authority;
    chosen_fields jsonb := CASE WHEN enqueue_token_job.additional_metadata = '[]'::jsonb THEN NULL
                                ELSE enqueue_token_job.additional_metadata END;
    repeated_key text;
    field_bytes integer;
    transaction_size integer;
    too_long text;
    existing flutterbye.token_jobs%ROWTYPE;
    new_id bigint;
BEGIN
    IF idempotency_key IS NULL OR length(idempotency_key) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'invalid idempotency_key: it must be 1 to 200 characters' USING ERRCODE = '22023';
    END IF;
    IF token_program IS NULL OR token_program NOT IN ('token', 'token-2022') THEN
        RAISE EXCEPTION 'invalid token_program: % is not token or token-2022', coalesce(token_program, 'null')
            USING ERRCODE = '22023';
    END IF;
    IF decimals IS NULL OR decimals NOT BETWEEN 0 AND 9 THEN
        RAISE EXCEPTION 'invalid decimals: % is not between 0 and 9', coalesce(decimals::text, 'null') USING ERRCODE = '22023';
    END IF;
    IF name IS NULL OR octet_length(name) > 32 THEN
        RAISE EXCEPTION 'invalid name: it must be at most 32 bytes (UTF-8), it has %', coalesce(octet_length(name)::text, 'none')
            USING ERRCODE = '22023';
    END IF;
    IF symbol IS NULL OR octet_length(symbol) > 10 THEN
        RAISE EXCEPTION 'invalid symbol: it must be at most 10 bytes (UTF-8), it has %', coalesce(octet_length(symbol)::text, 'none')
            USING ERRCODE = '22023';
    END IF;
    IF uri IS NULL OR octet_length(uri) > 200 THEN
        RAISE EXCEPTION 'invalid uri: it must be at most 200 bytes (UTF-8), it has %', coalesce(octet_length(uri)::text, 'none')
            USING ERRCODE = '22023';
    END IF;
    IF amount IS NULL OR amount !~ '^[0-9]{1,20}$' THEN
        RAISE EXCEPTION 'invalid amount: % is not a whole number of base units (digits only)', coalesce(quote_literal(amount), 'null')
            USING ERRCODE = '22023';
    END IF;
    parsed_amount := amount::numeric;
    IF parsed_amount > 18446744073709551615 THEN
        RAISE EXCEPTION 'invalid amount: % does not fit in 64 bits (at most 18446744073709551615)', amount USING ERRCODE = '22023';
    END IF;
    IF NOT flutterbye.is_solana_address(recipient) THEN
        RAISE EXCEPTION 'invalid recipient: % is not a base58 Solana address', flutterbye.shown_address(recipient)
            USING ERRCODE = '22023';
    END IF;
    IF recipient = zero_address THEN
        RAISE EXCEPTION 'invalid recipient: % is the all-zero address, which nobody can sign for: give the wallet that is to hold the tokens',
            zero_address USING ERRCODE = '22023';
    END IF;
    IF memo IS NOT NULL AND octet_length(memo) > 500 THEN
        RAISE EXCEPTION 'invalid memo: it must be at most 500 bytes, it has %', octet_length(memo) USING ERRCODE = '22023';
    END IF;

    -- The issuer's choices: a keyword or an address (never the all-zero one, which nobody can sign for).
    IF chosen_mint_authority NOT IN ('keep', 'revoke') AND NOT flutterbye.is_solana_address(chosen_mint_authority) THEN
        RAISE EXCEPTION 'invalid mint_authority: % is not keep, revoke or a base58 Solana address', flutterbye.shown_address(chosen_mint_authority)
            USING ERRCODE = '22023';
    END IF;
    IF chosen_mint_authority = zero_address THEN
        RAISE EXCEPTION 'invalid mint_authority: % is the all-zero address, which nobody can sign for: ask for revoke instead', zero_address
            USING ERRCODE = '22023';
    END IF;
    IF chosen_freeze_authority NOT IN ('none', 'ours') AND NOT flutterbye.is_solana_address(chosen_freeze_authority) THEN
        RAISE EXCEPTION 'invalid freeze_authority: % is not none, ours or a base58 Solana address', flutterbye.shown_address(chosen_freeze_authority)
            USING ERRCODE = '22023';
    END IF;
    IF chosen_freeze_authority = zero_address THEN
        RAISE EXCEPTION 'invalid freeze_authority: % is the all-zero address, which nobody can sign for: ask for none instead', zero_address
            USING ERRCODE = '22023';
    END IF;
    IF chosen_update_authority IS NOT NULL AND token_program = 'token' THEN
        RAISE EXCEPTION 'invalid metadata_update_authority: %', classic_has_no_metadata USING ERRCODE = '22023';
    END IF;
    IF token_program = 'token-2022' THEN
        chosen_update_authority := coalesce(chosen_update_authority, 'ours');
        IF chosen_update_authority NOT IN ('ours', 'none') AND NOT flutterbye.is_solana_address(chosen_update_authority) THEN
            RAISE EXCEPTION 'invalid metadata_update_authority: % is not ours, none or a base58 Solana address',
                flutterbye.shown_address(chosen_update_authority) USING ERRCODE = '22023';
        END IF;
        IF chosen_update_authority = zero_address THEN
            RAISE EXCEPTION 'invalid metadata_update_authority: % is the all-zero address, which nobody can sign for: ask for none instead',
                zero_address USING ERRCODE = '22023';
        END IF;
    END IF;
    IF chosen_fields IS NOT NULL THEN
        IF token_program = 'token' THEN
            RAISE EXCEPTION 'invalid additional_metadata: %', classic_has_no_metadata USING ERRCODE = '22023';
        END IF;
        -- Two steps: jsonb_array_elements refuses anything but an array, and OR need not be evaluated in order.
        IF jsonb_typeof(chosen_fields) <> 'array' THEN
            RAISE EXCEPTION 'invalid additional_metadata: it must be a JSON array of [key, value] pairs of strings' USING ERRCODE = '22023';
        END IF;
        IF EXISTS (
            SELECT 1 FROM jsonb_array_elements(chosen_fields) AS pair
            WHERE CASE WHEN jsonb_typeof(pair) <> 'array' THEN true
                       ELSE jsonb_array_length(pair) <> 2 OR jsonb_typeof(pair->0) <> 'string' OR jsonb_typeof(pair->1) <> 'string' END
        ) THEN
            RAISE EXCEPTION 'invalid additional_metadata: it must be a JSON array of [key, value] pairs of strings' USING ERRCODE = '22023';
        END IF;
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(chosen_fields) AS pair WHERE pair->>0 = '') THEN
            RAISE EXCEPTION 'invalid additional_metadata: its keys must not be empty' USING ERRCODE = '22023';
        END IF;
        SELECT pair->>0 INTO repeated_key FROM jsonb_array_elements(chosen_fields) WITH ORDINALITY AS fields(pair, position)
        GROUP BY pair->>0 HAVING count(*) > 1 ORDER BY min(position) LIMIT 1;
        IF repeated_key IS NOT NULL THEN
            RAISE EXCEPTION 'invalid additional_metadata: the key % appears more than once', quote_literal(repeated_key) USING ERRCODE = '22023';
        END IF;
        SELECT sum(octet_length(pair->>0) + octet_length(pair->>1)) INTO field_bytes FROM jsonb_array_elements(chosen_fields) AS pair;
        IF field_bytes > 1232 THEN
            RAISE EXCEPTION 'invalid additional_metadata: its keys and values have % bytes, more than a transaction can carry (1232)', field_bytes
                USING ERRCODE = '22023';
        END IF;
    END IF;

    transaction_size := flutterbye.token_job_transaction_size(token_program, name, symbol, uri, memo, chosen_mint_authority,
        chosen_freeze_authority, chosen_update_authority, chosen_fields);
    IF transaction_size > 1232 THEN
        too_long := concat_ws(', ', CASE WHEN octet_length(name) > 0 THEN 'name' END, CASE WHEN octet_length(symbol) > 0 THEN 'symbol' END,
            CASE WHEN octet_length(uri) > 0 THEN 'uri' END, CASE WHEN octet_length(memo) > 0 THEN 'memo' END,
            CASE WHEN chosen_mint_authority <> 'keep' THEN 'mint_authority' END,
            CASE WHEN chosen_freeze_authority <> 'none' THEN 'freeze_authority' END,
            CASE WHEN chosen_update_authority <> 'ours' THEN 'metadata_update_authority' END,
            CASE WHEN chosen_fields IS NOT NULL THEN 'additional_metadata' END);
        RAISE EXCEPTION 'invalid %: % the job''s transaction % bytes, % more than Solana''s limit of 1232', too_long,
            CASE WHEN strpos(too_long, ',') > 0 THEN 'together they make' ELSE 'it makes' END, transaction_size, transaction_size - 1232
            USING ERRCODE = '22023';
    END IF;
    IF priority IS NULL OR priority NOT BETWEEN -100 AND 100 THEN
        RAISE EXCEPTION 'invalid priority: % is not between -100 and 100', coalesce(priority::text, 'null') USING ERRCODE = '22023';
    END IF;
    IF max_attempts IS NULL OR max_attempts NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'invalid max_attempts: % is not between 1 and 1000', coalesce(max_attempts::text, 'null') USING ERRCODE = '22023';
    END IF;

    -- The key is taken first, in flutterbye.token_job_keys (version 18), under the id the job gets: a key another
    -- transaction is taking is waited for, and then it is that job, read below.
    INSERT INTO flutterbye.token_job_keys AS k (idempotency_key, job_id)
    VALUES (enqueue_token_job.idempotency_key, nextval('flutterbye.token_jobs_id_seq'))
    ON CONFLICT DO NOTHING
    RETURNING k.job_id INTO new_id;
    IF new_id IS NOT NULL THEN
        INSERT INTO flutterbye.token_jobs
            (id, idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient, memo, priority, scheduled_at,
             max_attempts, mint_authority, freeze_authority, metadata_update_authority, additional_metadata,
             requested_scheduled_at, requested_max_attempts)
        OVERRIDING SYSTEM VALUE
        VALUES
            (new_id, enqueue_token_job.idempotency_key, enqueue_token_job.token_program, enqueue_token_job.decimals,
             enqueue_token_job.name, enqueue_token_job.symbol, enqueue_token_job.uri, parsed_amount,
             enqueue_token_job.recipient, enqueue_token_job.memo, enqueue_token_job.priority,
             coalesce(enqueue_token_job.scheduled_at, now()), enqueue_token_job.max_attempts,
             chosen_mint_authority, chosen_freeze_authority, chosen_update_authority, chosen_fields,
             enqueue_token_job.scheduled_at, enqueue_token_job.max_attempts);
        PERFORM pg_notify('flutterbye_token_jobs', new_id::text);
        RETURN QUERY SELECT new_id, true, 'available'::text;
        RETURN;
    END IF;

    SELECT * INTO existing FROM flutterbye.token_jobs j
    WHERE j.id = (SELECT k.job_id FROM flutterbye.token_job_keys k WHERE k.idempotency_key = enqueue_token_job.idempotency_key);
    IF existing.token_program IS DISTINCT FROM enqueue_token_job.token_program
        OR existing.decimals IS DISTINCT FROM enqueue_token_job.decimals::smallint
        OR existing.name IS DISTINCT FROM enqueue_token_job.name
        OR existing.symbol IS DISTINCT FROM enqueue_token_job.symbol
        OR existing.uri IS DISTINCT FROM enqueue_token_job.uri
        OR existing.amount IS DISTINCT FROM parsed_amount
        OR existing.recipient IS DISTINCT FROM enqueue_token_job.recipient
        OR existing.memo IS DISTINCT FROM enqueue_token_job.memo
        OR existing.mint_authority IS DISTINCT FROM chosen_mint_authority
        OR existing.freeze_authority IS DISTINCT FROM chosen_freeze_authority
        OR existing.metadata_update_authority IS DISTINCT FROM chosen_update_authority
        OR existing.additional_metadata IS DISTINCT FROM chosen_fields
        OR existing.priority IS DISTINCT FROM enqueue_token_job.priority::smallint
        -- What it was enqueued with (version 23), not what the queue made of it since; unknown for a job enqueued
        -- before version 23 or inserted by an operator's SQL.
        OR (existing.requested_max_attempts IS NOT NULL
            AND (existing.requested_max_attempts IS DISTINCT FROM enqueue_token_job.max_attempts
                 OR existing.requested_scheduled_at IS DISTINCT FROM enqueue_token_job.scheduled_at)) THEN
        RAISE EXCEPTION 'idempotency_key % is already used by job % with different parameters', enqueue_token_job.idempotency_key, existing.id
            USING ERRCODE = '23505';
    END IF;
    RETURN QUERY SELECT existing.id, false, existing.state;
END
$$;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (11, 'the issuer''s choices per job: mint, freeze and metadata update authorities, additional metadata')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 12: the Flutterbye program's own log lines with their depth, and its Anchor events.
--
-- chain_program_log_lines.depth and chain_program_events, and the views program_logs (depth) and program_events,
--   are defined beside the index tables above. A transaction written before keeps every log line it was stored with.

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (12, 'the program''s own log lines with their depth; its Anchor events in program_events')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 13: the status figures of the last hour read that hour's jobs.
--
-- token_jobs_confirmed: jobs by confirmation time, for GET /v1/stats (confirmations and their latency over a window,
--   minute by minute over the last hour): without it each figure read every job kept (a week of them by default),
--   several times a refresh of every open status page. The failed jobs of a window come through token_jobs_finished.
--   Building it on an existing table holds writes to token_jobs back until it is built (a few seconds for a million
--   jobs), once.

CREATE INDEX IF NOT EXISTS token_jobs_confirmed
    ON flutterbye.token_jobs (confirmed_at)
    WHERE confirmed_at IS NOT NULL;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (13, 'jobs by confirmation time: the last hour''s status figures read that hour''s jobs')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 14: the index's status reads the newest transactions, not all of them.
--
-- chain_transactions_slot: transactions by slot, for the status's newest indexed slot and its finalized watermark
--   once everything is settled (GET /v1/index, read for every open status page, and the gauges every 10 s): without
--   it each reading scanned every transaction indexed, a table that is never pruned. Building it on an existing table
--   holds the indexer's writes back until it is built (seconds for millions of transactions), once.

CREATE INDEX IF NOT EXISTS chain_transactions_slot
    ON flutterbye.chain_transactions (slot);

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (14, 'transactions by slot: the index''s status reads the newest transactions, not all of them')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 15: Token-2022 transfer fees.
--
-- chain_flby_movements.kind gains fee_withheld (a transfer fee, paid by the source and withheld in the destination
--   account outside its amount) and fee_withdrawn (withheld fees withdrawn into the destination account). Before,
--   a withheld fee was read as a burn and its withdrawal as a mint, and flby_supply drifted from the chain by the
--   fees. flby_supply.withheld is what is withheld and not withdrawn. Replacing the check reads the table once.

DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conrelid = 'flutterbye.chain_flby_movements'::regclass AND conname = 'chain_flby_movements_kind_valid'
    ) THEN
        ALTER TABLE flutterbye.chain_flby_movements
            DROP CONSTRAINT IF EXISTS chain_flby_movements_kind_check,
            ADD CONSTRAINT chain_flby_movements_kind_valid
                CHECK (kind IN ('mint', 'burn', 'transfer', 'fee_withheld', 'fee_withdrawn'));
    END IF;
END
$$;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (15, 'Token-2022 transfer fees: fee_withheld and fee_withdrawn movements, flby_supply.withheld')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 16: a page of failed or cancelled jobs reads those jobs.
--
-- token_jobs_failed_or_cancelled: those jobs by id, for GET /v1/jobs?state=failed (or cancelled), newest first.
--   They are few and kept as long as the rest, so the primary key's walk from the newest job read every job kept (a
--   week of them by default) to fill a page. A job enters these states once at most: the queue's hot statements add
--   no entry to it. Building it on an existing table holds writes to token_jobs back until it is built, once.

CREATE INDEX IF NOT EXISTS token_jobs_failed_or_cancelled
    ON flutterbye.token_jobs (id)
    WHERE state IN ('failed', 'cancelled');

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (16, 'failed and cancelled jobs by id: a page of them reads those jobs, not every job kept')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 17: jobs counted by state without reading every job kept.
--
-- token_jobs_finalized: how many jobs are finalized. They are nearly every job kept (a week of them by default), and
--   counting them read the whole job table at every status reading (GET /v1/stats, the flutterbye_jobs gauges). The
--   count is kept by triggers, whoever writes (the queue, the pruner, an operator's SQL): a row trigger for a job that
--   becomes finalized or stops being so (its WHEN clause is evaluated in place, so claims and completions make no
--   call), a statement trigger for deletions and one for TRUNCATE. The other states are counted through their
--   partial indexes. Seeded once, with the job table locked against writes while its finalized jobs are counted.

CREATE TABLE IF NOT EXISTS flutterbye.token_jobs_finalized (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    jobs bigint NOT NULL
);

CREATE OR REPLACE FUNCTION flutterbye.count_finalized_job() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE flutterbye.token_jobs_finalized SET jobs = jobs + CASE WHEN NEW.state = 'finalized' THEN 1 ELSE -1 END;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION flutterbye.count_deleted_finalized_jobs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE flutterbye.token_jobs_finalized SET jobs = 0;
    ELSE
        UPDATE flutterbye.token_jobs_finalized f SET jobs = f.jobs - d.n
        FROM (SELECT count(*) AS n FROM deleted_jobs WHERE state = 'finalized') AS d
        WHERE d.n > 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER token_jobs_finalized_inserted
    AFTER INSERT ON flutterbye.token_jobs
    FOR EACH ROW WHEN (NEW.state = 'finalized')
    EXECUTE FUNCTION flutterbye.count_finalized_job();

CREATE OR REPLACE TRIGGER token_jobs_finalized_changed
    AFTER UPDATE OF state ON flutterbye.token_jobs
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND (OLD.state = 'finalized' OR NEW.state = 'finalized'))
    EXECUTE FUNCTION flutterbye.count_finalized_job();

CREATE OR REPLACE TRIGGER token_jobs_finalized_deleted
    AFTER DELETE ON flutterbye.token_jobs
    REFERENCING OLD TABLE AS deleted_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.count_deleted_finalized_jobs();

CREATE OR REPLACE TRIGGER token_jobs_finalized_truncated
    AFTER TRUNCATE ON flutterbye.token_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.count_deleted_finalized_jobs();

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM flutterbye.token_jobs_finalized) THEN
        LOCK TABLE flutterbye.token_jobs IN SHARE MODE;
        INSERT INTO flutterbye.token_jobs_finalized (jobs)
        SELECT count(*) FROM flutterbye.token_jobs WHERE state = 'finalized';
    END IF;
END
$$;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (17, 'finalized jobs counted by triggers, the other states through their indexes: counts by state read no job kept')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 18: the idempotency keys in a table of their own.
--
-- token_job_keys: each job's idempotency key, unique, and its job. Kept unique by an index of token_jobs, the key
--   took a new entry in that index, and a uniqueness check against the row's earlier versions, at every change of the
--   job (its claim, its transaction, its confirmation, each lease renewal): PostgreSQL adds an entry to every index of
--   a row whose indexed columns change, and its state is one. A key row is written once: by the queue's enqueue and
--   enqueue_token_job before the job (INSERT ... ON CONFLICT DO NOTHING, so a key is decided by this table's unique
--   index as it was by the job table's), by the job INSERT's trigger for any other writer (an operator's SQL;
--   flutterbye.record_enqueued_jobs, above); a key already taken by another job fails that INSERT with
--   unique_violation. It goes with its job (DELETE, the pruner, TRUNCATE); a job's key changed by an UPDATE changes
--   its row. token_jobs.idempotency_key stays, unindexed, for reading; a job is found by its key through this table.
--   Seeded once from the jobs, with the job table locked against writes, when the unique index of version 2 is still
--   there; then that index goes.

CREATE TABLE IF NOT EXISTS flutterbye.token_job_keys (
    idempotency_key text PRIMARY KEY,
    job_id          bigint NOT NULL
);

-- A job's key goes with it (DELETE, the pruner, TRUNCATE), and follows an UPDATE of it. (An INSERT takes its jobs'
-- keys in flutterbye.record_enqueued_jobs, with their events.)
CREATE OR REPLACE FUNCTION flutterbye.record_job_keys() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM flutterbye.token_job_keys k USING deleted_jobs d WHERE k.idempotency_key = d.idempotency_key AND k.job_id = d.id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE flutterbye.token_job_keys SET idempotency_key = NEW.idempotency_key
        WHERE idempotency_key = OLD.idempotency_key AND job_id = OLD.id;
    ELSE
        TRUNCATE flutterbye.token_job_keys;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER token_jobs_keys_deleted
    AFTER DELETE ON flutterbye.token_jobs
    REFERENCING OLD TABLE AS deleted_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.record_job_keys();

-- Only statements that name the key in their SET list fire it: the queue's never do.
CREATE OR REPLACE TRIGGER token_jobs_key_changed
    AFTER UPDATE OF idempotency_key ON flutterbye.token_jobs
    FOR EACH ROW WHEN (OLD.idempotency_key IS DISTINCT FROM NEW.idempotency_key)
    EXECUTE FUNCTION flutterbye.record_job_keys();

CREATE OR REPLACE TRIGGER token_jobs_keys_truncated
    AFTER TRUNCATE ON flutterbye.token_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION flutterbye.record_job_keys();

DO $$
BEGIN
    IF EXISTS (
        SELECT FROM pg_constraint
        WHERE conrelid = 'flutterbye.token_jobs'::regclass AND conname = 'token_jobs_idempotency_key_unique'
    ) THEN
        LOCK TABLE flutterbye.token_jobs IN SHARE MODE;
        INSERT INTO flutterbye.token_job_keys (idempotency_key, job_id)
        SELECT idempotency_key, id FROM flutterbye.token_jobs
        ON CONFLICT DO NOTHING;
        ALTER TABLE flutterbye.token_jobs DROP CONSTRAINT token_jobs_idempotency_key_unique;
    END IF;
END
$$;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (18, 'idempotency keys in token_job_keys: the changes of a job no longer write to an index of its key')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 19: a claim is planned once per connection.
--
-- claim_token_jobs: the queue's claim (TokenJobQueue.claim): up to claim_limit runnable jobs (available, or retryable
--   and due), highest priority first, each locked with SKIP LOCKED and claimed for worker_id under a new lease token
--   and a lease of lease_milliseconds, skipping the ids in excluded; the claimed jobs are returned in no set order.
--   As a prepared statement, the claim was planned again at every call: with its limit a parameter, PostgreSQL
--   estimates the plan it could keep at a tenth of the runnable jobs, finds it dearer than one made for the call's own
--   limit, and plans anew each time, which took about as long as running the claim. In this function its plan is made
--   once per connection (plan_cache_mode), with the runnable jobs' index and the primary key whatever the statistics
--   say (enable_seqscan off): a plan kept from a moment the table looked empty would otherwise read every job at
--   every claim.

CREATE OR REPLACE FUNCTION flutterbye.claim_token_jobs(claim_limit bigint, worker_id text, lease_milliseconds bigint, excluded bigint[])
RETURNS SETOF flutterbye.token_jobs
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
BEGIN
    RETURN QUERY
    WITH next AS (
        SELECT id FROM flutterbye.token_jobs
        WHERE state IN ('available', 'retryable') AND scheduled_at <= now() AND NOT (id = ANY(excluded))
        ORDER BY priority DESC, scheduled_at, id
        LIMIT claim_limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE flutterbye.token_jobs j
    SET state = 'running', attempt = least(j.attempt, 2147483646) + 1, attempted_by = worker_id,
        lease_token = nextval('flutterbye.token_job_lease_tokens'),
        lease_expires_at = now() + lease_milliseconds * interval '1 millisecond', updated_at = now()
    WHERE j.id = ANY(ARRAY(SELECT id FROM next))
    RETURNING j.*;
END;
$$;

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (19, 'the claim in claim_token_jobs, planned once per connection')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 20: the claim's attempt count stops at the top of its integer (least(attempt, 2147483646) + 1 above, in
-- claim_token_jobs, replaced in place with the same signature and result). The table asks only attempt >= 0: a row an
-- operator's SQL set to 2147483647 made the claim's attempt + 1 overflow, which rolled the whole claim back, and every
-- claim of every worker got nothing while that job was first in line.

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (20, 'the claim''s attempt count stops at the top of its integer')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 21: enqueue_token_job (replaced in place, same signature and result) shows no value that looks like a secret
-- key in its refusals (flutterbye.shown_address, beside is_solana_address): a secret key put where an address belongs
-- was echoed whole to the client and to PostgreSQL's log. It refuses the all-zero address as the recipient, as it
-- already did as an authority: nobody can sign for the tokens sent there.

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (21, 'no secret key shown in enqueue_token_job''s refusals; the all-zero address refused as the recipient')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 22: a configured address (the mint, the escrow or fee wallet, the program) that the configuration no
-- longer names is retired (chain_address_cursors.retired_at, set by the indexer at its start): not followed, not in
-- /v1/index or the lag gauges. It stayed a followed address, polled at the busy rate for nothing and shown with a
-- growing lag. Its row is kept: configured again, it resumes at its cursor. The column and the view's new column are
-- added where the view is defined, above.

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (22, 'a configured address the configuration no longer names is retired: neither followed nor shown')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 23: what a job was enqueued with, beside what the queue makes of it.
--
-- token_jobs.requested_max_attempts and requested_scheduled_at: the max_attempts and the scheduled_at (null: left
--   out, so the database's now) of the enqueue that made the job. A failure moves scheduled_at and an operator's
--   retry grows max_attempts; enqueue_token_job (replaced in place; scheduled_at defaults to null, read as now)
--   compares a repeated key's priority, max_attempts and scheduled_at with what the job was enqueued with, as it
--   compares the token's fields: another scheduling under the same key raises 23505 instead of returning the job
--   unchanged as the same one. An operator's retry grants requested_max_attempts more attempts: it granted the grown
--   max_attempts again (2, then 4, then 8 more). Null for jobs enqueued before this version and jobs an operator's SQL
--   inserts: their scheduling is not compared, and a retry grants their max_attempts.

SELECT flutterbye.add_column_once('flutterbye.token_jobs', 'requested_max_attempts', 'integer');
SELECT flutterbye.add_column_once('flutterbye.token_jobs', 'requested_scheduled_at', 'timestamptz');

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (23, 'what a job was enqueued with: a repeated key is compared with it, a retry grants its attempts')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 24: flby_balances.owner is the owner after the account's last change. Among the changes of its newest slot
-- (which an index cannot order) it took the owner of the one with the smallest amount: an account paid into and then
-- handed to the escrow with more in one slot was shown as its old owner's. The view, above, now takes the change whose
-- amount no other change of the slot starts from, as the opening amount is found in the first slot.

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (24, 'flby_balances.owner: the owner after the newest slot''s last change')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 25: flby_balances.owner after a hand-over that moves no FLBY. An account paid into (300 to 400) and handed
-- to the escrow (400 to 400) in one slot has two changes ending at 400, each a candidate for the last one; the view
-- took either, and named the old owner when the payment was stored first. Of such changes it now takes the one no
-- other change of the slot starts from (the view, above).

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (25, 'flby_balances.owner: of the newest slot''s changes ending at one amount, the one no other starts from')
ON CONFLICT (version) DO NOTHING;

-- ------------------------------------------------------------------------------------------------------------
-- Version 26: a wallet or program configured after the index stored transactions that touched it gets its rows in
-- them. Its history was read from the start, but a stored transaction is not fetched again, so a fee wallet set
-- later had no wallet_activity for what it received and paid before (nor one changed or configured again, nor the
-- program its log lines). chain_address_cursors.backfilled_at: when the indexer wrote a configured wallet's or the
-- program's rows in every transaction stored before it (its own history, and for a wallet the transactions that
-- moved FLBY of token accounts it owned, fetched again); NULL until then, and again when the address is configured in
-- another role or after being retired. The databases of earlier versions backfill their wallets once.

SELECT flutterbye.add_column_once('flutterbye.chain_address_cursors', 'backfilled_at', 'timestamptz');

INSERT INTO flutterbye.schema_migrations (version, description)
VALUES (26, 'a wallet or program configured later gets its rows in the transactions stored before')
ON CONFLICT (version) DO NOTHING;
