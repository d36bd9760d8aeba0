// Trunks (SIP carriers, FXO line groups, E1 spans) with live status, outbound routes
// (ordered, Chinese number presets, failover order) and inbound routes (DID → seat / queue /
// hangup). Every change goes through the change runner; trunk passwords are never returned.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { TrunkLive } from './schemas.js';
import { SeatStore } from '../seats/seat-store.js';
import { EMERGENCY, ROUTE_PRESETS, RouteStore } from '../trunks/route-store.js';
import {
  CreateTrunkRequest,
  InboundRouteList,
  InboundRouteRequest,
  OutboundRouteList,
  OutboundRouteRequest,
  RouteOrderRequest,
  Trunk,
  TrunkList,
  UpdateTrunkRequest,
} from '../trunks/schemas.js';
import { TrunkStore, toTrunk, trunkLabel } from '../trunks/trunk-store.js';
import { DEFAULT_DIALING } from '../pbx-config/model.js';
import { actorOf, installChangeErrorHandler, requireSeatsTrunks } from './seats-routes.js';
import type { HttpDeps } from './server.js';
import { requireUser } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 422: errorRef, 503: errorRef } as const;
const IdParams = Type.Object({ id: Type.Integer() });

export const trunksRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  installChangeErrorHandler(app);
  const admin = requireUser('admin');
  const reader = requireUser('manager', 'technician');

  const trunkView = (id: number) => {
    const store = new TrunkStore(requireSeatsTrunks(deps).opts.db);
    return toTrunk(store.get(id), store.usedBy(id));
  };

  // ---- trunks

  app.get('/trunks', { schema: { tags: ['trunks'], summary: 'Trunks (never their passwords)', response: { 200: TrunkList, ...errors } }, preHandler: reader }, async () => {
    const store = new TrunkStore(requireSeatsTrunks(deps).opts.db);
    return { trunks: store.all().map((t) => toTrunk(t, store.usedBy(t.id))) };
  });

  app.get(
    '/trunks/live',
    { schema: { tags: ['trunks'], summary: 'Live status of every trunk (also pushed as trunk.updated on the live feed)', response: { 200: Type.Array(TrunkLive), ...errors } }, preHandler: reader },
    async () => requireSeatsTrunks(deps).trunkStatus.all(),
  );

  app.post(
    '/trunks',
    { schema: { tags: ['trunks'], summary: 'Create a trunk: SIP (registration or IP authentication), FXO lines or E1 spans', body: CreateTrunkRequest, response: { 200: Type.Object({ trunk: Trunk }), ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const { secret: _secret, ...safe } = req.body;
      const id = await st.changes.run({
        actor: actorOf(req),
        action: 'trunk.created',
        target: `trunk:${req.body.name}`,
        detail: { ...safe, ...(req.body.secret ? { secret: '(set)' } : {}) },
        mutate: (db) => new TrunkStore(db).create(req.body, st.hardware.inventory),
      });
      return { trunk: trunkView(id) };
    },
  );

  app.patch(
    '/trunks/:id',
    { schema: { tags: ['trunks'], summary: 'Change a trunk (omit secret to keep the stored password)', params: IdParams, body: UpdateTrunkRequest, response: { 200: Type.Object({ trunk: Trunk }), ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const cur = new TrunkStore(st.opts.db).get(req.params.id);
      const { secret, ...safe } = req.body;
      await st.changes.run({
        actor: actorOf(req),
        action: 'trunk.changed',
        target: `trunk:${cur.id}`,
        detail: { ...safe, ...(secret !== undefined ? { secret: secret ? '(changed)' : '(cleared)' } : {}) },
        mutate: (db) => new TrunkStore(db).update(cur.id, req.body, st.hardware.inventory),
      });
      const view = trunkView(cur.id);
      if (view.enabled && view.sip?.register && (secret !== undefined || req.body.username !== undefined)) await st.reregister(view.pbxId);
      return { trunk: view };
    },
  );

  app.delete(
    '/trunks/:id',
    { schema: { tags: ['trunks'], summary: 'Delete a trunk (refused while an outbound route uses it)', params: IdParams, response: { 200: Type.Object({ deleted: Type.Integer() }), ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const cur = new TrunkStore(st.opts.db).get(req.params.id);
      await st.changes.run({ actor: actorOf(req), action: 'trunk.deleted', target: `trunk:${cur.id}`, detail: { name: cur.name, label: trunkLabel(cur.name) }, mutate: (db) => new TrunkStore(db).remove(cur.id) });
      return { deleted: cur.id };
    },
  );

  // ---- outbound routes

  const outboundList = () => {
    const st = requireSeatsTrunks(deps);
    return {
      routes: new RouteStore(st.opts.db).outbound(),
      presets: [...ROUTE_PRESETS],
      outsidePrefix: st.opts.baseModel().dialing?.outsidePrefix ?? DEFAULT_DIALING.outsidePrefix,
      emergencyNumbers: EMERGENCY,
    };
  };

  app.get('/routes/outbound', { schema: { tags: ['routes'], summary: 'Outbound routes in the order they are tried, with the Chinese number presets', response: { 200: OutboundRouteList, ...errors } }, preHandler: reader }, async () => outboundList());

  app.post(
    '/routes/outbound',
    { schema: { tags: ['routes'], summary: 'Add an outbound route (tried after the existing ones)', body: OutboundRouteRequest, response: { 200: OutboundRouteList, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      await st.changes.run({ actor: actorOf(req), action: 'route.created', target: `route:${req.body.name}`, detail: req.body, mutate: (db) => new RouteStore(db).createOutbound(req.body) });
      return outboundList();
    },
  );

  app.put(
    '/routes/outbound/:id',
    { schema: { tags: ['routes'], summary: 'Change an outbound route', params: IdParams, body: OutboundRouteRequest, response: { 200: OutboundRouteList, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      await st.changes.run({ actor: actorOf(req), action: 'route.changed', target: `route:${req.params.id}`, detail: req.body, mutate: (db) => new RouteStore(db).updateOutbound(req.params.id, req.body) });
      return outboundList();
    },
  );

  app.delete(
    '/routes/outbound/:id',
    { schema: { tags: ['routes'], summary: 'Delete an outbound route', params: IdParams, response: { 200: OutboundRouteList, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      await st.changes.run({ actor: actorOf(req), action: 'route.deleted', target: `route:${req.params.id}`, mutate: (db) => new RouteStore(db).removeOutbound(req.params.id) });
      return outboundList();
    },
  );

  app.put(
    '/routes/outbound-order',
    { schema: { tags: ['routes'], summary: 'Reorder the outbound routes (every id once; first is tried first)', body: RouteOrderRequest, response: { 200: OutboundRouteList, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      await st.changes.run({ actor: actorOf(req), action: 'route.reordered', target: 'routes:outbound', detail: req.body, mutate: (db) => new RouteStore(db).reorderOutbound(req.body.ids) });
      return outboundList();
    },
  );

  // ---- inbound routes

  const inboundList = () => {
    const st = requireSeatsTrunks(deps);
    return {
      routes: new RouteStore(st.opts.db).inbound(),
      seats: new SeatStore(st.opts.db).all().map((s) => ({ extension: s.extension, name: s.name })),
      queues: st.opts.baseModel().queues.map((q) => q.name),
    };
  };

  app.get('/routes/inbound', { schema: { tags: ['routes'], summary: 'Inbound routes (DID → seat, queue or hangup) and the possible destinations', response: { 200: InboundRouteList, ...errors } }, preHandler: reader }, async () => inboundList());

  app.post(
    '/routes/inbound',
    { schema: { tags: ['routes'], summary: 'Add an inbound route', body: InboundRouteRequest, response: { 200: InboundRouteList, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      await st.changes.run({ actor: actorOf(req), action: 'inbound_route.created', target: `inbound:${req.body.did || 'any'}`, detail: req.body, mutate: (db) => new RouteStore(db).createInbound(req.body) });
      return inboundList();
    },
  );

  app.put(
    '/routes/inbound/:id',
    { schema: { tags: ['routes'], summary: 'Change an inbound route', params: IdParams, body: InboundRouteRequest, response: { 200: InboundRouteList, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      await st.changes.run({ actor: actorOf(req), action: 'inbound_route.changed', target: `inbound:${req.params.id}`, detail: req.body, mutate: (db) => new RouteStore(db).updateInbound(req.params.id, req.body) });
      return inboundList();
    },
  );

  app.delete(
    '/routes/inbound/:id',
    { schema: { tags: ['routes'], summary: 'Delete an inbound route', params: IdParams, response: { 200: InboundRouteList, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      await st.changes.run({ actor: actorOf(req), action: 'inbound_route.deleted', target: `inbound:${req.params.id}`, mutate: (db) => new RouteStore(db).removeInbound(req.params.id) });
      return inboundList();
    },
  );
};
