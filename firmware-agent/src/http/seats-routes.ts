// Seats API: list, create (one or a range, all-or-nothing), change, regenerate the secret,
// delete. Secrets leave the box only in the answer that created them. Every change goes
// through the change runner (model built from the tables, validated, applied to Asterisk,
// then committed with its audit entry).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkPortFor, freePorts } from '../hardware-inventory/ports.js';
import type { Actor } from '../pbx-model/change-runner.js';
import { ConfigChangeError, badInput, conflict, notFound } from '../pbx-model/errors.js';
import type { SeatsTrunksModule } from '../pbx-model/seats-trunks-module.js';
import { provisioningFor, sipServerAddress } from '../seats/provisioning.js';
import {
  BulkCreateSeatsRequest,
  CreateSeatRequest,
  DeleteSeatsRequest,
  Provisioning,
  SeatCreated,
  SeatList,
  SeatsCreated,
  Seat,
  UpdateSeatRequest,
} from '../seats/schemas.js';
import { MAX_SEATS, SeatStore, checkCodecs, checkDisplayName, checkExtension, generateSeatSecret, type SeatRecord } from '../seats/seat-store.js';
import type { HttpDeps } from './server.js';
import { requireUser } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 422: errorRef, 503: errorRef } as const;

/** ConfigChangeError → its status and {error, message, field}; anything else to the server's handler. */
export function installChangeErrorHandler(app: FastifyInstance<any, any, any, any, any>): void {
  app.setErrorHandler((err: FastifyError | ConfigChangeError, _req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ConfigChangeError) return reply.code(err.status).send(err.toJSON());
    throw err;
  });
}

export function actorOf(req: FastifyRequest): Actor {
  const a: Actor = { ip: req.ip };
  if (req.user) {
    a.userId = req.user.id;
    a.username = req.user.username;
  }
  return a;
}

export function requireSeatsTrunks(deps: HttpDeps): SeatsTrunksModule {
  if (!deps.seatsTrunks) throw new ConfigChangeError(503, 'unavailable', 'seats and trunks are not available in this process');
  return deps.seatsTrunks;
}

export function toSeat(s: SeatRecord, st: SeatsTrunksModule): Seat {
  let port: Seat['port'] = null;
  if (s.port) {
    const span = st.hardware.inventory.spans.find((x) => x.span === s.port!.span);
    const hw = span?.ports.find((p) => p.channel === s.port!.channel);
    port = { channel: s.port.channel, span: s.port.span, port: hw?.port ?? null, card: span?.card ?? null };
  }
  return {
    id: s.id,
    extension: s.extension,
    name: s.name,
    kind: s.kind,
    tech: s.tech,
    enabled: s.enabled,
    codecs: s.codecs,
    port,
    registered: s.enabled && st.seats.registeredByExtension(s.extension),
    contact: s.tech === 'sip' && s.enabled ? st.seats.contact(s.extension) : null,
    secretSetAt: s.secretSetAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** "8001-8048" or "8001, 8003" for audit entries. */
function extensionsText(exts: string[]): string {
  if (exts.length > 2 && exts.every((e, i) => i === 0 || Number(e) === Number(exts[i - 1]) + 1)) return `${exts[0]}-${exts[exts.length - 1]}`;
  return exts.join(', ');
}

export const seatsRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  installChangeErrorHandler(app);
  const admin = requireUser('admin');
  const reader = requireUser('manager', 'technician', 'team_lead');
  const server = (req: FastifyRequest) => {
    const st = requireSeatsTrunks(deps);
    return sipServerAddress(st.opts.sip(), req.headers.host);
  };
  const seatByExt = (ext: string): SeatRecord => {
    const st = requireSeatsTrunks(deps);
    const s = new SeatStore(st.opts.db).byExtension(ext);
    if (!s) throw notFound(`seat ${ext} does not exist`);
    return s;
  };

  app.get(
    '/seats',
    { schema: { tags: ['seats'], summary: 'Seats (SIP phones and analog FXS phones), with live registration; never their secrets', response: { 200: SeatList, ...errors } }, preHandler: reader },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const srv = server(req);
      return { seats: new SeatStore(st.opts.db).all().map((s) => toSeat(s, st)), server: { address: srv.address, port: srv.port, transport: 'udp' as const } };
    },
  );

  app.post(
    '/seats',
    { schema: { tags: ['seats'], summary: 'Create one seat; a SIP seat answers with its secret and provisioning details ONCE', body: CreateSeatRequest, response: { 200: SeatCreated, ...errors } }, preHandler: admin },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const b = req.body;
      const ext = checkExtension(b.extension.trim());
      const what = `seat ${ext}`;
      const name = checkDisplayName(b.name, what);
      const codecs = checkCodecs(b.codecs, what);
      const tech = b.tech ?? 'sip';
      if (tech === 'fxs' && b.channel === undefined) throw badInput(`${what}: choose the FXS port the analog phone is plugged into`, 'channel');
      if (tech === 'sip' && b.channel !== undefined) throw badInput(`${what}: a SIP seat has no card port (choose tech "fxs" for an analog phone)`, 'channel');
      const secret = tech === 'sip' ? generateSeatSecret() : null;
      const id = await st.changes.run({
        actor: actorOf(req),
        action: 'seat.created',
        target: `seat:${ext}`,
        detail: { extension: ext, name, kind: b.kind ?? 'agent', tech, ...(b.channel !== undefined ? { channel: b.channel } : {}) },
        mutate: (db) => {
          const store = new SeatStore(db);
          if (store.count() >= MAX_SEATS) throw conflict(`the box holds at most ${MAX_SEATS} seats`);
          const sid = store.insert({ extension: ext, name, kind: b.kind ?? 'agent', tech, secret, codecs });
          if (tech === 'fxs') {
            const { span } = checkPortFor(db, st.hardware.inventory, b.channel!, 'FXS', what, { seatId: sid });
            store.assignPort(sid, b.channel!, span);
          }
          return sid;
        },
      });
      const seat = new SeatStore(st.opts.db).all().find((s) => s.id === id)!;
      return { seat: toSeat(seat, st), provisioning: secret ? provisioningFor(seat, secret, server(req)) : null };
    },
  );

  app.post(
    '/seats/bulk',
    {
      schema: {
        tags: ['seats'],
        summary: 'Create a range of seats in one step (all or nothing), e.g. 8001-8048 named "坐席 {n}"; answers every secret ONCE',
        body: BulkCreateSeatsRequest,
        response: { 200: SeatsCreated, ...errors },
      },
      preHandler: admin,
    },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const b = req.body;
      const from = checkExtension(b.from.trim(), 'from');
      const to = checkExtension(b.to.trim(), 'to');
      if (from.length !== to.length) throw badInput(`the range ${from}-${to} must keep the number of digits (${from.length} vs ${to.length})`, 'to');
      const count = Number(to) - Number(from) + 1;
      if (count < 1) throw badInput(`the range ${from}-${to} is empty: the last extension must not be below the first`, 'to');
      if (count > MAX_SEATS) throw badInput(`the range ${from}-${to} has ${count} seats; at most ${MAX_SEATS} at once`, 'to');
      const pattern = b.namePattern.trim() || '{n}';
      const tech = b.tech ?? 'sip';
      const kind = b.kind ?? 'agent';
      const plan = Array.from({ length: count }, (_, i) => {
        const ext = String(Number(from) + i).padStart(from.length, '0');
        checkExtension(ext, 'to');
        const name = checkDisplayName(pattern.replaceAll('{n}', ext).replaceAll('{i}', String(i + 1)), `seat ${ext}`, 'namePattern');
        return { ext, name, secret: tech === 'sip' ? generateSeatSecret() : null };
      });
      const codecs = checkCodecs(b.codecs, `seats ${from}-${to}`);
      await st.changes.run({
        actor: actorOf(req),
        action: 'seat.bulk_created',
        target: `seats:${from}-${to}`,
        detail: { extensions: `${from}-${to}`, count, kind, tech, namePattern: pattern },
        mutate: (db) => {
          const store = new SeatStore(db);
          const taken = plan.filter((p) => store.byExtension(p.ext)).map((p) => p.ext);
          if (taken.length > 0) throw conflict(`seat${taken.length > 1 ? 's' : ''} ${extensionsText(taken)} already exist${taken.length > 1 ? '' : 's'}; nothing was created`, 'from');
          if (store.count() + count > MAX_SEATS) throw conflict(`the box holds at most ${MAX_SEATS} seats (${store.count()} exist); nothing was created`, 'to');
          const ports = tech === 'fxs' ? freePorts(db, st.hardware.inventory, 'FXS') : [];
          if (tech === 'fxs' && ports.length < count) {
            throw conflict(`${count} analog seats need ${count} free FXS ports; the detected cards have ${ports.length} free; nothing was created`, 'to');
          }
          plan.forEach((p, i) => {
            const id = store.insert({ extension: p.ext, name: p.name, kind, tech, secret: p.secret, codecs });
            if (tech === 'fxs') store.assignPort(id, ports[i]!.port.channel, ports[i]!.span);
          });
        },
      });
      const all = new SeatStore(st.opts.db).all();
      const created = plan.map((p) => all.find((s) => s.extension === p.ext)!);
      const srv = server(req);
      return {
        seats: created.map((s) => toSeat(s, st)),
        provisioning: plan.filter((p) => p.secret).map((p) => provisioningFor(created.find((s) => s.extension === p.ext)!, p.secret!, srv)),
      };
    },
  );

  app.patch(
    '/seats/:extension',
    {
      schema: { tags: ['seats'], summary: 'Change a seat: name, kind, enabled, codecs, FXS port', params: Type.Object({ extension: Type.String() }), body: UpdateSeatRequest, response: { 200: Type.Object({ seat: Seat }), ...errors } },
      preHandler: admin,
    },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const cur = seatByExt(req.params.extension);
      const what = `seat ${cur.extension}`;
      const b = req.body;
      const name = b.name !== undefined ? checkDisplayName(b.name, what) : undefined;
      const codecs = b.codecs !== undefined ? checkCodecs(b.codecs, what) : undefined;
      if (b.channel !== undefined && cur.tech !== 'fxs') throw badInput(`${what}: a SIP seat has no card port`, 'channel');
      await st.changes.run({
        actor: actorOf(req),
        action: 'seat.changed',
        target: `seat:${cur.extension}`,
        detail: b,
        mutate: (db) => {
          const store = new SeatStore(db);
          store.update(cur.id, { ...(name !== undefined ? { name } : {}), ...(b.kind ? { kind: b.kind } : {}), ...(b.enabled !== undefined ? { enabled: b.enabled } : {}), ...(codecs ? { codecs } : {}) });
          if (b.channel === null) store.releasePort(cur.id);
          else if (b.channel !== undefined) {
            const { span } = checkPortFor(db, st.hardware.inventory, b.channel, 'FXS', what, { seatId: cur.id });
            store.assignPort(cur.id, b.channel, span);
          }
        },
      });
      return { seat: toSeat(seatByExt(cur.extension), st) };
    },
  );

  app.post(
    '/seats/:extension/secret',
    {
      schema: { tags: ['seats'], summary: 'Generate a new secret for a SIP seat (the old one stops working); answers it ONCE', params: Type.Object({ extension: Type.String() }), response: { 200: Type.Object({ provisioning: Provisioning }), ...errors } },
      preHandler: admin,
    },
    async (req) => {
      const st = requireSeatsTrunks(deps);
      const cur = seatByExt(req.params.extension);
      if (cur.tech !== 'sip') throw badInput(`seat ${cur.extension} is an analog seat: it has no SIP secret`);
      const secret = generateSeatSecret();
      await st.changes.run({
        actor: actorOf(req),
        action: 'seat.secret_regenerated',
        target: `seat:${cur.extension}`,
        mutate: (db) => new SeatStore(db).setSecret(cur.id, secret),
      });
      return { provisioning: provisioningFor(cur, secret, server(req)) };
    },
  );

  const deleteSeats = async (req: FastifyRequest, extensions: string[]) => {
    const st = requireSeatsTrunks(deps);
    const seats = extensions.map((e) => seatByExt(e.trim()));
    await st.changes.run({
      actor: actorOf(req),
      action: 'seat.deleted',
      target: `seats:${extensionsText(seats.map((s) => s.extension))}`,
      detail: { extensions: seats.map((s) => s.extension) },
      mutate: (db) => {
        const store = new SeatStore(db);
        for (const s of seats) store.remove(s.id);
      },
    });
    return { deleted: seats.map((s) => s.extension) };
  };

  app.delete(
    '/seats/:extension',
    { schema: { tags: ['seats'], summary: 'Delete a seat (its phone can no longer register; its FXS port is freed)', params: Type.Object({ extension: Type.String() }), response: { 200: Type.Object({ deleted: Type.Array(Type.String()) }), ...errors } }, preHandler: admin },
    async (req) => deleteSeats(req, [req.params.extension]),
  );

  app.post(
    '/seats/delete',
    { schema: { tags: ['seats'], summary: 'Delete several seats at once (all or nothing)', body: DeleteSeatsRequest, response: { 200: Type.Object({ deleted: Type.Array(Type.String()) }), ...errors } }, preHandler: admin },
    async (req) => deleteSeats(req, req.body.extensions),
  );
};
