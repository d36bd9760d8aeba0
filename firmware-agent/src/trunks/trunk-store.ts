// Trunks in SQLite: SIP carriers, analog FXO line groups and E1 span groups. Synchronous:
// runs inside the change runner's transactions. Formats the PBX model checks anyway (host,
// user names, numbers) are left to it; its messages are mapped back to the trunk's fields.
import type { Db } from '../db/database.js';
import type { TelephonyInventory } from '../hardware/index.js';
import { checkPortFor } from '../hardware-inventory/ports.js';
import { defaultSpanConfig, type SpanSignalling, type StoredSpanConfig } from '../hardware-inventory/span-settings.js';
import { badInput, conflict, notFound } from '../pbx-model/errors.js';
import { checkDisplayName } from '../seats/seat-store.js';
import type { CreateTrunkRequest, Presentation, Trunk, TrunkKind, UpdateTrunkRequest } from './schemas.js';

export interface TrunkCallerId {
  number: string | null;
  name: string | null;
  presentation: Presentation;
}

export interface SipTrunkSettings {
  host: string;
  port: number;
  register: boolean;
  username: string | null;
  fromUser: string | null;
  fromDomain: string | null;
  codecs: string[];
  qualifySeconds: number;
  dtmfMode: 'rfc4733' | 'inband' | 'info' | 'auto';
  match: string[];
  maxChannels: number;
  callerId: TrunkCallerId;
  /** A dedicated fax line: inbound calls go to the fax receiver (docs/fax.md). */
  faxLine?: boolean;
}

export interface DahdiTrunkSettings {
  /** chan_dahdi group 1-63 (0 stays free: spans without a trunk). */
  group: number;
  /** null: as many as the trunk has lines (FXO ports, 30 per E1). */
  maxChannels: number | null;
  callerId: TrunkCallerId;
  /** A dedicated fax line: inbound calls go to the fax receiver (docs/fax.md). */
  faxLine?: boolean;
}

export interface TrunkRecord {
  id: number;
  name: string;
  kind: TrunkKind;
  enabled: boolean;
  secret: string | null;
  sip: SipTrunkSettings | null;
  dahdi: DahdiTrunkSettings | null;
  channels: number[];
  spans: number[];
  createdAt: string;
  updatedAt: string;
}

interface TrunkRow {
  id: number;
  name: string;
  kind: TrunkKind;
  enabled: number;
  settings: string;
  secret: string | null;
  created_at: string;
  updated_at: string;
}

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;
export const pbxTrunkId = (id: number) => `trunk-${id}`;
export const trunkLabel = (name: string) => `trunk "${name}"`;

export class TrunkStore {
  constructor(private readonly db: Db) {}

  all(): TrunkRecord[] {
    const rows = this.db.prepare<[], TrunkRow>('SELECT * FROM trunks ORDER BY id').all();
    const ports = this.db.prepare<[], { channel: number; trunk_id: number }>('SELECT channel, trunk_id FROM dahdi_ports WHERE trunk_id IS NOT NULL ORDER BY channel').all();
    const spans = this.db.prepare<[], { span: number; trunk_id: number }>('SELECT span, trunk_id FROM dahdi_spans WHERE trunk_id IS NOT NULL ORDER BY span').all();
    return rows.map((r) => {
      const settings = JSON.parse(r.settings) as SipTrunkSettings | DahdiTrunkSettings;
      return {
        id: r.id,
        name: r.name,
        kind: r.kind,
        enabled: r.enabled === 1,
        secret: r.secret,
        sip: r.kind === 'sip' ? (settings as SipTrunkSettings) : null,
        dahdi: r.kind === 'sip' ? null : (settings as DahdiTrunkSettings),
        channels: ports.filter((p) => p.trunk_id === r.id).map((p) => p.channel),
        spans: spans.filter((s) => s.trunk_id === r.id).map((s) => s.span),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
    });
  }

  byId(id: number): TrunkRecord | undefined {
    return this.all().find((t) => t.id === id);
  }

  get(id: number): TrunkRecord {
    const t = this.byId(id);
    if (!t) throw notFound(`trunk ${id} does not exist`);
    return t;
  }

  usedBy(id: number): Array<{ id: number; name: string }> {
    return this.db
      .prepare<[number], { id: number; name: string }>(
        'SELECT r.id, r.name FROM outbound_route_trunks rt JOIN outbound_routes r ON r.id = rt.route_id WHERE rt.trunk_id = ? ORDER BY r.position',
      )
      .all(id);
  }

  /** Smallest chan_dahdi group 1-63 no trunk uses. */
  private freeGroup(): number {
    const used = new Set(this.all().flatMap((t) => (t.dahdi ? [t.dahdi.group] : [])));
    for (let g = 1; g <= 63; g++) if (!used.has(g)) return g;
    throw conflict('all 63 channel groups are in use by trunks');
  }

  private checkName(name: string, selfId?: number): string {
    const n = checkDisplayName(name, 'trunk');
    const other = this.db.prepare<[string], { id: number }>('SELECT id FROM trunks WHERE name = ? COLLATE NOCASE').get(n);
    if (other && other.id !== selfId) throw conflict(`a trunk named "${n}" already exists`, 'name');
    return n;
  }

  create(req: CreateTrunkRequest & { e1Signalling?: SpanSignalling }, inv: TelephonyInventory | undefined): number {
    const name = this.checkName(req.name);
    const label = trunkLabel(name);
    let settings: SipTrunkSettings | DahdiTrunkSettings;
    let secret: string | null = null;
    if (req.kind === 'sip') {
      const s = sipSettings(undefined, req, label);
      settings = s;
      secret = blankToNull(req.secret);
      checkSipAuth(label, s, secret);
    } else {
      rejectSipFields(req, label);
      settings = { group: this.freeGroup(), maxChannels: req.maxChannels ?? null, callerId: callerIdOf(undefined, req) };
    }
    if (req.faxLine) settings.faxLine = true;
    const res = this.db.prepare('INSERT INTO trunks (name, kind, enabled, settings, secret) VALUES (?, ?, ?, ?, ?)').run(name, req.kind, req.enabled === false ? 0 : 1, JSON.stringify(settings), secret);
    const id = Number(res.lastInsertRowid);
    if (req.kind === 'fxo') this.setChannels(id, label, req.channels ?? [], inv);
    else if (req.kind === 'e1') this.setSpans(id, label, req.spans ?? [], inv, req.e1Signalling ?? 'pri_cpe');
    else if (req.channels?.length || req.spans?.length) throw badInput(`${label}: a SIP trunk has no card ports or spans`, req.channels?.length ? 'channels' : 'spans');
    return id;
  }

  update(id: number, req: UpdateTrunkRequest & { e1Signalling?: SpanSignalling }, inv: TelephonyInventory | undefined): void {
    const cur = this.get(id);
    const name = req.name !== undefined ? this.checkName(req.name, id) : cur.name;
    const label = trunkLabel(name);
    let settings: SipTrunkSettings | DahdiTrunkSettings;
    let secret = cur.secret;
    if (cur.kind === 'sip') {
      const s = sipSettings(cur.sip!, req, label);
      settings = s;
      if (req.secret !== undefined) secret = blankToNull(req.secret);
      checkSipAuth(label, s, secret);
    } else {
      rejectSipFields(req, label);
      const d = cur.dahdi!;
      settings = { group: d.group, maxChannels: req.maxChannels !== undefined ? req.maxChannels : d.maxChannels, callerId: callerIdOf(d.callerId, req) };
    }
    if (req.faxLine ?? (cur.sip ?? cur.dahdi)?.faxLine) settings.faxLine = true;
    else delete settings.faxLine;
    this.db
      .prepare(`UPDATE trunks SET name = ?, enabled = ?, settings = ?, secret = ?, updated_at = ${NOW} WHERE id = ?`)
      .run(name, req.enabled === undefined ? (cur.enabled ? 1 : 0) : req.enabled ? 1 : 0, JSON.stringify(settings), secret, id);
    if (cur.kind === 'fxo' && req.channels !== undefined) this.setChannels(id, label, req.channels, inv);
    if (cur.kind === 'e1' && req.spans !== undefined) this.setSpans(id, label, req.spans, inv, req.e1Signalling ?? 'pri_cpe');
    if (cur.kind === 'sip' && (req.channels?.length || req.spans?.length)) throw badInput(`${label}: a SIP trunk has no card ports or spans`, req.channels?.length ? 'channels' : 'spans');
  }

  remove(id: number): void {
    const cur = this.get(id);
    const used = this.usedBy(id);
    if (used.length > 0) {
      throw conflict(`${trunkLabel(cur.name)} is used by outbound route ${used.map((r) => `"${r.name}"`).join(', ')}; remove it from ${used.length > 1 ? 'those routes' : 'that route'} first`);
    }
    this.db.prepare('DELETE FROM trunks WHERE id = ?').run(id);
  }

  /** The FXO ports (by DAHDI channel) that are this trunk's lines. */
  setChannels(id: number, label: string, channels: number[], inv: TelephonyInventory | undefined): void {
    const dup = channels.find((c, i) => channels.indexOf(c) !== i);
    if (dup !== undefined) throw badInput(`${label}: channel ${dup} is listed twice`, 'channels');
    this.db.prepare('DELETE FROM dahdi_ports WHERE trunk_id = ?').run(id);
    for (const c of channels) {
      const { span } = checkPortFor(this.db, inv, c, 'FXO', label, { trunkId: id }, 'channels');
      this.db.prepare(`INSERT INTO dahdi_ports (channel, span, kind, trunk_id) VALUES (?, ?, 'FXO', ?)`).run(c, span, id);
    }
  }

  /** The E1/T1 spans of this trunk; a span not configured yet gets a first configuration. */
  setSpans(id: number, label: string, spans: number[], inv: TelephonyInventory | undefined, signalling: SpanSignalling): void {
    const dup = spans.find((s, i) => spans.indexOf(s) !== i);
    if (dup !== undefined) throw badInput(`${label}: span ${dup} is listed twice`, 'spans');
    this.db.prepare('UPDATE dahdi_spans SET trunk_id = NULL WHERE trunk_id = ?').run(id);
    for (const n of spans) {
      const row = this.db.prepare<[number], { trunk_id: number | null; config: string }>('SELECT trunk_id, config FROM dahdi_spans WHERE span = ?').get(n);
      if (row?.trunk_id != null && row.trunk_id !== id) {
        const other = this.db.prepare<[number], { name: string }>('SELECT name FROM trunks WHERE id = ?').get(row.trunk_id);
        throw conflict(`${label}: span ${n} already carries ${trunkLabel(other?.name ?? String(row.trunk_id))}`, 'spans');
      }
      if (row) {
        this.db.prepare(`UPDATE dahdi_spans SET trunk_id = ?, updated_at = ${NOW} WHERE span = ?`).run(id, n);
        continue;
      }
      const detected = inv?.spans.find((s) => s.span === n);
      if (!detected) {
        const digital = (inv?.spans ?? []).filter((s) => s.kind === 'E1' || s.kind === 'T1').map((s) => s.span);
        throw badInput(`${label}: span ${n} is not a detected E1/T1 span (${digital.length ? `E1/T1 spans: ${digital.join(', ')}` : 'this box has no E1/T1 span'})`, 'spans');
      }
      const cfg: StoredSpanConfig = defaultSpanConfig(detected, signalling, this.nextTiming(), label);
      this.db.prepare('INSERT INTO dahdi_spans (span, config, trunk_id) VALUES (?, ?, ?)').run(n, JSON.stringify(cfg), id);
    }
  }

  /** Next free clock-source priority among configured spans. */
  private nextTiming(): number {
    const used = new Set(
      this.db
        .prepare<[], { config: string }>('SELECT config FROM dahdi_spans')
        .all()
        .map((r) => (JSON.parse(r.config) as StoredSpanConfig).timing),
    );
    let t = 1;
    while (used.has(t)) t++;
    return t;
  }
}

/** A password field left blank means "none". */
function blankToNull(v: string | null | undefined): string | null {
  return v === undefined || v === null || v === '' ? null : v;
}

function callerIdOf(cur: TrunkCallerId | undefined, req: { callerIdNumber?: string | null; callerIdName?: string | null; presentation?: Presentation }): TrunkCallerId {
  const blankToNull = (v: string | null | undefined) => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim());
  const number = blankToNull(req.callerIdNumber);
  const name = blankToNull(req.callerIdName);
  return {
    number: number === undefined ? (cur?.number ?? null) : number,
    name: name === undefined ? (cur?.name ?? null) : name,
    presentation: req.presentation ?? cur?.presentation ?? 'allowed',
  };
}

function sipSettings(cur: SipTrunkSettings | undefined, req: UpdateTrunkRequest, label: string): SipTrunkSettings {
  const opt = (v: string | null | undefined, prev: string | null | undefined) => (v === undefined ? (prev ?? null) : v === null || v.trim() === '' ? null : v.trim());
  const host = req.host !== undefined ? req.host.trim() : cur?.host;
  if (!host) throw badInput(`${label}: host is required (the carrier's SIP server address)`, 'host');
  const username = opt(req.username, cur?.username);
  return {
    host,
    port: req.port ?? cur?.port ?? 5060,
    register: req.register ?? cur?.register ?? username !== null,
    username,
    fromUser: opt(req.fromUser, cur?.fromUser),
    fromDomain: opt(req.fromDomain, cur?.fromDomain),
    codecs: req.codecs ?? cur?.codecs ?? ['alaw', 'ulaw'],
    qualifySeconds: req.qualifySeconds ?? cur?.qualifySeconds ?? 60,
    dtmfMode: req.dtmfMode ?? cur?.dtmfMode ?? 'rfc4733',
    match: (req.match ?? cur?.match ?? []).map((m) => m.trim()).filter((m) => m !== ''),
    maxChannels: req.maxChannels ?? cur?.maxChannels ?? 30,
    callerId: callerIdOf(cur?.callerId, req),
  };
}

function checkSipAuth(label: string, s: SipTrunkSettings, secret: string | null): void {
  if (s.register && !s.username) throw badInput(`${label}: a registering trunk needs the username the carrier gave you`, 'username');
  if (s.register && !secret) throw badInput(`${label}: a registering trunk needs the password the carrier gave you`, 'secret');
  if (s.username && !secret) throw badInput(`${label}: username given without a password`, 'secret');
  if (!s.username && secret) throw badInput(`${label}: password given without a username`, 'username');
}

function rejectSipFields(req: UpdateTrunkRequest, label: string): void {
  for (const f of ['host', 'port', 'register', 'username', 'secret', 'fromUser', 'fromDomain', 'qualifySeconds', 'dtmfMode', 'match'] as const) {
    if (req[f] !== undefined && req[f] !== null) throw badInput(`${label}: "${f}" applies to SIP trunks only`, f);
  }
}

/** The API view (no secret). */
export function toTrunk(t: TrunkRecord, usedBy: Array<{ id: number; name: string }>): Trunk {
  const callerId = t.sip?.callerId ?? t.dahdi!.callerId;
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    enabled: t.enabled,
    pbxId: pbxTrunkId(t.id),
    maxChannels: maxChannelsOf(t),
    ...((t.sip ?? t.dahdi)?.faxLine ? { faxLine: true } : {}),
    callerIdNumber: callerId.number,
    callerIdName: callerId.name,
    presentation: callerId.presentation,
    sip: t.sip
      ? {
          host: t.sip.host,
          port: t.sip.port,
          register: t.sip.register,
          username: t.sip.username,
          hasSecret: t.secret !== null,
          fromUser: t.sip.fromUser,
          fromDomain: t.sip.fromDomain,
          codecs: t.sip.codecs,
          qualifySeconds: t.sip.qualifySeconds,
          dtmfMode: t.sip.dtmfMode,
          match: t.sip.match,
        }
      : null,
    group: t.dahdi?.group ?? null,
    channels: t.channels,
    spans: t.spans,
    usedBy,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

/** Simultaneous calls: SIP as configured; DAHDI as many as it has lines unless limited. */
export function maxChannelsOf(t: TrunkRecord): number {
  if (t.sip) return t.sip.maxChannels;
  const lines = t.kind === 'fxo' ? t.channels.length : t.spans.length * 30;
  return t.dahdi!.maxChannels ?? Math.max(1, lines);
}
