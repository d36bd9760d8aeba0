// Wires the appliance's system services (backups, updates) for the agent (main.ts) from its
// options, so main.ts stays an orchestrator.
import { execFile } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditLog } from '../../audit/audit-log.js';
import { loadMigrations, type Db } from '../../db/database.js';
import type { BackupRouteDeps } from '../../http/backup-routes.js';
import type { LiveFeed } from '../../http/live.js';
import type { UpdateRouteDeps } from '../../http/system-update-routes.js';
import type { Logger } from '../../logging.js';
import type { SettingsStore } from '../../settings/settings-store.js';
import { findUpdatePublicKey } from '../update/keys.js';
import { APPLIANCE_LAYOUT, type SlotLayout } from '../update/slots.js';
import { UpdateService } from '../update/update-service.js';
import { DEFAULT_BACKUP_CONFIG, BackupScheduler } from './backup-scheduler.js';
import { BackupService, applyPendingRestore, backupBeforeMigrations, type BackupConfig } from './backup-service.js';

export interface SystemServicesOptions {
  dataDir: string;
  instanceDir: string;
  version: string;
  /** Update slots (default: the appliance's); the staging dir defaults to DATA/update. */
  update?: { layout?: SlotLayout; stagingDir?: string; publicKey?: KeyObject; reboot?: () => Promise<void> };
  /** Default backup target (default DATA/backups; the appliance image uses /data/backups). */
  backupTarget?: string;
  requestRestart?: () => void;
  logger: Logger;
}

/** Where the IVR prompts of an instance live (Asterisk sees /seatbox/lib/sounds/custom). */
function promptsDirOf(instanceDir: string): string {
  return join(instanceDir, 'lib', 'sounds', 'custom');
}

/** Before the database is opened: apply a staged restore, back up before pending migrations. */
export async function prepareDataDir(o: { dataDir: string; instanceDir: string; logger: Logger }): Promise<void> {
  const restored = applyPendingRestore(o.dataDir, join(o.instanceDir, 'etc'), join(o.instanceDir, 'spool', 'monitor'), promptsDirOf(o.instanceDir));
  if (restored) o.logger.info({ backup: restored }, 'restored backup applied');
  const saved = await backupBeforeMigrations(o.dataDir, loadMigrations().length);
  if (saved) o.logger.info({ path: saved }, 'database backed up before migrations');
}

export function createSystemServices(o: SystemServicesOptions, db: Db, settings: SettingsStore, audit: AuditLog, live: LiveFeed) {
  const log = o.logger.child({ module: 'system' });
  const getConfig = (): BackupConfig => ({
    ...DEFAULT_BACKUP_CONFIG,
    target: o.backupTarget ?? join(o.dataDir, 'backups'),
    ...settings.get<Partial<BackupConfig>>('backup.config'),
  });
  const backup = new BackupService({
    db: () => db,
    dataDir: o.dataDir,
    asteriskEtcDir: join(o.instanceDir, 'etc'),
    recordingsDir: join(o.instanceDir, 'spool', 'monitor'),
    promptsDir: promptsDirOf(o.instanceDir),
    agentVersion: o.version,
    latestSchema: loadMigrations().length,
    config: getConfig,
    requestRestart: o.requestRestart,
    logger: log,
  });
  const scheduler = new BackupScheduler(backup, getConfig, log);
  const backupRoutes: Omit<BackupRouteDeps, 'audit' | 'live'> = {
    backup,
    getConfig,
    setConfig: (c) => {
      settings.set('backup.config', c);
      scheduler.reschedule();
    },
  };
  const key = o.update?.publicKey ?? findUpdatePublicKey()?.key;
  const update = key
    ? new UpdateService({
        stagingDir: o.update?.stagingDir ?? join(o.dataDir, 'update'),
        publicKey: key,
        layout: o.update?.layout ?? APPLIANCE_LAYOUT,
        currentVersion: o.version,
        reboot:
          o.update?.reboot ??
          (async () => {
            await promisify(execFile)('systemctl', ['reboot']);
          }),
        logger: log,
      })
    : null;
  if (!key) log.info('no update public key found; the update API is disabled');
  const routes = {
    backup: { ...backupRoutes, audit, live } satisfies BackupRouteDeps,
    update: update ? ({ update, audit, live } satisfies UpdateRouteDeps) : undefined,
  };
  return { backup, scheduler, update, routes };
}
