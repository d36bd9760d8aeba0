// The whole SeatBoxAgent in-process against the real Asterisk 22 (sid root), with free
// ports, a temp data dir, the first admin created and an API client that keeps the session
// cookie and CSRF token — the common ground of the agent-level integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SeatBoxAgent, type AgentOptions } from '../../firmware-agent/src/main.js';
import { freePort, freeUdpPortExcept, rtpRangeAvoiding } from './asterisk.js';

export const ADMIN = { username: 'admin', password: 'Long-Enough-Pw-1' } as const;

export interface ApiResult<T> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface TestAgent {
  agent: SeatBoxAgent;
  /** The temp dir holding everything (the agent's data dir is `dataDir`). */
  dir: string;
  dataDir: string;
  base: string;
  /** JSON API call with the session cookie; non-GET requests carry the CSRF token. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiResult<T>>;
  /** Opens the live websocket; every frame lands in `frames`. */
  openLive(): Promise<WebSocket>;
  frames: LiveMessage[];
  /** Stops the agent process-equivalent and starts a new one on the same data (new HTTP port). */
  restart(): Promise<SeatBoxAgent>;
  stop(): Promise<void>;
}

export interface TestAgentOptions {
  /** Runs on the fresh database before the agent starts (settings, rows). */
  prepare?: (db: Db, dataDir: string, dir: string) => void;
  /** Extra agent options (hostRoot, hardwarePollMs …); a function gets the temp dir. */
  options?: Partial<Omit<AgentOptions, 'asterisk'>> | ((dir: string) => Partial<Omit<AgentOptions, 'asterisk'>>);
  /** Create the first admin and log in (default true). */
  login?: boolean;
  /** Data dir inside the temp dir (default: the temp dir itself). */
  dataSubdir?: string;
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | null | Promise<T | undefined | false | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startTestAgent(opts: TestAgentOptions = {}): Promise<TestAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'seatbox-agent-'));
  const dataDir = opts.dataSubdir ? join(dir, opts.dataSubdir) : dir;
  if (opts.prepare) {
    const db = openDatabase(dataDir);
    try {
      opts.prepare(db, dataDir, dir);
    } finally {
      db.close();
    }
  }
  const amiPort = await freePort();
  const sipPort = await freeUdpPortExcept([amiPort]);
  const rtpStart = rtpRangeAvoiding([amiPort, sipPort]);
  let agent = new SeatBoxAgent({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    demo: true,
    demoCalls: false,
    logger: silentLogger(),
    ...(typeof opts.options === 'function' ? opts.options(dir) : opts.options),
    asterisk: { amiPort, sipPort, sipBind: '127.0.0.1', rtpStart, rtpEnd: rtpStart + 19 },
  });
  const sockets: WebSocket[] = [];
  const stop = async (): Promise<void> => {
    for (const s of sockets) s.close();
    await t.agent.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await agent.start();
  } catch (err) {
    await agent.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let base = `http://127.0.0.1:${agent.address().port}`;
  let cookie = '';
  let csrf = '';
  const api = async <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
    const res = await fetch(base + path, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text, headers: res.headers };
  };
  const frames: LiveMessage[] = [];
  const t: TestAgent = {
    agent,
    dir,
    dataDir,
    base,
    api,
    frames,
    stop,
    async restart() {
      const options = t.agent.opts;
      await t.agent.stop();
      agent = new SeatBoxAgent(options);
      await agent.start();
      t.agent = agent;
      base = t.base = `http://127.0.0.1:${agent.address().port}`;
      return agent;
    },
    async openLive() {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/live`, { headers: { cookie } });
      sockets.push(ws);
      ws.on('message', (data) => frames.push(JSON.parse(String(data)) as LiveMessage));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return ws;
    },
  };
  if (opts.login !== false) {
    csrf = (await api<{ token: string }>('GET', '/api/v1/auth/csrf')).body.token;
    const setup = await api('POST', '/api/v1/setup', ADMIN);
    if (setup.status !== 200) {
      await stop();
      throw new Error(`first-run setup failed: ${setup.status} ${setup.text}`);
    }
    // A new session: fetch the token that belongs to it.
    csrf = (await api<{ token: string }>('GET', '/api/v1/auth/csrf')).body.token;
  }
  return t;
}
