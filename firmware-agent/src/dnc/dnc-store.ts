// The center's internal do-not-call list (dnc_numbers). A number is blocked while its entry
// has not expired (expires_at NULL = for ever). Adding a number that is already listed keeps the
// longer block. Changes are audited by the caller (routes / lead queue) with the actor.
import type { Db } from '../db/database.js';

export const DNC_REASONS = ['refusal', 'opt_out', 'complaint', 'manual', 'import'] as const;
export type DncReason = (typeof DNC_REASONS)[number];

export interface DncEntry {
  phone: string;
  reason: DncReason;
  campaignId: number | null;
  note: string | null;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
}

interface Row {
  phone: string;
  reason: DncReason;
  campaign_id: number | null;
  note: string | null;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
}

const toEntry = (r: Row): DncEntry => ({ phone: r.phone, reason: r.reason, campaignId: r.campaign_id, note: r.note, createdAt: r.created_at, createdBy: r.created_by, expiresAt: r.expires_at });

export class DncError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400, readonly field?: string) {
    super(message);
  }
}

/** Digits only, national form: +86 / 0086 / 86 (13 digits mobile) prefixes dropped. */
export function normalizePhone(input: string): string | null {
  let d = input.replace(/[\s\-()（）]/g, '').replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (d.startsWith('+86')) d = d.slice(3);
  else if (d.startsWith('0086')) d = d.slice(4);
  else if (d.length === 13 && d.startsWith('861')) d = d.slice(2);
  if (!/^[0-9]{5,20}$/.test(d)) return null;
  return d;
}

/** Adds months in UTC calendar terms (a refusal on 2026-11-20 blocks until 2027-05-20). */
export function addMonths(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export class DncStore {
  constructor(private readonly db: Db) {}

  /** The active entry of a number at `now`, or null. */
  active(phone: string, now: Date): DncEntry | null {
    const r = this.db.prepare<[string, string], Row>('SELECT * FROM dnc_numbers WHERE phone = ? AND (expires_at IS NULL OR expires_at > ?)').get(phone, now.toISOString());
    return r ? toEntry(r) : null;
  }

  list(opts: { now: Date; includeExpired?: boolean; search?: string; limit?: number; offset?: number }): { total: number; entries: DncEntry[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (!opts.includeExpired) {
      where.push('(expires_at IS NULL OR expires_at > ?)');
      args.push(opts.now.toISOString());
    }
    if (opts.search) {
      where.push('phone LIKE ?');
      args.push(`%${opts.search.replace(/[^0-9]/g, '')}%`);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM dnc_numbers ${w}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM dnc_numbers ${w} ORDER BY created_at DESC, phone LIMIT ? OFFSET ?`).all(...args, opts.limit ?? 200, opts.offset ?? 0) as Row[];
    return { total, entries: rows.map(toEntry) };
  }

  /** Adds or extends a block (the longer of old and new wins; reason/note follow the newer block). */
  add(e: { phone: string; reason: DncReason; campaignId?: number | null; note?: string | null; createdBy?: string | null; expiresAt?: Date | null; now: Date }): DncEntry {
    const phone = normalizePhone(e.phone);
    if (!phone) throw new DncError('invalid_phone', `"${e.phone}" is not a phone number (digits, optionally +86)`, 400, 'phone');
    const expires = e.expiresAt ? e.expiresAt.toISOString() : null;
    if (expires && expires <= e.now.toISOString()) throw new DncError('invalid_expiry', 'expiry lies in the past', 400, 'expiresAt');
    const cur = this.db.prepare<[string], Row>('SELECT * FROM dnc_numbers WHERE phone = ?').get(phone);
    const curActive = cur && (cur.expires_at === null || cur.expires_at > e.now.toISOString());
    const keepOld = curActive && (cur.expires_at === null || (expires !== null && cur.expires_at >= expires));
    if (!keepOld) {
      this.db
        .prepare(
          `INSERT INTO dnc_numbers (phone, reason, campaign_id, note, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(phone) DO UPDATE SET reason = excluded.reason, campaign_id = excluded.campaign_id, note = excluded.note,
             created_at = excluded.created_at, created_by = excluded.created_by, expires_at = excluded.expires_at`,
        )
        .run(phone, e.reason, e.campaignId ?? null, e.note ?? null, e.now.toISOString(), e.createdBy ?? null, expires);
    }
    return toEntry(this.db.prepare<[string], Row>('SELECT * FROM dnc_numbers WHERE phone = ?').get(phone)!);
  }

  remove(phone: string): boolean {
    const p = normalizePhone(phone);
    if (!p) throw new DncError('invalid_phone', `"${phone}" is not a phone number`, 400, 'phone');
    return this.db.prepare('DELETE FROM dnc_numbers WHERE phone = ?').run(p).changes > 0;
  }

  /** Parses an import text without writing: numbers and refused lines (1-based). */
  check(text: string): { phones: string[]; invalid: Array<{ line: number; reason: string }> } {
    const invalid: Array<{ line: number; reason: string }> = [];
    const phones: string[] = [];
    text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
      const cell = raw.split(/[,;\t]/)[0]!.trim().replace(/^"|"$/g, '');
      if (!cell) return;
      const p = normalizePhone(cell);
      if (!p) {
        if (i === 0 && /[^\d+\s\-()]/.test(cell)) return; // header line
        invalid.push({ line: i + 1, reason: `"${cell.slice(0, 30)}" is not a phone number` });
      } else phones.push(p);
    });
    return { phones, invalid };
  }

  /** Import: one number per line (or CSV first column); valid numbers added in one transaction. */
  importText(text: string, opts: { reason: DncReason; note?: string | null; createdBy?: string | null; expiresAt?: Date | null; now: Date }): { added: number; invalid: Array<{ line: number; reason: string }> } {
    const { phones, invalid } = this.check(text);
    let added = 0;
    this.db.transaction(() => {
      for (const p of phones) {
        this.add({ phone: p, reason: opts.reason, note: opts.note ?? null, createdBy: opts.createdBy ?? null, expiresAt: opts.expiresAt ?? null, now: opts.now });
        added++;
      }
    })();
    return { added, invalid };
  }
}
