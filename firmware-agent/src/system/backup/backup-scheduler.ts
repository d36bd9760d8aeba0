/** Nightly backups: a node-cron job running BackupService.create() on the configured schedule. */
import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { Module } from '../../core/module.js';
import type { BackupConfig, BackupService } from './backup-service.js';

export const DEFAULT_BACKUP_CONFIG: BackupConfig = { target: '', keep: 7, schedule: '30 2 * * *', includeRecordings: false };

export function validateBackupConfig(c: BackupConfig): string | null {
  if (!c.target || !c.target.startsWith('/')) return 'target must be an absolute directory path';
  if (!Number.isInteger(c.keep) || c.keep < 1 || c.keep > 365) return 'keep must be an integer 1-365';
  if (c.schedule !== '' && !validate(c.schedule)) return `schedule "${c.schedule}" is not a valid cron expression`;
  return null;
}

export class BackupScheduler implements Module {
  readonly name = 'backup-scheduler';
  private task: ScheduledTask | undefined;

  constructor(
    private readonly service: BackupService,
    private readonly config: () => BackupConfig,
    private readonly logger?: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void },
  ) {}

  async start(): Promise<void> {
    this.reschedule();
  }

  /** Applies a changed schedule. */
  reschedule(): void {
    void this.task?.destroy();
    this.task = undefined;
    const expr = this.config().schedule;
    if (!expr) return;
    this.task = schedule(expr, async () => {
      try {
        await this.service.create({ trigger: 'schedule' });
      } catch (err) {
        this.logger?.error({ err }, 'scheduled backup failed');
      }
    }, { name: 'seatbox-backup', noOverlap: true });
    this.logger?.info({ schedule: expr, target: this.config().target }, 'backup schedule set');
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
  }
}
