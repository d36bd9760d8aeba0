-- Reports and KPIs (firmware-agent/src/reports/, docs/kpis.md, docs/reports.md).
-- queue_calls: our own record of every queue entry (AMI QueueCallerJoin / AgentConnect /
-- AgentComplete / QueueCallerAbandon / QueueCallerLeave), never app_queue's counters.
-- rollup_*: half-hour and day aggregates folded from detail up to a watermark; reports read
-- them and compute only the not-yet-folded tail from detail, so old detail may be archived.

CREATE TABLE queue_calls (
  id           INTEGER PRIMARY KEY,
  linkedid     TEXT NOT NULL,
  uniqueid     TEXT NOT NULL,              -- the caller's channel in the queue
  queue        TEXT NOT NULL,
  entered_at   TEXT NOT NULL,              -- QueueCallerJoin
  answered_at  TEXT,                       -- AgentConnect: bridged to an agent
  seat         TEXT,                       -- the member that answered (PJSIP/<seat>)
  agent_id     INTEGER,                    -- the agent logged in at that seat then (no FK: history stays)
  team         TEXT,                       -- the agent's team then
  ring_ms      INTEGER,                    -- AgentConnect RingTime: the answering member's ring
  left_at      TEXT,                       -- left the queue (answered, abandoned, timed out)
  ended_at     TEXT,                       -- end of the conversation (AgentComplete) or of the wait
  outcome      TEXT CHECK (outcome IS NULL OR outcome IN ('answered', 'abandoned', 'timeout')),
  transferred  INTEGER NOT NULL DEFAULT 0 CHECK (transferred IN (0, 1)),  -- AgentComplete Reason: transfer
  UNIQUE (uniqueid, queue, entered_at)
);
CREATE INDEX queue_calls_entered ON queue_calls(entered_at);
CREATE INDEX queue_calls_linkedid ON queue_calls(linkedid);
CREATE INDEX queue_calls_open ON queue_calls(entered_at) WHERE outcome IS NULL OR ended_at IS NULL;

-- Where the fold reads detail by time (other domains' tables; additive indexes only).
CREATE INDEX IF NOT EXISTS agent_state_history_start ON agent_state_history(start_at);
CREATE INDEX IF NOT EXISTS dialer_calls_dialed ON dialer_calls(dialed_at);
CREATE INDEX IF NOT EXISTS call_transfers_at ON call_transfers(at);
CREATE INDEX IF NOT EXISTS call_surveys_at ON call_surveys(at);
-- Issue 8's desk records (0012): registrations and complaint tickets per agent.
CREATE INDEX IF NOT EXISTS registrations_at ON registrations(at);
CREATE INDEX IF NOT EXISTS tickets_created ON tickets(created_at);

-- Call measures. Dimension columns use '' / 0 for "none" so they can be part of the key.
-- bucket: UTC epoch seconds of the half-hour start; day: the center's local date of it.
CREATE TABLE rollup_calls_hh (
  bucket          INTEGER NOT NULL,
  day             TEXT NOT NULL,
  queue           TEXT NOT NULL,
  campaign_id     INTEGER NOT NULL,
  agent_id        INTEGER NOT NULL,
  team            TEXT NOT NULL,
  offered         INTEGER NOT NULL DEFAULT 0,
  answered        INTEGER NOT NULL DEFAULT 0,
  abandoned       INTEGER NOT NULL DEFAULT 0,
  short_abandoned INTEGER NOT NULL DEFAULT 0,
  timed_out       INTEGER NOT NULL DEFAULT 0,
  answered_in_sl  INTEGER NOT NULL DEFAULT 0,
  wait_answered_ms INTEGER NOT NULL DEFAULT 0,
  wait_abandoned_ms INTEGER NOT NULL DEFAULT 0,
  ring_ms         INTEGER NOT NULL DEFAULT 0,
  talk_ms         INTEGER NOT NULL DEFAULT 0,
  wrap_ms         INTEGER NOT NULL DEFAULT 0,  -- after-call work of answered queue calls (by linkedid)
  transfers       INTEGER NOT NULL DEFAULT 0,
  transfers_ok    INTEGER NOT NULL DEFAULT 0,
  surveys         INTEGER NOT NULL DEFAULT 0,
  satisfied       INTEGER NOT NULL DEFAULT 0,
  dials           INTEGER NOT NULL DEFAULT 0,
  live_answers    INTEGER NOT NULL DEFAULT 0,
  drops           INTEGER NOT NULL DEFAULT 0,
  connected       INTEGER NOT NULL DEFAULT 0,
  registrations   INTEGER NOT NULL DEFAULT 0,
  complaints      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, queue, campaign_id, agent_id, team)
) WITHOUT ROWID;
CREATE INDEX rollup_calls_hh_day ON rollup_calls_hh(day);

CREATE TABLE rollup_calls_day (
  day             TEXT NOT NULL,
  queue           TEXT NOT NULL,
  campaign_id     INTEGER NOT NULL,
  agent_id        INTEGER NOT NULL,
  team            TEXT NOT NULL,
  offered         INTEGER NOT NULL DEFAULT 0,
  answered        INTEGER NOT NULL DEFAULT 0,
  abandoned       INTEGER NOT NULL DEFAULT 0,
  short_abandoned INTEGER NOT NULL DEFAULT 0,
  timed_out       INTEGER NOT NULL DEFAULT 0,
  answered_in_sl  INTEGER NOT NULL DEFAULT 0,
  wait_answered_ms INTEGER NOT NULL DEFAULT 0,
  wait_abandoned_ms INTEGER NOT NULL DEFAULT 0,
  ring_ms         INTEGER NOT NULL DEFAULT 0,
  talk_ms         INTEGER NOT NULL DEFAULT 0,
  wrap_ms         INTEGER NOT NULL DEFAULT 0,  -- after-call work of answered queue calls (by linkedid)
  transfers       INTEGER NOT NULL DEFAULT 0,
  transfers_ok    INTEGER NOT NULL DEFAULT 0,
  surveys         INTEGER NOT NULL DEFAULT 0,
  satisfied       INTEGER NOT NULL DEFAULT 0,
  dials           INTEGER NOT NULL DEFAULT 0,
  live_answers    INTEGER NOT NULL DEFAULT 0,
  drops           INTEGER NOT NULL DEFAULT 0,
  connected       INTEGER NOT NULL DEFAULT 0,
  registrations   INTEGER NOT NULL DEFAULT 0,
  complaints      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, queue, campaign_id, agent_id, team)
) WITHOUT ROWID;

-- Agent state time: intervals of agent_state_history cut at half-hour edges (exact ms);
-- n = intervals that start in the bucket (talking: conversations; paused: pauses).
CREATE TABLE rollup_states_hh (
  bucket   INTEGER NOT NULL,
  day      TEXT NOT NULL,
  agent_id INTEGER NOT NULL,
  team     TEXT NOT NULL,
  state    TEXT NOT NULL,
  reason   TEXT NOT NULL,                  -- pause reason code, '' otherwise / none given
  ms       INTEGER NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (bucket, agent_id, team, state, reason)
) WITHOUT ROWID;
CREATE INDEX rollup_states_hh_day ON rollup_states_hh(day);

CREATE TABLE rollup_states_day (
  day      TEXT NOT NULL,
  agent_id INTEGER NOT NULL,
  team     TEXT NOT NULL,
  state    TEXT NOT NULL,
  reason   TEXT NOT NULL,
  ms       INTEGER NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (day, agent_id, team, state, reason)
) WITHOUT ROWID;

-- Per-dimension day and month sums (dim: agent | team | queue | campaign | center; key: the
-- agent id, team, queue, campaign id, or '' for the center), call measures and agent state
-- time side by side, re-summed from the day rollups by the fold. Day/week/month reports read
-- these: a year is 365 (or 12) rows per key instead of every queue × campaign × agent cell.
CREATE TABLE rollup_dim_day (
  dim             TEXT NOT NULL,
  key             TEXT NOT NULL,
  day             TEXT NOT NULL,
  offered         INTEGER NOT NULL DEFAULT 0,
  answered        INTEGER NOT NULL DEFAULT 0,
  abandoned       INTEGER NOT NULL DEFAULT 0,
  short_abandoned INTEGER NOT NULL DEFAULT 0,
  timed_out       INTEGER NOT NULL DEFAULT 0,
  answered_in_sl  INTEGER NOT NULL DEFAULT 0,
  wait_answered_ms INTEGER NOT NULL DEFAULT 0,
  wait_abandoned_ms INTEGER NOT NULL DEFAULT 0,
  ring_ms         INTEGER NOT NULL DEFAULT 0,
  talk_ms         INTEGER NOT NULL DEFAULT 0,
  wrap_ms         INTEGER NOT NULL DEFAULT 0,  -- after-call work of answered queue calls (by linkedid)
  transfers       INTEGER NOT NULL DEFAULT 0,
  transfers_ok    INTEGER NOT NULL DEFAULT 0,
  surveys         INTEGER NOT NULL DEFAULT 0,
  satisfied       INTEGER NOT NULL DEFAULT 0,
  dials           INTEGER NOT NULL DEFAULT 0,
  live_answers    INTEGER NOT NULL DEFAULT 0,
  drops           INTEGER NOT NULL DEFAULT 0,
  connected       INTEGER NOT NULL DEFAULT 0,
  registrations   INTEGER NOT NULL DEFAULT 0,
  complaints      INTEGER NOT NULL DEFAULT 0,
  ready_ms        INTEGER NOT NULL DEFAULT 0,
  ringing_ms      INTEGER NOT NULL DEFAULT 0,
  talking_ms      INTEGER NOT NULL DEFAULT 0,
  wrap_up_ms      INTEGER NOT NULL DEFAULT 0,
  paused_ms       INTEGER NOT NULL DEFAULT 0,
  ready_n         INTEGER NOT NULL DEFAULT 0,
  ringing_n       INTEGER NOT NULL DEFAULT 0,
  talking_n       INTEGER NOT NULL DEFAULT 0,
  wrap_up_n       INTEGER NOT NULL DEFAULT 0,
  paused_n        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dim, day, key)
) WITHOUT ROWID;
CREATE TABLE rollup_dim_month (
  dim             TEXT NOT NULL,
  key             TEXT NOT NULL,
  month           TEXT NOT NULL,                -- YYYY-MM
  offered         INTEGER NOT NULL DEFAULT 0,
  answered        INTEGER NOT NULL DEFAULT 0,
  abandoned       INTEGER NOT NULL DEFAULT 0,
  short_abandoned INTEGER NOT NULL DEFAULT 0,
  timed_out       INTEGER NOT NULL DEFAULT 0,
  answered_in_sl  INTEGER NOT NULL DEFAULT 0,
  wait_answered_ms INTEGER NOT NULL DEFAULT 0,
  wait_abandoned_ms INTEGER NOT NULL DEFAULT 0,
  ring_ms         INTEGER NOT NULL DEFAULT 0,
  talk_ms         INTEGER NOT NULL DEFAULT 0,
  wrap_ms         INTEGER NOT NULL DEFAULT 0,  -- after-call work of answered queue calls (by linkedid)
  transfers       INTEGER NOT NULL DEFAULT 0,
  transfers_ok    INTEGER NOT NULL DEFAULT 0,
  surveys         INTEGER NOT NULL DEFAULT 0,
  satisfied       INTEGER NOT NULL DEFAULT 0,
  dials           INTEGER NOT NULL DEFAULT 0,
  live_answers    INTEGER NOT NULL DEFAULT 0,
  drops           INTEGER NOT NULL DEFAULT 0,
  connected       INTEGER NOT NULL DEFAULT 0,
  registrations   INTEGER NOT NULL DEFAULT 0,
  complaints      INTEGER NOT NULL DEFAULT 0,
  ready_ms        INTEGER NOT NULL DEFAULT 0,
  ringing_ms      INTEGER NOT NULL DEFAULT 0,
  talking_ms      INTEGER NOT NULL DEFAULT 0,
  wrap_up_ms      INTEGER NOT NULL DEFAULT 0,
  paused_ms       INTEGER NOT NULL DEFAULT 0,
  ready_n         INTEGER NOT NULL DEFAULT 0,
  ringing_n       INTEGER NOT NULL DEFAULT 0,
  talking_n       INTEGER NOT NULL DEFAULT 0,
  wrap_up_n       INTEGER NOT NULL DEFAULT 0,
  paused_n        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dim, month, key)
) WITHOUT ROWID;
-- Pause time per reason per dimension key (agent, team, center).
CREATE TABLE rollup_pause_day (
  dim    TEXT NOT NULL,
  key    TEXT NOT NULL,
  day    TEXT NOT NULL,
  reason TEXT NOT NULL,
  ms     INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (dim, day, key, reason)
) WITHOUT ROWID;
CREATE TABLE rollup_pause_month (
  dim    TEXT NOT NULL,
  key    TEXT NOT NULL,
  month  TEXT NOT NULL,
  reason TEXT NOT NULL,
  ms     INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (dim, month, key, reason)
) WITHOUT ROWID;

-- Fold progress: everything before watermark (UTC epoch s, half-hour aligned) is in the
-- rollups; the parameters the rollups were built with (a change needs a rebuild).
CREATE TABLE report_fold_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  watermark   INTEGER NOT NULL,
  params_json TEXT NOT NULL CHECK (json_valid(params_json)),
  folded_at   TEXT NOT NULL
);

-- Targets shown against actuals. scope: center (key ''), team (team name), level (agent
-- level 1-10 as text), seniority ('senior': over one year of service, 'junior': newer).
-- Resolution for an agent: level, then team, then seniority, then center (docs/kpis.md).
CREATE TABLE report_targets (
  scope     TEXT NOT NULL CHECK (scope IN ('center', 'team', 'level', 'seniority')),
  scope_key TEXT NOT NULL,
  metric    TEXT NOT NULL,
  op        TEXT NOT NULL CHECK (op IN ('min', 'max')),
  value     REAL NOT NULL,
  PRIMARY KEY (scope, scope_key, metric)
) WITHOUT ROWID;
INSERT INTO report_targets (scope, scope_key, metric, op, value) VALUES
  ('center', '', 'answerRate', 'min', 0.96),
  ('center', '', 'transferRate', 'min', 0.865),
  ('center', '', 'satisfactionRate', 'min', 0.988),
  ('seniority', 'senior', 'avgTalkSeconds', 'max', 150),
  ('seniority', 'junior', 'avgTalkSeconds', 'max', 170);

-- Daily / weekly / monthly reports generated on schedule (node-cron) or by hand, kept: every
-- dimension's KPI report and the agents' daily comparison as one JSON document. Published runs
-- show each agent their own rows (the center posts each agent's monthly figures).
CREATE TABLE report_runs (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('daily', 'weekly', 'monthly')),
  period_from  TEXT NOT NULL,                 -- local dates, inclusive
  period_to    TEXT NOT NULL,
  trigger      TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  generated_at TEXT NOT NULL,
  json         TEXT NOT NULL CHECK (json_valid(json)),
  published_at TEXT,
  published_by TEXT,
  UNIQUE (kind, period_from)
);
