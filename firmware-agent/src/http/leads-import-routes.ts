// Lead import API: upload a CSV/XLSX file (raw body, streamed with a size cap), preview it
// (encoding, header, editable mapping, the full check report incl. campaign duplicates and
// do-not-call hits), confirm the import (all-or-nothing or valid rows only), read the report
// and download its refused rows as CSV. Roles data_manager / manager (admin passes); every
// state-changing call and every report download is audited. See docs/leads-import.md.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { LeadsImportError, MAX_UPLOAD_BYTES, type ImportActor, type LeadsImportService } from '../leads/import/import-service.js';
import { FIELD_TARGETS } from '../leads/import/parse.js';
import { SAMPLE_FILE_NAME, sampleLeadsCsv } from '../leads/import/sample.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const ROLES: Role[] = ['data_manager', 'manager'];
const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 410: errorRef, 413: errorRef, 415: errorRef, 422: errorRef };
const tags = ['leads'];

const Target = Type.Union(FIELD_TARGETS.map((t) => Type.Literal(t)));
const Mapping = Type.Record(Type.String(), Target);
const AreaCode = Type.Union([Type.String({ pattern: '^0[1-9][0-9]{1,2}$' }), Type.Null()]);
const Source = Type.String({ minLength: 1, maxLength: 64 });
const Mode = Type.Union([Type.Literal('all_or_nothing'), Type.Literal('valid_only')]);
const Refused = Type.Object({ line: Type.Integer(), code: Type.String(), reason: Type.String() });
const Upload = Type.Object({
  id: Type.Integer(),
  fileName: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  encoding: Type.String(),
  status: Type.String(),
  createdAt: Type.String(),
});
const CheckReport = Type.Object({
  encoding: Type.String(),
  rows: Type.Integer(),
  valid: Type.Integer(),
  duplicates: Type.Integer(),
  invalid: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() })),
});
const Preview = Type.Object({
  upload: Upload,
  kind: Type.String(),
  encoding: Type.String(),
  sheet: Type.Union([Type.String(), Type.Null()]),
  headerLine: Type.Union([Type.Integer(), Type.Null()]),
  columns: Type.Array(Type.String()),
  mapping: Mapping,
  mappingFrom: Type.String(),
  defaultAreaCode: Type.Union([Type.String(), Type.Null()]),
  sample: Type.Array(Type.Object({ line: Type.Integer(), cells: Type.Array(Type.String()) })),
  report: CheckReport,
  refused: Type.Array(Refused),
  campaign: Type.Union([Type.Object({ id: Type.Integer(), duplicates: Type.Integer(), dnc: Type.Integer(), refused: Type.Array(Refused) }), Type.Null()]),
});
const ReportFields = {
  jobId: Type.Integer(),
  status: Type.String(),
  mode: Type.String(),
  campaignId: Type.Integer(),
  listId: Type.Union([Type.Integer(), Type.Null()]),
  source: Type.String(),
  fileName: Type.String(),
  encoding: Type.String(),
  sha256: Type.String(),
  rows: Type.Integer(),
  valid: Type.Integer(),
  imported: Type.Integer(),
  invalid: Type.Integer(),
  duplicatesInFile: Type.Integer(),
  duplicatesInCampaign: Type.Integer(),
  dnc: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
};
const Report = Type.Object({ ...ReportFields, refused: Type.Array(Refused) });
const JobSummary = Type.Object({ ...ReportFields, refusedCount: Type.Integer() });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const actorOf = (req: FastifyRequest): ImportActor => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });

/** Reads a streamed body into memory, refusing more than `max` bytes. */
async function readBody(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) {
      stream.destroy();
      throw new LeadsImportError('too_large', `the file is larger than ${max / 1024 / 1024} MB`, 413);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const UPLOAD_TYPES = ['application/octet-stream', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.ms-excel'];

export const leadsImportRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const svc = deps.leadsImport as LeadsImportService;
  const allowed = requireUser(...ROLES);

  // Files arrive as the raw body (no multipart plugin): streamed, capped, never JSON-parsed.
  app.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply: FastifyReply) => {
    if (err instanceof LeadsImportError) return reply.code(err.status).send({ error: err.code, message: err.message });
    throw err;
  });

  app.get(
    '/leads/import/campaigns',
    { schema: { tags, summary: 'Campaigns leads can be imported into (not ended or destroyed)', response: { 200: Type.Object({ campaigns: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), status: Type.String(), leads: Type.Integer() })) }), ...errors } }, preHandler: allowed },
    async () => ({ campaigns: svc.campaigns() }),
  );

  app.get(
    '/leads/import/sources',
    { schema: { tags, summary: 'Sources (vendors) with their remembered column mapping', response: { 200: Type.Object({ sources: Type.Array(Type.Object({ source: Type.String(), mapping: Mapping, defaultAreaCode: Type.Union([Type.String(), Type.Null()]), updatedAt: Type.String() })) }), ...errors } }, preHandler: allowed },
    async () => ({ sources: svc.sources() }),
  );

  app.get(
    '/leads/import/sample.csv',
    { schema: { tags, summary: 'A messy sample lead file in GBK, as Excel in China saves it (for trying the import)' }, preHandler: allowed },
    async (_req, reply) =>
      reply.header('content-type', 'text/csv; charset=gbk').header('content-disposition', `attachment; filename="${SAMPLE_FILE_NAME}"`).send(sampleLeadsCsv()),
  );

  app.post(
    '/leads/import/uploads',
    {
      schema: {
        tags,
        summary: `Upload a lead file (CSV in UTF-8/GBK/GB18030/UTF-16, or .xlsx) as the raw request body (application/octet-stream, text/csv or the xlsx type), at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`,
        querystring: Type.Object({ fileName: Type.String({ minLength: 1, maxLength: 255 }) }),
        response: { 200: Upload, ...errors },
      },
      preHandler: allowed,
    },
    async (req, reply) => {
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!UPLOAD_TYPES.includes(ct)) {
        return reply.code(415).send({ error: 'unsupported_media_type', message: `send the file as the raw body with content-type application/octet-stream (got "${ct || 'none'}")` });
      }
      const bytes = await readBody(req.body as Readable, MAX_UPLOAD_BYTES);
      return svc.saveUpload(req.query.fileName, bytes, actorOf(req));
    },
  );

  app.post(
    '/leads/import/uploads/:id/preview',
    {
      schema: {
        tags,
        summary: 'First rows, detected (or given) mapping and the full check report of an upload; nothing is imported',
        params: IdParams,
        body: Type.Object({ source: Type.Optional(Source), campaignId: Type.Optional(Type.Integer({ minimum: 1 })), mapping: Type.Optional(Mapping), defaultAreaCode: Type.Optional(AreaCode) }),
        response: { 200: Preview, ...errors },
      },
      preHandler: allowed,
    },
    async (req) => svc.preview(req.params.id, req.body),
  );

  app.post(
    '/leads/import/uploads/:id/import',
    {
      schema: {
        tags,
        summary: 'Import an upload into a campaign: one transaction; all_or_nothing (default) imports nothing when any row is refused, valid_only imports the valid rows. Progress on the live feed (leads.import.progress)',
        params: IdParams,
        body: Type.Object({ campaignId: Type.Integer({ minimum: 1 }), source: Source, mode: Type.Optional(Mode), mapping: Type.Optional(Mapping), defaultAreaCode: Type.Optional(AreaCode) }),
        response: { 200: Report, ...errors },
      },
      preHandler: allowed,
    },
    async (req) => svc.importUpload(req.params.id, req.body, actorOf(req)),
  );

  app.delete(
    '/leads/import/uploads/:id',
    { schema: { tags, summary: 'Discard a pending upload (its file is deleted)', params: IdParams, response: { 204: Type.Null(), ...errors } }, preHandler: allowed },
    async (req, reply) => {
      svc.discardUpload(req.params.id, actorOf(req));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/leads/import/jobs',
    { schema: { tags, summary: 'Recent imports (newest first)', querystring: Type.Object({ campaignId: Type.Optional(Type.Integer({ minimum: 1 })) }), response: { 200: Type.Object({ jobs: Type.Array(JobSummary) }), ...errors } }, preHandler: allowed },
    async (req) => ({ jobs: svc.jobs(req.query.campaignId) }),
  );

  app.get(
    '/leads/import/jobs/:id',
    { schema: { tags, summary: 'The report of one import: counts and every refused row with its line and reason', params: IdParams, response: { 200: Report, ...errors } }, preHandler: allowed },
    async (req) => svc.job(req.params.id),
  );

  app.get(
    '/leads/import/jobs/:id/refused.csv',
    { schema: { tags, summary: 'The refused rows of an import as CSV (line, code, reason; UTF-8 with BOM)', params: IdParams }, preHandler: allowed },
    async (req, reply) => {
      const csv = svc.refusedCsv(req.params.id);
      deps.audit.write({ ...actorOf(req), action: 'leads.import_report_downloaded', target: `import:${req.params.id}` });
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${req.params.id}-refused.csv"`).send(csv);
    },
  );
};
