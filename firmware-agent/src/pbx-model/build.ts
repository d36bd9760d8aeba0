// The PBX model from the stored seats, trunks, routes and telephony-card settings, plus a map
// from every model item back to what the user manages (for error messages).
//
// The detected hardware is an input too: an analog span's channel range and port kinds come
// from the card. Ports and spans whose card is not detected (pulled, driver not loaded) are
// left out with a warning instead of failing the whole configuration: the rest of the box
// must keep working when a card dies.
import { addHotlineToModel } from '../hotline/to-model.js';
import type { Db } from '../db/database.js';
import { defaultDahdiConfig, type AnalogSpanConfig, type SpanConfig, type TelephonyInventory } from '../hardware/index.js';
import { portAssignments } from '../hardware-inventory/ports.js';
import type { StoredSpanConfig } from '../hardware-inventory/span-settings.js';
import {
  CONTEXTS,
  defaultEndpoint,
  type Codec,
  type PbxFxsSeat,
  type PbxInboundRoute,
  type PbxModel,
  type PbxRoute,
  type PbxTrunk,
  type PbxTrunkCallerId,
} from '../pbx-config/model.js';
import { SeatStore } from '../seats/seat-store.js';
import { RouteStore, pbxRouteName } from '../trunks/route-store.js';
import { TrunkStore, maxChannelsOf, pbxTrunkId, trunkLabel, type TrunkCallerId, type TrunkRecord } from '../trunks/trunk-store.js';
import type { ModelSource } from './errors.js';

export interface BuildOptions {
  /** The detected telephony cards; without it no analog port or span is configured. */
  inventory?: TelephonyInventory;
}

export interface BuiltModel {
  model: PbxModel;
  sources: ModelSource[];
  /** Stored items left out of the model, and why. */
  warnings: string[];
}

/** SIP registration timers: an hour's registration, a minute between retries after a failure. */
const REGISTRATION = { expirationSeconds: 3600, retrySeconds: 60 };

const SEAT_FIELDS = { id: 'extension', secret: 'secret', callerName: 'name', codecs: 'codecs', extension: 'extension', dahdiChannel: 'channel' } as const;
const TRUNK_FIELDS = {
  id: 'name',
  name: 'name',
  host: 'host',
  port: 'port',
  codecs: 'codecs',
  maxChannels: 'maxChannels',
  'callerId.number': 'callerIdNumber',
  'callerId.name': 'callerIdName',
  'callerId.presentation': 'presentation',
  auth: 'username',
  'auth.username': 'username',
  'auth.secret': 'secret',
  registration: 'register',
  match: 'match',
  fromUser: 'fromUser',
  fromDomain: 'fromDomain',
  qualifySeconds: 'qualifySeconds',
  dtmfMode: 'dtmfMode',
  group: 'channels',
} as const;
const ROUTE_FIELDS = { name: 'name', description: 'name', patterns: 'patterns', stripDigits: 'stripDigits', prepend: 'prepend', trunks: 'trunkIds' } as const;
const SPAN_FIELDS = { firstChannel: 'span', span: 'span', type: 'signalling', signalling: 'signalling', line: 'line', dchannel: 'framing', trunkGroup: 'trunk' } as const;

function callerIdOf(c: TrunkCallerId): PbxTrunkCallerId | undefined {
  if (c.number === null && c.name === null && c.presentation === 'allowed') return undefined;
  const out: PbxTrunkCallerId = { presentation: c.presentation };
  if (c.number !== null) out.number = c.number;
  if (c.name !== null) out.name = c.name;
  return out;
}

function sipTrunk(t: TrunkRecord): PbxTrunk {
  const s = t.sip!;
  const out: PbxTrunk = {
    id: pbxTrunkId(t.id),
    kind: 'sip',
    name: t.name,
    host: s.host,
    port: s.port,
    codecs: s.codecs as Codec[],
    maxChannels: s.maxChannels,
    qualifySeconds: s.qualifySeconds,
    dtmfMode: s.dtmfMode,
    ...(s.faxLine ? { faxLine: true } : {}),
  };
  const cid = callerIdOf(s.callerId);
  if (cid) out.callerId = cid;
  if (s.username !== null || t.secret !== null) out.auth = { username: s.username ?? '', secret: t.secret ?? '' };
  if (s.register) out.registration = { ...REGISTRATION };
  if (s.match.length > 0) out.match = [...s.match];
  if (s.fromUser !== null) out.fromUser = s.fromUser;
  if (s.fromDomain !== null) out.fromDomain = s.fromDomain;
  return out;
}

export function buildPbxModelWithSources(db: Db, base: PbxModel, opts: BuildOptions = {}): BuiltModel {
  const inv = opts.inventory;
  const sources: ModelSource[] = [];
  const warnings: string[] = [];
  const seats = new SeatStore(db).all();
  const trunks = new TrunkStore(db).all();
  const routes = new RouteStore(db);

  // ---- seats
  const endpoints = [...base.endpoints];
  const fxsSeats: PbxFxsSeat[] = [...(base.fxsSeats ?? [])];
  const seatExtensions = new Set<string>();
  const fxsPorts = new Map<number, { extension: string; name: string }>();
  for (const s of seats) {
    if (!s.enabled) continue;
    if (s.tech === 'sip') {
      sources.push({ path: `endpoints[${endpoints.length}]`, label: `seat ${s.extension}`, fields: SEAT_FIELDS });
      endpoints.push(defaultEndpoint(s.extension, s.secret ?? '', { callerName: s.name, codecs: s.codecs as Codec[] }));
      seatExtensions.add(s.extension);
    } else if (s.port) {
      fxsPorts.set(s.port.channel, { extension: s.extension, name: s.name });
    } else warnings.push(`seat ${s.extension}: analog seat without an FXS port; not reachable`);
  }

  // ---- telephony cards: ports and spans of detected spans only
  const assignments = portAssignments(db);
  const enabledTrunks = new Map(trunks.filter((t) => t.enabled).map((t) => [t.id, t]));
  const dahdiSpans: SpanConfig[] = [];
  const spanSources: ModelSource[] = [];
  const detected = new Map((inv?.spans ?? []).map((s) => [s.span, s]));
  const linesOf = new Map<number, number>(); // trunk id → detected lines in the model
  const placedChannels = new Set<number>();
  for (const s of [...detected.values()].sort((a, b) => a.span - b.span)) {
    if (s.kind !== 'analog' || s.firstChannel === undefined || s.channelCount === undefined) continue;
    const span: AnalogSpanConfig = { span: s.span, type: 'analog', firstChannel: s.firstChannel, channelCount: s.channelCount, ports: [] };
    const spanPath = `dahdi.spans[${dahdiSpans.length}]`;
    for (const a of assignments.filter((x) => x.span === s.span)) {
      const hw = s.ports.find((p) => p.channel === a.channel);
      const where = hw ? `span ${s.span} port ${hw.port}` : `span ${s.span} channel ${a.channel}`;
      const path = `${spanPath}.ports[${span.ports.length}]`;
      if (a.kind === 'FXS') {
        const seat = fxsPorts.get(a.channel);
        if (!seat) continue; // disabled seat
        span.ports.push({ channel: a.channel, kind: 'FXS', extension: seat.extension, callerName: seat.name });
        spanSources.push({ path, label: `seat ${seat.extension} (${where})`, fields: { channel: 'channel', kind: 'channel', extension: 'extension', callerName: 'name' } });
        placedChannels.add(a.channel);
      } else {
        const trunk = a.trunk_id !== null ? enabledTrunks.get(a.trunk_id) : undefined;
        if (!trunk?.dahdi) continue;
        span.ports.push({ channel: a.channel, kind: 'FXO', trunkGroup: trunk.dahdi.group });
        spanSources.push({ path, label: `${trunkLabel(trunk.name)} line ${where}`, fields: { channel: 'channels', kind: 'channels', trunkGroup: 'channels' } });
        linesOf.set(trunk.id, (linesOf.get(trunk.id) ?? 0) + 1);
      }
    }
    if (span.ports.length > 0) {
      spanSources.push({ path: spanPath, label: `span ${s.span}` });
      dahdiSpans.push(span);
    }
  }
  for (const a of assignments) {
    if (!detected.has(a.span)) warnings.push(`${a.kind === 'FXS' ? `seat ${a.extension}` : `trunk "${a.trunk_name}"`}: span ${a.span} (channel ${a.channel}) is not detected; port left out`);
  }
  const spanRows = db.prepare<[], { span: number; config: string; trunk_id: number | null }>('SELECT span, config, trunk_id FROM dahdi_spans ORDER BY span').all();
  for (const r of spanRows) {
    if (!detected.has(r.span)) {
      warnings.push(`span ${r.span}: configured but not detected; left out`);
      continue;
    }
    const cfg = JSON.parse(r.config) as StoredSpanConfig;
    const trunk = r.trunk_id !== null ? enabledTrunks.get(r.trunk_id) : undefined;
    const group = trunk?.dahdi?.group ?? 0;
    if (trunk) linesOf.set(trunk.id, (linesOf.get(trunk.id) ?? 0) + 1);
    spanSources.push({ path: `dahdi.spans[${dahdiSpans.length}]`, label: `span ${r.span}${trunk ? ` (${trunkLabel(trunk.name)})` : ''}`, fields: SPAN_FIELDS });
    dahdiSpans.push({ ...cfg, span: r.span, trunkGroup: group } as SpanConfig);
  }
  for (const s of seats) {
    if (s.enabled && s.tech === 'fxs' && s.port && placedChannels.has(s.port.channel)) {
      sources.push({ path: `fxsSeats[${fxsSeats.length}]`, label: `seat ${s.extension}`, fields: SEAT_FIELDS });
      fxsSeats.push({ extension: s.extension, dahdiChannel: s.port.channel, callerName: s.name });
      seatExtensions.add(s.extension);
    }
  }
  sources.push(...spanSources);

  // ---- trunks
  const pbxTrunks: PbxTrunk[] = [...(base.trunks ?? [])];
  const inModel = new Set<number>();
  for (const t of trunks) {
    if (!t.enabled) continue;
    if (t.kind !== 'sip' && !linesOf.get(t.id)) {
      warnings.push(`${trunkLabel(t.name)}: none of its ${t.kind === 'fxo' ? 'FXO ports' : 'spans'} is detected; left out`);
      continue;
    }
    sources.push({ path: `trunks[${pbxTrunks.length}]`, label: trunkLabel(t.name), fields: TRUNK_FIELDS });
    if (t.kind === 'sip') pbxTrunks.push(sipTrunk(t));
    else {
      const d: PbxTrunk = { id: pbxTrunkId(t.id), kind: 'dahdi', name: t.name, group: t.dahdi!.group, maxChannels: maxChannelsOf(t) };
      const cid = callerIdOf(t.dahdi!.callerId);
      if (cid) d.callerId = cid;
      if (t.dahdi!.faxLine) d.faxLine = true;
      pbxTrunks.push(d);
    }
    inModel.add(t.id);
  }

  // ---- outbound routes
  const pbxRoutes: PbxRoute[] = [...(base.routes ?? [])];
  for (const r of routes.outbound()) {
    if (!r.enabled) continue;
    const via = r.trunks.filter((t) => inModel.has(t.id));
    if (via.length === 0) {
      warnings.push(`outbound route "${r.name}": none of its trunks is usable; left out`);
      continue;
    }
    sources.push({ path: `routes[${pbxRoutes.length}]`, label: `outbound route "${r.name}"`, fields: ROUTE_FIELDS });
    pbxRoutes.push({ name: pbxRouteName(r.id), description: r.name, patterns: r.patterns, stripDigits: r.stripDigits, prepend: r.prepend, trunks: via.map((t) => pbxTrunkId(t.id)) });
  }

  // ---- inbound routes
  const pbxInbound: PbxInboundRoute[] = [...(base.inboundRoutes ?? [])];
  for (const r of routes.inbound()) {
    if (!r.enabled) continue;
    const target = r.destination === 'seat' ? r.seat : r.destination === 'queue' ? r.queue : null;
    const fields: Record<string, string> = { did: 'did', destination: 'destination', 'destination.kind': 'destination', 'destination.target': r.destination === 'queue' ? 'queue' : 'seat' };
    sources.push({ path: `inboundRoutes[${pbxInbound.length}]`, label: `inbound route "${r.name}"`, fields });
    pbxInbound.push({ did: r.did, destination: target !== null ? { kind: r.destination, target } : { kind: r.destination } });
  }

  const model: PbxModel = {
    ...base,
    endpoints,
    fxsSeats,
    trunks: pbxTrunks,
    routes: pbxRoutes,
    inboundRoutes: pbxInbound,
  };
  if (dahdiSpans.length > 0) {
    const dahdi = base.dahdi ? { ...base.dahdi, spans: [...base.dahdi.spans, ...dahdiSpans] } : defaultDahdiConfig(dahdiSpans);
    dahdi.contexts = { seats: CONTEXTS.internal, trunks: CONTEXTS.fromTrunk };
    model.dahdi = dahdi;
  }
  // ---- inbound hotline (IVR, business hours, hotline queues): docs/hotline.md
  addHotlineToModel(db, model, sources);
  return { model, sources, warnings };
}

/** The PBX model from the database (see buildPbxModelWithSources). */
export function buildPbxModel(db: Db, base: PbxModel, opts: BuildOptions = {}): PbxModel {
  return buildPbxModelWithSources(db, base, opts).model;
}
