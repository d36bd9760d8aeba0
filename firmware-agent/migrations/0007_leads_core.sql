-- Leads and campaigns: the tables shared by import (leads/import), custody and the lead
-- queue (leads/, campaigns/) and the dialer. Later migrations extend them. See docs/leads.md.

-- A campaign: what its leads are called for and the rules of calling them. Rules that are
-- one document (calling hours, retry rules, dispositions, script …) live in settings_json,
-- validated by the campaigns module's TypeBox schema.
CREATE TABLE campaigns (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'ended', 'destroyed')),
  dial_mode     TEXT NOT NULL DEFAULT 'preview' CHECK (dial_mode IN ('preview', 'progressive', 'predictive')),
  settings_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings_json)),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  created_by    TEXT,
  ended_at      TEXT,
  destroyed_at  TEXT,
  destroyed_by  TEXT
);

-- One purchased/imported file (or part of one) in a campaign.
CREATE TABLE lead_lists (
  id             INTEGER PRIMARY KEY,
  campaign_id    INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE RESTRICT,
  source         TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 64),   -- vendor / origin
  file_name      TEXT NOT NULL,
  file_sha256    TEXT NOT NULL,
  encoding       TEXT NOT NULL,
  imported_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  imported_by    TEXT,
  rows_total     INTEGER NOT NULL DEFAULT 0,
  rows_imported  INTEGER NOT NULL DEFAULT 0,
  rows_invalid   INTEGER NOT NULL DEFAULT 0,
  rows_duplicate INTEGER NOT NULL DEFAULT 0,
  rows_dnc       INTEGER NOT NULL DEFAULT 0
);

-- One person to call. phone is normalised: digits only, national form as dialled in China
-- (mobile 1xxxxxxxxxx; landline 0 + area code + number), extension apart. Personal fields are
-- NULLed when the campaign's leads are destroyed; the row and its counts stay.
CREATE TABLE leads (
  id           INTEGER PRIMARY KEY,
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE RESTRICT,
  list_id      INTEGER NOT NULL REFERENCES lead_lists(id) ON DELETE RESTRICT,
  source_line  INTEGER NOT NULL,                      -- physical line in the imported file
  phone        TEXT CHECK (phone IS NULL OR phone NOT GLOB '*[^0-9]*'),
  phone_kind   TEXT CHECK (phone_kind IN ('mobile', 'landline')),
  area_code    TEXT,
  extension    TEXT,
  name         TEXT,
  fields_json  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(fields_json)),   -- other mapped columns
  status       TEXT NOT NULL DEFAULT 'new',           -- owned by the campaigns module
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_outcome TEXT,
  last_attempt_at TEXT,
  next_due_at  TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  destroyed_at TEXT
);
-- One number once per campaign (duplicates against the campaign are refused at import).
CREATE UNIQUE INDEX leads_campaign_phone ON leads(campaign_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX leads_list ON leads(list_id);
CREATE INDEX leads_due ON leads(campaign_id, status, next_due_at);

-- The center's own do-not-call list. expires_at NULL = for ever.
CREATE TABLE dnc_numbers (
  phone       TEXT PRIMARY KEY CHECK (phone NOT GLOB '*[^0-9]*'),
  reason      TEXT NOT NULL CHECK (reason IN ('refusal', 'opt_out', 'complaint', 'manual', 'import')),
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  note        TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  created_by  TEXT,
  expires_at  TEXT
);
