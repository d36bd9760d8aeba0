-- Predictive dialer (dialer module, docs/dialer.md): every pacing decision that placed calls or
-- changed why the campaign is (not) dialing, and every dial with its outcome, so the drop rate
-- can be audited from the rows alone:
--   SELECT sum(dropped) * 1.0 / sum(live_answer) FROM dialer_calls
--   WHERE campaign_id = ? AND answered_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day');
CREATE TABLE dialer_decisions (
  id           INTEGER PRIMARY KEY,
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  at           TEXT NOT NULL,
  dials        INTEGER NOT NULL,
  placed       INTEGER NOT NULL,           -- dials actually placed (leads available)
  mode         TEXT NOT NULL CHECK (mode IN ('progressive', 'predictive')),
  why          TEXT,                       -- learning | cap_guard | configured (progressive)
  reason       TEXT,                       -- why not dialing (when placed = 0)
  ready        INTEGER NOT NULL,
  talking      INTEGER NOT NULL,
  wrap         INTEGER NOT NULL,
  paused       INTEGER NOT NULL,
  ringing      INTEGER NOT NULL,
  waiting      INTEGER NOT NULL,
  theta        REAL NOT NULL,
  answer_probability REAL NOT NULL,
  drops_24h    INTEGER NOT NULL,
  answers_24h  INTEGER NOT NULL
);
CREATE INDEX dialer_decisions_campaign ON dialer_decisions(campaign_id, at);

CREATE TABLE dialer_calls (
  id           INTEGER PRIMARY KEY,
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  lead_id      INTEGER,
  dialed_at    TEXT NOT NULL,
  answered_at  TEXT,
  connected_at TEXT,
  ended_at     TEXT,
  outcome      TEXT CHECK (outcome IS NULL OR outcome IN ('connected', 'dropped', 'busy', 'no_answer', 'unreachable', 'failed', 'machine')),
  live_answer  INTEGER NOT NULL DEFAULT 0 CHECK (live_answer IN (0, 1)),
  dropped      INTEGER NOT NULL DEFAULT 0 CHECK (dropped IN (0, 1)),
  -- AMD said machine but was not sure (AMDSTATUS NOTSURE): counted as a live answer and a drop.
  amd_suspect  INTEGER NOT NULL DEFAULT 0 CHECK (amd_suspect IN (0, 1)),
  ring_seconds REAL,
  agent_id     INTEGER,
  seat         TEXT,
  channel      TEXT
);
CREATE INDEX dialer_calls_campaign ON dialer_calls(campaign_id, answered_at);
