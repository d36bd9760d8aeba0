/**
 * SystemAsterisk: on the appliance, Asterisk is the system service (asterisk.service with the
 * drop-in from image/rootfs), not a chroot the agent spawns. The instance directory layout is
 * the same as ChrootAsterisk's (the agent writes etc/ into DATA/asterisk, and /seatbox links
 * there, so the generated asterisk.conf paths are identical); systemd supervises the process.
 * stop() deliberately leaves Asterisk running: restarting or updating the agent must not
 * drop calls.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { instancePaths, type ExitListener, type InstancePaths } from '../../pbx-runtime/chroot-asterisk.js';

const run = promisify(execFile);

export interface SystemAsteriskOptions {
  instanceDir: string;
  unit?: string;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** systemctl replacement (tests). */
  systemctl?: (...args: string[]) => Promise<string>;
}

export class SystemAsterisk {
  readonly paths: InstancePaths;
  readonly unit: string;
  private readonly systemctl: (...args: string[]) => Promise<string>;

  constructor(private readonly opts: SystemAsteriskOptions) {
    this.paths = instancePaths(opts.instanceDir);
    this.unit = opts.unit ?? 'asterisk.service';
    this.systemctl = opts.systemctl ?? (async (...args) => (await run('systemctl', args)).stdout);
  }

  ensureLayout(): void {
    const p = this.paths;
    for (const d of [p.etc, p.lib, p.spool, p.monitor, p.log, p.run]) mkdirSync(d, { recursive: true });
    mkdirSync(p.tmp, { recursive: true });
    chmodSync(p.tmp, 0o1777);
  }

  /** systemd restarts a crashed Asterisk itself; nothing to report to the agent. */
  onExit(_cb: ExitListener): () => void {
    return () => undefined;
  }

  async active(): Promise<boolean> {
    try {
      return (await this.systemctl('is-active', this.unit)).trim() === 'active';
    } catch {
      return false;
    }
  }

  /** Starts the service (Type=notify: returns once Asterisk is fully booted); a running one is kept. */
  async start(): Promise<void> {
    if (!existsSync(this.paths.asteriskConf)) throw new Error(`no ${this.paths.asteriskConf}: write the instance config first`);
    if (await this.active()) {
      this.opts.logger?.info({ unit: this.unit }, 'system Asterisk already running; keeping it (and its calls)');
      return;
    }
    await this.systemctl('reset-failed', this.unit).catch(() => '');
    await this.systemctl('start', this.unit);
    this.opts.logger?.info({ unit: this.unit }, 'system Asterisk started');
  }

  /** Restart (used after a restore: the configuration on disk changed wholesale). */
  async restart(): Promise<void> {
    await this.systemctl('restart', this.unit);
  }

  async stop(): Promise<void> {
    // Leave the service running: calls survive an agent restart.
  }
}
