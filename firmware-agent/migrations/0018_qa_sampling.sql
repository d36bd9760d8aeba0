-- QA sampling plans, work queues and the monthly 100-point assessment (docs/qa-sampling.md; firmware-agent/src/qa/sampling.ts, assessment.ts).

-- One row per sampling run (the period's first plan, the daily top-up, a manual run).
CREATE TABLE qa_sampling_runs (
  id           INTEGER PRIMARY KEY,
  period_kind  TEXT NOT NULL CHECK (period_kind IN ('week', 'month')),
  period_from  TEXT NOT NULL,                -- local dates, inclusive
  period_to    TEXT NOT NULL,
  trigger      TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  at           TEXT NOT NULL,
  calls        INTEGER NOT NULL,             -- recorded calls of the period seen by this run
  added_lead   INTEGER NOT NULL,
  added_qa     INTEGER NOT NULL
);
CREATE INDEX qa_sampling_runs_period ON qa_sampling_runs(period_from, at);

-- A sampled call: one recording (the call's first) given to one reviewer. A call is sampled at
-- most once (UNIQUE linkedid): team-lead and QA samples are distinct calls.
CREATE TABLE qa_sample_assignments (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES qa_sampling_runs(id) ON DELETE CASCADE,
  period_kind      TEXT NOT NULL CHECK (period_kind IN ('week', 'month')),
  period_from      TEXT NOT NULL,
  recording_id     INTEGER NOT NULL UNIQUE REFERENCES recordings(id) ON DELETE CASCADE,
  linkedid         TEXT NOT NULL UNIQUE,
  agent_id         INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  kind             TEXT NOT NULL CHECK (kind IN ('lead', 'qa')),
  -- NULL: the agent's team has no lead (shown as unassigned in the plan status).
  reviewer_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  day              TEXT NOT NULL,            -- the call's local date (stratum)
  call_type        TEXT NOT NULL CHECK (call_type IN ('inbound', 'dialer', 'manual')),
  assigned_at      TEXT NOT NULL,
  due_at           TEXT NOT NULL
);
CREATE INDEX qa_sample_assignments_reviewer ON qa_sample_assignments(reviewer_user_id, period_from);
CREATE INDEX qa_sample_assignments_agent ON qa_sample_assignments(agent_id, period_from);

-- Monthly 100-point assessment per agent, kept (agents read their own).
CREATE TABLE qa_assessments (
  agent_id          INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  month             TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
  qa_score          REAL,                    -- 0-100; NULL: no evaluations that month
  kpi_score         REAL,                    -- 0-100; NULL: no KPI target with an actual
  attendance_score  REAL,                    -- 0-100; NULL: no expected hours configured
  total             REAL NOT NULL,           -- 0-100, one decimal
  passed            INTEGER NOT NULL CHECK (passed IN (0, 1)),
  -- '' none, 'below_60' (once), 'below_80_twice' (this and the previous calendar month)
  flag              TEXT NOT NULL DEFAULT '' CHECK (flag IN ('', 'below_60', 'below_80_twice')),
  retraining        TEXT,                    -- what the retraining hand-off returned / why not
  details_json      TEXT NOT NULL CHECK (json_valid(details_json)),
  computed_at       TEXT NOT NULL,
  PRIMARY KEY (agent_id, month)
);
CREATE INDEX qa_assessments_month ON qa_assessments(month, flag);
