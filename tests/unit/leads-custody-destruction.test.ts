// Destruction of an ended campaign: confirmation by name, counts kept, audit, and no personal
// data left in the raw bytes of seatbox.db and seatbox.db-wal (free pages and WAL included).
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAgent, addList, cleanup, env, type Env } from './campaigns-support.js';

let e: Env;
beforeEach(() => {
  e = env();
});
afterEach(() => {
  if (e.db.open) e.db.close();
  cleanup();
});

function rawBytes(dir: string): Buffer {
  const parts = ['seatbox.db', 'seatbox.db-wal'].map((f) => join(dir, f)).filter(existsSync).map((f) => readFileSync(f));
  return Buffer.concat(parts);
}

describe('destruction', () => {
  it('deletes phones, names, extensions, fields; keeps counts; the file and WAL hold none of them', () => {
    const a1 = addAgent(e.db, '801', 'A');
    const c = e.mod.campaigns.create({ name: '双十一' });
    const other = e.mod.campaigns.create({ name: 'Other' });
    const n = 400;
    const phones = Array.from({ length: n }, (_, i) => `1875${String(i * 37 + 1000001).slice(-7)}`);
    const names = Array.from({ length: n }, (_, i) => `销毁测试客户${String(i).padStart(3, '0')}`);
    const { listId } = addList(e.db, c.id, n, { phones, names });
    e.db.prepare(`UPDATE leads SET extension = '8' || substr(phone, -3), fields_json = json_object('company', '秘密公司' || id) WHERE campaign_id = ?`).run(c.id);
    // The same customer in a running campaign stays (not this campaign's data to destroy).
    addList(e.db, other.id, 1, { phones: [phones[5]!] });
    const now = e.clock.date;
    const dm = { userId: null, username: 'dm' };
    e.mod.custody.receive(listId, dm, now);
    e.mod.custody.drawSample(listId, 20, dm, now);
    e.mod.custody.handToTeam(c.id, { team: 'A' }, dm, now);
    e.mod.custody.handToAgents(c.id, 'A', { split: { agentIds: [a1] } }, dm, now);
    e.mod.campaigns.setStatus(c.id, 'active', now);
    const me = { agentId: a1, team: 'A' };
    // Work a few: a sale, a refusal (DNC: that number must stay on the DNC list), a busy.
    const sold = e.mod.queue.claimNext(c.id, me, now)!;
    e.mod.queue.record(sold.id, { outcome: 'connected', disposition: 'sale', agentId: a1, source: 'agent' }, now);
    const refused = e.mod.queue.claimNext(c.id, me, now)!;
    e.mod.queue.record(refused.id, { outcome: 'connected', disposition: 'refused', agentId: a1, source: 'agent' }, now);
    const busy = e.mod.queue.claimNext(c.id, me, now)!;
    e.mod.queue.record(busy.id, { outcome: 'busy', agentId: a1, source: 'agent' }, now);
    e.db.prepare(`INSERT INTO calls (linkedid, direction, state, from_num, to_num, created_at) VALUES ('x.1', 'outbound', 'ended', '8001', ?, ?)`).run('9' + busy.phone, now.toISOString());
    e.db.prepare('INSERT INTO campaign_consent (campaign_id, phone) VALUES (?, ?)').run(c.id, phones[7]);
    // The import report of the list quotes a refused row (a number one digit short).
    const refusedRow = '1875999888';
    e.db
      .prepare("INSERT INTO lead_import_jobs (campaign_id, list_id, source, file_name, file_sha256, encoding, mode, status, refused_json) VALUES (?, ?, 'vendor', 'a.csv', 'x', 'gbk', 'valid_only', 'imported', ?)")
      .run(c.id, listId, JSON.stringify([{ line: 9, code: 'invalid_phone', reason: `"${refusedRow}" has 10 digits` }]));

    // SMS to and from the campaign's customers (texts carry names): cleared with the leads.
    const at = now.toISOString();
    e.db.prepare("INSERT INTO sms_messages (campaign_id, lead_id, phone, body, encoding, parts, source, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'ucs2', 1, 'bulk', 'queued', ?, ?)").run(c.id, sold.id, phones[20], `${names[20]}您好，您的订单已确认`, at, at);
    e.db.prepare('INSERT INTO sms_inbox (phone, body, received_at, stored_at) VALUES (?, ?, ?, ?)').run(phones[21], `我是${names[21]}，请别再发了`, at, at);
    const gone = phones.filter((p) => p !== refused.phone && p !== phones[5]);
    const before = rawBytes(e.dir);
    // The check can fail: the numbers and names are in the file (or WAL) now.
    expect(gone.filter((p) => before.includes(p)).length).toBe(gone.length);
    expect(before.includes(Buffer.from(names[10]!))).toBe(true);
    expect(before.includes(refusedRow)).toBe(true);

    expect(() => e.mod.custody.destroy(c.id, '双十一', dm, now)).toThrow(/must be ended/);
    e.mod.campaigns.setStatus(c.id, 'ended', now);
    expect(() => e.mod.custody.destroy(c.id, '双十', dm, now)).toThrow(/type the campaign name exactly/);
    const r = e.mod.custody.destroy(c.id, '双十一', dm, now);
    expect(r).toMatchObject({ leads: n, remaining: 0, verified: true });
    expect(r.counts.perList).toEqual([{ listId, leads: n }]);
    expect(r.counts.perAgent).toEqual([{ agentId: a1, leads: n }]);
    expect(r.counts.perDisposition).toEqual(
      expect.arrayContaining([
        { disposition: 'sale', status: 'done', leads: 1 },
        { disposition: 'refused', status: 'dnc', leads: 1 },
        { disposition: null, status: 'retry', leads: 1 },
      ]),
    );

    const after = rawBytes(e.dir);
    expect(after.includes(refusedRow)).toBe(false);
    expect(existsSync(join(e.dir, 'seatbox.db-wal')) ? readFileSync(join(e.dir, 'seatbox.db-wal')).length : 0).toBe(0);
    expect(gone.filter((p) => after.includes(p))).toEqual([]);
    expect(names.filter((x) => after.includes(Buffer.from(x)))).toEqual([]);
    expect(after.includes(Buffer.from('秘密公司'))).toBe(false);
    // What legitimately stays: the refusal on the DNC list, the customer of the running campaign.
    expect(after.includes(refused.phone!)).toBe(true);
    expect(e.mod.dnc.active(refused.phone!, now)).not.toBeNull();
    expect(after.includes(phones[5]!)).toBe(true);

    // Rows and counts stay; personal columns are empty; the campaign is marked.
    expect(e.db.prepare(`SELECT count(*) AS n, count(phone) AS phones, count(name) AS names, count(extension) AS ext, sum(fields_json = '{}') AS empty FROM leads WHERE campaign_id = ?`).get(c.id)).toEqual({ n, phones: 0, names: 0, ext: 0, empty: n });
    expect(e.db.prepare('SELECT count(*) AS n FROM lead_attempts WHERE campaign_id = ?').get(c.id)).toEqual({ n: 3 });
    expect(e.mod.campaigns.require(c.id)).toMatchObject({ status: 'destroyed', destroyedBy: 'dm' });
    expect(e.mod.custody.destruction(c.id)).toMatchObject({ leads: n, verified: true });
    expect(e.db.prepare('SELECT to_num FROM calls').get()).toEqual({ to_num: '***' });
    expect(e.db.prepare('SELECT phone, body, state, reason FROM sms_messages').get()).toEqual({ phone: null, body: '[destroyed]', state: 'skipped', reason: 'destroyed' });
    expect(e.db.prepare('SELECT phone, body FROM sms_inbox').get()).toEqual({ phone: '***', body: '[destroyed]' });
    expect(() => e.mod.custody.destroy(c.id, '双十一', dm, now)).toThrow(/already destroyed/);
    // Destroyed leads explain themselves.
    expect(e.mod.queue.explain(e.mod.queue.requireLead(busy.id), now)).toMatchObject({ code: 'destroyed' });
  });

  it('says so when another connection keeps the WAL from being truncated (not verified)', () => {
    const c = e.mod.campaigns.create({ name: 'Held' });
    const phones = Array.from({ length: 50 }, (_, i) => `1865${String(i + 2000000).slice(-7)}`);
    addList(e.db, c.id, 50, { phones });
    e.mod.campaigns.setStatus(c.id, 'ended', e.clock.date);
    // A reader in another connection holds a snapshot from before the destruction.
    const other = new Database(join(e.dir, 'seatbox.db'));
    const rows = other.prepare('SELECT phone FROM leads').iterate();
    rows.next();
    try {
      const r = e.mod.custody.destroy(c.id, 'Held', { userId: null, username: 'dm' }, e.clock.date);
      expect(r.verified).toBe(false);
      expect(e.mod.custody.destruction(c.id)!.verified).toBe(false);
    } finally {
      rows.return?.();
      other.close();
    }
  }, 30_000);
});
