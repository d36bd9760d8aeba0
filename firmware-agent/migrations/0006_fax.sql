-- Fax inbox and outbox (issue: recording and fax). See docs/fax.md.

-- A received fax: the TIFF Asterisk wrote, the PDF made of it, and what T.30 reported.
CREATE TABLE fax_inbox (
  id INTEGER PRIMARY KEY,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL,                 -- received | failed
  error TEXT,                           -- FAXOPT(error) / conversion error
  remote_station TEXT,                  -- FAXOPT(remotestationid)
  pages INTEGER NOT NULL DEFAULT 0,
  rate INTEGER,                         -- bit/s
  resolution TEXT,                      -- e.g. 8040x7700
  duration_s INTEGER,
  caller_number TEXT,
  did TEXT,
  route TEXT NOT NULL,                  -- did | hotline | line | demo
  trunk TEXT,
  linkedid TEXT,
  uniqueid TEXT NOT NULL UNIQUE,
  tiff_file TEXT,                       -- relative to the fax dir
  pdf_file TEXT,
  read_at TEXT,
  read_by TEXT
);
CREATE INDEX fax_inbox_received ON fax_inbox(received_at);

-- An outbound fax job; attempts are retried with backoff until max_attempts.
CREATE TABLE fax_outbox (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  created_by TEXT,
  number TEXT NOT NULL,
  trunk TEXT NOT NULL,                  -- trunk id, or "pstn-sim" (demo)
  status TEXT NOT NULL,                 -- queued | converting | dialing | sending | sent | failed | cancelled
  error TEXT,
  pages INTEGER NOT NULL DEFAULT 0,
  cover INTEGER NOT NULL DEFAULT 0,
  cover_from TEXT,
  cover_to TEXT,
  cover_note TEXT,
  files TEXT NOT NULL,                  -- JSON: original file names
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  retry_interval_s INTEGER NOT NULL,
  next_attempt_at TEXT,                 -- when a queued retry may start
  last_result TEXT,                     -- BUSY, NOANSWER, CONGESTION, fax error…
  remote_station TEXT,
  rate INTEGER,
  pages_sent INTEGER,
  duration_s INTEGER,
  tiff_file TEXT,
  updated_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX fax_outbox_status ON fax_outbox(status);

-- Inbound routes may send a DID to the fax receiver: the destination CHECK gains 'fax'
-- (SQLite cannot alter a CHECK: the table is rebuilt, rows and ids kept).
CREATE TABLE inbound_routes_new (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
  did         TEXT NOT NULL UNIQUE,      -- called number as the trunk delivers it; 'any' = every other number
  destination TEXT NOT NULL CHECK (destination IN ('seat', 'queue', 'hangup', 'fax')),
  seat_id     INTEGER REFERENCES seats(id) ON DELETE RESTRICT,
  queue       TEXT,
  enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  CHECK ((destination = 'seat') = (seat_id IS NOT NULL)),
  CHECK ((destination = 'queue') = (queue IS NOT NULL))
);
INSERT INTO inbound_routes_new (id, name, did, destination, seat_id, queue, enabled, created_at, updated_at)
  SELECT id, name, did, destination, seat_id, queue, enabled, created_at, updated_at FROM inbound_routes;
DROP TABLE inbound_routes;
ALTER TABLE inbound_routes_new RENAME TO inbound_routes;
