// `seatbox bench capacity`: the box's busy hour on the real Asterisk. A fresh agent
// (`seatbox serve`, its own data dir and ports) gets 48 seats, a SIP trunk and the hotline IVR
// through its API, like a customer would set it up; then at once:
//   - 48 seats (SIPp, digest auth, G.711 audio played from a pcap) call out through the trunk
//     to the "PSTN" (SIPp answering and echoing the audio back): 48 bridged calls, all recorded;
//   - 8 callers from the PSTN sit in the IVR;
//   - 4 faxes go through T.30 in software (SendFAX → the box's fax inbox).
// While every call is up it measures Asterisk's and the agent's CPU (/proc), the agent's RSS
// and the AMI event lag the agent itself records (GET /api/v1/system/metrics).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { AsteriskAmiClient } from '../ami/client.js';
import { APPLIANCE_NODE_FLAGS } from '../system/node-flags.js';
import { SEATBOX_LAUNCHER as CLI } from './index.js';
import { startFaxTransfers, type FaxTransferSet, type InboxRow } from './capacity-fax.js';

export interface CapacityOptions {
  /** Bridged seat ↔ trunk calls (default 48). */
  calls?: number;
  /** PSTN callers in the IVR (default 8). */
  ivrCallers?: number;
  /** Simultaneous fax transfers (default 4). */
  faxes?: number;
  /** How long each call stays up once answered (default 60 s). */
  holdSeconds?: number;
  /** Measurement window while all calls are up (default 20 s). */
  measureSeconds?: number;
  /** Keep the data dir and logs (printed) for a look afterwards. */
  keep?: boolean;
  progress?: (line: string) => void;
}

export interface CapacityResult {
  calls: number;
  failedCalls: number;
  /** Fractions of one core over the measurement window. */
  asteriskCpu: number;
  agentCpu: number;
  agentRssMb: number;
  eventLagMs: { p50: number; p99: number };
  detail: {
    bridgedCalls: { placed: number; succeeded: number; failed: number; peakBridged: number };
    ivrCallers: { placed: number; succeeded: number; failed: number; peakInIvr: number };
    faxes: { placed: number; succeeded: number; failed: number; pages: number; errors: string[] };
    recordings: { expected: number; found: number };
    peakChannels: number;
    /** SIPp's own account of failed calls. */
    sippErrors: string[];
    measureSeconds: number;
    eventLag: { count: number; p50: number; p99: number; max: number };
    asteriskVersion: string | null;
    dataDir?: string;
  };
}

const SIPP = process.env['SEATBOX_SIPP'] ?? '/usr/bin/sipp';
// Debian's sip-tester ships 7.05 s of G.711 A-law speech as RTP in a pcap.
const PCAP = '/usr/share/sip-tester/g711a.pcap';
const PCAP_MS = 7000;
const CARRIER_IP = '127.0.0.2';
const DID = '4000';
const ADMIN = { username: 'admin', password: 'Capacity-Bench-1' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(udp = false, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (udp) {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, host, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    } else {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, host, () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    }
  });
}

/** CPU seconds (user + system) of a process and of its threads, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" of the command name: state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  return ticks / 100; // USER_HZ is 100 on Linux for /proc (sysconf(_SC_CLK_TCK))
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : 0;
}

// ---- SIPp scenarios (G.711 A-law; audio from the pcap, echoed back by the PSTN side)

const sdp = `Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000`;

/** Talk: play the pcap back to back for holdMs, then hang up. */
function talk(holdMs: number): string {
  const n = Math.max(1, Math.round(holdMs / PCAP_MS));
  return Array.from({ length: n }, () => `  <nop><action><exec play_pcap_audio="${PCAP}"/></action></nop>\n  <pause milliseconds="${PCAP_MS}"/>`).join('\n');
}

// (No blank line may appear among the headers: SIPp would end the headers there.)
function callerScenario(opts: { auth: boolean; holdMs: number }): string {
  const invite = (cseq: number, auth: boolean) => `  <send retrans="500">
    <![CDATA[
      INVITE sip:[field2]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[field2]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: ${cseq} INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>${auth ? '\n      [field1]' : ''}
      Max-Forwards: 70
      ${sdp}
    ]]>
  </send>`;
  const challenge = `  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send>
    <![CDATA[
      ACK sip:[field2]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
${invite(2, true)}`;
  const cseq = opts.auth ? 2 : 1;
  return `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="seatbox capacity caller">
${invite(1, false)}
${opts.auth ? challenge : ''}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${cseq} ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
${talk(opts.holdMs)}
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${cseq + 1} BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>`;
}

const PSTN_UAS = `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="seatbox capacity pstn">
  <recv request="INVITE" crlf="true"/>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      ${sdp}
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>`;

interface Sipp {
  proc: ChildProcess;
  done: Promise<{ code: number | null; stats: { successful: number; failed: number } }>;
}

/** Runs SIPp with a scenario; the final statistics come from its -trace_stat CSV. */
function runSipp(dir: string, label: string, args: string[], scenario: string, csv?: string): Sipp {
  const sf = join(dir, `${label}.xml`);
  writeFileSync(sf, scenario);
  const extra: string[] = [];
  if (csv !== undefined) {
    writeFileSync(join(dir, `${label}.csv`), csv);
    extra.push('-inf', join(dir, `${label}.csv`));
  }
  const log = openSync(join(dir, `${label}.log`), 'w');
  if (process.env['SEATBOX_BENCH_TRACE']) extra.push('-trace_msg', '-message_file', join(dir, `${label}.messages.log`));
  const proc = spawn(SIPP, ['-sf', sf, ...extra, ...args, '-nostdin', '-trace_err', '-trace_stat', '-fd', '1', '-stf', join(dir, `${label}.stat.csv`), '-error_file', join(dir, `${label}.errors.log`)], {
    cwd: dir,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const done = new Promise<{ code: number | null; stats: { successful: number; failed: number } }>((resolve) => {
    proc.on('exit', (code) => resolve({ code, stats: sippStats(join(dir, `${label}.stat.csv`)) }));
  });
  return { proc, done };
}

function sippStats(file: string): { successful: number; failed: number } {
  if (!existsSync(file)) return { successful: 0, failed: 0 };
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  if (lines.length < 2) return { successful: 0, failed: 0 };
  const head = lines[0]!.split(';');
  const last = lines[lines.length - 1]!.split(';');
  const col = (name: string) => Number(last[head.indexOf(name)] ?? 0);
  return { successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)') };
}

/** A session against the agent's API (cookie + CSRF). */
class Api {
  private cookie = '';
  private csrf = '';
  constructor(private readonly base: string) {}
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + '/api/v1' + path, {
      method,
      headers: { cookie: this.cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      this.cookie = [...this.cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 400)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  async refreshCsrf(): Promise<void> {
    this.csrf = (await this.call<{ token: string }>('GET', '/auth/csrf')).token;
  }
}

export async function runCapacityBench(opts: CapacityOptions = {}): Promise<CapacityResult> {
  const calls = opts.calls ?? 48;
  const ivrCallers = opts.ivrCallers ?? 8;
  const faxes = opts.faxes ?? 4;
  const holdMs = (opts.holdSeconds ?? 60) * 1000;
  const measureMs = (opts.measureSeconds ?? 20) * 1000;
  const say = opts.progress ?? (() => undefined);
  for (const [what, path] of [['SIPp (Debian: apt-get install sip-tester)', SIPP], ['the G.711 pcap of sip-tester', PCAP], ['the seatbox launcher', CLI]] as const) {
    if (!existsSync(path)) throw new Error(`capacity bench needs ${what}: ${path} is missing`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'seatbox-capacity-'));
  const dataDir = join(dir, 'data');
  const httpPort = await freePort();
  const amiPort = await freePort();
  // UDP and TCP ports are separate spaces: keep SIP off the AMI/HTTP numbers (the model refuses AMI = SIP).
  let sipPort = await freePort(true);
  while (sipPort === amiPort || sipPort === httpPort) sipPort = await freePort(true);
  const [pstnPort, ivrPort] = [await freePort(true, CARRIER_IP), await freePort(true, CARRIER_IP)];
  const log = openSync(join(dir, 'agent.log'), 'w');
  // The agent runs as on the appliance: same node flags as its systemd unit.
  const agent = spawn(process.execPath, [...APPLIANCE_NODE_FLAGS, CLI, 'serve', '--data', dataDir, '--port', String(httpPort), '--ami-port', String(amiPort), '--sip-port', String(sipPort), '--sip-bind', '127.0.0.1'], {
    stdio: ['ignore', log, log],
    env: { ...process.env, SEATBOX_LOG_LEVEL: process.env['SEATBOX_LOG_LEVEL'] ?? 'warn' },
  });
  closeSync(log);
  const sipps: Sipp[] = [];
  let ami: AsteriskAmiClient | undefined;
  let fax: FaxTransferSet | undefined;
  const agentExit = new Promise<void>((r) => agent.once('exit', () => r()));
  try {
    const api = new Api(`http://127.0.0.1:${httpPort}`);
    say(`agent starting (data ${dataDir})`);
    for (let i = 0; ; i++) {
      if (agent.exitCode !== null) throw new Error(`the agent exited (${agent.exitCode}); log: ${join(dir, 'agent.log')}\n${readFileSync(join(dir, 'agent.log'), 'utf8').slice(-2000)}`);
      const h = await fetch(`http://127.0.0.1:${httpPort}/api/v1/health`).then((r) => r.json() as Promise<{ status: string }>).catch(() => null);
      if (h?.status === 'ok') break;
      if (i > 600) throw new Error('the agent did not become healthy within 60 s');
      await sleep(100);
    }
    await api.refreshCsrf();
    await api.call('POST', '/setup', ADMIN);
    await api.refreshCsrf();

    say(`configuring ${calls} seats, a SIP trunk, an outbound route and the IVR`);
    const last = 8000 + Math.max(calls, 1);
    const seats = await api.call<{ provisioning: Array<{ extension: string; secret: string }> }>('POST', '/seats/bulk', { from: '8001', to: String(last), namePattern: '坐席 {n}', kind: 'agent' });
    const trunk = await api.call<{ trunk: { id: number } }>('POST', '/trunks', { name: 'PSTN', kind: 'sip', host: CARRIER_IP, port: pstnPort, register: false, qualifySeconds: 0, maxChannels: calls + ivrCallers + 10 });
    await api.call('POST', '/routes/outbound', { name: '手机', patterns: ['1[3-9]XXXXXXXXX'], trunkIds: [trunk.trunk.id] });
    const ivr = await api.call<any>('GET', '/hotline/ivr');
    Object.assign(ivr, { did: DID, useBusinessHours: false });
    // Callers stay in the main menu: it repeats its prompt and waits, up to 10 × 60 s.
    Object.assign(ivr.menus[0], { prompt: null, timeoutSeconds: 60, maxRetries: 9, fallback: { kind: 'hangup' } });
    await api.call('PUT', '/hotline/ivr', ivr);

    const secret = JSON.parse(String((new Database(join(dataDir, 'seatbox.db'), { readonly: true, fileMustExist: true }).prepare("SELECT value FROM settings WHERE key = 'ami.secret'").get() as { value: string }).value)) as string;
    ami = new AsteriskAmiClient({ host: '127.0.0.1', port: amiPort, username: 'seatbox', secret, events: false, connectAttempts: 3 });
    await ami.connect();
    const versionLine = await ami.command('core show version').catch(() => '');
    if (process.env['SEATBOX_BENCH_TRACE']) {
      await ami.command('core set verbose 4');
      await ami.command('logger add channel bench-verbose.log notice,warning,error,verbose');
      await ami.command('pjsip set logger on');
    }
    const metrics0 = await api.call<{ pid: number; asteriskPid: number | null }>('GET', '/system/metrics');
    const astPid = metrics0.asteriskPid;
    if (!astPid) throw new Error('the agent did not report the Asterisk pid');

    say(`placing ${calls} seat calls, ${ivrCallers} IVR callers and ${faxes} faxes`);
    const started = Date.now();
    const pstn = runSipp(dir, 'pstn', ['-i', CARRIER_IP, '-p', String(pstnPort), '-mi', CARRIER_IP, '-rtp_echo', '-mp', String(await freePort(true, CARRIER_IP)), '-m', String(calls), '-timeout', String(Math.ceil(holdMs / 1000) + 120), '-timeout_error'], PSTN_UAS);
    sipps.push(pstn);
    await sleep(300);
    const seatCsv = 'SEQUENTIAL\n' + seats.provisioning.slice(0, calls).map((p, i) => `${p.extension};[authentication username=${p.extension} password=${p.secret}];9138${String(10_000_000 + i).slice(-8)}`).join('\n') + '\n';
    const seatCalls = runSipp(dir, 'seats', [`127.0.0.1:${sipPort}`, '-i', '127.0.0.1', '-p', String(await freePort(true)), '-m', String(calls), '-l', String(calls), '-r', '12', '-timeout', String(Math.ceil(holdMs / 1000) + 120), '-timeout_error'], callerScenario({ auth: true, holdMs }), seatCsv);
    sipps.push(seatCalls);
    const ivrCsv = 'SEQUENTIAL\n' + Array.from({ length: ivrCallers }, (_, i) => `0213456${String(7000 + i)};-;${DID}`).join('\n') + '\n';
    const ivrCalls = ivrCallers > 0 ? runSipp(dir, 'ivr', [`127.0.0.1:${sipPort}`, '-i', CARRIER_IP, '-p', String(ivrPort), '-m', String(ivrCallers), '-l', String(ivrCallers), '-r', '8', '-timeout', String(Math.ceil(holdMs / 1000) + 120), '-timeout_error'], callerScenario({ auth: false, holdMs }), ivrCsv) : undefined;
    if (ivrCalls) sipps.push(ivrCalls);
    fax = faxes > 0 ? await startFaxTransfers({ ami, dataDir, count: faxes, inbox: async () => (await api.call<{ items: InboxRow[] }>('GET', '/fax/inbox')).items }) : undefined;

    // Wait until every call is up (bridged seat calls, callers in the IVR).
    let peakBridged = 0;
    let peakIvr = 0;
    let peakChannels = 0;
    const census = async () => {
      const list = await ami!.listAction('CoreShowChannels', {}, { timeoutMs: 10_000 });
      const chans = list.events;
      const bridged = new Set(chans.filter((c) => (c.get('Channel') ?? '').startsWith('PJSIP/trunk-') && c.get('BridgeId')).map((c) => c.get('BridgeId'))).size;
      const inIvr = chans.filter((c) => (c.get('Channel') ?? '').startsWith('PJSIP/trunk-') && !c.get('BridgeId') && (c.get('ChannelStateDesc') ?? '') === 'Up').length;
      peakBridged = Math.max(peakBridged, bridged);
      peakIvr = Math.max(peakIvr, inIvr);
      peakChannels = Math.max(peakChannels, chans.length);
      return { bridged, inIvr };
    };
    const upBy = started + Math.min(holdMs / 2, 40_000);
    for (;;) {
      const c = await census();
      if (c.bridged >= calls && c.inIvr >= ivrCallers) break;
      if (Date.now() > upBy) {
        say(`not every call came up: ${c.bridged}/${calls} bridged, ${c.inIvr}/${ivrCallers} in the IVR; measuring anyway`);
        break;
      }
      await sleep(250);
    }
    say(`all up after ${((Date.now() - started) / 1000).toFixed(1)} s; measuring ${measureMs / 1000} s`);

    const a0 = cpuSeconds(agent.pid!);
    const s0 = cpuSeconds(astPid);
    const t0 = Date.now();
    let rssPeak = rssMb(agent.pid!);
    while (Date.now() - t0 < measureMs) {
      await sleep(1000);
      rssPeak = Math.max(rssPeak, rssMb(agent.pid!));
      await census();
    }
    const wall = (Date.now() - t0) / 1000;
    const agentCpu = (cpuSeconds(agent.pid!) - a0) / wall;
    const asteriskCpu = (cpuSeconds(astPid) - s0) / wall;

    say('waiting for the calls and faxes to end');
    const [seatRes, ivrRes] = await Promise.all([seatCalls.done, ivrCalls?.done]);
    const pstnRes = await pstn.done;
    const faxRes = fax ? await fax.done : { placed: 0, succeeded: 0, failed: 0, pages: 0, errors: [] as string[] };
    // The lag over the whole busy period: set-up storm included.
    const m = await api.call<{ eventLagMs: { count: number; p50: number; p99: number; max: number } }>('GET', `/system/metrics?sinceMs=${started}`);

    // Every bridged call must have left a recording (rows written by the recording module).
    await sleep(1500);
    const db = new Database(join(dataDir, 'seatbox.db'), { readonly: true, fileMustExist: true });
    let recordings = -1;
    try {
      const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recordings'").get();
      if (has) recordings = (db.prepare('SELECT COUNT(*) AS n FROM recordings WHERE started_at >= ?').get(new Date(started - 1000).toISOString()) as { n: number }).n;
    } finally {
      db.close();
    }

    // What went wrong, in SIPp's words (first lines of each error file).
    const sippErrors = ['seats', 'ivr', 'pstn'].flatMap((label) => {
      const f = join(dir, `${label}.errors.log`);
      if (!existsSync(f)) return [];
      return readFileSync(f, 'utf8').split(/(?=\d{4}-\d\d-\d\d\t)/).map((l) => l.trim()).filter((l) => l && !l.startsWith('The following events')).slice(0, 5).map((l) => `${label}: ${l.slice(0, 300)}`);
    });
    const seatOk = seatRes.stats.successful;
    const ivrOk = ivrRes?.stats.successful ?? 0;
    const failedCalls = calls - seatOk + (ivrCallers - ivrOk) + faxRes.failed + (faxes - faxRes.placed) + Math.max(0, calls - Math.max(recordings, 0));
    if (pstnRes.stats.failed > 0) say(`PSTN side saw ${pstnRes.stats.failed} failed calls`);
    return {
      calls: calls + ivrCallers + faxes,
      failedCalls,
      asteriskCpu: Math.round(asteriskCpu * 1000) / 1000,
      agentCpu: Math.round(agentCpu * 1000) / 1000,
      agentRssMb: rssPeak,
      eventLagMs: { p50: m.eventLagMs.p50, p99: m.eventLagMs.p99 },
      detail: {
        bridgedCalls: { placed: calls, succeeded: seatOk, failed: calls - seatOk, peakBridged },
        ivrCallers: { placed: ivrCallers, succeeded: ivrOk, failed: ivrCallers - ivrOk, peakInIvr: peakIvr },
        faxes: faxRes,
        recordings: { expected: calls, found: recordings },
        peakChannels,
        sippErrors,
        measureSeconds: Math.round(wall * 10) / 10,
        eventLag: m.eventLagMs,
        asteriskVersion: /Asterisk (\S+)/.exec(versionLine)?.[1] ?? null,
        ...(opts.keep ? { dataDir: dir } : {}),
      },
    };
  } finally {
    for (const s of sipps) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    await fax?.stop().catch(() => undefined);
    await ami?.close().catch(() => undefined);
    if (agent.exitCode === null) {
      agent.kill('SIGTERM');
      const t = setTimeout(() => agent.kill('SIGKILL'), 15_000);
      await agentExit;
      clearTimeout(t);
    }
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

export async function runCapacityBenchCli(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      calls: { type: 'string' },
      ivr: { type: 'string' },
      faxes: { type: 'string' },
      hold: { type: 'string' },
      measure: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0 (got "${v}")`);
    return n;
  };
  const result = await runCapacityBench({
    calls: int(values.calls, 'calls'),
    ivrCallers: int(values.ivr, 'ivr'),
    faxes: int(values.faxes, 'faxes'),
    holdSeconds: int(values.hold, 'hold'),
    measureSeconds: int(values.measure, 'measure'),
    keep: values.keep,
    progress: (line) => process.stderr.write(`[capacity] ${line}\n`),
  });
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `calls ${result.calls}, failed ${result.failedCalls}\n` +
        `Asterisk CPU ${(result.asteriskCpu * 100).toFixed(1)} % of a core, agent CPU ${(result.agentCpu * 100).toFixed(1)} %, agent RSS ${result.agentRssMb} MB\n` +
        `event lag p50 ${result.eventLagMs.p50} ms, p99 ${result.eventLagMs.p99} ms\n`,
    );
  }
  return result.failedCalls === 0 ? 0 : 1;
}
