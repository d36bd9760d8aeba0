/**
 * Test helper: a real Asterisk 22 (ChrootAsterisk in the sid root) in a temp instance dir,
 * on free loopback ports, plus a raw AMI client for assertions.
 *
 *   const t = await startTestAsterisk();            // minimal config, AMI on t.ports.ami
 *   const r = await amiExchange(t.ami, [{ Action: 'CoreSettings' }]);
 *   await t.stop();                                  // stops Asterisk, removes the dir
 *
 * The root must be built (scripts/sid-root.sh); otherwise this throws with that advice.
 * Set SEATBOX_KEEP_TEST_DIRS=1 to keep the instance dirs for debugging.
 */
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ChrootAsterisk,
  asteriskConfDirectories,
  defaultRootDir,
  rootNotReadyMessage,
  rootReady,
  type RuntimeLogger,
} from '../../firmware-agent/src/pbx-runtime/index.js';

export interface TestPorts {
  /** AMI (manager.conf), TCP */
  ami: number;
  /** free for http.conf (ARI / websocket), TCP */
  http: number;
  /** free for a PJSIP transport, both UDP and TCP */
  sip: number;
  /** an RTP range for rtp.conf (20 ports, not checked) */
  rtpStart: number;
  rtpEnd: number;
}

export interface AmiTarget {
  host: string;
  port: number;
  username: string;
  secret: string;
}

export interface TestConfigContext {
  ports: TestPorts;
  rootDir: string;
  ami: AmiTarget;
}

export interface StartTestAsteriskOptions {
  /** Files written into etc/ (name -> content); they override the minimal defaults of the same name. */
  files?: Record<string, string> | ((ctx: TestConfigContext) => Record<string, string>);
  rootDir?: string;
  /** Start Asterisk (default true); false only prepares the dir. */
  start?: boolean;
  logger?: RuntimeLogger;
  extraArgs?: string[];
}

export interface TestAsterisk {
  asterisk: ChrootAsterisk;
  instanceDir: string;
  ports: TestPorts;
  ami: AmiTarget;
  /** Stops Asterisk and removes the instance dir (unless SEATBOX_KEEP_TEST_DIRS=1). */
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now (and, with udp, free for UDP too). */
export async function freePort(opts: { udp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
      });
    });
    if (!opts.udp) return port;
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free loopback port found');
}

export async function pickTestPorts(): Promise<TestPorts> {
  const ami = await freePort();
  const http = await freePort();
  // A UDP port can carry the same number as a free TCP one; the model refuses AMI = SIP.
  const sip = await freeUdpPortExcept([ami, http]);
  const rtpStart = rtpRangeAvoiding([ami, http, sip]);
  return { ami, http, sip, rtpStart, rtpEnd: rtpStart + 19 };
}

/** A free UDP port whose number is none of `taken` (free TCP ports of the same run). */
export async function freeUdpPortExcept(taken: number[]): Promise<number> {
  for (;;) {
    const p = await freePort({ udp: true });
    if (!taken.includes(p)) return p;
  }
}

/** A random 20-port RTP range (20000..39999) that contains none of the given ports. */
export function rtpRangeAvoiding(ports: number[], size = 20): number {
  for (;;) {
    const start = 20000 + size * Math.floor(Math.random() * (20000 / size));
    if (!ports.some((p) => p >= start && p < start + size)) return start;
  }
}

/** Minimal configs: core + AMI only (AMI is built into the Asterisk 22 core; no module needed). */
export function minimalConfigFiles(ctx: TestConfigContext): Record<string, string> {
  return {
    'asterisk.conf': [
      asteriskConfDirectories(ctx.rootDir),
      '[options]',
      'documentation_language = en_US',
      'verbose = 0',
      'debug = 0',
      '',
    ].join('\n'),
    'modules.conf': ['[modules]', 'autoload = no', ''].join('\n'),
    'manager.conf': [
      '[general]',
      'enabled = yes',
      'bindaddr = 127.0.0.1',
      `port = ${ctx.ports.ami}`,
      '',
      `[${ctx.ami.username}]`,
      `secret = ${ctx.ami.secret}`,
      'deny = 0.0.0.0/0.0.0.0',
      'permit = 127.0.0.1/255.255.255.255',
      'read = all',
      'write = all',
      '',
    ].join('\n'),
    'logger.conf': ['[general]', '[logfiles]', 'console => notice,warning,error', 'messages.log => notice,warning,error', ''].join('\n'),
  };
}

export async function startTestAsterisk(opts: StartTestAsteriskOptions = {}): Promise<TestAsterisk> {
  const rootDir = opts.rootDir ?? defaultRootDir();
  if (!rootReady(rootDir)) throw new Error(rootNotReadyMessage(rootDir));

  const instanceDir = mkdtempSync(join(tmpdir(), 'seatbox-ast-'));
  const ports = await pickTestPorts();
  const ami: AmiTarget = { host: '127.0.0.1', port: ports.ami, username: 'seatbox-test', secret: 'test-secret' };
  const ctx: TestConfigContext = { ports, rootDir, ami };
  const extra = typeof opts.files === 'function' ? opts.files(ctx) : (opts.files ?? {});
  const files = { ...minimalConfigFiles(ctx), ...extra };

  const asterisk = new ChrootAsterisk({ rootDir, instanceDir, logger: opts.logger, extraArgs: opts.extraArgs });
  asterisk.ensureLayout();
  for (const [name, content] of Object.entries(files)) {
    const p = join(asterisk.paths.etc, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }

  const stop = async () => {
    await asterisk.stop();
    if (process.env.SEATBOX_KEEP_TEST_DIRS !== '1') rmSync(instanceDir, { recursive: true, force: true });
  };
  if (opts.start !== false) {
    try {
      await asterisk.start();
    } catch (err) {
      await stop().catch(() => {});
      throw err;
    }
  }
  return { asterisk, instanceDir, ports, ami, stop };
}

export type AmiMessage = Record<string, string>;

/** Splits an AMI stream into messages (the greeting line is dropped). */
function parseAmi(text: string): AmiMessage[] {
  const out: AmiMessage[] = [];
  for (const block of text.split('\r\n\r\n')) {
    const msg: AmiMessage = {};
    for (const line of block.split('\r\n')) {
      const i = line.indexOf(': ');
      if (i > 0) msg[line.slice(0, i)] = line.slice(i + 2);
    }
    if (Object.keys(msg).length) out.push(msg);
  }
  return out;
}

/**
 * Raw AMI over TCP: logs in, sends `actions` one after another, logs off, and returns
 * the response to the login followed by the response to each action (matched by ActionID).
 * Rejects if the login is refused or something does not answer within timeoutMs.
 */
export async function amiExchange(target: AmiTarget, actions: AmiMessage[], timeoutMs = 10_000): Promise<AmiMessage[]> {
  const all: AmiMessage[] = [{ Action: 'Login', Username: target.username, Secret: target.secret, Events: 'off' }, ...actions];
  return new Promise((resolve, reject) => {
    const sock = connect(target.port, target.host);
    let buf = '';
    let greeted = false;
    let next = 0;
    const responses: AmiMessage[] = [];
    const timer = setTimeout(() => fail(new Error(`AMI timeout after ${timeoutMs} ms; got ${JSON.stringify(responses)}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    const send = () => {
      const a = all[next];
      if (!a) {
        clearTimeout(timer);
        sock.end('Action: Logoff\r\n\r\n');
        resolve(responses);
        return;
      }
      const lines = Object.entries({ ...a, ActionID: `t${next}` }).map(([k, v]) => `${k}: ${v}`);
      sock.write(lines.join('\r\n') + '\r\n\r\n');
    };
    sock.setEncoding('utf8');
    sock.on('error', fail);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (!greeted) {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        if (!buf.startsWith('Asterisk Call Manager/')) return fail(new Error(`not AMI: ${JSON.stringify(buf.slice(0, 80))}`));
        buf = buf.slice(nl + 2);
        greeted = true;
        send();
      }
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const [msg] = parseAmi(buf.slice(0, end));
        buf = buf.slice(end + 4);
        if (!msg || msg.ActionID !== `t${next}`) continue; // events etc.
        if (next === 0 && msg.Response !== 'Success') return fail(new Error(`AMI login refused: ${JSON.stringify(msg)}`));
        responses.push(msg);
        next++;
        send();
      }
    });
  });
}
