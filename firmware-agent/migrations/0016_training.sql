-- Train before work (docs/training.md): qualification records, training plans with trainees
-- and exam results, re-exam schedules and retraining assignments. The login gate reads these.

-- One row per agent that must (or had to) qualify. required = 1: a trainee; the people
-- module's career stage 'trainee' also counts when that column exists.
CREATE TABLE training_qualifications (
  agent_id              INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
  required              INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
  written_score         INTEGER CHECK (written_score IS NULL OR written_score BETWEEN 0 AND 100),
  oral_score            INTEGER CHECK (oral_score IS NULL OR oral_score BETWEEN 0 AND 100),
  -- The pass marks of the plan the scores came from.
  pass_mark_written     INTEGER NOT NULL DEFAULT 80 CHECK (pass_mark_written BETWEEN 0 AND 100),
  pass_mark_oral        INTEGER NOT NULL DEFAULT 80 CHECK (pass_mark_oral BETWEEN 0 AND 100),
  recording_id          INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  recording_approved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  recording_approved_at TEXT,
  qualified_at          TEXT,
  qualified_by          TEXT,
  updated_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE training_plans (
  id                   INTEGER PRIMARY KEY,
  title                TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
  kind                 TEXT NOT NULL DEFAULT 'initial' CHECK (kind IN ('initial', 'retraining')),
  starts_at            TEXT NOT NULL,
  ends_at              TEXT,
  place                TEXT NOT NULL CHECK (length(place) BETWEEN 1 AND 120),
  material             TEXT NOT NULL DEFAULT '' CHECK (length(material) <= 4000),
  trainer_user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
  exam_written         INTEGER NOT NULL DEFAULT 1 CHECK (exam_written IN (0, 1)),
  exam_oral            INTEGER NOT NULL DEFAULT 1 CHECK (exam_oral IN (0, 1)),
  pass_mark_written    INTEGER NOT NULL DEFAULT 80 CHECK (pass_mark_written BETWEEN 0 AND 100),
  pass_mark_oral       INTEGER NOT NULL DEFAULT 80 CHECK (pass_mark_oral BETWEEN 0 AND 100),
  redesign_flagged_at  TEXT,
  created_by           TEXT,
  created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE training_plan_trainees (
  plan_id  INTEGER NOT NULL REFERENCES training_plans(id) ON DELETE CASCADE,
  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  PRIMARY KEY (plan_id, agent_id)
);

-- One row per exam attempt of a trainee in a plan.
CREATE TABLE training_results (
  id            INTEGER PRIMARY KEY,
  plan_id       INTEGER NOT NULL REFERENCES training_plans(id) ON DELETE CASCADE,
  agent_id      INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  attempt       INTEGER NOT NULL CHECK (attempt >= 1),
  exam_at       TEXT NOT NULL,
  written_score INTEGER CHECK (written_score IS NULL OR written_score BETWEEN 0 AND 100),
  oral_score    INTEGER CHECK (oral_score IS NULL OR oral_score BETWEEN 0 AND 100),
  passed        INTEGER NOT NULL CHECK (passed IN (0, 1)),
  -- A failed attempt's re-exam date (at most 3 days after exam_at).
  reexam_at     TEXT,
  recorded_by   TEXT,
  recorded_at   TEXT NOT NULL,
  UNIQUE (plan_id, agent_id, attempt)
);
CREATE INDEX training_results_agent ON training_results(agent_id, exam_at);

CREATE TABLE training_retraining (
  id           INTEGER PRIMARY KEY,
  agent_id     INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  source       TEXT NOT NULL CHECK (source IN ('qa', 'assessment', 'manual')),
  assigned_by  TEXT,
  assigned_at  TEXT NOT NULL,
  plan_id      INTEGER REFERENCES training_plans(id) ON DELETE SET NULL,
  status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'cancelled')),
  closed_at    TEXT,
  closed_by    TEXT,
  result_id    INTEGER REFERENCES training_results(id) ON DELETE SET NULL
);
CREATE INDEX training_retraining_agent ON training_retraining(agent_id, status);
