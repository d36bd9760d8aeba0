-- Foundation schema: people, sessions, audit, settings, call records.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,              -- JSON
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE users (
  id                   INTEGER PRIMARY KEY,
  username             TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name         TEXT NOT NULL,
  password_hash        TEXT NOT NULL,     -- argon2id encoded string
  language             TEXT NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN','en')),
  disabled             INTEGER NOT NULL DEFAULT 0,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role    TEXT NOT NULL CHECK (role IN ('admin','manager','team_lead','qa','trainer','agent','technician','data_manager')),
  PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,            -- sha256 of the cookie token; the token itself is never stored
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ip         TEXT,
  user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  username TEXT,                          -- kept even if the user is deleted
  action   TEXT NOT NULL,
  target   TEXT,
  detail   TEXT,                          -- JSON
  ip       TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);

-- One row per call (Asterisk linkedid) ...
CREATE TABLE calls (
  linkedid    TEXT PRIMARY KEY,
  direction   TEXT NOT NULL DEFAULT 'internal' CHECK (direction IN ('inbound','outbound','internal')),
  state       TEXT NOT NULL CHECK (state IN ('ringing','answered','bridged','ended')),
  from_num    TEXT,
  to_num      TEXT,
  created_at  TEXT NOT NULL,
  answered_at TEXT,
  bridged_at  TEXT,
  ended_at    TEXT,
  cause       INTEGER,                    -- Q.850 cause of the first leg's hangup
  cause_txt   TEXT,
  end_reason  TEXT                        -- hangup | pbx_restart | missing_on_resync
);
CREATE INDEX calls_created ON calls(created_at);
CREATE INDEX calls_open ON calls(state) WHERE state <> 'ended';

-- ... and one row per leg (channel).
CREATE TABLE call_legs (
  uniqueid     TEXT PRIMARY KEY,
  linkedid     TEXT NOT NULL REFERENCES calls(linkedid) ON DELETE CASCADE,
  channel      TEXT NOT NULL,
  endpoint     TEXT,                      -- e.g. PJSIP/8001, Local/100@ctx
  caller_num   TEXT,
  caller_name  TEXT,
  connected_num TEXT,
  context      TEXT,
  exten        TEXT,
  state        TEXT NOT NULL,             -- Asterisk ChannelStateDesc, or Hungup
  created_at   TEXT NOT NULL,
  ringing_at   TEXT,
  answered_at  TEXT,
  bridged_at   TEXT,
  bridge_id    TEXT,
  hungup_at    TEXT,
  cause        INTEGER,
  cause_txt    TEXT
);
CREATE INDEX call_legs_linkedid ON call_legs(linkedid);
CREATE INDEX call_legs_open ON call_legs(hungup_at) WHERE hungup_at IS NULL;

CREATE TABLE config_applies (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  revision TEXT NOT NULL,
  ok       INTEGER NOT NULL,
  changed  TEXT,                          -- JSON list of files
  error    TEXT,
  rolled_back INTEGER NOT NULL DEFAULT 0
);
