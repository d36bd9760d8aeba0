// Starts the real `seatbox serve --demo` for browser tests: fresh temp data dir, free port,
// waits for GET /api/v1/health, and stops it (SIGTERM, then SIGKILL) afterwards.
// Builds nothing: `npm run build` must have run (dist/firmware-agent and dist/web-ui).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO_ROOT, 'firmware-agent', 'bin', 'seatbox.js');
const CLI = join(REPO_ROOT, 'dist', 'firmware-agent', 'cli.js');
const UI = join(REPO_ROOT, 'dist', 'web-ui', 'index.html');

export interface DemoServer {
  url: string;
  port: number;
  dataDir: string;
  /** stdout + stderr so far (for failure messages) */
  output: () => string;
  /** Stop the agent and remove the data dir (unless keepData). */
  stop: () => Promise<void>;
  /** Stop the agent but keep its data dir and ports, for resume(). */
  halt: () => Promise<void>;
  /** Start the agent again on the same data dir and ports; resolves when healthy. */
  resume: () => Promise<void>;
}

export interface DemoServerOptions {
  /** ms to wait for /api/v1/health (Asterisk takes a few seconds to start) */
  readyTimeoutMs?: number;
  /** seconds between demo calls (the agent's default is 20) */
  demoIntervalSeconds?: number;
  /** extra CLI arguments */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** keep the data dir after stop (debugging) */
  keepData?: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.on('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const port = sock.address().port;
      sock.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The whole process group (the agent and whatever it started), by the group id we created. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* group already gone */
  }
}

export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  for (const [what, path] of [
    ['the agent CLI', CLI],
    ['the web UI', UI],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} is not built (${path} missing): run "npm run build" first`);
  }
  // Own ports for HTTP, AMI and SIP, so it can run beside other tests and a dev instance.
  const port = await freePort();
  const amiPort = await freePort();
  // UDP and TCP are separate port spaces: keep SIP off the AMI/HTTP numbers (AMI = SIP is refused).
  let sipPort = await freeUdpPort();
  while (sipPort === amiPort || sipPort === port) sipPort = await freeUdpPort();
  const dataDir = mkdtempSync(join(tmpdir(), 'seatbox-ui-test-'));
  const url = `http://127.0.0.1:${port}`;
  const readyMs = opts.readyTimeoutMs ?? 90_000;
  const args = ['serve', '--demo', '--data', dataDir, '--port', String(port), '--ami-port', String(amiPort), '--sip-port', String(sipPort)];
  if (opts.demoIntervalSeconds !== undefined) args.push('--demo-interval', String(opts.demoIntervalSeconds));
  args.push(...(opts.args ?? []));

  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  let child: ChildProcess | null = null;
  const onParentExit = () => {
    if (child) killGroup(child, 'SIGKILL');
  };
  process.on('exit', onParentExit);

  const spawnAgent = (): ChildProcess => {
    const c = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a last-resort SIGKILL also reaches Asterisk and helpers.
      detached: true,
    });
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    return c;
  };

  /** SIGTERM, then SIGKILL to the whole group if it does not exit in time. */
  const terminate = async (c: ChildProcess): Promise<void> => {
    if (!exited(c)) {
      c.kill('SIGTERM');
      if (!(await waitExit(c, 15_000))) {
        killGroup(c, 'SIGKILL');
        await waitExit(c, 5_000);
      }
    }
    // Anything the agent left behind in its group.
    killGroup(c, 'SIGKILL');
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child) await terminate(child);
    child = null;
    process.off('exit', onParentExit);
    if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const waitHealthy = async (c: ChildProcess): Promise<void> => {
    const deadline = Date.now() + readyMs;
    for (;;) {
      if (exited(c)) {
        const msg = `seatbox serve exited early (code ${c.exitCode}, signal ${c.signalCode}):\n${out.slice(-4000)}`;
        await stop();
        throw new Error(msg);
      }
      try {
        const r = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) {
          const h = (await r.json()) as { asterisk?: { connected?: boolean } };
          if (h.asterisk?.connected) return;
        }
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        const msg = `seatbox serve did not become healthy (with Asterisk connected) within ${readyMs} ms:\n${out.slice(-4000)}`;
        await stop();
        throw new Error(msg);
      }
      await sleep(250);
    }
  };

  child = spawnAgent();
  await waitHealthy(child);

  return {
    url,
    port,
    dataDir,
    output: () => out,
    stop,
    async halt() {
      if (child) await terminate(child);
      child = null;
    },
    async resume() {
      if (stopped) throw new Error('demo server already stopped');
      if (child && !exited(child)) return;
      child = spawnAgent();
      await waitHealthy(child);
    },
  };
}
