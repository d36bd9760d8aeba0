-- Agents (people), pause reasons, and the agent state record: login sessions and state
-- intervals. Seats are referenced by extension text (no foreign key into seats: a seat may
-- be renumbered or removed while its history must stay). See docs/agent-states.md.

CREATE TABLE agents (
  id              INTEGER PRIMARY KEY,
  -- 3-8 digits: typed on the phone after *21*.
  number          TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 3 AND 8 AND number NOT GLOB '*[^0-9]*'),
  name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  -- The web-UI account of the same person (an agent who signs in acts on themself).
  user_id         INTEGER UNIQUE REFERENCES users(id) ON DELETE SET NULL,
  level           INTEGER NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 10),
  team            TEXT CHECK (team IS NULL OR length(team) BETWEEN 1 AND 64),
  -- Phone PIN: argon2id for checks in the agent, salt + SHA1(salt || pin) for the dialplan (AstDB).
  pin_hash        TEXT,
  pin_salt        TEXT,
  pin_sha1        TEXT,
  pin_set_at      TEXT,
  -- NULL: the box-wide wrap-up time (setting agents.wrapUpSeconds).
  wrap_up_seconds INTEGER CHECK (wrap_up_seconds IS NULL OR wrap_up_seconds BETWEEN 0 AND 3600),
  active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  CHECK ((pin_hash IS NULL) = (pin_sha1 IS NULL) AND (pin_salt IS NULL) = (pin_sha1 IS NULL))
);

-- Pause reasons: the digit is what the agent dials after *23.
CREATE TABLE pause_reasons (
  code       TEXT PRIMARY KEY CHECK (length(code) = 1 AND code GLOB '[0-9]'),
  label_zh   TEXT NOT NULL CHECK (length(label_zh) BETWEEN 1 AND 32),
  label_en   TEXT NOT NULL CHECK (length(label_en) BETWEEN 1 AND 32),
  -- Paid pauses (training, meetings) count as work time in later reports.
  productive INTEGER NOT NULL DEFAULT 0 CHECK (productive IN (0, 1)),
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
INSERT INTO pause_reasons (code, label_zh, label_en, productive) VALUES
  ('1', '小休', 'Short break', 0),
  ('2', '用餐', 'Meal', 0),
  ('3', '培训', 'Training', 1),
  ('4', '会议', 'Meeting', 1),
  ('5', '后台工作', 'Back-office work', 1);

-- One row per login of an agent at a seat. While open it also holds what the agent asked
-- for after the current call (after_call*) and a running wrap-up's end, so a restarted
-- agent process continues exactly where it stopped.
CREATE TABLE agent_sessions (
  id                INTEGER PRIMARY KEY,
  agent_id          INTEGER NOT NULL REFERENCES agents(id) ON DELETE RESTRICT,
  seat              TEXT NOT NULL,
  login_at          TEXT NOT NULL,
  logout_at         TEXT,
  login_source      TEXT NOT NULL CHECK (login_source IN ('phone', 'ui')),
  logout_reason     TEXT CHECK (logout_reason IN ('agent', 'forced', 'displaced', 'moved', 'deactivated')),
  after_call        TEXT NOT NULL DEFAULT 'ready' CHECK (after_call IN ('ready', 'paused')),
  after_call_reason TEXT,
  wrap_up_ends_at   TEXT,
  CHECK (logout_at IS NULL OR logout_at >= login_at)
);
CREATE UNIQUE INDEX agent_sessions_open_agent ON agent_sessions(agent_id) WHERE logout_at IS NULL;
CREATE UNIQUE INDEX agent_sessions_open_seat ON agent_sessions(seat) WHERE logout_at IS NULL;
CREATE INDEX agent_sessions_login ON agent_sessions(agent_id, login_at);

-- The agent's states while logged in: consecutive intervals, each ending exactly where the
-- next begins (same timestamp text), covering login_at..logout_at of the session.
CREATE TABLE agent_state_history (
  id         INTEGER PRIMARY KEY,
  agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE RESTRICT,
  session_id INTEGER NOT NULL REFERENCES agent_sessions(id) ON DELETE RESTRICT,
  seat       TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('ready', 'ringing', 'talking', 'wrap_up', 'paused')),
  reason     TEXT,                       -- pause reason code (paused)
  linkedid   TEXT,                       -- the call (ringing, talking, wrap_up)
  start_at   TEXT NOT NULL,
  end_at     TEXT,
  CHECK (end_at IS NULL OR end_at >= start_at)
);
CREATE UNIQUE INDEX agent_state_history_open ON agent_state_history(agent_id) WHERE end_at IS NULL;
CREATE INDEX agent_state_history_agent ON agent_state_history(agent_id, start_at);
CREATE INDEX agent_state_history_session ON agent_state_history(session_id, start_at);
