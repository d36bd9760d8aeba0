-- Lead import (leads/import, docs/leads-import.md): the column mapping remembered per source
-- (vendor), uploaded files awaiting preview/confirmation, and one row per import attempt with
-- its exact report (refused rows with their physical line and reason).

-- The mapping a source's last confirmed import used; reused for its next file.
-- mapping_json: { "<header text>": "phone" | "name" | "address" | "note" | "gender" | "company" | "field" | "ignore" }
CREATE TABLE lead_import_mappings (
  source            TEXT PRIMARY KEY CHECK (length(source) BETWEEN 1 AND 64),
  mapping_json      TEXT NOT NULL CHECK (json_valid(mapping_json)),
  default_area_code TEXT CHECK (default_area_code IS NULL OR default_area_code GLOB '0[1-9]*'),
  updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_by        TEXT
);

-- An uploaded file (kept under DATA/leads-import/ until imported; deleted afterwards: it holds
-- personal data).
CREATE TABLE lead_import_uploads (
  id         INTEGER PRIMARY KEY,
  file_name  TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256     TEXT NOT NULL,
  encoding   TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'imported', 'discarded')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  created_by TEXT
);

-- One import attempt. status 'refused': all-or-nothing met a refused row, nothing was written.
CREATE TABLE lead_import_jobs (
  id                      INTEGER PRIMARY KEY,
  upload_id               INTEGER REFERENCES lead_import_uploads(id) ON DELETE SET NULL,
  campaign_id             INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE RESTRICT,
  list_id                 INTEGER REFERENCES lead_lists(id) ON DELETE SET NULL,
  source                  TEXT NOT NULL,
  file_name               TEXT NOT NULL,
  file_sha256             TEXT NOT NULL,
  encoding                TEXT NOT NULL,
  mode                    TEXT NOT NULL CHECK (mode IN ('all_or_nothing', 'valid_only')),
  status                  TEXT NOT NULL CHECK (status IN ('imported', 'refused', 'failed')),
  rows_total              INTEGER NOT NULL DEFAULT 0,
  rows_valid              INTEGER NOT NULL DEFAULT 0,   -- importable after file and campaign checks
  rows_imported           INTEGER NOT NULL DEFAULT 0,
  rows_invalid            INTEGER NOT NULL DEFAULT 0,
  rows_duplicate_file     INTEGER NOT NULL DEFAULT 0,
  rows_duplicate_campaign INTEGER NOT NULL DEFAULT 0,
  rows_dnc                INTEGER NOT NULL DEFAULT 0,
  refused_json            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(refused_json)),   -- [{line, code, reason}]
  error                   TEXT,
  duration_ms             INTEGER,
  created_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  created_by              TEXT
);
CREATE INDEX lead_import_jobs_campaign ON lead_import_jobs(campaign_id, id);
