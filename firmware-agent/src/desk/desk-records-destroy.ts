// A campaign's destruction (leads/custody.ts) also clears the desk records' personal data:
// registration values, ticket customer names, numbers and texts; the rows (and so the counts)
// stay. Runs inside custody's destruction transaction, while temp.destroyed_phones holds the
// destroyed numbers: tickets and threats of those numbers lose the number, as call records do.
// (Threat recordings stay evidence; identity checks never stored typed values.)
import type { Db } from '../db/database.js';

export const DESTROYED_TEXT = '[destroyed]';

export function destroyDeskRecords(db: Db, campaignId: number, at: string): { registrations: number; tickets: number } {
  const registrations = db.prepare("UPDATE registrations SET values_json = '{}', customer_phone = NULL, destroyed_at = ? WHERE campaign_id = ? AND destroyed_at IS NULL").run(at, campaignId).changes;
  const tickets = db
    .prepare('UPDATE tickets SET caller_number = NULL, customer_name = NULL, description = ?, request = NULL, destroyed_at = ? WHERE campaign_id = ? AND destroyed_at IS NULL')
    .run(DESTROYED_TEXT, at, campaignId).changes;
  db.prepare('UPDATE ticket_followups SET note = ? WHERE ticket_id IN (SELECT id FROM tickets WHERE campaign_id = ?)').run(DESTROYED_TEXT, campaignId);
  const hit = (col: string) => `(${col} IN (SELECT phone FROM temp.destroyed_phones) OR substr(${col}, 2) IN (SELECT phone FROM temp.destroyed_phones) OR substr(${col}, 3) IN (SELECT phone FROM temp.destroyed_phones))`;
  const hasTemp = !!db.prepare("SELECT 1 FROM temp.sqlite_master WHERE name = 'destroyed_phones'").get();
  if (hasTemp) {
    db.exec(`UPDATE tickets SET caller_number = '***' WHERE caller_number IS NOT NULL AND ${hit('caller_number')}`);
    db.exec(`UPDATE desk_threats SET caller_number = '***' WHERE caller_number IS NOT NULL AND ${hit('caller_number')}`);
  }
  return { registrations, tickets };
}
