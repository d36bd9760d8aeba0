-- QA forms, evaluations (scoring), appeals, outlier re-checks and calibration (docs/qa.md).
-- A form has versions; a version is frozen once any evaluation or calibration session uses it
-- (editing a used version creates the next version), so every scored call keeps its form.

CREATE TABLE qa_forms (
  id          INTEGER PRIMARY KEY,
  name_zh     TEXT NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
  name_en     TEXT NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE qa_form_versions (
  id          INTEGER PRIMARY KEY,
  form_id     INTEGER NOT NULL REFERENCES qa_forms(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL CHECK (version >= 1),
  pass_mark   REAL NOT NULL DEFAULT 80 CHECK (pass_mark >= 0 AND pass_mark <= 100),
  created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (form_id, version)
);

CREATE TABLE qa_form_sections (
  id          INTEGER PRIMARY KEY,
  version_id  INTEGER NOT NULL REFERENCES qa_form_versions(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  title_zh    TEXT NOT NULL,
  title_en    TEXT NOT NULL,
  UNIQUE (version_id, position)
);

CREATE TABLE qa_form_items (
  id          INTEGER PRIMARY KEY,
  version_id  INTEGER NOT NULL REFERENCES qa_form_versions(id) ON DELETE CASCADE,
  section_id  INTEGER NOT NULL REFERENCES qa_form_sections(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  text_zh     TEXT NOT NULL,
  text_en     TEXT NOT NULL,
  weight      REAL NOT NULL CHECK (weight > 0),
  max_points  INTEGER NOT NULL CHECK (max_points BETWEEN 1 AND 100),
  -- Critical items are scored 0 or max_points; 0 zeroes the whole evaluation.
  critical    INTEGER NOT NULL DEFAULT 0 CHECK (critical IN (0, 1)),
  na_allowed  INTEGER NOT NULL DEFAULT 0 CHECK (na_allowed IN (0, 1)),
  UNIQUE (section_id, position)
);
CREATE INDEX qa_form_items_version ON qa_form_items(version_id);

-- One scored call. kind: 'review' (normal), 'rescore' (after an upheld appeal or a re-check),
-- 'calibration' (never shown to the agent, excluded from agent/reviewer statistics).
CREATE TABLE qa_evaluations (
  id                  INTEGER PRIMARY KEY,
  recording_id        INTEGER NOT NULL REFERENCES recordings(id),
  agent_id            INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  reviewer_user_id    INTEGER NOT NULL REFERENCES users(id),
  form_version_id     INTEGER NOT NULL REFERENCES qa_form_versions(id),
  kind                TEXT NOT NULL DEFAULT 'review' CHECK (kind IN ('review', 'rescore', 'calibration')),
  source              TEXT,                 -- free tag: 'queue', 'recordings', 'sampling:<id>', ...
  calibration_session_id INTEGER,           -- set for kind = 'calibration'
  replaces_evaluation_id INTEGER REFERENCES qa_evaluations(id),  -- rescore of this one
  score               REAL NOT NULL CHECK (score >= 0 AND score <= 100),   -- effective score
  raw_score           REAL NOT NULL CHECK (raw_score >= 0 AND raw_score <= 100), -- before critical zeroing
  passed              INTEGER NOT NULL CHECK (passed IN (0, 1)),
  critical_failed     INTEGER NOT NULL CHECK (critical_failed IN (0, 1)),
  -- submitted -> acknowledged | appealed -> appeal_rejected | appeal_upheld; superseded when a
  -- rescore or adjustment replaces it (history stays in qa_evaluation_events).
  status              TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN
                        ('submitted', 'acknowledged', 'appealed', 'appeal_rejected', 'appeal_upheld', 'superseded', 'calibration')),
  ack_deadline        TEXT,                 -- agent must ack or appeal before this
  acknowledged_at     TEXT,
  -- Outlier re-check: flagged at submit, decided by a QA manager.
  outlier             INTEGER NOT NULL DEFAULT 0 CHECK (outlier IN (0, 1)),
  outlier_reason      TEXT,
  recheck_status      TEXT NOT NULL DEFAULT 'none' CHECK (recheck_status IN ('none', 'pending', 'confirmed', 'adjusted', 'rescore')),
  recheck_by          INTEGER REFERENCES users(id),
  recheck_at          TEXT,
  recheck_note        TEXT,
  submitted_at        TEXT NOT NULL
);
CREATE INDEX qa_evaluations_recording ON qa_evaluations(recording_id);
CREATE INDEX qa_evaluations_agent ON qa_evaluations(agent_id, submitted_at);
CREATE INDEX qa_evaluations_reviewer ON qa_evaluations(reviewer_user_id, submitted_at);
CREATE INDEX qa_evaluations_submitted ON qa_evaluations(submitted_at);

CREATE TABLE qa_evaluation_answers (
  evaluation_id INTEGER NOT NULL REFERENCES qa_evaluations(id) ON DELETE CASCADE,
  item_id       INTEGER NOT NULL REFERENCES qa_form_items(id),
  points        INTEGER,                    -- NULL = not applicable
  na            INTEGER NOT NULL DEFAULT 0 CHECK (na IN (0, 1)),
  PRIMARY KEY (evaluation_id, item_id),
  CHECK ((na = 1) = (points IS NULL))
);

-- Comments stamped with the playback position (ms) while the recording plays.
CREATE TABLE qa_evaluation_comments (
  id            INTEGER PRIMARY KEY,
  evaluation_id INTEGER NOT NULL REFERENCES qa_evaluations(id) ON DELETE CASCADE,
  position_ms   INTEGER NOT NULL CHECK (position_ms >= 0),
  item_id       INTEGER REFERENCES qa_form_items(id),
  text          TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000)
);
CREATE INDEX qa_evaluation_comments_eval ON qa_evaluation_comments(evaluation_id, position_ms);

-- Full history of an evaluation: submitted, acknowledged, appealed, decided, re-checked, ...
CREATE TABLE qa_evaluation_events (
  id            INTEGER PRIMARY KEY,
  evaluation_id INTEGER NOT NULL REFERENCES qa_evaluations(id) ON DELETE CASCADE,
  at            TEXT NOT NULL,
  actor_user_id INTEGER REFERENCES users(id),
  event         TEXT NOT NULL,
  detail        TEXT                        -- JSON
);
CREATE INDEX qa_evaluation_events_eval ON qa_evaluation_events(evaluation_id, id);

CREATE TABLE qa_appeals (
  id                 INTEGER PRIMARY KEY,
  evaluation_id      INTEGER NOT NULL REFERENCES qa_evaluations(id),
  agent_id           INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  filed_by           INTEGER NOT NULL REFERENCES users(id),
  reason             TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  filed_at           TEXT NOT NULL,
  status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
  -- upheld: 'adjusted' (manager sets the score) or 'rescore' (another reviewer scores again).
  outcome            TEXT CHECK (outcome IS NULL OR outcome IN ('adjusted', 'rescore')),
  adjusted_score     REAL CHECK (adjusted_score IS NULL OR (adjusted_score >= 0 AND adjusted_score <= 100)),
  rescore_reviewer_user_id INTEGER REFERENCES users(id),
  rescore_evaluation_id    INTEGER REFERENCES qa_evaluations(id),
  decided_by         INTEGER REFERENCES users(id),
  decided_at         TEXT,
  decision_note      TEXT
);
CREATE INDEX qa_appeals_status ON qa_appeals(status, filed_at);
CREATE UNIQUE INDEX qa_appeals_one_per_eval ON qa_appeals(evaluation_id);

CREATE TABLE qa_calibration_sessions (
  id               INTEGER PRIMARY KEY,
  title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  recording_id     INTEGER NOT NULL REFERENCES recordings(id),
  form_version_id  INTEGER NOT NULL REFERENCES qa_form_versions(id),
  status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_by       INTEGER REFERENCES users(id),
  created_at       TEXT NOT NULL,
  closed_by        INTEGER REFERENCES users(id),
  closed_at        TEXT
);

CREATE TABLE qa_calibration_reviewers (
  session_id     INTEGER NOT NULL REFERENCES qa_calibration_sessions(id) ON DELETE CASCADE,
  user_id        INTEGER NOT NULL REFERENCES users(id),
  evaluation_id  INTEGER REFERENCES qa_evaluations(id),
  PRIMARY KEY (session_id, user_id)
);
