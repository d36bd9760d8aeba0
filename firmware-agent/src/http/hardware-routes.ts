// Telephony cards: the inventory (cards, spans, ports, alarms, event log), E1/T1 span
// settings and analog port assignment (FXS → seat, FXO → trunk), through the change runner.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { checkPortFor, findAnalogPort } from '../hardware-inventory/ports.js';
import { HardwareView, PortAssignmentRequest } from '../hardware-inventory/schemas.js';
import { SpanSettingsRequest, applySpanSettings, defaultSpanConfig, spanSignalling, type StoredSpanConfig } from '../hardware-inventory/span-settings.js';
import { hardwareView } from '../hardware-inventory/view.js';
import { badInput, conflict, notFound } from '../pbx-model/errors.js';
import { SeatStore } from '../seats/seat-store.js';
import { TrunkStore, trunkLabel } from '../trunks/trunk-store.js';
import { actorOf, installChangeErrorHandler, requireSeatsTrunks } from './seats-routes.js';
import type { HttpDeps } from './server.js';
import { requireUser } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 422: errorRef, 503: errorRef } as const;
const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

export const hardwareRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  installChangeErrorHandler(app);
  const admin = requireUser('admin');
  const reader = requireUser('manager', 'technician');
  const view = () => {
    const st = requireSeatsTrunks(deps);
    return hardwareView(st.opts.db, st.hardware);
  };

  app.get(
    '/hardware',
    { schema: { tags: ['hardware'], summary: 'Telephony cards: cards, spans with alarms and settings, ports with their seat/trunk, recent events', response: { 200: HardwareView, ...errors } }, preHandler: reader },
    async () => view(),
  );

  app.post(
    '/hardware/rescan',
    { schema: { tags: ['hardware'], summary: 'Read the cards again now (dahdi_hardware, dahdi_scan, /proc/dahdi)', response: { 200: HardwareView, ...errors } }, preHandler: requireUser('technician') },
    async () => {
      await requireSeatsTrunks(deps).hardware.pollNow();
      return view();
    },
  );

  app.put(
    '/hardware/spans/:span',
    {
      schema: { tags: ['hardware'], summary: 'E1/T1 span settings: PRI (CPE/network side) or MFC/R2, framing, coding, CRC-4, clock source priority', params: Type.Object({ span: Type.Integer() }), body: SpanSettingsRequest, response: { 200: HardwareView, ...errors } },
      preHandler: admin,
    },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const n = req.params.span;
      const detected = st.hardware.inventory.spans.find((s) => s.span === n);
      if (!detected) throw notFound(`span ${n} is not detected on this box`);
      await st.changes.run({
        actor: actorOf(req),
        action: 'span.configured',
        target: `span:${n}`,
        detail: req.body,
        mutate: (db) => {
          const row = db.prepare<[number], { config: string }>('SELECT config FROM dahdi_spans WHERE span = ?').get(n);
          const current: StoredSpanConfig = row ? (JSON.parse(row.config) as StoredSpanConfig) : defaultSpanConfig(detected, req.body.signalling ?? 'pri_cpe', req.body.timing ?? 1);
          const next = applySpanSettings(current, req.body);
          if (row) db.prepare(`UPDATE dahdi_spans SET config = ?, updated_at = ${NOW} WHERE span = ?`).run(JSON.stringify(next), n);
          else db.prepare('INSERT INTO dahdi_spans (span, config) VALUES (?, ?)').run(n, JSON.stringify(next));
          return spanSignalling(next);
        },
      });
      return view();
    },
  );

  app.delete(
    '/hardware/spans/:span',
    { schema: { tags: ['hardware'], summary: 'Remove the settings of a span (refused while a trunk uses it)', params: Type.Object({ span: Type.Integer() }), response: { 200: HardwareView, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const n = req.params.span;
      const row = st.opts.db.prepare<[number], { trunk_id: number | null }>('SELECT trunk_id FROM dahdi_spans WHERE span = ?').get(n);
      if (!row) throw notFound(`span ${n} has no settings`);
      if (row.trunk_id !== null) {
        const t = new TrunkStore(st.opts.db).byId(row.trunk_id);
        throw conflict(`span ${n} carries ${trunkLabel(t?.name ?? String(row.trunk_id))}; remove the span from that trunk first`);
      }
      await st.changes.run({ actor: actorOf(req), action: 'span.unconfigured', target: `span:${n}`, mutate: (db) => db.prepare('DELETE FROM dahdi_spans WHERE span = ?').run(n) });
      return view();
    },
  );

  app.put(
    '/hardware/ports/:channel',
    {
      schema: {
        tags: ['hardware'],
        summary: 'Assign an analog port: an FXS port to an analog seat ({seat}), an FXO port to an analog trunk ({trunkId}); null frees it',
        params: Type.Object({ channel: Type.Integer() }),
        body: PortAssignmentRequest,
        response: { 200: HardwareView, ...errors },
      },
      preHandler: admin,
    },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const channel = req.params.channel;
      const inv = st.hardware.inventory;
      const found = findAnalogPort(inv, channel);
      if (!found) throw notFound(`channel ${channel} is not a port of the detected telephony cards`);
      const where = `span ${found.span.span} port ${found.port.port} (channel ${channel})`;
      const { seat, trunkId } = req.body;
      if (seat !== undefined && trunkId !== undefined) throw badInput(`${where}: give either a seat or a trunk`);
      if (seat === undefined && trunkId === undefined) throw badInput(`${where}: give the seat (FXS port) or the trunk (FXO port), or null to free it`);
      await st.changes.run({
        actor: actorOf(req),
        action: 'port.assigned',
        target: `channel:${channel}`,
        detail: req.body,
        mutate: (db) => {
          if (seat !== undefined) {
            if (seat === null) return db.prepare(`DELETE FROM dahdi_ports WHERE channel = ? AND kind = 'FXS'`).run(channel);
            const s = new SeatStore(db).byExtension(seat.trim());
            if (!s) throw badInput(`${where}: seat ${seat} does not exist`, 'seat');
            if (s.tech !== 'fxs') throw badInput(`${where}: seat ${s.extension} is a SIP seat; only analog seats use an FXS port (create the seat as analog)`, 'seat');
            checkPortFor(db, inv, channel, 'FXS', `seat ${s.extension}`, { seatId: s.id }, 'seat');
            new SeatStore(db).assignPort(s.id, channel, found.span.span);
            return undefined;
          }
          if (trunkId === null) return db.prepare(`DELETE FROM dahdi_ports WHERE channel = ? AND kind = 'FXO'`).run(channel);
          const t = new TrunkStore(db).byId(trunkId!);
          if (!t) throw badInput(`${where}: trunk ${trunkId} does not exist`, 'trunkId');
          if (t.kind !== 'fxo') throw badInput(`${where}: ${trunkLabel(t.name)} is ${t.kind === 'sip' ? 'a SIP trunk' : 'an E1 trunk'}; FXO ports belong to analog (FXO) trunks`, 'trunkId');
          checkPortFor(db, inv, channel, 'FXO', trunkLabel(t.name), { trunkId: t.id }, 'trunkId');
          db.prepare(`INSERT OR REPLACE INTO dahdi_ports (channel, span, kind, trunk_id) VALUES (?, ?, 'FXO', ?)`).run(channel, found.span.span, t.id);
          return undefined;
        },
      });
      return view();
    },
  );

  app.get(
    '/hardware/events',
    { schema: { tags: ['hardware'], summary: 'Telephony-card event log: alarms raised/cleared, cards added/removed', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }), response: { 200: Type.Object({ events: HardwareView.properties.events }), ...errors } }, preHandler: reader },
    async (req) => ({ events: requireSeatsTrunks(deps).hardware.events(req.query.limit ?? 100) }),
  );
};
