-- The inbound hotline: IVR / business hours / queues as validated JSON documents (edited in
-- Inbound → IVR and Inbound → Queues, mapped into the PBX model), prompts (uploaded or TTS),
-- callback tasks, survey scores, monitoring sessions and transfers per call. See docs/hotline.md.

-- One row per document kind; the JSON is the last version that passed validation.
CREATE TABLE hotline_documents (
  kind       TEXT PRIMARY KEY CHECK (kind IN ('ivr', 'queues', 'monitoring')),
  json       TEXT NOT NULL CHECK (json_valid(json)),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_by TEXT
);

-- Prompts: 8 kHz mono 16-bit WAV files under the instance's lib dir (sounds/seatbox/<name>.wav).
CREATE TABLE prompts (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40 AND name NOT GLOB '*[^a-z0-9_-]*'),
  source      TEXT NOT NULL CHECK (source IN ('upload', 'tts')),
  -- TTS: language and text (regenerated when the text changes); upload: the original file name.
  lang        TEXT CHECK (lang IS NULL OR lang IN ('zh', 'en')),
  text        TEXT CHECK (text IS NULL OR length(text) BETWEEN 1 AND 1000),
  original    TEXT,
  duration_ms INTEGER NOT NULL CHECK (duration_ms > 0),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  CHECK (source <> 'tts' OR (lang IS NOT NULL AND text IS NOT NULL))
);

-- Callback requests: from the IVR / queue (SeatBoxCallback UserEvent) or entered by hand.
CREATE TABLE callbacks (
  id            INTEGER PRIMARY KEY,
  number        TEXT NOT NULL CHECK (length(number) BETWEEN 3 AND 20 AND number NOT GLOB '*[^0-9+]*'),
  queue         TEXT,
  linkedid      TEXT,
  source        TEXT NOT NULL CHECK (source IN ('ivr', 'manual')),
  -- When the caller wants to be called (NULL: as soon as possible).
  requested_for TEXT,
  note          TEXT CHECK (note IS NULL OR length(note) <= 500),
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dialing', 'done')),
  outcome       TEXT CHECK (outcome IS NULL OR outcome IN ('reached', 'no_answer', 'busy', 'wrong_number', 'cancelled')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_dialed_at TEXT,
  last_dialed_by TEXT,
  last_seat     TEXT,
  created_at    TEXT NOT NULL,
  closed_at     TEXT,
  CHECK ((status = 'done') = (outcome IS NOT NULL))
);
CREATE INDEX callbacks_open ON callbacks(status, requested_for) WHERE status <> 'done';
-- One IVR request per call (the UserEvent may be repeated after an AMI reconnect).
CREATE UNIQUE INDEX callbacks_linkedid ON callbacks(linkedid) WHERE linkedid IS NOT NULL;

-- Post-call satisfaction survey (SeatBoxSurvey UserEvent), keyed by the call's linkedid
-- (no foreign key: the event may arrive before the call record is written).
CREATE TABLE call_surveys (
  linkedid TEXT PRIMARY KEY,
  score    INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  at       TEXT NOT NULL
);

-- Listen / whisper / barge sessions of team leads (SeatBoxMonitor UserEvents).
CREATE TABLE monitor_sessions (
  id          INTEGER PRIMARY KEY,
  lead_seat   TEXT NOT NULL,
  target_seat TEXT NOT NULL,
  mode        TEXT NOT NULL CHECK (mode IN ('listen', 'whisper', 'barge')),
  user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
  username    TEXT,
  channel     TEXT,
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX monitor_sessions_open ON monitor_sessions(lead_seat) WHERE ended_at IS NULL;

-- Transfers (AMI BlindTransfer / AttendedTransfer), per call, for the transfer rate.
CREATE TABLE call_transfers (
  id         INTEGER PRIMARY KEY,
  linkedid   TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('blind', 'attended')),
  result     TEXT NOT NULL,
  transferer TEXT,
  target     TEXT,
  at         TEXT NOT NULL
);
CREATE INDEX call_transfers_linkedid ON call_transfers(linkedid);
