-- Call recordings (docs/recording.md): one row per MixMonitor file, linked to its call by
-- linkedid (no foreign key: the call row is written by the call store in its own batches)
-- and to the agent who was at the seat. Rows are never deleted: retention deletes the file
-- and marks the row, so the audit trail of what existed stays.
CREATE TABLE recordings (
  id                 INTEGER PRIMARY KEY,
  linkedid           TEXT NOT NULL,
  uniqueid           TEXT NOT NULL UNIQUE,     -- the recorded channel
  channel            TEXT,
  seat               TEXT,
  agent_id           INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  agent_session_id   INTEGER REFERENCES agent_sessions(id) ON DELETE SET NULL,
  path               TEXT NOT NULL UNIQUE,     -- relative to the recordings root, e.g. 2026/11/23/<linkedid>-<uniqueid>.wav
  format             TEXT NOT NULL CHECK (format IN ('wav', 'opus')),
  state              TEXT NOT NULL DEFAULT 'recording' CHECK (state IN ('recording', 'complete', 'missing', 'deleted')),
  started_at         TEXT NOT NULL,
  ended_at           TEXT,
  duration_ms        INTEGER,                  -- measured from the file
  size_bytes         INTEGER,
  sha256             TEXT,
  evidence           INTEGER NOT NULL DEFAULT 0 CHECK (evidence IN (0, 1)),
  evidence_reason    TEXT,
  evidence_by        TEXT,
  evidence_at        TEXT,
  compression        TEXT NOT NULL DEFAULT 'none' CHECK (compression IN ('none', 'compressed', 'failed')),
  compression_error  TEXT,
  compressed_at      TEXT,
  original_size_bytes INTEGER,
  deleted_at         TEXT,
  deleted_reason     TEXT CHECK (deleted_reason IS NULL OR deleted_reason IN ('age', 'quota')),
  CHECK (evidence = 0 OR state <> 'deleted')
);
CREATE INDEX recordings_started ON recordings(started_at);
CREATE INDEX recordings_linkedid ON recordings(linkedid);
CREATE INDEX recordings_agent ON recordings(agent_id, started_at);
CREATE INDEX recordings_seat ON recordings(seat, started_at);

-- Storage lifecycle runs (nightly compression + retention, or "run now").
CREATE TABLE recording_jobs (
  id            INTEGER PRIMARY KEY,
  trigger       TEXT NOT NULL CHECK (trigger IN ('nightly', 'manual')),
  started_at    TEXT NOT NULL,
  ended_at      TEXT,
  status        TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'partial', 'failed')),
  compressed    INTEGER NOT NULL DEFAULT 0,
  failed        INTEGER NOT NULL DEFAULT 0,
  deleted_age   INTEGER NOT NULL DEFAULT 0,
  deleted_quota INTEGER NOT NULL DEFAULT 0,
  freed_bytes   INTEGER NOT NULL DEFAULT 0,
  error         TEXT
);
