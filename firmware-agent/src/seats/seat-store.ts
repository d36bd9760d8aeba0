// Seats in SQLite, and the checks that give a clear message per seat before anything is
// stored. Everything here is synchronous: it runs inside the change runner's transactions.
import { randomInt } from 'node:crypto';
import type { Db } from '../db/database.js';
import { badInput, conflict } from '../pbx-model/errors.js';
import type { SeatKind, SeatTech } from './schemas.js';

/** Same rule as the PBX model's seat extension (3-6 digits, not 0/1/9 first). */
export const EXTENSION_RE = /^[2-8][0-9]{2,5}$/;
export const SEAT_CODECS = ['alaw', 'ulaw', 'g722', 'gsm'] as const;
export const DEFAULT_SEAT_CODECS = ['alaw', 'ulaw'];
export const MAX_SEATS = 256;

// No 0/O, 1/l/I: technicians type these into phone web pages and keypads.
const SECRET_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const SECRET_LENGTH = 24;

/** A SIP digest secret: 24 characters from a 57-letter alphabet (≈140 bits), crypto RNG. */
export function generateSeatSecret(length = SECRET_LENGTH): string {
  let s = '';
  for (let i = 0; i < length; i++) s += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return s;
}

export function checkExtension(ext: string, field = 'extension'): string {
  if (!EXTENSION_RE.test(ext)) {
    const why = !/^[0-9]+$/.test(ext)
      ? 'must contain digits only'
      : ext.length < 3 || ext.length > 6
        ? 'must have 3-6 digits'
        : `must not start with ${ext[0]} (0 is the long-distance prefix, 1 starts mobile and emergency numbers, 9 is the outside-line prefix)`;
    throw badInput(`extension "${ext}" ${why}`, field);
  }
  return ext;
}

/** Display names reach caller-ID fields and config files: no quotes, <>, backslash, ';' or control characters. */
export function checkDisplayName(name: string, what: string, field = 'name'): string {
  const n = name.trim();
  if (n.length === 0) throw badInput(`${what}: name is required`, field);
  if (n.length > 64) throw badInput(`${what}: name must be at most 64 characters`, field);
  const bad = /["<>\\;\u0000-\u001f\u007f]/.exec(n);
  if (bad) throw badInput(`${what}: name must not contain ${JSON.stringify(bad[0])}`, field);
  return n;
}

export function checkCodecs(codecs: readonly string[] | undefined, what: string, field = 'codecs'): string[] {
  if (codecs === undefined) return [...DEFAULT_SEAT_CODECS];
  if (codecs.length < 1 || codecs.length > 4) throw badInput(`${what}: list 1-4 codecs`, field);
  for (const c of codecs) if (!(SEAT_CODECS as readonly string[]).includes(c)) throw badInput(`${what}: unknown codec "${c}" (known: ${SEAT_CODECS.join(', ')})`, field);
  const dup = codecs.find((c, i) => codecs.indexOf(c) !== i);
  if (dup) throw badInput(`${what}: codec "${dup}" is listed twice`, field);
  return [...codecs];
}

export interface SeatRecord {
  id: number;
  extension: string;
  name: string;
  kind: SeatKind;
  tech: SeatTech;
  /** Only for building the PBX model and the one-time provisioning answer. */
  secret: string | null;
  codecs: string[];
  enabled: boolean;
  secretSetAt: string | null;
  createdAt: string;
  updatedAt: string;
  port: { channel: number; span: number } | null;
}

interface SeatRow {
  id: number;
  extension: string;
  name: string;
  kind: SeatKind;
  tech: SeatTech;
  secret: string | null;
  codecs: string;
  enabled: number;
  secret_set_at: string | null;
  created_at: string;
  updated_at: string;
  channel: number | null;
  span: number | null;
}

const SELECT = `SELECT s.*, p.channel, p.span FROM seats s LEFT JOIN dahdi_ports p ON p.seat_id = s.id`;
const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

function toRecord(r: SeatRow): SeatRecord {
  return {
    id: r.id,
    extension: r.extension,
    name: r.name,
    kind: r.kind,
    tech: r.tech,
    secret: r.secret,
    codecs: JSON.parse(r.codecs) as string[],
    enabled: r.enabled === 1,
    secretSetAt: r.secret_set_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    port: r.channel !== null && r.span !== null ? { channel: r.channel, span: r.span } : null,
  };
}

/** Extensions sort numerically (8001 < 80010 is never mixed up with text order). */
const byExtension = (a: SeatRecord, b: SeatRecord) => Number(a.extension) - Number(b.extension) || a.extension.localeCompare(b.extension);

export interface NewSeat {
  extension: string;
  name: string;
  kind: SeatKind;
  tech: SeatTech;
  secret: string | null;
  codecs: string[];
}

export class SeatStore {
  constructor(private readonly db: Db) {}

  all(): SeatRecord[] {
    return this.db.prepare<[], SeatRow>(SELECT).all().map(toRecord).sort(byExtension);
  }

  byExtension(ext: string): SeatRecord | undefined {
    const r = this.db.prepare<[string], SeatRow>(`${SELECT} WHERE s.extension = ?`).get(ext);
    return r ? toRecord(r) : undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM seats').get() as { n: number }).n;
  }

  /** Inserts after the duplicate check that names the seat (the UNIQUE index is the backstop). */
  insert(s: NewSeat): number {
    if (this.byExtension(s.extension)) throw conflict(`seat ${s.extension} already exists`, 'extension');
    const res = this.db
      .prepare(`INSERT INTO seats (extension, name, kind, tech, secret, codecs, secret_set_at) VALUES (?, ?, ?, ?, ?, ?, CASE WHEN ? IS NULL THEN NULL ELSE ${NOW} END)`)
      .run(s.extension, s.name, s.kind, s.tech, s.secret, JSON.stringify(s.codecs), s.secret);
    return Number(res.lastInsertRowid);
  }

  update(id: number, patch: { name?: string; kind?: SeatKind; enabled?: boolean; codecs?: string[] }): void {
    const sets: string[] = [];
    const args: unknown[] = [];
    if (patch.name !== undefined) (sets.push('name = ?'), args.push(patch.name));
    if (patch.kind !== undefined) (sets.push('kind = ?'), args.push(patch.kind));
    if (patch.enabled !== undefined) (sets.push('enabled = ?'), args.push(patch.enabled ? 1 : 0));
    if (patch.codecs !== undefined) (sets.push('codecs = ?'), args.push(JSON.stringify(patch.codecs)));
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE seats SET ${sets.join(', ')}, updated_at = ${NOW} WHERE id = ?`).run(...args, id);
  }

  setSecret(id: number, secret: string): void {
    this.db.prepare(`UPDATE seats SET secret = ?, secret_set_at = ${NOW}, updated_at = ${NOW} WHERE id = ?`).run(secret, id);
  }

  remove(id: number): void {
    const used = this.db
      .prepare<[number], { name: string }>('SELECT name FROM inbound_routes WHERE seat_id = ? ORDER BY name')
      .all(id)
      .map((r) => r.name);
    if (used.length > 0) {
      const ext = (this.db.prepare('SELECT extension FROM seats WHERE id = ?').get(id) as { extension: string } | undefined)?.extension;
      throw conflict(`seat ${ext}: is the destination of inbound route ${used.map((n) => `"${n}"`).join(', ')}; change that route first`);
    }
    this.db.prepare('DELETE FROM seats WHERE id = ?').run(id);
  }

  /** Gives the seat the FXS port on `channel` (its old port, if any, is freed). */
  assignPort(seatId: number, channel: number, span: number): void {
    this.db.prepare('DELETE FROM dahdi_ports WHERE seat_id = ?').run(seatId);
    this.db.prepare(`INSERT INTO dahdi_ports (channel, span, kind, seat_id) VALUES (?, ?, 'FXS', ?)`).run(channel, span, seatId);
  }

  releasePort(seatId: number): void {
    this.db.prepare('DELETE FROM dahdi_ports WHERE seat_id = ?').run(seatId);
  }
}
