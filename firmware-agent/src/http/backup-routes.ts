// System → Backup: list, back up now (progress on the live feed as `backup.progress`),
// restore with typed confirmation, configure target / schedule / retention. Admin only; audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AuditLog } from '../audit/audit-log.js';
import { BackupError, type BackupConfig, type BackupProgress, type BackupService } from '../system/backup/backup-service.js';
import { validateBackupConfig } from '../system/backup/backup-scheduler.js';
import type { LiveFeed } from './live.js';
import { requireUser } from './server.js';

export interface BackupRouteDeps {
  backup: BackupService;
  getConfig: () => BackupConfig;
  setConfig: (c: BackupConfig) => void;
  audit: AuditLog;
  live: LiveFeed;
}

const Config = Type.Object({
  target: Type.String({ minLength: 1, maxLength: 400 }),
  keep: Type.Integer({ minimum: 1, maximum: 365 }),
  schedule: Type.String({ maxLength: 100 }),
  includeRecordings: Type.Boolean(),
});
const Info = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  agentVersion: Type.String(),
  schemaVersion: Type.Integer(),
  trigger: Type.String(),
  includesRecordings: Type.Boolean(),
  sizeBytes: Type.Integer(),
  tables: Type.Integer(),
  rows: Type.Integer(),
});
const Progress = Type.Object({
  op: Type.String(),
  phase: Type.String(),
  done: Type.Integer(),
  total: Type.Integer(),
  id: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});

export const backupRoutes: FastifyPluginAsyncTypebox<{ deps: BackupRouteDeps }> = async (app, { deps }) => {
  const { backup, audit, live } = deps;
  const onProgress = (data: BackupProgress) => live.publish({ type: 'backup.progress', data });
  backup.on('progress', onProgress);
  app.addHook('onClose', async () => {
    backup.off('progress', onProgress);
  });
  const admin = requireUser('admin');
  const code = (err: unknown): number => {
    if (!(err instanceof BackupError)) throw err;
    return err.code === 'not_found' ? 404 : err.code === 'busy' ? 409 : 400;
  };

  app.get(
    '/system/backups',
    { schema: { tags: ['system'], summary: 'Backups on the target, newest first, with the configuration and the last progress', response: { 200: Type.Object({ backups: Type.Array(Info), config: Config, progress: Progress }) } }, preHandler: admin },
    async () => ({ backups: backup.list(), config: deps.getConfig(), progress: backup.progress() }),
  );

  app.put(
    '/system/backups/config',
    { schema: { tags: ['system'], summary: 'Backup target, schedule (cron) and retention', body: Config, response: { 200: Config, 400: Type.Ref('ApiError') } }, preHandler: admin },
    async (req, reply) => {
      const problem = validateBackupConfig(req.body);
      if (problem) return reply.code(400).send({ error: 'validation', message: problem });
      deps.setConfig(req.body);
      audit.write({ userId: req.user?.id, username: req.user?.username, ip: req.ip, action: 'system.backup_config_changed', detail: req.body });
      return deps.getConfig();
    },
  );

  app.post(
    '/system/backups',
    {
      schema: {
        tags: ['system'],
        summary: 'Back up now; answers when the backup is complete (progress on the live feed)',
        body: Type.Object({ includeRecordings: Type.Optional(Type.Boolean()) }),
        response: { 200: Info, 400: Type.Ref('ApiError'), 409: Type.Ref('ApiError') },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      try {
        const m = await backup.create({ trigger: 'manual', includeRecordings: req.body.includeRecordings });
        audit.write({ userId: req.user?.id, username: req.user?.username, ip: req.ip, action: 'system.backup_created', target: `backup:${m.id}` });
        return backup.list().find((b) => b.id === m.id)!;
      } catch (err) {
        return reply.code(code(err) as 400).send({ error: (err as BackupError).code, message: (err as Error).message });
      }
    },
  );

  app.post(
    '/system/backups/:id/restore',
    {
      schema: {
        tags: ['system'],
        summary: 'Restore a backup (confirm = the backup id, typed by the user); the agent restarts to apply it',
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ confirm: Type.String() }),
        response: { 202: Type.Object({ id: Type.String(), restarting: Type.Boolean() }), 400: Type.Ref('ApiError'), 404: Type.Ref('ApiError') },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const who = { userId: req.user?.id, username: req.user?.username, ip: req.ip };
      try {
        // Audit first: the restore replaces this very database (the entry is kept in the
        // pre-restore copy) and the restored one gets a note at start-up.
        audit.write({ ...who, action: 'system.restore_requested', target: `backup:${req.params.id}` });
        const m = await backup.restore(req.params.id, req.body.confirm);
        return reply.code(202).send({ id: m.id, restarting: true });
      } catch (err) {
        audit.write({ ...who, action: 'system.restore_refused', target: `backup:${req.params.id}`, detail: { error: (err as Error).message } });
        return reply.code(code(err) as 400).send({ error: (err as BackupError).code, message: (err as Error).message });
      }
    },
  );
};
