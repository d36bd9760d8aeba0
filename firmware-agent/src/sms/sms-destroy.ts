// A campaign's destruction (leads/custody.ts) also clears what SMS kept of its customers:
// the numbers and texts of its messages (texts carry names and fields), and the replies of the
// destroyed numbers. Rows stay (counts, states, delivery figures). Runs inside custody's
// destruction transaction while temp.destroyed_phones holds the destroyed numbers. Opt-out
// entries on the do-not-call list stay: honouring them is the law, not campaign data.
import type { Db } from '../db/database.js';

export const SMS_DESTROYED_TEXT = '[destroyed]';

export function destroySmsRecords(db: Db, campaignId: number, at: string): { messages: number; replies: number } {
  // Queued messages of a destroyed campaign must never go out.
  db.prepare("UPDATE sms_messages SET state = 'skipped', reason = 'destroyed', updated_at = ? WHERE campaign_id = ? AND state IN ('queued', 'sending')").run(at, campaignId);
  const messages = db.prepare('UPDATE sms_messages SET phone = NULL, body = ? WHERE campaign_id = ? AND (phone IS NOT NULL OR body <> ?)').run(SMS_DESTROYED_TEXT, campaignId, SMS_DESTROYED_TEXT).changes;
  let replies = db.prepare("UPDATE sms_inbox SET phone = '***', body = ? WHERE campaign_id = ? AND phone <> '***'").run(SMS_DESTROYED_TEXT, campaignId).changes;
  const hasTemp = !!db.prepare("SELECT 1 FROM temp.sqlite_master WHERE name = 'destroyed_phones'").get();
  if (hasTemp) {
    replies += db.prepare("UPDATE sms_inbox SET phone = '***', body = ? WHERE phone IN (SELECT phone FROM temp.destroyed_phones)").run(SMS_DESTROYED_TEXT).changes;
    db.exec('DELETE FROM sms_incoming_parts WHERE phone IN (SELECT phone FROM temp.destroyed_phones)');
  }
  return { messages, replies };
}
