-- Seats, trunks, outbound/inbound routes and telephony-card settings; the PBX model is built
-- from these tables (firmware-agent/src/pbx-model/). Names shown to people are free text;
-- what reaches Asterisk is derived (seat extension, "trunk-<id>") and validated again there.

CREATE TABLE seats (
  id            INTEGER PRIMARY KEY,
  -- 3-6 digits, not starting with 0 (operator), 1 (emergency/service numbers) or 9 (outside line).
  extension     TEXT NOT NULL UNIQUE CHECK (
                  length(extension) BETWEEN 3 AND 6
                  AND extension NOT GLOB '*[^0-9]*'
                  AND substr(extension, 1, 1) NOT IN ('0', '1', '9')),
  name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  kind          TEXT NOT NULL DEFAULT 'agent' CHECK (kind IN ('agent', 'team_lead', 'manager')),
  -- sip: a SIP phone registers with the secret; fxs: an analog phone on a card port (dahdi_ports).
  tech          TEXT NOT NULL DEFAULT 'sip' CHECK (tech IN ('sip', 'fxs')),
  secret        TEXT,                    -- SIP digest password; never returned by the API
  codecs        TEXT NOT NULL DEFAULT '["alaw","ulaw"]',   -- JSON list, preferred first
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  secret_set_at TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  CHECK ((tech = 'sip' AND secret IS NOT NULL) OR (tech = 'fxs' AND secret IS NULL))
);

CREATE TABLE trunks (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
  kind       TEXT NOT NULL CHECK (kind IN ('sip', 'fxo', 'e1')),
  enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  settings   TEXT NOT NULL,              -- JSON, per kind (trunks/schemas.ts)
  secret     TEXT,                       -- SIP trunk password; never returned by the API
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Analog card ports in use: an FXS port serves one seat, an FXO port is a line of one trunk.
-- One row per channel, so a port cannot be given out twice.
CREATE TABLE dahdi_ports (
  channel  INTEGER PRIMARY KEY CHECK (channel BETWEEN 1 AND 4096),
  span     INTEGER NOT NULL CHECK (span BETWEEN 1 AND 128),
  kind     TEXT NOT NULL CHECK (kind IN ('FXS', 'FXO')),
  seat_id  INTEGER UNIQUE REFERENCES seats(id) ON DELETE CASCADE,
  trunk_id INTEGER REFERENCES trunks(id) ON DELETE CASCADE,
  CHECK ((kind = 'FXS' AND seat_id IS NOT NULL AND trunk_id IS NULL) OR (kind = 'FXO' AND trunk_id IS NOT NULL AND seat_id IS NULL))
);
CREATE INDEX dahdi_ports_trunk ON dahdi_ports(trunk_id);

-- E1/T1 span line settings (PRI or MFC/R2); a configured span carries the calls of one trunk.
CREATE TABLE dahdi_spans (
  span       INTEGER PRIMARY KEY CHECK (span BETWEEN 1 AND 128),
  config     TEXT NOT NULL,              -- JSON (hardware-inventory/span-settings.ts)
  trunk_id   INTEGER REFERENCES trunks(id) ON DELETE SET NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE outbound_routes (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
  position   INTEGER NOT NULL,           -- first matching route wins
  patterns   TEXT NOT NULL,              -- JSON list of dial patterns (Asterisk syntax, no leading _)
  strip_digits INTEGER NOT NULL DEFAULT 0 CHECK (strip_digits BETWEEN 0 AND 20),
  prepend    TEXT NOT NULL DEFAULT '',
  enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Failover order: the route tries its trunks by position.
CREATE TABLE outbound_route_trunks (
  route_id INTEGER NOT NULL REFERENCES outbound_routes(id) ON DELETE CASCADE,
  trunk_id INTEGER NOT NULL REFERENCES trunks(id) ON DELETE RESTRICT,
  position INTEGER NOT NULL,
  PRIMARY KEY (route_id, trunk_id)
);
CREATE INDEX outbound_route_trunks_trunk ON outbound_route_trunks(trunk_id);

CREATE TABLE inbound_routes (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
  did         TEXT NOT NULL UNIQUE,      -- called number as the trunk delivers it; 'any' = every other number
  destination TEXT NOT NULL CHECK (destination IN ('seat', 'queue', 'hangup')),
  seat_id     INTEGER REFERENCES seats(id) ON DELETE RESTRICT,
  queue       TEXT,
  enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  CHECK ((destination = 'seat') = (seat_id IS NOT NULL)),
  CHECK ((destination = 'queue') = (queue IS NOT NULL))
);

-- Telephony-card events: span/port alarms raised and cleared, cards appearing or vanishing.
CREATE TABLE hardware_events (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  kind     TEXT NOT NULL CHECK (kind IN ('alarm_raised', 'alarm_changed', 'alarm_cleared', 'card_added', 'card_removed')),
  span     INTEGER,
  card     TEXT,
  alarms   TEXT,                         -- JSON list of alarm names (after the change)
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  message  TEXT NOT NULL
);
CREATE INDEX hardware_events_at ON hardware_events(at);
