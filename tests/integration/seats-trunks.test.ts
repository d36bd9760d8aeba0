// Seats, trunks, routes and telephony cards through the API of the whole agent, against the
// real Asterisk 22: 48 seats in one request reach PJSIP; bad input is refused with a message
// naming the item while Asterisk's configuration stays as it was; a SIP trunk and a route
// show up in the live dialplan; a span alarm written into the host-root fixture reaches the
// websocket.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { cpSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMessage, TrunkLive } from '../../firmware-agent/src/http/schemas.js';
import type { HardwareView } from '../../firmware-agent/src/hardware-inventory/schemas.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { SeatBoxAgent } from '../../firmware-agent/src/main.js';
import type { Provisioning, Seat } from '../../firmware-agent/src/seats/schemas.js';
import type { OutboundRouteList, Trunk } from '../../firmware-agent/src/trunks/schemas.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'host-root');

let t: TestAgent;
let hostRoot: string;
let agent: SeatBoxAgent;
let base: string;
let api: TestAgent['api'];
let frames: LiveMessage[];

/**
 * A minimal SIP phone (UDP): REGISTER with digest authentication, answers OPTIONS (qualify)
 * with 200 so its contact is Reachable. Enough to see a seat's registration go live.
 */
class TestPhone {
  private sock: Socket = createSocket('udp4');
  private port = 0;
  private waiters: Array<(msg: string) => boolean> = [];
  constructor(private readonly server: number, private readonly user: string, private readonly secret: string) {}

  async open(): Promise<void> {
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', () => r()));
    this.port = this.sock.address().port;
    this.sock.on('message', (buf) => {
      const msg = buf.toString();
      if (msg.startsWith('OPTIONS ')) {
        const h = (n: string) => new RegExp(`^${n}:.*$`, 'mi').exec(msg)?.[0] ?? '';
        this.send(['SIP/2.0 200 OK', ...msg.split('\r\n').filter((l) => /^Via:/i.test(l)), h('From'), `${h('To')};tag=${randomBytes(4).toString('hex')}`, h('Call-ID'), h('CSeq'), 'Content-Length: 0', '', ''].join('\r\n'));
        return;
      }
      this.waiters = this.waiters.filter((w) => !w(msg));
    });
  }

  private send(text: string): void {
    this.sock.send(text, this.server, '127.0.0.1');
  }

  private request(lines: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SIP answer')), 5000);
      this.waiters.push((msg) => {
        if (!/^SIP\/2\.0 [2-6]\d\d/.test(msg) || /^SIP\/2\.0 1\d\d/.test(msg)) return false;
        clearTimeout(timer);
        resolve(msg);
        return true;
      });
      this.send(lines.join('\r\n'));
    });
  }

  /** REGISTER (expires 0 = unregister); resolves with the final status code. */
  async register(expires: number): Promise<number> {
    const uri = `sip:127.0.0.1:${this.server}`;
    const callId = randomBytes(8).toString('hex');
    const head = (cseq: number, extra: string[] = []) => [
      `REGISTER ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@127.0.0.1>;tag=${callId.slice(0, 8)}`,
      `To: <sip:${this.user}@127.0.0.1>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${this.user}@127.0.0.1:${this.port}>`,
      `Expires: ${expires}`,
      'User-Agent: SeatBox test phone',
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ];
    const challenge = await this.request(head(1));
    const auth = /^WWW-Authenticate:\s*Digest (.*)$/im.exec(challenge)?.[1];
    if (!auth) return Number(challenge.slice(8, 11));
    const p = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(auth)?.[1] ?? '';
    const md5 = (x: string) => createHash('md5').update(x).digest('hex');
    const cnonce = randomBytes(4).toString('hex');
    const ha1 = md5(`${this.user}:${p('realm')}:${this.secret}`);
    const ha2 = md5(`REGISTER:${uri}`);
    const response = md5(`${ha1}:${p('nonce')}:00000001:${cnonce}:auth:${ha2}`);
    const answer = await this.request(
      head(2, [`Authorization: Digest username="${this.user}",realm="${p('realm')}",nonce="${p('nonce')}",uri="${uri}",response="${response}",algorithm=MD5,qop=auth,nc=00000001,cnonce="${cnonce}"${p('opaque') ? `,opaque="${p('opaque')}"` : ''}`]),
    );
    return Number(answer.slice(8, 11));
  }

  close(): void {
    this.sock.close();
  }
}

/** A non-loopback address of this machine (trunk hosts may not be 127.x). */
const LAN_IP = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** A carrier's registrar: challenges REGISTER, accepts the right digest (200) or refuses (403); answers OPTIONS. */
class FakeCarrier {
  readonly sock: Socket = createSocket('udp4');
  port = 0;
  registrations = 0;
  constructor(private readonly user: string, public secret: string) {}
  async open(host: string): Promise<void> {
    await new Promise<void>((r) => this.sock.bind(0, host, () => r()));
    this.port = this.sock.address().port;
    this.sock.on('message', (buf, from) => {
      const msg = buf.toString();
      const method = msg.split(' ')[0];
      const h = (n: string) => new RegExp(`^${n}:.*$`, 'mi').exec(msg)?.[0] ?? '';
      const reply = (status: string, extra: string[] = []) =>
        this.sock.send(
          [`SIP/2.0 ${status}`, ...msg.split('\r\n').filter((l) => /^Via:/i.test(l)), h('From'), `${h('To')};tag=c${this.port}`, h('Call-ID'), h('CSeq'), ...extra, 'Content-Length: 0', '', ''].join('\r\n'),
          from.port,
          from.address,
        );
      if (method === 'OPTIONS') return reply('200 OK');
      if (method !== 'REGISTER') return reply('405 Method Not Allowed');
      const auth = /^Authorization:\s*Digest (.*)$/im.exec(msg)?.[1];
      if (!auth) return reply('401 Unauthorized', ['WWW-Authenticate: Digest realm="carrier.example",nonce="n0nce' + Date.now() + '",algorithm=MD5']);
      const p = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(auth)?.[1] ?? '';
      const md5 = (x: string) => createHash('md5').update(x).digest('hex');
      const ha1 = md5(`${this.user}:carrier.example:${this.secret}`);
      const ha2 = md5(`REGISTER:${p('uri')}`);
      const expect = p('qop') ? md5(`${ha1}:${p('nonce')}:${p('nc')}:${p('cnonce')}:${p('qop')}:${ha2}`) : md5(`${ha1}:${p('nonce')}:${ha2}`);
      if (p('username') !== this.user || p('response') !== expect) return reply('403 Forbidden');
      this.registrations++;
      return reply('200 OK', [h('Contact'), 'Expires: 3600']);
    });
  }
  close(): void {
    this.sock.close();
  }
}

/** What Asterisk runs now: the generated files and the live endpoint list. */
async function asteriskState(): Promise<{ files: Record<string, string>; endpoints: string[]; meta: string }> {
  const files: Record<string, string> = {};
  for (const f of ['pjsip.conf', 'extensions.conf', 'modules.conf']) files[f] = readFileSync(join(agent.asterisk.paths.etc, f), 'utf8');
  const list = await agent.ami.listAction('PJSIPShowEndpoints');
  const endpoints = list.events.filter((e) => e.event === 'EndpointList').map((e) => e.get('ObjectName') ?? '').sort();
  return { files, endpoints, meta: await agent.ami.command('dialplan show seatbox-meta') };
}

beforeAll(async () => {
  t = await startTestAgent({
    dataSubdir: 'data',
    prepare: (_db, _data, tmp) => {
      hostRoot = join(tmp, 'host');
      cpSync(join(FIXTURES, 'box48'), hostRoot, { recursive: true });
    },
    options: (tmp) => ({ hostRoot: join(tmp, 'host'), hardwarePollMs: 250 }),
  });
  agent = t.agent;
  base = t.base;
  api = t.api;
  frames = t.frames;
  await t.openLive();
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('seats', () => {
  let provisioning: Provisioning[] = [];

  it('creates 48 seats in one request: PJSIP lists 48 endpoints, each secret shown once, audited', async () => {
    const res = await api<{ seats: Seat[]; provisioning: Provisioning[] }>('POST', '/api/v1/seats/bulk', { from: '8001', to: '8048', namePattern: '坐席 {n}', kind: 'agent' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.seats).toHaveLength(48);
    provisioning = res.body.provisioning;
    expect(provisioning).toHaveLength(48);
    expect(provisioning[0]).toMatchObject({ extension: '8001', username: '8001', authUsername: '8001', server: '127.0.0.1', port: agent.opts.asterisk.sipPort, transport: 'udp', codecs: ['PCMA', 'PCMU'], displayName: '坐席 8001' });
    for (const p of provisioning) expect(p.secret).toMatch(/^[A-Za-z0-9]{20,}$/);
    expect(new Set(provisioning.map((p) => p.secret)).size).toBe(48);

    const { endpoints } = await asteriskState();
    expect(endpoints.filter((e) => /^80\d\d$/.test(e))).toHaveLength(48);
    expect(endpoints).toContain('8048');

    // Afterwards the API never shows a secret again.
    const list = await api<{ seats: Seat[] }>('GET', '/api/v1/seats');
    expect(list.body.seats.map((s) => s.extension)).toEqual(Array.from({ length: 48 }, (_, i) => String(8001 + i)));
    for (const p of provisioning) expect(list.text).not.toContain(p.secret);
    expect(list.text).not.toMatch(/"secret"/);
    expect(list.body.seats[0]).toMatchObject({ name: '坐席 8001', kind: 'agent', tech: 'sip', registered: false, enabled: true });

    const audit = agent.audit.recent(20);
    expect(audit.find((a) => a.action === 'seat.bulk_created')?.target).toBe('seats:8001-8048');
    expect(audit.some((a) => a.action === 'pbx.config_applied')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(provisioning[0]!.secret);
  });

  it('regenerates one secret (shown once) and Asterisk takes the new one', async () => {
    const res = await api<{ provisioning: Provisioning }>('POST', '/api/v1/seats/8001/secret');
    expect(res.status, res.text).toBe(200);
    expect(res.body.provisioning.secret).not.toBe(provisioning[0]!.secret);
    const pjsip = readFileSync(join(agent.asterisk.paths.etc, 'pjsip.conf'), 'utf8');
    expect(pjsip).toContain(`password = ${res.body.provisioning.secret}`);
    expect(pjsip).not.toContain(`password = ${provisioning[0]!.secret}`);
    expect(agent.audit.recent(5).some((a) => a.action === 'seat.secret_regenerated' && a.target === 'seat:8001')).toBe(true);
  });

  it('a SIP phone registering as seat 8002 turns it "registered" (API and seat.updated), and back', async () => {
    const seat = () => api<{ seats: Seat[] }>('GET', '/api/v1/seats').then((r) => r.body.seats.find((s) => s.extension === '8002')!);
    expect((await seat()).registered).toBe(false);
    const phone = new TestPhone(agent.opts.asterisk.sipPort, '8002', provisioning[1]!.secret);
    await phone.open();
    try {
      // A wrong secret is refused by Asterisk.
      const wrong = new TestPhone(agent.opts.asterisk.sipPort, '8003', 'not-the-secret-at-all');
      await wrong.open();
      expect(await wrong.register(60)).toBe(401);
      wrong.close();

      frames.length = 0;
      expect(await phone.register(60)).toBe(200);
      await waitFor('seat.updated registered', () => frames.find((f) => f.type === 'seat.updated' && f.data.extension === '8002' && f.data.registered));
      const s = await waitFor('registered in the API, with the phone details', async () => {
        const x = await seat();
        return x.registered && x.contact?.userAgent ? x : undefined;
      });
      expect(s.contact?.userAgent).toBe('SeatBox test phone');
      expect(s.contact?.uri).toMatch(/^sip:8002@127\.0\.0\.1:\d+/);

      expect(await phone.register(0)).toBe(200);
      await waitFor('unregistered', async () => !(await seat()).registered);
    } finally {
      phone.close();
    }
  });
});

describe('seat changes', () => {
  const seatEndpoints = async () => (await asteriskState()).endpoints.filter((e) => /^80\d\d$/.test(e));

  it('disabling a seat removes its endpoint; deleting several is one change', async () => {
    const off = await api<{ seat: Seat }>('PATCH', '/api/v1/seats/8048', { enabled: false, name: '坐席 8048（停用）' });
    expect(off.status, off.text).toBe(200);
    expect(off.body.seat).toMatchObject({ enabled: false, name: '坐席 8048（停用）', registered: false });
    expect(await seatEndpoints()).toHaveLength(47);
    const del = await api<{ deleted: string[] }>('POST', '/api/v1/seats/delete', { extensions: ['8047', '8048'] });
    expect(del.status, del.text).toBe(200);
    expect(await seatEndpoints()).toHaveLength(46);
    expect((await api<{ seats: Seat[] }>('GET', '/api/v1/seats')).body.seats).toHaveLength(46);
    expect(agent.audit.recent(5).find((a) => a.action === 'seat.deleted')?.target).toBe('seats:8047, 8048');
    const again = await api('POST', '/api/v1/seats/bulk', { from: '8047', to: '8048', namePattern: '坐席 {n}' });
    expect(again.status, again.text).toBe(200);
    expect(await seatEndpoints()).toHaveLength(48);
  });

  it('a manager reads seats, trunks and cards but cannot change them; the API is in the OpenAPI document', async () => {
    await new UserStore(agent.db).create({ username: 'manager1', password: 'Quiet-Harbor-5519', roles: ['manager'] });
    // A second session: its own cookie jar and CSRF token.
    let jar = '';
    const as = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(base + path, {
        method,
        headers: { cookie: jar, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { 'x-csrf-token': token } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      for (const c of res.headers.getSetCookie()) {
        const pair = c.split(';')[0]!;
        jar = [...jar.split('; ').filter((x) => x && !x.startsWith(`${pair.split('=')[0]}=`)), pair].join('; ');
      }
      return res;
    };
    const token = async () => ((await (await as('GET', '/api/v1/auth/csrf')).json()) as { token: string }).token;
    expect((await as('POST', '/api/v1/auth/login', { username: 'manager1', password: 'Quiet-Harbor-5519' }, await token())).status).toBe(200);
    const t = await token();
    expect((await as('GET', '/api/v1/seats')).status).toBe(200);
    expect((await as('GET', '/api/v1/trunks/live')).status).toBe(200);
    expect((await as('GET', '/api/v1/hardware')).status).toBe(200);
    expect((await as('POST', '/api/v1/seats', { extension: '8201', name: 'x' }, t)).status).toBe(403);
    expect((await as('POST', '/api/v1/seats/8001/secret', {}, t)).status).toBe(403);
    expect((await as('POST', '/api/v1/trunks', { name: 'x', kind: 'sip', host: 'x.cn' }, t)).status).toBe(403);
    expect((await fetch(`${base}/api/v1/seats`)).status).toBe(401);

    const doc = await api<{ paths: Record<string, unknown> }>('GET', '/api/v1/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/seats/bulk', '/api/v1/trunks/live', '/api/v1/hardware', '/api/v1/routes/outbound']));
  });
});

describe('bad input is refused with a clear message; Asterisk keeps its configuration', () => {
  let before: Awaited<ReturnType<typeof asteriskState>>;
  beforeAll(async () => {
    before = await asteriskState();
  });

  const refused = async (method: string, path: string, body: unknown, status: number, field: string | undefined, message: RegExp) => {
    const res = await api<{ error: string; message: string; field?: string }>(method, path, body);
    expect(res.status, res.text).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(res.body.field).toBe(field);
    expect(await asteriskState()).toEqual(before);
  };

  it('a duplicate extension', async () => {
    await refused('POST', '/api/v1/seats', { extension: '8001', name: '重复' }, 409, 'extension', /^seat 8001 already exists$/);
    await refused('POST', '/api/v1/seats/bulk', { from: '8040', to: '8050', namePattern: '坐席 {n}' }, 409, 'from', /^seats 8040-8048 already exist; nothing was created$/);
  });

  it('an extension with a leading 0', async () => {
    await refused('POST', '/api/v1/seats', { extension: '0801', name: '零' }, 400, 'extension', /^extension "0801" must not start with 0/);
  });

  it('a trunk with a malformed host', async () => {
    await refused('POST', '/api/v1/trunks', { name: '坏主机', kind: 'sip', host: 'sip..example.cn', register: false }, 422, 'host', /^trunk "坏主机": host must be an IPv4 address or a DNS host name$/);
    await refused('POST', '/api/v1/trunks', { name: '坏地址', kind: 'sip', host: '203.0.113.300', register: false }, 422, 'host', /^trunk "坏地址": host .*not a valid IPv4 address/);
    expect((await api<{ trunks: Trunk[] }>('GET', '/api/v1/trunks')).body.trunks).toEqual([]);
  });

  it('an E1 span with inconsistent framing', async () => {
    await refused('PUT', '/api/v1/hardware/spans/1', { signalling: 'pri_cpe', framing: 'esf' }, 422, 'framing', /^span 1 \(E1 PRI\): framing "esf" is a T1 framing; an E1 PRI uses "ccs"/);
    await refused('PUT', '/api/v1/hardware/spans/1', { signalling: 'pri_cpe', coding: 'b8zs' }, 422, 'coding', /coding "b8zs" is a T1 line coding/);
    const hw = await api<HardwareView>('GET', '/api/v1/hardware');
    expect(hw.body.spans.find((s) => s.span === 1)?.settings).toBeNull();
  });

  it('an FXS port assigned twice', async () => {
    // Seat 8101 holds span 2 port 1 (channel 32). It is stored directly: this sandbox's
    // Asterisk has no DAHDI driver, so it would refuse to load chan_dahdi for a real one.
    const seatId = Number(agent.db.prepare(`INSERT INTO seats (extension, name, tech, enabled) VALUES ('8101', '模拟 1', 'fxs', 0)`).run().lastInsertRowid);
    agent.db.prepare(`INSERT INTO dahdi_ports (channel, span, kind, seat_id) VALUES (32, 2, 'FXS', ?)`).run(seatId);
    try {
      await refused('POST', '/api/v1/seats', { extension: '8102', name: '模拟 2', tech: 'fxs', channel: 32 }, 409, 'channel', /^seat 8102: span 2 port 1 \(channel 32\) is already the port of seat 8101; one port serves one seat or one line$/);
      await refused('POST', '/api/v1/seats', { extension: '8102', name: '模拟 2', tech: 'fxs', channel: 56 + 23 + 1 }, 400, 'channel', /^seat 8102: channel 80 is not a port of the detected telephony cards \(free FXS ports: channels 33-79\)$/);
      await refused('POST', '/api/v1/seats/bulk', { from: '8102', to: '8150', namePattern: '模拟 {i}', tech: 'fxs' }, 409, 'to', /^49 analog seats need 49 free FXS ports; the detected cards have 47 free; nothing was created$/);
    } finally {
      agent.db.prepare('DELETE FROM seats WHERE id = ?').run(seatId);
    }
    const port = await api<{ error: string; message: string }>('PUT', '/api/v1/hardware/ports/32', { seat: '8001' });
    expect(port.status).toBe(400);
    expect(port.body.message).toBe('span 2 port 1 (channel 32): seat 8001 is a SIP seat; only analog seats use an FXS port (create the seat as analog)');
  });

  it('a route to a trunk that does not exist', async () => {
    await refused('POST', '/api/v1/routes/outbound', { name: '手机', patterns: ['1[3-9]XXXXXXXXX'], trunkIds: [999] }, 400, 'trunkIds', /^outbound route "手机": trunk 999 does not exist$/);
  });

  it('Asterisk refusing the reload rolls the change back (409), the tables and the running config unchanged', async () => {
    // An analog seat makes the config load chan_dahdi; this sandbox's Asterisk has no DAHDI
    // driver (and AMI refuses "module load"), so the apply fails and is rolled back. On a box
    // with the card the same request succeeds.
    const res = await api<{ error: string; message: string }>('POST', '/api/v1/seats', { extension: '8101', name: '模拟', tech: 'fxs', channel: 33 });
    if (res.status === 200) {
      expect(res.body).toBeDefined(); // the sandbox gained a DAHDI driver: nothing to roll back
      await api('DELETE', '/api/v1/seats/8101');
      return;
    }
    expect(res.status, res.text).toBe(409);
    expect(res.body.error).toBe('apply_failed');
    expect(res.body.message).toMatch(/^Asterisk did not accept the new configuration; nothing was changed: .*chan_dahdi/);
    expect(agent.db.prepare(`SELECT count(*) AS n FROM seats WHERE extension = '8101'`).get()).toEqual({ n: 0 });
    expect(agent.db.prepare('SELECT count(*) AS n FROM dahdi_ports').get()).toEqual({ n: 0 });
    expect(await asteriskState()).toEqual(before);
  });

  it('refusals are audited where the configuration was at fault', () => {
    expect(agent.audit.recent(40).some((a) => a.action === 'trunk.change_refused' || a.action === 'span.change_refused')).toBe(true);
  });
});

describe('trunks and routes', () => {
  let trunk: Trunk;

  it('a SIP trunk with IP authentication and a mobile route appear in the live dialplan', async () => {
    const t = await api<{ trunk: Trunk }>('POST', '/api/v1/trunks', { name: '中国电信', kind: 'sip', host: '203.0.113.10', register: false, callerIdNumber: '02161234567', qualifySeconds: 5 });
    expect(t.status, t.text).toBe(200);
    trunk = t.body.trunk;
    expect(trunk).toMatchObject({ name: '中国电信', kind: 'sip', pbxId: `trunk-${trunk.id}`, callerIdNumber: '02161234567', sip: { host: '203.0.113.10', register: false, hasSecret: false } });
    const endpoints = await agent.ami.listAction('PJSIPShowEndpoints');
    expect(endpoints.events.some((e) => e.get('ObjectName') === trunk.pbxId)).toBe(true);

    const presets = (await api<OutboundRouteList>('GET', '/api/v1/routes/outbound')).body.presets;
    const mobile = presets.find((p) => p.key === 'mobile')!;
    const r = await api<OutboundRouteList>('POST', '/api/v1/routes/outbound', { name: '手机', patterns: mobile.patterns, trunkIds: [trunk.id] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.routes).toHaveLength(1);
    expect(r.body.outsidePrefix).toBe('9');
    expect(r.body.emergencyNumbers).toEqual(['110', '119', '120', '122']);
    const id = r.body.routes[0]!.id;
    const shown = await agent.ami.command(`dialplan show seatbox-route-r${id}`);
    expect(shown).toContain('1[3-9]XXXXXXXXX');
    const all = await agent.ami.command('dialplan show');
    expect(all).toContain(trunk.pbxId);
  });

  it('GET /trunks/live gives the trunk status; a route keeps the trunk from being deleted', async () => {
    const live = await api<TrunkLive[]>('GET', '/api/v1/trunks/live');
    expect(live.status).toBe(200);
    const mine = live.body.find((x) => x.id === String(trunk.id));
    expect(mine).toMatchObject({ name: '中国电信', kind: 'sip', channelsInUse: 0, maxChannels: 30 });
    expect(['unknown', 'unreachable', 'reachable']).toContain(mine!.status);
    const del = await api<{ message: string }>('DELETE', `/api/v1/trunks/${trunk.id}`);
    expect(del.status).toBe(409);
    expect(del.body.message).toBe('trunk "中国电信" is used by outbound route "手机"; remove it from that route first');
  });

  it('a trunk nobody answers becomes "unreachable" on the live feed', async () => {
    const f = await waitFor('trunk.updated unreachable', () => frames.find((x) => x.type === 'trunk.updated' && x.data.id === String(trunk.id) && x.data.status === 'unreachable'), 30_000);
    expect(f.type === 'trunk.updated' && f.data.detail).toBe('the carrier does not answer OPTIONS');
  });

  it('a registering trunk without a password is refused', async () => {
    const bad = await api<{ message: string; field: string }>('POST', '/api/v1/trunks', { name: '联通', kind: 'sip', host: '198.51.100.7', register: true, username: '02100000000' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'secret', message: 'trunk "联通": a registering trunk needs the password the carrier gave you' });
  });

  it.skipIf(!LAN_IP)('a registering trunk registers with the carrier ("registered"), and a wrong password shows "rejected"', async () => {
    const carrier = new FakeCarrier('02161234567', 'carrier-secret-1');
    await carrier.open(LAN_IP!);
    try {
      frames.length = 0;
      const t = await api<{ trunk: Trunk }>('POST', '/api/v1/trunks', { name: '电信 SIP', kind: 'sip', host: LAN_IP, port: carrier.port, register: true, username: '02161234567', secret: 'carrier-secret-1', qualifySeconds: 0 });
      expect(t.status, t.text).toBe(200);
      expect(t.text).not.toContain('carrier-secret-1');
      expect(t.body.trunk.sip).toMatchObject({ register: true, username: '02161234567', hasSecret: true });
      const id = String(t.body.trunk.id);
      await waitFor('trunk.updated registered', () => frames.find((x) => x.type === 'trunk.updated' && x.data.id === id && x.data.status === 'registered'));
      expect(carrier.registrations).toBeGreaterThanOrEqual(1);
      expect((await api<TrunkLive[]>('GET', '/api/v1/trunks/live')).body.find((x) => x.id === id)?.status).toBe('registered');

      // The carrier changes the password: the next registration is refused.
      carrier.secret = 'changed-by-carrier';
      const upd = await api('PATCH', `/api/v1/trunks/${id}`, { secret: 'carrier-secret-2' });
      expect(upd.status, upd.text).toBe(200);
      const rejected = await waitFor('trunk.updated rejected', () => frames.find((x) => x.type === 'trunk.updated' && x.data.id === id && x.data.status === 'rejected'));
      expect(rejected.type === 'trunk.updated' && rejected.data.detail).toMatch(/refused/);
      const audit = agent.audit.recent(10).find((a) => a.action === 'trunk.changed');
      expect(audit?.detail).toContain('(changed)');
      expect(audit?.detail).not.toContain('carrier-secret-2');
      await api('DELETE', `/api/v1/trunks/${id}`);
    } finally {
      carrier.close();
    }
  });
});

describe('telephony cards', () => {
  it('GET /hardware lists the cards, spans and ports of the host root', async () => {
    const hw = await api<HardwareView>('GET', '/api/v1/hardware');
    expect(hw.status).toBe(200);
    expect(hw.body.source).toBe('fixture');
    expect(hw.body.cards.map((c) => c.model)).toEqual(['D130P/D130E', 'TDM2400P', 'TDM2400P']);
    expect(hw.body.spans.map((s) => `${s.span}:${s.kind}:${s.alarms.text}`)).toEqual(['1:E1:OK', '2:analog:OK', '3:analog:OK']);
    expect(hw.body.ports.filter((p) => p.kind === 'FXS')).toHaveLength(48);
  });

  it('a span alarm written into the fixture reaches the websocket, the event log, and clears again', async () => {
    frames.length = 0;
    const red = join(FIXTURES, 'box48-red');
    cpSync(join(red, 'commands', 'dahdi_scan.txt'), join(hostRoot, 'commands', 'dahdi_scan.txt'));
    cpSync(join(red, 'proc', 'dahdi', '1'), join(hostRoot, 'proc', 'dahdi', '1'));
    const alarm = await waitFor('alarm frame', () => frames.find((f) => f.type === 'alarm' && f.data.source === 'span:1'));
    expect(alarm.type === 'alarm' && alarm.data).toMatchObject({ severity: 'critical' });
    expect(alarm.type === 'alarm' && alarm.data.message).toMatch(/^span 1 \(D115\/0\/1\): RED — red alarm/);
    const span = await waitFor('span.updated RED', () => frames.find((f) => f.type === 'span.updated' && f.data.span === 1 && f.data.alarms.includes('RED')));
    expect(span.type === 'span.updated' && span.data).toMatchObject({ name: 'D115/0/1', channels: 30 });
    const events = await api<{ events: Array<{ kind: string; span: number; alarms: string[] }> }>('GET', '/api/v1/hardware/events');
    expect(events.body.events[0]).toMatchObject({ kind: 'alarm_raised', span: 1, alarms: ['RED'] });

    frames.length = 0;
    cpSync(join(FIXTURES, 'box48', 'commands', 'dahdi_scan.txt'), join(hostRoot, 'commands', 'dahdi_scan.txt'));
    cpSync(join(FIXTURES, 'box48', 'proc', 'dahdi', '1'), join(hostRoot, 'proc', 'dahdi', '1'));
    const cleared = await waitFor('alarm cleared', () => frames.find((f) => f.type === 'alarm' && f.data.source === 'span:1'));
    expect(cleared.type === 'alarm' && cleared.data).toMatchObject({ severity: 'info' });
    expect(cleared.type === 'alarm' && cleared.data.message).toBe('span 1 (D115/0/1): alarm cleared (RED → OK)');
    const after = await api<{ events: Array<{ kind: string }> }>('GET', '/api/v1/hardware/events');
    expect(after.body.events[0]?.kind).toBe('alarm_cleared');
  });
});
