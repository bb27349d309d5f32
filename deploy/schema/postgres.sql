-- CalcGrid schema for PostgreSQL: the pekko-persistence-jdbc tables plus the job index.
-- Every statement is idempotent; nodes apply it at start under an advisory lock, and DBAs may
-- apply it themselves (psql -f).
CREATE TABLE IF NOT EXISTS public.event_journal (
  ordering BIGSERIAL,
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  deleted BOOLEAN DEFAULT FALSE NOT NULL,
  writer VARCHAR(255) NOT NULL,
  write_timestamp BIGINT,
  adapter_manifest VARCHAR(255),
  event_ser_id INTEGER NOT NULL,
  event_ser_manifest VARCHAR(255) NOT NULL,
  event_payload BYTEA NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,
  PRIMARY KEY(persistence_id, sequence_number)
);
CREATE UNIQUE INDEX IF NOT EXISTS event_journal_ordering_idx ON public.event_journal(ordering);
CREATE TABLE IF NOT EXISTS public.event_tag (
  event_id BIGINT,
  tag VARCHAR(256),
  PRIMARY KEY(event_id, tag),
  CONSTRAINT fk_event_journal FOREIGN KEY(event_id) REFERENCES event_journal(ordering) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS public.snapshot (
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  created BIGINT NOT NULL,
  snapshot_ser_id INTEGER NOT NULL,
  snapshot_ser_manifest VARCHAR(255) NOT NULL,
  snapshot_payload BYTEA NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,
  PRIMARY KEY(persistence_id, sequence_number)
);
CREATE TABLE IF NOT EXISTS public.durable_state (
  global_offset BIGSERIAL,
  persistence_id VARCHAR(255) NOT NULL,
  revision BIGINT NOT NULL,
  state_payload BYTEA NOT NULL,
  state_serial_id INTEGER NOT NULL,
  state_serial_manifest VARCHAR(255),
  tag VARCHAR,
  state_timestamp BIGINT NOT NULL,
  PRIMARY KEY(persistence_id)
);
CREATE INDEX IF NOT EXISTS state_tag_idx ON public.durable_state (tag);
CREATE INDEX IF NOT EXISTS state_global_offset_idx ON public.durable_state (global_offset);
CREATE TABLE IF NOT EXISTS public.calcgrid_jobs (
  id VARCHAR(64) PRIMARY KEY,
  tenant VARCHAR(128) NOT NULL,
  name VARCHAR(200) NOT NULL,
  state VARCHAR(16) NOT NULL,
  task_count INTEGER NOT NULL,
  submitted_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_state_idx ON public.calcgrid_jobs (state, submitted_at);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_tenant_idx ON public.calcgrid_jobs (tenant, submitted_at);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_tenant_state_idx ON public.calcgrid_jobs (tenant, state);
-- Idempotency-Key of submissions, per tenant: the body's SHA-256 and the job it created.
CREATE TABLE IF NOT EXISTS public.calcgrid_idempotency (
  tenant VARCHAR(128) NOT NULL,
  idem_key VARCHAR(200) NOT NULL,
  body_sha256 CHAR(64) NOT NULL,
  job_id VARCHAR(64) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (tenant, idem_key)
);
CREATE INDEX IF NOT EXISTS calcgrid_idempotency_created_idx ON public.calcgrid_idempotency (created_at);
-- Jobs started by a schedule name it and the firing's instant (added after the table: ALTER
-- keeps older databases in step).
ALTER TABLE public.calcgrid_jobs ADD COLUMN IF NOT EXISTS schedule_id VARCHAR(64);
ALTER TABLE public.calcgrid_jobs ADD COLUMN IF NOT EXISTS scheduled_for TIMESTAMPTZ;
CREATE INDEX IF NOT EXISTS calcgrid_jobs_schedule_idx ON public.calcgrid_jobs (schedule_id, scheduled_for);
-- Schedules, for listing per tenant and waking at start; each schedule's journal is the truth.
CREATE TABLE IF NOT EXISTS public.calcgrid_schedules (
  id VARCHAR(64) PRIMARY KEY,
  tenant VARCHAR(128) NOT NULL,
  name VARCHAR(200) NOT NULL,
  cron VARCHAR(200) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  overlap VARCHAR(32) NOT NULL,
  paused BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS calcgrid_schedules_tenant_idx ON public.calcgrid_schedules (tenant, created_at);
-- Deleting a job (DELETE /api/v1/jobs/{id}, retention) finds its keys by job, and retention
-- finds finished jobs by when they ended.
CREATE INDEX IF NOT EXISTS calcgrid_idempotency_job_idx ON public.calcgrid_idempotency (job_id);
CREATE INDEX IF NOT EXISTS calcgrid_jobs_finished_idx ON public.calcgrid_jobs (finished_at);
