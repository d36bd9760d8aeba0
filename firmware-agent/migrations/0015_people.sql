-- People (issue 10): agent levels, joining date, career stage, service/telesales line,
-- promotion records, and a history marker for users. See docs/people.md.

-- joined_at: the date the person joined (YYYY-MM-DD); seniority reports should read this
-- instead of agents.created_at (the row's creation is not the hire date for imported staff).
ALTER TABLE agents ADD COLUMN joined_at TEXT CHECK (joined_at IS NULL OR joined_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
UPDATE agents SET joined_at = substr(created_at, 1, 10);
-- New agents (created by the agents module, which does not know this column) join today
-- unless someone sets the real date.
CREATE TRIGGER agents_joined_at_default AFTER INSERT ON agents WHEN NEW.joined_at IS NULL
BEGIN
  UPDATE agents SET joined_at = substr(NEW.created_at, 1, 10) WHERE id = NEW.id;
END;
ALTER TABLE agents ADD COLUMN grade TEXT NOT NULL DEFAULT 'junior' CHECK (grade IN ('junior','intermediate','senior'));
-- service: inbound hotline agents (lead ratio 1:10); telesales: outbound (lead ratio 1:5).
ALTER TABLE agents ADD COLUMN line TEXT NOT NULL DEFAULT 'telesales' CHECK (line IN ('service','telesales'));

-- Career stage per user (one row per user who has one); agents without a user have no stage.
CREATE TABLE career_stages (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  stage      TEXT NOT NULL CHECK (stage IN ('trainee','agent','senior','supervisor','team_lead','manager','qa','trainer')),
  since      TEXT NOT NULL
);

CREATE TABLE promotions (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  from_stage  TEXT NOT NULL,
  to_stage    TEXT NOT NULL,
  at          TEXT NOT NULL,              -- effective date YYYY-MM-DD
  by_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  by_username TEXT,
  note        TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX promotions_user ON promotions(user_id, at);
