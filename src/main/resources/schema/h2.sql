-- CalcGrid schema for H2: the pekko-persistence-jdbc tables plus the job index.
-- Every statement is idempotent; the node applies this file at start.
CREATE TABLE IF NOT EXISTS PUBLIC."event_journal" (
    "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" BLOB NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" BLOB,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    PRIMARY KEY("persistence_id","sequence_number")
);
CREATE UNIQUE INDEX IF NOT EXISTS "event_journal_ordering_idx" ON PUBLIC."event_journal" ("ordering");
CREATE TABLE IF NOT EXISTS PUBLIC."event_tag" (
    "event_id" BIGINT NOT NULL,
    "tag" VARCHAR NOT NULL,
    PRIMARY KEY("event_id", "tag"),
    CONSTRAINT fk_event_journal FOREIGN KEY("event_id") REFERENCES "event_journal"("ordering") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS PUBLIC."snapshot" (
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "created" BIGINT NOT NULL,
    "snapshot_ser_id" INTEGER NOT NULL,
    "snapshot_ser_manifest" VARCHAR NOT NULL,
    "snapshot_payload" BLOB NOT NULL,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    "meta_payload" BLOB,
    PRIMARY KEY("persistence_id","sequence_number")
);
CREATE SEQUENCE IF NOT EXISTS PUBLIC."global_offset_seq";
CREATE TABLE IF NOT EXISTS PUBLIC."durable_state" (
    "global_offset" BIGINT DEFAULT NEXT VALUE FOR PUBLIC."global_offset_seq",
    "persistence_id" VARCHAR(255) NOT NULL,
    "revision" BIGINT NOT NULL,
    "state_payload" BLOB NOT NULL,
    "state_serial_id" INTEGER NOT NULL,
    "state_serial_manifest" VARCHAR,
    "tag" VARCHAR,
    "state_timestamp" BIGINT NOT NULL,
    PRIMARY KEY("persistence_id")
);
CREATE TABLE IF NOT EXISTS calcgrid_jobs (
    id VARCHAR(64) PRIMARY KEY,
    tenant VARCHAR(128) NOT NULL,
    name VARCHAR(200) NOT NULL,
    state VARCHAR(16) NOT NULL,
    task_count INTEGER NOT NULL,
    submitted_at TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_state_idx ON calcgrid_jobs (state, submitted_at);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_tenant_idx ON calcgrid_jobs (tenant, submitted_at);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_tenant_state_idx ON calcgrid_jobs (tenant, state);
-- Idempotency-Key of submissions, per tenant: the body's SHA-256 and the job it created.
CREATE TABLE IF NOT EXISTS calcgrid_idempotency (
    tenant VARCHAR(128) NOT NULL,
    idem_key VARCHAR(200) NOT NULL,
    body_sha256 CHAR(64) NOT NULL,
    job_id VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant, idem_key)
);
CREATE INDEX IF NOT EXISTS calcgrid_idempotency_created_idx ON calcgrid_idempotency (created_at);
-- Jobs started by a schedule name it and the firing's instant (added after the table: ALTER
-- keeps older databases in step).
ALTER TABLE calcgrid_jobs ADD COLUMN IF NOT EXISTS schedule_id VARCHAR(64);
ALTER TABLE calcgrid_jobs ADD COLUMN IF NOT EXISTS scheduled_for TIMESTAMP WITH TIME ZONE;
CREATE INDEX IF NOT EXISTS calcgrid_jobs_schedule_idx ON calcgrid_jobs (schedule_id, scheduled_for);
-- Schedules, for listing per tenant and waking at start; each schedule's journal is the truth.
CREATE TABLE IF NOT EXISTS calcgrid_schedules (
    id VARCHAR(64) PRIMARY KEY,
    tenant VARCHAR(128) NOT NULL,
    name VARCHAR(200) NOT NULL,
    cron VARCHAR(200) NOT NULL,
    time_zone VARCHAR(64) NOT NULL,
    overlap VARCHAR(32) NOT NULL,
    paused BOOLEAN NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX IF NOT EXISTS calcgrid_schedules_tenant_idx ON calcgrid_schedules (tenant, created_at);
-- Deleting a job (DELETE /api/v1/jobs/{id}, retention) finds its keys by job, and retention
-- finds finished jobs by when they ended.
CREATE INDEX IF NOT EXISTS calcgrid_idempotency_job_idx ON calcgrid_idempotency (job_id);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_finished_idx ON calcgrid_jobs (finished_at);
