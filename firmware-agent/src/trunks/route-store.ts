// Outbound routes (ordered; patterns, strip/prepend, trunks in failover order) and inbound
// routes (DID → seat / queue / hangup) in SQLite. Synchronous: runs inside the change
// runner's transactions.
import type { Db } from '../db/database.js';
import { CN_PATTERNS, DIAL_PATTERN_RE, EMERGENCY_NUMBERS } from '../pbx-config/model.js';
import { badInput, conflict, notFound } from '../pbx-model/errors.js';
import { checkDisplayName } from '../seats/seat-store.js';
import type { InboundRoute, InboundRouteRequest, OutboundRoute, OutboundRouteRequest, RoutePreset } from './schemas.js';

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;
export const pbxRouteName = (id: number) => `r${id}`;

/** Pattern presets for Chinese numbering (after the outside-line prefix). */
export const ROUTE_PRESETS: readonly RoutePreset[] = [
  { key: 'mobile', patterns: [...CN_PATTERNS.mobile], examples: ['13800138000', '19912345678'] },
  { key: 'landline', patterns: [...CN_PATTERNS.landline], examples: ['01012345678', '075512345678'] },
  { key: 'local', patterns: [...CN_PATTERNS.local], examples: ['62345678', '8123456'] },
  { key: 'service', patterns: [...CN_PATTERNS.service], examples: ['4008123456', '8008123456'] },
  { key: 'international', patterns: ['00X.'], examples: ['0085212345678', '0014155550100'] },
];

export const EMERGENCY = [...EMERGENCY_NUMBERS];

interface RouteRow {
  id: number;
  name: string;
  position: number;
  patterns: string;
  strip_digits: number;
  prepend: string;
  enabled: number;
}

export class RouteStore {
  constructor(private readonly db: Db) {}

  outbound(): OutboundRoute[] {
    const rows = this.db.prepare<[], RouteRow>('SELECT * FROM outbound_routes ORDER BY position, id').all();
    const trunks = this.db
      .prepare<[], { route_id: number; id: number; name: string; enabled: number }>(
        'SELECT rt.route_id, t.id, t.name, t.enabled FROM outbound_route_trunks rt JOIN trunks t ON t.id = rt.trunk_id ORDER BY rt.position',
      )
      .all();
    return rows.map((r) => {
      const list = trunks.filter((t) => t.route_id === r.id).map((t) => ({ id: t.id, name: t.name, enabled: t.enabled === 1 }));
      return {
        id: r.id,
        name: r.name,
        position: r.position,
        patterns: JSON.parse(r.patterns) as string[],
        stripDigits: r.strip_digits,
        prepend: r.prepend,
        trunks: list,
        enabled: r.enabled === 1,
        active: r.enabled === 1 && list.some((t) => t.enabled),
      };
    });
  }

  private checkOutbound(req: OutboundRouteRequest, selfId?: number): { name: string; patterns: string[] } {
    const name = checkDisplayName(req.name, 'outbound route');
    const label = `outbound route "${name}"`;
    const other = this.db.prepare<[string], { id: number }>('SELECT id FROM outbound_routes WHERE name = ? COLLATE NOCASE').get(name);
    if (other && other.id !== selfId) throw conflict(`an outbound route named "${name}" already exists`, 'name');
    // "_" and blanks are what people paste from FreePBX; the stored pattern has neither.
    const patterns = req.patterns.map((p) => p.trim().replace(/^_/, '')).filter((p) => p !== '');
    if (patterns.length === 0) throw badInput(`${label}: give at least one number pattern (or pick a preset)`, 'patterns');
    for (const p of patterns) {
      if (!DIAL_PATTERN_RE.test(p))
        throw badInput(`${label}: pattern "${p}" is not a dial pattern (digits, X = 0-9, Z = 1-9, N = 2-9, [1-5] ranges, a final "." = one or more digits)`, 'patterns');
    }
    if (req.trunkIds.length === 0) throw badInput(`${label}: choose at least one trunk`, 'trunkIds');
    const dup = req.trunkIds.find((t, i) => req.trunkIds.indexOf(t) !== i);
    if (dup !== undefined) throw badInput(`${label}: trunk ${dup} is listed twice`, 'trunkIds');
    for (const t of req.trunkIds) {
      if (!this.db.prepare('SELECT 1 FROM trunks WHERE id = ?').get(t)) throw badInput(`${label}: trunk ${t} does not exist`, 'trunkIds');
    }
    return { name, patterns };
  }

  createOutbound(req: OutboundRouteRequest): number {
    const { name, patterns } = this.checkOutbound(req);
    const pos = ((this.db.prepare('SELECT max(position) AS p FROM outbound_routes').get() as { p: number | null }).p ?? 0) + 1;
    const res = this.db
      .prepare('INSERT INTO outbound_routes (name, position, patterns, strip_digits, prepend, enabled) VALUES (?, ?, ?, ?, ?, ?)')
      .run(name, pos, JSON.stringify(patterns), req.stripDigits ?? 0, (req.prepend ?? '').trim(), req.enabled === false ? 0 : 1);
    const id = Number(res.lastInsertRowid);
    this.setTrunks(id, req.trunkIds);
    return id;
  }

  updateOutbound(id: number, req: OutboundRouteRequest): void {
    if (!this.db.prepare('SELECT 1 FROM outbound_routes WHERE id = ?').get(id)) throw notFound(`outbound route ${id} does not exist`);
    const { name, patterns } = this.checkOutbound(req, id);
    this.db
      .prepare(`UPDATE outbound_routes SET name = ?, patterns = ?, strip_digits = ?, prepend = ?, enabled = ?, updated_at = ${NOW} WHERE id = ?`)
      .run(name, JSON.stringify(patterns), req.stripDigits ?? 0, (req.prepend ?? '').trim(), req.enabled === false ? 0 : 1, id);
    this.setTrunks(id, req.trunkIds);
  }

  private setTrunks(id: number, trunkIds: number[]): void {
    this.db.prepare('DELETE FROM outbound_route_trunks WHERE route_id = ?').run(id);
    const ins = this.db.prepare('INSERT INTO outbound_route_trunks (route_id, trunk_id, position) VALUES (?, ?, ?)');
    trunkIds.forEach((t, i) => ins.run(id, t, i + 1));
  }

  removeOutbound(id: number): void {
    if (this.db.prepare('DELETE FROM outbound_routes WHERE id = ?').run(id).changes === 0) throw notFound(`outbound route ${id} does not exist`);
  }

  /** New order: every route id exactly once, first = tried first. */
  reorderOutbound(ids: number[]): void {
    const existing = this.db.prepare<[], { id: number }>('SELECT id FROM outbound_routes').all().map((r) => r.id).sort((a, b) => a - b);
    const given = [...ids].sort((a, b) => a - b);
    if (existing.length !== given.length || existing.some((v, i) => v !== given[i])) {
      throw badInput(`the new order must list every outbound route exactly once (routes: ${existing.join(', ') || 'none'})`, 'ids');
    }
    const upd = this.db.prepare('UPDATE outbound_routes SET position = ? WHERE id = ?');
    ids.forEach((id, i) => upd.run(i + 1, id));
  }

  // ---- inbound

  inbound(): InboundRoute[] {
    return this.db
      .prepare<[], { id: number; name: string; did: string; destination: InboundRoute['destination']; extension: string | null; queue: string | null; enabled: number }>(
        `SELECT r.id, r.name, r.did, r.destination, s.extension, r.queue, r.enabled
           FROM inbound_routes r LEFT JOIN seats s ON s.id = r.seat_id
          ORDER BY CASE WHEN r.did = 'any' THEN 1 ELSE 0 END, r.did`,
      )
      .all()
      .map((r) => ({ id: r.id, name: r.name, did: r.did, destination: r.destination, seat: r.extension, queue: r.queue, enabled: r.enabled === 1 }));
  }

  private checkInbound(req: InboundRouteRequest, selfId?: number): { name: string; did: string; seatId: number | null; queue: string | null } {
    const name = checkDisplayName(req.name, 'inbound route');
    const label = `inbound route "${name}"`;
    const other = this.db.prepare<[string], { id: number }>('SELECT id FROM inbound_routes WHERE name = ? COLLATE NOCASE').get(name);
    if (other && other.id !== selfId) throw conflict(`an inbound route named "${name}" already exists`, 'name');
    const did = req.did.trim() === '' ? 'any' : req.did.trim().toLowerCase();
    if (did !== 'any' && !/^\+?[0-9]{1,20}$/.test(did)) throw badInput(`${label}: number "${req.did}" must be 1-20 digits (optional leading +), or empty for "any number"`, 'did');
    const sameDid = this.db.prepare<[string], { id: number; name: string }>('SELECT id, name FROM inbound_routes WHERE did = ?').get(did);
    if (sameDid && sameDid.id !== selfId) throw conflict(`${label}: number ${did === 'any' ? '"any"' : did} already goes to inbound route "${sameDid.name}"`, 'did');
    let seatId: number | null = null;
    let queue: string | null = null;
    if (req.destination === 'seat') {
      const ext = (req.seat ?? '').trim();
      if (!ext) throw badInput(`${label}: choose the seat that answers`, 'seat');
      const row = this.db.prepare<[string], { id: number }>('SELECT id FROM seats WHERE extension = ?').get(ext);
      if (!row) throw badInput(`${label}: seat ${ext} does not exist`, 'seat');
      seatId = row.id;
    } else if (req.destination === 'queue') {
      queue = (req.queue ?? '').trim();
      if (!queue) throw badInput(`${label}: choose the queue`, 'queue');
    }
    return { name, did, seatId, queue };
  }

  createInbound(req: InboundRouteRequest): number {
    const c = this.checkInbound(req);
    const res = this.db
      .prepare('INSERT INTO inbound_routes (name, did, destination, seat_id, queue, enabled) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.name, c.did, req.destination, c.seatId, c.queue, req.enabled === false ? 0 : 1);
    return Number(res.lastInsertRowid);
  }

  updateInbound(id: number, req: InboundRouteRequest): void {
    if (!this.db.prepare('SELECT 1 FROM inbound_routes WHERE id = ?').get(id)) throw notFound(`inbound route ${id} does not exist`);
    const c = this.checkInbound(req, id);
    this.db
      .prepare(`UPDATE inbound_routes SET name = ?, did = ?, destination = ?, seat_id = ?, queue = ?, enabled = ?, updated_at = ${NOW} WHERE id = ?`)
      .run(c.name, c.did, req.destination, c.seatId, c.queue, req.enabled === false ? 0 : 1, id);
  }

  removeInbound(id: number): void {
    if (this.db.prepare('DELETE FROM inbound_routes WHERE id = ?').run(id).changes === 0) throw notFound(`inbound route ${id} does not exist`);
  }
}
