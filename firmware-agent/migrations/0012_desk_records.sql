-- Desk records (docs/desk-records.md): identity checks, threat calls, complaint tickets,
-- registrations / order entry. Personal data of tickets and registrations is cleared by a
-- campaign's destruction (leads/custody.ts → desk/desk-records-destroy.ts); the rows stay.

-- One row per identity check attempt. The typed name and ID number are never stored.
CREATE TABLE identity_checks (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  linkedid    TEXT NOT NULL,
  lead_id     INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  campaign_id INTEGER,
  agent_id    INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
  username    TEXT,
  result      TEXT NOT NULL CHECK (result IN ('verified', 'mismatch', 'locked')),
  mismatch    TEXT CHECK (mismatch IS NULL OR mismatch IN ('name', 'id', 'both'))
);
CREATE INDEX identity_checks_call ON identity_checks(linkedid, lead_id);
CREATE INDEX identity_checks_at ON identity_checks(at);

-- Threat calls: the details as the server knew them when the agent pressed the button.
CREATE TABLE desk_threats (
  id             INTEGER PRIMARY KEY,
  at             TEXT NOT NULL,
  agent_id       INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  user_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
  username       TEXT,
  team           TEXT,
  seat           TEXT,
  caller_number  TEXT,
  linkedid       TEXT,
  notes          TEXT NOT NULL DEFAULT '',
  acknowledged_at TEXT,
  acknowledged_by TEXT,
  acknowledged_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX threats_at ON desk_threats(at);
CREATE INDEX threats_linkedid ON desk_threats(linkedid);

CREATE TABLE threat_notes (
  id        INTEGER PRIMARY KEY,
  threat_id INTEGER NOT NULL REFERENCES desk_threats(id) ON DELETE CASCADE,
  at        TEXT NOT NULL,
  user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  username  TEXT,
  note      TEXT NOT NULL
);
CREATE INDEX threat_notes_threat ON threat_notes(threat_id);

-- Complaint tickets (投诉) and their follow-ups by the team lead / manager.
CREATE TABLE tickets (
  id                 INTEGER PRIMARY KEY,
  created_at         TEXT NOT NULL,
  created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_by         TEXT,
  agent_id           INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  team               TEXT,
  lead_id            INTEGER REFERENCES leads(id) ON DELETE SET NULL,
  campaign_id        INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  linkedid           TEXT,
  caller_number      TEXT,
  customer_name      TEXT,
  category           TEXT NOT NULL CHECK (category IN ('service', 'product', 'billing', 'agent_conduct', 'other')),
  severity           TEXT NOT NULL CHECK (severity IN ('normal', 'urgent')),
  description        TEXT NOT NULL,
  request            TEXT,
  status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
  assignee_user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  due_at             TEXT NOT NULL,
  resolved_at        TEXT,
  closed_at          TEXT,
  updated_at         TEXT NOT NULL,
  destroyed_at       TEXT
);
CREATE INDEX tickets_status ON tickets(status, due_at);
CREATE INDEX tickets_team ON tickets(team, status);
CREATE INDEX tickets_creator ON tickets(created_by_user_id);
CREATE INDEX tickets_campaign ON tickets(campaign_id);
CREATE INDEX tickets_caller ON tickets(caller_number);

CREATE TABLE ticket_followups (
  id           INTEGER PRIMARY KEY,
  ticket_id    INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  at           TEXT NOT NULL,
  user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
  username     TEXT,
  note         TEXT NOT NULL,
  contact_made INTEGER NOT NULL DEFAULT 0 CHECK (contact_made IN (0, 1)),
  from_status  TEXT NOT NULL,
  to_status    TEXT NOT NULL
);
CREATE INDEX ticket_followups_ticket ON ticket_followups(ticket_id);

-- Registrations / orders entered on the desk with the campaign's form.
CREATE TABLE registrations (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  lead_id      INTEGER REFERENCES leads(id) ON DELETE SET NULL,
  linkedid     TEXT,
  customer_phone TEXT,                       -- the lead's number then (the desk's contact history finds it)
  agent_id     INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
  username     TEXT,
  values_json  TEXT NOT NULL,
  destroyed_at TEXT
);
CREATE INDEX registrations_campaign ON registrations(campaign_id, at);
CREATE INDEX registrations_agent ON registrations(agent_id, at);
CREATE INDEX registrations_phone ON registrations(customer_phone);
