/**
 * ChrootAsterisk: one Asterisk 22 process chrooted in the shared sid root, with its own
 * instance directory, without colliding with other instances.
 *
 * How: the process is started as
 *
 *   unshare --mount --propagation private -- sh -c '
 *     mount --bind INSTANCE ROOT/seatbox; mount -t proc proc ROOT/proc;
 *     mount -t tmpfs tmpfs ROOT/dev/shm; mount --bind INSTANCE/tmp ROOT/tmp;
 *     exec setpriv --pdeathsig TERM chroot ROOT /usr/sbin/asterisk -f -n -C /seatbox/etc/asterisk.conf'
 *
 * Every `exec` keeps the pid, so the child's pid is Asterisk's. Its private mount namespace
 * sees its own instance dir at /seatbox (and its own /tmp, /dev/shm, /proc); the host and
 * the other instances see none of these mounts, and they vanish with the namespace when
 * its last process exits. When Asterisk exits, any process it left in its namespace (a
 * System() child, say) is killed too, so nothing keeps the namespace alive. `--pdeathsig`
 * stops Asterisk if the Node process that started it dies without calling stop().
 * The root's /dev has static nodes (null, zero, full, random, urandom, tty) made by
 * scripts/sid-root.sh; the host's /dev is not bound.
 *
 * Instance dir on the host (the config generator writes etc/):
 *   etc/    astetcdir (asterisk.conf must be there)   lib/   astvarlibdir, astdbdir, astkeydir
 *   spool/  astspooldir (recordings: spool/monitor)   log/   astlogdir; console.log (stdout+stderr)
 *   run/    astrundir (asterisk.ctl, asterisk.pid)    tmp/   the instance's /tmp
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { ASTERISK_BIN, IN_ROOT, INSTANCE_MOUNT, assertRootReady, defaultRootDir } from './sid-root.js';

/** What ChrootAsterisk logs through; a pino Logger fits. */
export interface RuntimeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ChrootAsteriskOptions {
  /** The sid root; default defaultRootDir(). */
  rootDir?: string;
  /** This instance's directory on the host (etc/asterisk.conf must exist before start()). */
  instanceDir: string;
  logger?: RuntimeLogger;
  /** How long start() waits for "fully booted"; default 30 s. */
  startTimeoutMs?: number;
  /** Extra Asterisk command-line options, e.g. ['-vvv']. */
  extraArgs?: string[];
  /**
   * TZ for Asterisk (log and CDR timestamps). Default: the host's zone ($TZ, else the
   * /etc/localtime link), if the root has it; the root's own /etc/localtime is UTC.
   */
  timeZone?: string;
}

export type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

/** Host-side paths of an instance directory. */
export function instancePaths(instanceDir: string) {
  const dir = resolve(instanceDir);
  return {
    dir,
    etc: join(dir, 'etc'),
    lib: join(dir, 'lib'),
    spool: join(dir, 'spool'),
    monitor: join(dir, 'spool', 'monitor'),
    log: join(dir, 'log'),
    run: join(dir, 'run'),
    tmp: join(dir, 'tmp'),
    asteriskConf: join(dir, 'etc', 'asterisk.conf'),
    ctlSocket: join(dir, 'run', 'asterisk.ctl'),
    pidFile: join(dir, 'run', 'asterisk.pid'),
    consoleLog: join(dir, 'log', 'console.log'),
  };
}
export type InstancePaths = ReturnType<typeof instancePaths>;

const PATH_ENV = '/usr/sbin:/usr/bin:/sbin:/bin';

// Runs as `sh -c SCRIPT sh ROOT INSTANCE ARGS...`; every mount is in the private namespace.
const LAUNCH_SCRIPT = `
set -e
root=$1; inst=$2; shift 2
mount --bind "$inst" "$root${INSTANCE_MOUNT}"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/dev/shm"
mount --bind "$inst/tmp" "$root/tmp"
exec setpriv --pdeathsig TERM chroot "$root" ${ASTERISK_BIN} -f -n -C ${IN_ROOT.asteriskConf} "$@"
`;

/** The host's time zone name (e.g. "Europe/Paris"), from $TZ or the /etc/localtime link. */
export function hostTimeZone(): string | undefined {
  if (process.env.TZ) return process.env.TZ.replace(/^:/, '');
  const link = readlinkOrUndefined('/etc/localtime');
  return link ? /zoneinfo\/(.+)$/.exec(link)?.[1] : undefined;
}

const noopLogger: RuntimeLogger = { info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readlinkOrUndefined(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

/** Pids (other than `except`) whose mount namespace is `ns` (e.g. "mnt:[4026532301]"). */
export function pidsInMountNamespace(ns: string, except?: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === except) continue;
    if (readlinkOrUndefined(`/proc/${e}/ns/mnt`) === ns) out.push(pid);
  }
  return out;
}

export class ChrootAsterisk {
  readonly rootDir: string;
  readonly instanceDir: string;
  readonly paths: InstancePaths;
  private readonly log: RuntimeLogger;
  private readonly startTimeoutMs: number;
  private readonly extraArgs: string[];
  /** TZ passed to Asterisk, if any. */
  readonly timeZone: string | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private mountNs: string | undefined;
  private readonly listeners = new Set<ExitListener>();
  private stopping = false;

  constructor(opts: ChrootAsteriskOptions) {
    this.rootDir = resolve(opts.rootDir ?? defaultRootDir());
    this.instanceDir = resolve(opts.instanceDir);
    this.paths = instancePaths(this.instanceDir);
    this.log = opts.logger ?? noopLogger;
    this.startTimeoutMs = opts.startTimeoutMs ?? 30_000;
    this.extraArgs = opts.extraArgs ?? [];
    const tz = opts.timeZone ?? hostTimeZone();
    this.timeZone = tz && existsSync(join(this.rootDir, 'usr/share/zoneinfo', tz)) ? tz : undefined;
  }

  /** Pid of the current (or, after it exited, the last) Asterisk process; undefined before start(). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    const c = this.child;
    return !!c && c.pid !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** The mount namespace of the running instance, e.g. "mnt:[4026532301]". */
  get mountNamespace(): string | undefined {
    return this.running ? this.mountNs : undefined;
  }

  /** Creates the instance directories (etc/ is left to the config generator). */
  ensureLayout(): void {
    const p = this.paths;
    for (const d of [p.etc, p.lib, p.spool, p.monitor, p.log, p.run]) mkdirSync(d, { recursive: true });
    mkdirSync(p.tmp, { recursive: true });
    chmodSync(p.tmp, 0o1777); // the instance's /tmp
  }

  /** Called with the exit code/signal every time the Asterisk process exits. Returns an unsubscribe. */
  onExit(cb: ExitListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Starts Asterisk; resolves once it reports "fully booted" (AMI and modules are up). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`Asterisk already running (pid ${this.pid}) for ${this.instanceDir}`);
    assertRootReady(this.rootDir);
    if (!existsSync(this.paths.asteriskConf)) throw new Error(`no ${this.paths.asteriskConf}: write the instance config first`);
    this.ensureLayout();
    await this.clearStaleRunFiles();

    const t0 = Date.now();
    const fd = openSync(this.paths.consoleLog, 'a');
    let child: ChildProcess;
    try {
      writeSync(fd, `\n--- seatbox: starting Asterisk ${new Date().toISOString()} ---\n`);
      child = spawn(
        'unshare',
        ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', LAUNCH_SCRIPT, 'sh', this.rootDir, this.instanceDir, ...this.extraArgs],
        { stdio: ['ignore', fd, fd], env: { PATH: PATH_ENV, LANG: 'C.UTF-8', HOME: IN_ROOT.lib, ...(this.timeZone ? { TZ: this.timeZone } : {}) } },
      );
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.mountNs = undefined;
    this.stopping = false;
    let spawnError: Error | undefined;
    this.exited = new Promise<void>((resolveExit) => {
      child.once('error', (err) => {
        spawnError = err;
        // 'exit' may not follow an 'error' for a process that never started.
        if (child.pid === undefined) resolveExit();
      });
      child.once('exit', async (code, signal) => {
        await this.reapNamespace(child.pid);
        if (!this.stopping) this.log.warn({ pid: child.pid, code, signal }, 'asterisk exited');
        for (const cb of [...this.listeners]) {
          try {
            cb(code, signal);
          } catch (err) {
            this.log.error({ err }, 'asterisk exit listener threw');
          }
        }
        resolveExit();
      });
    });

    try {
      const deadline = t0 + this.startTimeoutMs;
      // 1. The control socket appears early in Asterisk's startup (before modules load).
      for (;;) {
        if (spawnError) throw spawnError;
        if (!this.running) throw new Error(`Asterisk exited during startup (code ${child.exitCode}, signal ${child.signalCode})`);
        if (existsSync(this.paths.ctlSocket)) break;
        if (Date.now() > deadline) throw new Error(`Asterisk did not create ${this.paths.ctlSocket} within ${this.startTimeoutMs} ms`);
        await sleep(20);
      }
      // By now the process is Asterisk, inside its own mount namespace.
      const ns = readlinkOrUndefined(`/proc/${child.pid}/ns/mnt`);
      if (ns && ns !== readlinkOrUndefined('/proc/self/ns/mnt')) this.mountNs = ns;
      // 2. Wait until all modules are loaded (AMI is accepting logins).
      // (If Asterisk dies meanwhile, the remote console just disconnects, exit status 0.)
      const booted = await this.rx('core waitfullybooted', Math.max(1000, deadline - Date.now()));
      if (!/fully booted/i.test(booted) || !this.running) {
        throw new Error(this.running ? `unexpected answer to "core waitfullybooted": ${JSON.stringify(booted)}` : 'Asterisk exited during startup');
      }
    } catch (err) {
      // Give a dying Asterisk a moment to be reaped, so the message says what happened.
      await Promise.race([this.exited, sleep(1000)]);
      let msg = (err as Error).message;
      if (this.running) {
        child.kill('SIGKILL');
        await this.exited;
      } else if (!/exited during startup/.test(msg)) {
        msg = `Asterisk exited during startup (code ${child.exitCode}, signal ${child.signalCode}): ${msg}`;
      }
      const tail = await this.consoleTail();
      throw new Error(`${msg}\n--- ${this.paths.consoleLog} (tail) ---\n${tail}`, { cause: err });
    }
    this.log.info({ pid: child.pid, ms: Date.now() - t0, instanceDir: this.instanceDir }, 'asterisk started');
  }

  /**
   * Runs an Asterisk CLI command in the running instance (`asterisk -rx`, entered into its
   * namespace and chroot with nsenter) and returns its output.
   */
  rx(command: string, timeoutMs = 15_000): Promise<string> {
    const pid = this.pid;
    if (!this.running || pid === undefined) return Promise.reject(new Error('Asterisk is not running'));
    return new Promise((resolveRx, rejectRx) => {
      execFile(
        'nsenter',
        ['--target', String(pid), '--mount', '--root', '--wd', '--', ASTERISK_BIN, '-C', IN_ROOT.asteriskConf, '-rx', command],
        { timeout: timeoutMs, killSignal: 'SIGKILL', env: { PATH: PATH_ENV, LANG: 'C.UTF-8', HOME: IN_ROOT.lib }, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) rejectRx(new Error(`asterisk -rx ${JSON.stringify(command)} failed: ${err.message}${stderr ? `\n${stderr}` : ''}`));
          else resolveRx(stdout);
        },
      );
    });
  }

  /**
   * Graceful stop: SIGTERM (Asterisk shuts down cleanly), then SIGKILL after timeoutMs.
   * Resolves once the process has exited and nothing is left in its mount namespace.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) {
      await this.exited;
      return;
    }
    this.stopping = true;
    const t0 = Date.now();
    child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (timedOut && this.running) {
      this.log.warn({ pid: child.pid, timeoutMs }, 'asterisk did not stop on SIGTERM; sending SIGKILL');
      child.kill('SIGKILL');
    }
    await this.exited;
    this.log.info({ pid: child.pid, ms: Date.now() - t0 }, 'asterisk stopped');
  }

  /** SIGKILL, no cleanup by Asterisk (for crash tests). Stale run files are handled by the next start(). */
  kill9(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }

  /** Resolves when the current process has exited (immediately if none is running). */
  waitForExit(): Promise<void> {
    return this.exited;
  }

  /** Last `bytes` of log/console.log. */
  async consoleTail(bytes = 4096): Promise<string> {
    try {
      const fh = await open(this.paths.consoleLog, 'r');
      try {
        const { size } = await fh.stat();
        const len = Math.min(bytes, size);
        const buf = Buffer.alloc(len);
        await fh.read(buf, 0, len, size - len);
        return buf.toString('utf8');
      } finally {
        await fh.close();
      }
    } catch {
      return '(no console log)';
    }
  }

  /** A live Asterisk on this instance dir answers on its control socket; a stale one does not. */
  private async clearStaleRunFiles(): Promise<void> {
    const { ctlSocket, pidFile } = this.paths;
    if (existsSync(ctlSocket)) {
      const live = await new Promise<boolean>((res) => {
        const s = connect(ctlSocket);
        const done = (v: boolean) => {
          s.destroy();
          res(v);
        };
        s.once('connect', () => done(true));
        s.once('error', () => done(false));
        s.setTimeout(1000, () => done(false));
      });
      if (live) throw new Error(`another Asterisk is running on ${this.instanceDir} (${ctlSocket} answers)`);
      this.log.warn({ ctlSocket }, 'removing stale asterisk control socket');
      rmSync(ctlSocket, { force: true });
    }
    rmSync(pidFile, { force: true });
  }

  /** Kills whatever Asterisk left in its mount namespace, so the namespace (and its mounts) goes away. */
  private async reapNamespace(asteriskPid: number | undefined): Promise<void> {
    const ns = this.mountNs;
    if (!ns) return;
    for (let i = 0; i < 100; i++) {
      const left = pidsInMountNamespace(ns, asteriskPid);
      if (left.length === 0) return;
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
          if (i === 0) this.log.warn({ pid }, 'killed leftover process in the asterisk mount namespace');
        } catch {
          // already gone
        }
      }
      await sleep(20);
    }
    this.log.error({ ns }, 'processes still left in the asterisk mount namespace');
  }
}
