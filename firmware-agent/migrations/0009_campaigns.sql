-- Campaign custody, hand-overs, attempts, callbacks, consent list (campaigns/, leads/, dnc/).
-- See docs/leads.md.

-- A team (agents.team text) and the user who leads it. A team lead hands the team's leads to
-- its agents; managers may act for any team.
CREATE TABLE teams (
  name         TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
  lead_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX teams_lead ON teams(lead_user_id);

-- Where a lead is in the chain of custody: imported (not yet received by the data manager),
-- received (data manager), team (handed to a team), agent (handed to one agent).
ALTER TABLE leads ADD COLUMN custody TEXT NOT NULL DEFAULT 'imported' CHECK (custody IN ('imported', 'received', 'team', 'agent'));
ALTER TABLE leads ADD COLUMN team TEXT;
ALTER TABLE leads ADD COLUMN agent_id INTEGER REFERENCES agents(id) ON DELETE SET NULL;
-- The work lock: 'agent:<id>' or 'dialer'. One holder at a time; set only by an atomic UPDATE
-- ... WHERE claimed_by IS NULL, so no customer is worked twice at once.
ALTER TABLE leads ADD COLUMN claimed_by TEXT;
ALTER TABLE leads ADD COLUMN claimed_at TEXT;
ALTER TABLE leads ADD COLUMN disposition TEXT;
ALTER TABLE leads ADD COLUMN callback_at TEXT;
ALTER TABLE leads ADD COLUMN callback_scope TEXT CHECK (callback_scope IS NULL OR callback_scope IN ('personal', 'team'));
ALTER TABLE leads ADD COLUMN callback_reminded INTEGER NOT NULL DEFAULT 0;
CREATE INDEX leads_custody ON leads(campaign_id, custody, team, agent_id);
-- The queue's phases: an agent's new/retry leads in order, callbacks by time.
CREATE INDEX leads_agent_queue ON leads(campaign_id, agent_id, status, next_due_at);
CREATE INDEX leads_claimed_phone ON leads(phone) WHERE claimed_by IS NOT NULL;
CREATE INDEX leads_claimed_holder ON leads(claimed_by, campaign_id) WHERE claimed_by IS NOT NULL;
CREATE INDEX leads_callbacks ON leads(callback_at) WHERE callback_at IS NOT NULL;

-- The data manager's receipt of an imported list and its quality sample.
CREATE TABLE lead_list_custody (
  list_id           INTEGER PRIMARY KEY REFERENCES lead_lists(id) ON DELETE RESTRICT,
  received_at       TEXT NOT NULL,
  received_by       TEXT,
  sample_lead_ids   TEXT CHECK (sample_lead_ids IS NULL OR json_valid(sample_lead_ids)),
  sample_taken_at   TEXT,
  sample_result     TEXT CHECK (sample_result IS NULL OR sample_result IN ('pass', 'fail')),
  sample_bad        INTEGER,
  sample_note       TEXT,
  sample_checked_by TEXT,
  sample_checked_at TEXT
);

-- Every hand-over: who, from where, to where, how many, when; the leads in the items table.
CREATE TABLE lead_handovers (
  id          INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE RESTRICT,
  at          TEXT NOT NULL,
  by_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  by_username TEXT,
  kind        TEXT NOT NULL CHECK (kind IN ('receive', 'to_team', 'to_agent', 'return')),
  from_ref    TEXT,        -- 'data_manager' | 'team:<name>' | 'agent:<id>'
  to_ref      TEXT NOT NULL,
  count       INTEGER NOT NULL CHECK (count >= 0)
);
CREATE INDEX lead_handovers_campaign ON lead_handovers(campaign_id, at);
CREATE TABLE lead_handover_items (
  handover_id INTEGER NOT NULL REFERENCES lead_handovers(id) ON DELETE CASCADE,
  lead_id     INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  PRIMARY KEY (handover_id, lead_id)
) WITHOUT ROWID;
CREATE INDEX lead_handover_items_lead ON lead_handover_items(lead_id);

-- Every dial attempt and every disposition. No personal data: kept after destruction for counts.
-- local_day is the campaign's local calendar day (daily attempt cap).
CREATE TABLE lead_attempts (
  id          INTEGER PRIMARY KEY,
  lead_id     INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE RESTRICT,
  agent_id    INTEGER REFERENCES agents(id) ON DELETE SET NULL,
  at          TEXT NOT NULL,
  local_day   TEXT NOT NULL,
  outcome     TEXT NOT NULL,
  disposition TEXT,
  counts      INTEGER NOT NULL DEFAULT 1 CHECK (counts IN (0, 1)),  -- 0: a disposition after a counted dial
  source      TEXT NOT NULL CHECK (source IN ('agent', 'dialer')),
  linkedid    TEXT
);
CREATE INDEX lead_attempts_lead_day ON lead_attempts(lead_id, local_day);
CREATE INDEX lead_attempts_campaign ON lead_attempts(campaign_id, agent_id);

-- Consent / white list of a campaign: with the gate on, only these numbers are dialled.
-- Personal data: removed with the campaign's leads.
CREATE TABLE campaign_consent (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  phone       TEXT NOT NULL CHECK (phone NOT GLOB '*[^0-9]*'),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (campaign_id, phone)
) WITHOUT ROWID;

-- Counts kept after destruction (per list / agent / disposition), one JSON document per campaign.
CREATE TABLE campaign_destructions (
  campaign_id  INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE RESTRICT,
  at           TEXT NOT NULL,
  by_username  TEXT,
  leads        INTEGER NOT NULL,
  counts_json  TEXT NOT NULL CHECK (json_valid(counts_json)),
  verified     INTEGER NOT NULL DEFAULT 0
);
