/**
 * Test helper: runs SIPp (/usr/bin/sipp, Debian sip-tester 3.x) against a test Asterisk.
 *
 *   const uas = await startSipp({ scenario: xml, localPort: await freePort({ udp: true }), calls: 1 });
 *   const uac = await startSipp({ scenario: xml2, remote: `127.0.0.1:${sipPort}`, calls: 1 });
 *   const r = await uac.done;           // { code, messages, logs, errors, stderr, ... }
 *   await uas.stop();                   // SIGTERM (SIGKILL if needed); idempotent
 *
 * Every run gets its own temp dir holding the scenario, the CSV injection file, the message
 * trace (-trace_msg), <log> output (-trace_logs) and unexpected messages (-trace_err).
 * Runs are bounded: -m calls, -timeout (default 20 s) with -timeout_error, -nostdin.
 * startSipp() resolves once the UDP port is bound, so a UAS is ready for calls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsteriskAmiClient } from '../../firmware-agent/src/ami/client.js';
import { PbxConfigurator } from '../../firmware-agent/src/pbx-config/apply.js';
import { defaultModel, type DefaultModelInit, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { defaultRootDir, moduleDir } from '../../firmware-agent/src/pbx-runtime/index.js';
import { startTestAsterisk, type TestAsterisk } from './asterisk.js';

export const SIPP_BIN = process.env['SEATBOX_SIPP'] ?? '/usr/bin/sipp';

export interface SippOptions {
  /** Scenario XML text. */
  scenario: string;
  /** host:port to send to (UAC); absent for a pure UAS. */
  remote?: string;
  localIp?: string;
  /** Local UDP port (SIPp's -p); default: a port SIPp picks. */
  localPort?: number;
  /** CSV injection file text (first line SEQUENTIAL / RANDOM / USER). */
  csv?: string;
  /** -m: stop after this many calls. */
  calls?: number;
  /** -r: calls per second (default SIPp's 10). */
  rate?: number;
  /** -l: simultaneous calls limit. */
  limit?: number;
  /** -timeout in seconds (default 20); reaching it is an error (-timeout_error). */
  timeoutSeconds?: number;
  /** -s: user part of the Request-URI. */
  service?: string;
  /** -aa: answer OPTIONS / NOTIFY / INFO / UPDATE outside calls with 200 (qualify pings). */
  autoAnswer?: boolean;
  /** -oocsf: out-of-call scenario XML for requests that match no call. */
  outOfCallScenario?: string;
  /** -set name value pairs (the scenario reads them as [$name]). */
  set?: Record<string, string>;
  extraArgs?: string[];
  label?: string;
}

export interface SippResult {
  /** SIPp's exit code: 0 all calls passed, 1 some failed, 97 stopped, 99 no call, 255 fatal; null = killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** -trace_msg: every message sent and received. */
  messages: string;
  /** -trace_logs: the scenario's <log> lines. */
  logs: string;
  /** -trace_err: unexpected messages. */
  errors: string;
  dir: string;
  args: string[];
}

export interface SippProcess {
  dir: string;
  localPort: number;
  child: ChildProcess;
  done: Promise<SippResult>;
  /** Ends the process (SIGTERM, then SIGKILL after 2 s) and returns its result. */
  stop(): Promise<SippResult>;
  /** The message trace so far (SIPp writes it as it goes). */
  messagesSoFar(): string;
  /** Resolves when the message trace matches `re`; rejects when SIPp exits first or after timeoutMs. */
  waitForMessage(re: RegExp, timeoutMs?: number): Promise<void>;
}

const running = new Set<SippProcess>();

/** Stops every SIPp this helper started that is still running (for afterAll / afterEach). */
export async function stopAllSipp(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');

async function udpPortBound(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(true));
    s.bind(port, host, () => s.close(() => resolve(false)));
  });
}

export async function startSipp(opts: SippOptions): Promise<SippProcess> {
  const localIp = opts.localIp ?? '127.0.0.1';
  // A port picked free can be taken by another process (another test file, another SIPp)
  // before SIPp binds it: SIPp then exits at once. With a port of our choosing, pick again.
  for (let attempt = 1; ; attempt++) {
    const localPort = opts.localPort ?? (await pickUdpPort(localIp));
    const proc = await startSippOn(opts, localIp, localPort);
    if (opts.localPort !== undefined || attempt >= 3 || proc.child.exitCode === null) return proc;
    const r = await proc.done;
    if (!/bind|address already in use/i.test(`${r.stderr}\n${r.errors}\n${r.stdout}`)) return proc;
    cleanSipp(r);
  }
}

async function startSippOn(opts: SippOptions, localIp: string, localPort: number): Promise<SippProcess> {
  const dir = mkdtempSync(join(tmpdir(), `seatbox-sipp-${opts.label ?? 'run'}-`));
  const scenario = join(dir, 'scenario.xml');
  writeFileSync(scenario, opts.scenario);
  const args = ['-sf', scenario, '-i', localIp, '-bind_local', '-t', 'u1', '-nostdin'];
  args.push('-p', String(localPort));
  if (opts.csv !== undefined) {
    const csv = join(dir, 'data.csv');
    writeFileSync(csv, opts.csv);
    args.push('-inf', csv);
  }
  if (opts.outOfCallScenario !== undefined) {
    const ooc = join(dir, 'ooc.xml');
    writeFileSync(ooc, opts.outOfCallScenario);
    args.push('-oocsf', ooc);
  }
  if (opts.calls !== undefined) args.push('-m', String(opts.calls));
  if (opts.rate !== undefined) args.push('-r', String(opts.rate));
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  args.push('-timeout', `${opts.timeoutSeconds ?? 20}s`, '-timeout_error');
  if (opts.service !== undefined) args.push('-s', opts.service);
  if (opts.autoAnswer) args.push('-aa');
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push('-set', k, v);
  const files = { messages: join(dir, 'messages.log'), logs: join(dir, 'logs.log'), errors: join(dir, 'errors.log') };
  args.push('-trace_msg', '-message_file', files.messages, '-trace_logs', '-log_file', files.logs, '-trace_err', '-error_file', files.errors);
  args.push(...(opts.extraArgs ?? []));
  if (opts.remote) args.push(opts.remote);

  const child = spawn(SIPP_BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SippResult>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(proc);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        messages: read(files.messages),
        logs: read(files.logs),
        errors: read(files.errors),
        dir,
        args,
      });
    });
  });
  let stopping: Promise<SippResult> | undefined;
  const proc: SippProcess = {
    messagesSoFar: () => '',
    waitForMessage: async () => {},
    dir,
    localPort,
    child,
    done,
    stop() {
      if (stopping) return stopping;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        stopping = done.finally(() => clearTimeout(t));
      } else stopping = done;
      return stopping;
    },
  };
  proc.messagesSoFar = () => read(files.messages);
  proc.waitForMessage = async (re, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (re.test(read(files.messages))) return;
      if (child.exitCode !== null || child.signalCode !== null) {
        if (re.test(read(files.messages))) return;
        const why = `${stderr}\n${read(files.errors)}`.trim().split('\n').slice(-5).join(' | ');
        throw new Error(`sipp ${opts.label ?? ''} exited (code ${child.exitCode ?? child.signalCode}) before ${re} appeared in its trace${why ? `: ${why}` : ''}`);
      }
      if (Date.now() > deadline) throw new Error(`sipp ${opts.label ?? ''}: ${re} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  running.add(proc);
  // Ready once SIPp holds its port (or it exited: the caller sees why in `done`).
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await udpPortBound(localPort, localIp)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return proc;
}

/** Removes a run's temp dir (unless SEATBOX_KEEP_TEST_DIRS=1). */
export function cleanSipp(r: { dir: string }): void {
  if (process.env['SEATBOX_KEEP_TEST_DIRS'] !== '1') rmSync(r.dir, { recursive: true, force: true });
}

async function pickUdpPort(host: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 40000 + Math.floor(Math.random() * 20000);
    if (!(await udpPortBound(port, host))) return port;
  }
  throw new Error('no free UDP port for SIPp');
}

/**
 * A CSV injection file (SEQUENTIAL). A field may be a credentials object: SIPp does not expand
 * [fieldN] inside [authentication ...], but it does expand a whole keyword given as the field.
 */
export function csvFile(rows: ReadonlyArray<ReadonlyArray<string | { user: string; password: string }>>): string {
  const cell = (c: string | { user: string; password: string }) => (typeof c === 'string' ? c : `[authentication username=${c.user} password=${c.password}]`);
  return `SEQUENTIAL\n${rows.map((r) => r.map(cell).join(';')).join('\n')}\n`;
}

/** A one-line summary of a run for assertion messages. */
export function describeRun(r: SippResult): string {
  return `sipp exit ${r.code ?? r.signal} (${r.args.join(' ')})\nstderr: ${r.stderr.slice(-800)}\nerrors: ${r.errors.slice(-1500)}`;
}

/** Request-URIs of the requests of a given method in a message trace. */
export function requestUris(messages: string, method: string): string[] {
  const out: string[] = [];
  for (const m of messages.matchAll(new RegExp(`^${method} (\\S+) SIP/2\\.0`, 'gm'))) out.push(m[1]!);
  return out;
}

/** Status codes of the responses SIPp received or sent, in trace order. */
export function statusCodes(messages: string): number[] {
  return [...messages.matchAll(/^SIP\/2\.0 (\d{3}) /gm)].map((m) => Number(m[1]));
}

// ---------------------------------------------------------------------------------------
// A real Asterisk running SeatBox's generated configuration (PbxConfigurator), for SIPp.

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'sipp');

/** A scenario from tests/fixtures/sipp with @NAME@ placeholders replaced. */
export function scenario(name: string, vars: Record<string, string | number> = {}): string {
  let text = readFileSync(join(FIXTURES, name), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(String(v));
  const left = /@[A-Z_]+@/.exec(text);
  if (left) throw new Error(`scenario ${name}: placeholder ${left[0]} not given`);
  return text;
}

export interface TestPbx {
  t: TestAsterisk;
  ami: AsteriskAmiClient;
  cfg: PbxConfigurator;
  sipPort: number;
  /** A model on this instance's ports and paths with the given parts. */
  model(init: Omit<DefaultModelInit, 'amiSecret'>): PbxModel;
  stop(): Promise<void>;
}

const PBX_SECRET = 'sipp-it-ami-secret';

/** Boots Asterisk on `initial(model)` written by PbxConfigurator, AMI connected (events on). */
export async function startTestPbx(initial: (base: (init: Omit<DefaultModelInit, 'amiSecret'>) => PbxModel) => PbxModel): Promise<TestPbx> {
  const root = defaultRootDir();
  const t = await startTestAsterisk({ start: false });
  for (const f of ['asterisk.conf', 'modules.conf', 'manager.conf', 'logger.conf']) rmSync(join(t.asterisk.paths.etc, f), { force: true });
  // The random RTP range of the helper may cover the SIP port: move it out of the way.
  const rtpStart = t.ports.sip >= t.ports.rtpStart && t.ports.sip <= t.ports.rtpEnd + 1 ? t.ports.rtpEnd + 2 : t.ports.rtpStart;
  const model = (init: Omit<DefaultModelInit, 'amiSecret'>): PbxModel =>
    defaultModel({
      amiPort: t.ports.ami,
      paths: { mod: moduleDir(root) },
      ...init,
      amiSecret: PBX_SECRET,
      sip: { bind: '127.0.0.1', port: t.ports.sip, rtpStart, rtpEnd: rtpStart + 199, ...init.sip },
      demo: { enabled: false, ...init.demo },
    });
  const ami = new AsteriskAmiClient({ host: '127.0.0.1', port: t.ports.ami, username: 'seatbox', secret: PBX_SECRET, connectAttempts: 3 });
  const cfg = new PbxConfigurator({ etcDir: t.asterisk.paths.etc, ami, logger: { info() {}, warn() {}, error() {}, debug() {} }, verifyTimeoutMs: 8000 });
  try {
    await cfg.writeInitial(initial(model));
    await t.asterisk.start();
    await ami.connect();
  } catch (e) {
    await ami.close().catch(() => {});
    await t.stop();
    throw e;
  }
  return {
    t,
    ami,
    cfg,
    sipPort: t.ports.sip,
    model,
    async stop() {
      await stopAllSipp();
      await ami.close().catch(() => {});
      await t.stop();
    },
  };
}

/** A free UDP port on `host` (e.g. a carrier address 127.0.0.x) for a SIPp that binds it later. */
export function freeUdpPortFor(host: string): Promise<number> {
  return pickUdpPort(host);
}

export type DtmfStep = { dtmf: string } | { pause: number };
/** SIPp XML for the caller's steps: DTMF as SIP INFO (application/dtmf-relay), pauses. A DTMF may be [field3] (per CSV row). */
export function dtmfInfoSteps(list: DtmfStep[]): string {
  return list
    .map((s, i) =>
      'pause' in s
        ? `  <pause milliseconds="${s.pause}"/>`
        : `  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${10 + i} INFO
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${s.dtmf}
      Duration=160
    ]]>
  </send>
  <recv response="200"/>`,
    )
    .join('\n');
}

/**
 * SIPp XML for a seat phone (UAS side of a call) keying digits during the call as SIP INFO
 * (application/dtmf-relay), 300 ms apart — e.g. '##8002' (blind) or '*28002' (attended transfer).
 */
export function uasDtmfInfoKeys(digits: string): string {
  return [...digits]
    .map(
      (d, i) => `  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      INFO [$peercontact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To: [$peerfrom]
      Call-ID: [call_id]
      CSeq: ${10 + i} INFO
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${d}
      Duration=160
    ]]>
  </send>
  <recv response="200"/>`,
    )
    .join('\n');
}
