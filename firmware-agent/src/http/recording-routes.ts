// Recording API (docs/recording.md): list/search, listen (HTTP Range, 206), download,
// evidence marking, storage status / settings / run-now. Every listen and download and every
// evidence change is written to the audit log. Agents get 403: recordings of other people's
// calls are for supervisors and QA only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { RecordingModule } from '../recording/recording-module.js';
import type { RecordingRow } from '../recording/recording-store.js';
import { EvidenceBody, LifecycleSettingsSchema, Recording, RecordingList, RecordingListQuery, RecordingStorageSchema } from '../recording/schemas.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 410: errorRef, 416: errorRef };
/** Who may browse and listen. */
export const LISTEN_ROLES: Role[] = ['manager', 'qa', 'team_lead'];
/** Who may download a copy and mark evidence. */
export const DOWNLOAD_ROLES: Role[] = ['manager', 'qa'];
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
/** One audit entry per user and recording per this many ms of listening (seeks are new requests). */
const LISTEN_AUDIT_WINDOW_MS = 10 * 60_000;

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a Range header for a file of `size` bytes (RFC 9110 §14.1.2, first range only).
 * undefined: no/ignored header (whole file); null: unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | undefined {
  if (!header) return undefined;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*(?:,.*)?$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

const MIME: Record<RecordingRow['format'], string> = { wav: 'audio/wav', opus: 'audio/ogg' };

export const recordingRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const rec = deps.recording as RecordingModule;
  const tags = ['recording'];
  const lastListen = new Map<string, number>();
  const actor = (req: FastifyRequest) => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });

  /** The row with a playable file, or an error reply. */
  const playable = async (id: number, reply: FastifyReply): Promise<{ row: RecordingRow; path: string; size: number } | undefined> => {
    const row = rec.store.byId(id);
    if (!row) return void (await reply.code(404).send({ error: 'not_found', message: `recording ${id} does not exist` }));
    if (row.state === 'recording') return void (await reply.code(409).send({ error: 'recording', message: `recording ${id} is still being recorded` }));
    const path = rec.fileOf(row);
    if (row.state !== 'complete' || !existsSync(path)) return void (await reply.code(410).send({ error: 'gone', message: `the file of recording ${id} is ${row.state === 'deleted' ? `deleted (${row.deleted_reason ?? 'retention'})` : 'missing'}` }));
    return { row, path, size: statSync(path).size };
  };

  const send = (req: FastifyRequest, reply: FastifyReply, f: { row: RecordingRow; path: string; size: number }) => {
    reply.header('Accept-Ranges', 'bytes').header('Cache-Control', 'private, no-store');
    const range = parseRange(req.headers.range, f.size);
    if (range === null) return reply.code(416).header('Content-Range', `bytes */${f.size}`).send({ error: 'range_not_satisfiable', message: `range "${req.headers.range}" is outside the file of ${f.size} bytes` });
    reply.header('Content-Type', MIME[f.row.format]);
    if (range === undefined) return reply.code(200).header('Content-Length', f.size).send(createReadStream(f.path));
    return reply
      .code(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${f.size}`)
      .header('Content-Length', range.end - range.start + 1)
      .send(createReadStream(f.path, { start: range.start, end: range.end }));
  };

  app.get(
    '/recordings',
    { schema: { tags, summary: 'Recordings, newest first; filter by date range, agent, seat, number, evidence', querystring: RecordingListQuery, response: { 200: RecordingList, ...errors } }, preHandler: requireUser(...LISTEN_ROLES) },
    async (req) => rec.store.list(req.query),
  );

  app.get(
    '/recordings/:id',
    { schema: { tags, summary: 'One recording', params: IdParams, response: { 200: Recording, ...errors } }, preHandler: requireUser(...LISTEN_ROLES) },
    async (req, reply) => rec.store.view(req.params.id) ?? reply.code(404).send({ error: 'not_found', message: `recording ${req.params.id} does not exist` }),
  );

  app.get(
    '/recordings/:id/audio',
    { schema: { tags, summary: 'Listen: the audio file, with HTTP Range (206 Partial Content) for seeking; audited', params: IdParams, response: errors }, preHandler: requireUser(...LISTEN_ROLES) },
    async (req, reply) => {
      const f = await playable(req.params.id, reply);
      if (!f) return reply;
      // A player sends one request per seek: one audit entry per user and recording per window.
      const key = `${req.user!.id}:${f.row.id}`;
      const now = Date.now();
      if (now - (lastListen.get(key) ?? 0) > LISTEN_AUDIT_WINDOW_MS) {
        deps.audit.write({ ...actor(req), action: 'recording.listen', target: `recording:${f.row.id}`, detail: { linkedid: f.row.linkedid, range: req.headers.range ?? null } });
        if (lastListen.size > 10_000) lastListen.clear();
      }
      lastListen.set(key, now);
      return send(req, reply, f);
    },
  );

  app.get(
    '/recordings/:id/download',
    { schema: { tags, summary: 'Download the file (Content-Disposition: attachment); audited', params: IdParams, response: errors }, preHandler: requireUser(...DOWNLOAD_ROLES) },
    async (req, reply) => {
      const f = await playable(req.params.id, reply);
      if (!f) return reply;
      deps.audit.write({ ...actor(req), action: 'recording.download', target: `recording:${f.row.id}`, detail: { linkedid: f.row.linkedid, sha256: f.row.sha256 } });
      const name = `recording-${f.row.id}-${f.row.linkedid}.${f.row.format === 'opus' ? 'opus' : 'wav'}`;
      reply.header('Content-Disposition', `attachment; filename="${name}"`);
      return send(req, reply, f);
    },
  );

  app.post(
    '/recordings/:id/evidence',
    { schema: { tags, summary: 'Marks or unmarks a recording as evidence (never deleted by retention); audited', params: IdParams, body: EvidenceBody, response: { 200: Recording, ...errors } }, preHandler: requireUser(...DOWNLOAD_ROLES) },
    async (req, reply) => {
      const row = rec.store.byId(req.params.id);
      if (!row) return reply.code(404).send({ error: 'not_found', message: `recording ${req.params.id} does not exist` });
      if (row.state === 'deleted' || row.state === 'missing') return reply.code(409).send({ error: 'gone', message: `recording ${row.id} has no file any more (${row.state}); it cannot be evidence` });
      rec.store.setEvidence(row.id, req.body.evidence, req.body.reason, req.user!.username);
      deps.audit.write({ ...actor(req), action: req.body.evidence ? 'recording.evidence_marked' : 'recording.evidence_unmarked', target: `recording:${row.id}`, detail: { reason: req.body.reason, linkedid: row.linkedid } });
      return rec.store.view(row.id)!;
    },
  );

  app.get(
    '/recordings/storage',
    { schema: { tags, summary: 'Disk use, alarm state, recording switch, last lifecycle job, settings', response: { 200: RecordingStorageSchema, ...errors } }, preHandler: requireUser(...LISTEN_ROLES) },
    async () => rec.lifecycle.checkDisk(),
  );

  app.put(
    '/recordings/storage/settings',
    { schema: { tags, summary: 'Lifecycle settings: nightly schedule, retention days, quota, disk thresholds (admin); audited', body: LifecycleSettingsSchema, response: { 200: RecordingStorageSchema, ...errors } }, preHandler: requireUser('admin') },
    async (req, reply) => {
      const issue = rec.saveSettings(req.body);
      if (issue) return reply.code(400).send({ error: 'validation', message: issue, field: issue.split(':')[0] });
      deps.audit.write({ ...actor(req), action: 'recording.settings_changed', target: 'recording.lifecycle', detail: req.body });
      return rec.lifecycle.checkDisk();
    },
  );

  app.post(
    '/recordings/storage/run',
    { schema: { tags, summary: 'Runs the storage job now (compress, verify, retention); progress as recording.job frames (admin); audited', response: { 202: Type.Object({ started: Type.Boolean(), alreadyRunning: Type.Boolean() }), ...errors } }, preHandler: requireUser('admin') },
    async (req, reply) => {
      const already = rec.lifecycle.isRunning;
      void rec.lifecycle.run('manual').catch((err: unknown) => req.log.error({ err }, 'recording job failed'));
      deps.audit.write({ ...actor(req), action: 'recording.job_run', target: 'recording.lifecycle', detail: { alreadyRunning: already } });
      return reply.code(202).send({ started: !already, alreadyRunning: already });
    },
  );
};
