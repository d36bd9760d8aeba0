-- SMS through a USB GSM modem (firmware-agent/src/sms/, docs/sms.md): templates per campaign,
-- bulk batches, the outbox with one row per message and one per SMS part (delivery reports
-- match the part's TP-MR), the inbox and the parts of incoming concatenated SMS.

-- A campaign's SMS text. body placeholders: {{name}}, {{phone}}, {{fields.<column>}}.
-- trigger manual: bulk sends only; after_call: queued when a call ends with one of dispositions.
CREATE TABLE sms_templates (
  id                INTEGER PRIMARY KEY,
  campaign_id       INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  body              TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  trigger           TEXT NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'after_call')),
  dispositions_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(dispositions_json)),
  enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  created_by        TEXT,
  updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (campaign_id, name)
);

-- One bulk send: a campaign, a template and the lead filter it was chosen with.
CREATE TABLE sms_batches (
  id          INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  template_id INTEGER REFERENCES sms_templates(id) ON DELETE SET NULL,
  filter_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filter_json)),
  state       TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'cancelled')),
  total       INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  created_by  TEXT,
  finished_at TEXT
);

-- One SMS to one number (1..n parts). phone: national digits as in leads.phone.
CREATE TABLE sms_messages (
  id              INTEGER PRIMARY KEY,
  batch_id        INTEGER REFERENCES sms_batches(id) ON DELETE CASCADE,
  template_id     INTEGER REFERENCES sms_templates(id) ON DELETE SET NULL,
  campaign_id     INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
  lead_id         INTEGER REFERENCES leads(id) ON DELETE SET NULL,
  phone           TEXT,
  body            TEXT NOT NULL,
  encoding        TEXT NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
  parts           INTEGER NOT NULL CHECK (parts >= 1),
  source          TEXT NOT NULL CHECK (source IN ('bulk', 'after_call', 'manual')),
  state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'skipped')),
  reason          TEXT,              -- skipped/failed/waiting: dnc, landline, no_phone, opt_out, cancelled, outside_hours, cms:<n>, report:<st> …
  cms_code        INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,              -- queued: not before (retry backoff, calling hours)
  created_at      TEXT NOT NULL,
  created_by      TEXT,
  sent_at         TEXT,
  delivered_at    TEXT,
  updated_at      TEXT NOT NULL
);
CREATE INDEX sms_messages_queue ON sms_messages(state, next_attempt_at, id);
CREATE INDEX sms_messages_batch ON sms_messages(batch_id, state);
CREATE INDEX sms_messages_phone ON sms_messages(phone, state);
CREATE INDEX sms_messages_lead ON sms_messages(lead_id, template_id);

-- One SMS part as the modem sent it: its TP-MR and the delivery report's status.
CREATE TABLE sms_parts (
  message_id  INTEGER NOT NULL REFERENCES sms_messages(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  ref         INTEGER NOT NULL CHECK (ref BETWEEN 0 AND 255),
  sent_at     TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'delivered', 'pending', 'failed')),
  status_code INTEGER,
  report_at   TEXT,
  PRIMARY KEY (message_id, seq)
) WITHOUT ROWID;
CREATE INDEX sms_parts_ref ON sms_parts(ref, sent_at);

-- Received SMS (whole: concatenated parts joined).
CREATE TABLE sms_inbox (
  id          INTEGER PRIMARY KEY,
  phone       TEXT NOT NULL,
  body        TEXT NOT NULL,
  received_at TEXT NOT NULL,       -- the service centre's time stamp
  stored_at   TEXT NOT NULL,
  parts       INTEGER NOT NULL DEFAULT 1,
  opt_out     INTEGER NOT NULL DEFAULT 0 CHECK (opt_out IN (0, 1)),
  lead_id     INTEGER REFERENCES leads(id) ON DELETE SET NULL,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL
);
CREATE INDEX sms_inbox_received ON sms_inbox(received_at);

-- Parts of incoming concatenated SMS until all have arrived (joined by sender + reference).
CREATE TABLE sms_incoming_parts (
  phone       TEXT NOT NULL,
  ref         INTEGER NOT NULL,
  total       INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  body        TEXT NOT NULL,
  received_at TEXT NOT NULL,
  stored_at   TEXT NOT NULL,
  PRIMARY KEY (phone, ref, total, seq)
) WITHOUT ROWID;
