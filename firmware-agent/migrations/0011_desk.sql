-- Agent desktop core (docs/agent-desktop.md): the disposition hold after a call, the agent's
-- notes, click-to-dial calls and the campaign an agent works from the desktop.

-- One row per talked desktop call that needs a disposition. Open (done_at NULL) rows hold the
-- agent in wrap-up (agents/engine.ts wrapUpHold): kept here so a restart keeps the hold.
CREATE TABLE desk_wrapups (
  id          INTEGER PRIMARY KEY,
  agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  linkedid    TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('dialer', 'manual', 'inbound')),
  lead_id     INTEGER REFERENCES leads(id) ON DELETE SET NULL,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  number      TEXT,
  answered_at TEXT NOT NULL,
  -- the call's end (wrap-up start) and the wrap-up timer's planned end
  ended_at    TEXT,
  ends_at     TEXT,
  done_at     TEXT,
  disposition TEXT,
  UNIQUE (agent_id, linkedid)
);
CREATE INDEX desk_wrapups_open ON desk_wrapups(agent_id) WHERE done_at IS NULL;

-- Dispositions and notes written at the desktop (with the call and the lead).
CREATE TABLE desk_notes (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
  linkedid    TEXT,
  lead_id     INTEGER REFERENCES leads(id) ON DELETE SET NULL,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  number      TEXT,
  disposition TEXT,
  notes       TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
  callback_at TEXT
);
CREATE INDEX desk_notes_lead ON desk_notes(lead_id);
CREATE INDEX desk_notes_number ON desk_notes(number);
CREATE INDEX desk_notes_agent ON desk_notes(agent_id, at);

-- Click-to-dial calls: the agent's seat rings first, then the customer is dialled.
CREATE TABLE desk_calls (
  id          INTEGER PRIMARY KEY,
  agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  seat        TEXT NOT NULL,
  lead_id     INTEGER REFERENCES leads(id) ON DELETE SET NULL,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  number      TEXT NOT NULL,
  linkedid    TEXT,
  started_at  TEXT NOT NULL,
  answered_at TEXT,
  ended_at    TEXT,
  -- DIALSTATUS of the customer leg (ANSWER, BUSY, NOANSWER …) or 'seat_unanswered'
  status      TEXT
);
CREATE INDEX desk_calls_agent ON desk_calls(agent_id, started_at);

-- The campaign an agent works at the desktop (preview / click-to-dial), kept across logins.
CREATE TABLE desk_agent_campaign (
  agent_id    INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  updated_at  TEXT NOT NULL
);

-- Sessions started from the agent desktop (POST /desk/login): only these get the disposition
-- hold (a login from the Agents page or the phone does not).
CREATE TABLE desk_sessions (
  session_id INTEGER PRIMARY KEY REFERENCES agent_sessions(id) ON DELETE CASCADE,
  agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  at         TEXT NOT NULL
);
