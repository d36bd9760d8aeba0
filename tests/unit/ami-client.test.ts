import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsteriskAmiClient } from '../../firmware-agent/src/ami/client.js';
import { chanVariables } from '../../firmware-agent/src/ami/message.js';
import {
  AmiAuthError,
  AmiDisconnectedError,
  AmiError,
  AmiHeaderError,
  AmiNotConnectedError,
  AmiTimeoutError,
  type AmiMessage,
} from '../../firmware-agent/src/ami/types.js';
import { clientFor, FakeAmiServer, memoryLogger, once, sleep, waitFor } from '../support/fake-ami.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  vi.restoreAllMocks();
});

async function setup(opts: Parameters<typeof clientFor>[1] = {}, serverOpts = {}) {
  const server = await FakeAmiServer.start(serverOpts);
  const { logger, records } = memoryLogger();
  const client = clientFor(server, { logger, ...opts });
  cleanups.push(() => server.close());
  cleanups.push(() => client.close());
  return { server, client, records };
}

async function connected(opts: Parameters<typeof clientFor>[1] = {}, serverOpts = {}) {
  const s = await setup(opts, serverOpts);
  await s.client.connect();
  return s;
}

describe('AsteriskAmiClient: login', () => {
  it('logs in with Action/ActionID/Username/Secret/Events in that order, learns the version, emits connect', async () => {
    const { server, client } = await setup();
    const onConnect = vi.fn();
    client.on('connect', onConnect);
    await client.connect();
    expect(client.connected).toBe(true);
    expect(onConnect).toHaveBeenCalledTimes(1);
    expect(client.asteriskVersion).toBe('22.10.1');
    expect(client.banner).toBe('Asterisk Call Manager/11.0.0');
    const login = server.actions('Login')[0]!.msg;
    expect(login.fields.map(([k]) => k)).toEqual(['Action', 'ActionID', 'Username', 'Secret', 'Events']);
    expect(login.get('Events')).toBe('on');
    expect(login.get('Event')).toBeUndefined();
  });

  it('events:false sends "Events: off" and Asterisk then sends no events', async () => {
    const { server, client } = await connected({ events: false });
    const seen = vi.fn();
    client.on('event', seen);
    expect(server.actions('Login')[0]!.msg.get('Events')).toBe('off');
    server.broadcastEvent([['Event', 'Newchannel'], ['Channel', 'PJSIP/1-0001']]);
    await client.action('Ping');
    expect(seen).not.toHaveBeenCalled();
  });

  it('a refused first login rejects connect() with AmiAuthError and does not retry', async () => {
    const { server, client, records } = await setup({ secret: 'wrong' });
    await expect(client.connect()).rejects.toBeInstanceOf(AmiAuthError);
    await sleep(150);
    expect(server.connectTimes).toHaveLength(1);
    expect(client.connected).toBe(false);
    expect(records.some((r) => r.level === 'error' && /refused/.test(r.msg ?? ''))).toBe(true);
    expect(JSON.stringify(records)).not.toContain('wrong'); // the secret is never logged
  });

  it('connectAttempts: gives up with the socket error when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { logger, records } = memoryLogger();
    const client = new AsteriskAmiClient({ host: '127.0.0.1', port, username: 'u', secret: 's', connectAttempts: 3, reconnectMinMs: 5, logger });
    cleanups.push(() => client.close());
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(records.filter((r) => r.msg === 'AMI connect attempt failed')).toHaveLength(3);
  });

  it('actions before connect are rejected with AmiNotConnectedError (nothing queued, nothing leaks)', async () => {
    const { client } = await setup();
    await expect(client.action('Ping')).rejects.toBeInstanceOf(AmiNotConnectedError);
    await expect(client.action('Ping')).rejects.toBeInstanceOf(AmiDisconnectedError);
    expect(client.pendingCount).toBe(0);
  });
});

describe('AsteriskAmiClient: actions', () => {
  it('correlates concurrent actions by ActionID even when answers come back in reverse order', async () => {
    const { server, client } = await connected();
    const held: Array<{ a: AmiMessage; s: import('../support/fake-ami.js').FakeAmiSession }> = [];
    server.handle('Echo', (a, s) => {
      held.push({ a, s });
      if (held.length === 50) for (const h of held.reverse()) h.s.reply(h.a, 'Success', [['Echo', h.a.get('Payload') ?? '']]);
    });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.action('Echo', { Payload: `p${i}` })));
    expect(results.map((r) => r.get('Echo'))).toEqual(Array.from({ length: 50 }, (_, i) => `p${i}`));
    const ids = server.actions('Echo').map((r) => r.msg.actionId);
    expect(new Set(ids).size).toBe(50);
    expect(client.pendingCount).toBe(0);
  });

  it('Response: Error rejects with AmiError carrying the response', async () => {
    const { client } = await connected();
    const err = (await client.action('NoSuchAction').catch((e: unknown) => e)) as AmiError;
    expect(err).toBeInstanceOf(AmiError);
    expect(err.message).toMatch(/NoSuchAction failed: Invalid\/unknown command/);
    expect(err.response?.response).toBe('Error');
  });

  it('list actions collect their events up to EventList: Complete; unrelated events still flow', async () => {
    const { server, client } = await connected();
    server.channels = [
      [['Channel', 'PJSIP/seat101-00000001'], ['ChannelState', '6']],
      [['Channel', 'PJSIP/seat102-00000002'], ['ChannelState', '6']],
      [['Channel', 'Local/100@demo-00000003;1'], ['ChannelState', '6']],
    ];
    const unsolicited: string[] = [];
    client.on('event', (m) => unsolicited.push(m.event!));
    // An unsolicited event interleaved in the middle of the list.
    server.handle('CoreShowChannels', (a, s) => {
      const id = a.get('ActionID')!;
      s.reply(a, 'Success', [['EventList', 'start'], ['Message', 'Channels will follow']]);
      s.send([['Event', 'CoreShowChannel'], ['ActionID', id], ...server.channels[0]!]);
      s.event([['Event', 'Newstate'], ['Channel', 'PJSIP/seat103-00000009']]);
      for (const c of server.channels.slice(1)) s.send([['Event', 'CoreShowChannel'], ['ActionID', id], ...c]);
      s.send([['Event', 'CoreShowChannelsComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '3']]);
    });
    const res = await client.listAction('CoreShowChannels');
    expect(res.response.get('EventList')).toBe('start');
    expect(res.events.map((e) => e.get('Channel'))).toEqual(['PJSIP/seat101-00000001', 'PJSIP/seat102-00000002', 'Local/100@demo-00000003;1']);
    expect(res.complete?.get('ListItems')).toBe('3');
    expect(unsolicited).toEqual(['Newstate']);
    expect(client.pendingCount).toBe(0);
  });

  it('two list actions in flight at once keep their items apart', async () => {
    const { server, client } = await connected();
    const held: Array<[AmiMessage, import('../support/fake-ami.js').FakeAmiSession]> = [];
    server.handle('QueueStatus', (a, s) => {
      held.push([a, s]);
      if (held.length < 2) return;
      const [[a1, s1], [a2]] = held as [[AmiMessage, typeof s], [AmiMessage, typeof s]];
      const id1 = a1.get('ActionID')!;
      const id2 = a2.get('ActionID')!;
      s1.reply(a1, 'Success', [['EventList', 'start']]);
      s1.reply(a2, 'Success', [['EventList', 'start']]);
      for (let i = 0; i < 3; i++) {
        s1.send([['Event', 'QueueMember'], ['Queue', a1.get('Queue')!], ['Name', `m${i}`], ['ActionID', id1]]);
        s1.send([['Event', 'QueueMember'], ['Queue', a2.get('Queue')!], ['Name', `n${i}`], ['ActionID', id2]]);
      }
      s1.send([['Event', 'QueueStatusComplete'], ['ActionID', id2], ['EventList', 'Complete'], ['ListItems', '3']]);
      s1.send([['Event', 'QueueStatusComplete'], ['ActionID', id1], ['EventList', 'Complete'], ['ListItems', '3']]);
    });
    const [sales, support] = await Promise.all([client.listAction('QueueStatus', { Queue: 'sales' }), client.listAction('QueueStatus', { Queue: 'support' })]);
    expect(sales.events.map((e) => e.get('Name'))).toEqual(['m0', 'm1', 'm2']);
    expect(support.events.map((e) => e.get('Name'))).toEqual(['n0', 'n1', 'n2']);
  });

  it('a list action answered without "EventList: start" resolves with no events', async () => {
    const { server, client } = await connected();
    server.handle('Empty', (a, s) => s.reply(a, 'Success', [['Message', 'nothing']]));
    const res = await client.listAction('Empty');
    expect(res.events).toEqual([]);
    expect(res.complete).toBeUndefined();
  });

  it('Command returns Asterisk 22 "Output:" lines whole (blank lines, leading blanks, ": " inside)', async () => {
    const { server, client } = await connected();
    const text = "\n  -= Info about Manager Command 'Ping' =- \n\n[Syntax]\nAction: Ping\n[ActionID:] <value>\n\n-= 4 extensions =-";
    server.commands.set('manager show command Ping', text);
    expect(await client.command('manager show command Ping')).toBe(text);
    expect(await client.command('core show version')).toBe('Asterisk 22.10.1 (fake)');
  });

  it('Command also handles the pre-14 "Response: Follows … --END COMMAND--" framing', async () => {
    const { server, client } = await connected();
    server.handle('Command', (a, s) => {
      const id = a.get('ActionID')!;
      const cmd = a.get('Command');
      if (cmd === 'core show channels') {
        s.writeRaw(`Response: Follows\r\nPrivilege: Command\r\nActionID: ${id}\r\nChannel  Location  State\n\n0 active channels\nSystem uptime: 3 minutes\n--END COMMAND--\r\n\r\n`);
      } else {
        s.writeRaw(`Response: Follows\r\nPrivilege: Command\r\nActionID: ${id}\r\nno newline at the end--END COMMAND--\r\n\r\n`);
      }
    });
    const [a, b] = await Promise.all([client.command('core show channels'), client.command('core show uptime')]);
    expect(a).toBe('Channel  Location  State\n\n0 active channels\nSystem uptime: 3 minutes');
    expect(b).toBe('no newline at the end');
  });

  it('an unknown command rejects with AmiError that includes the output', async () => {
    const { client } = await connected();
    await expect(client.command('no such thing')).rejects.toThrow(/No such command 'no such thing'/);
  });

  it('timeouts reject with AmiTimeoutError, free the slot, and a late answer is dropped quietly', async () => {
    const { server, client, records } = await connected();
    const late: Array<() => void> = [];
    server.handle('Slow', (a, s) => late.push(() => s.reply(a, 'Success', [['Late', 'yes']])));
    const events = vi.fn();
    client.on('event', events);
    const t0 = Date.now();
    await expect(client.action('Slow', undefined, { timeoutMs: 100 })).rejects.toBeInstanceOf(AmiTimeoutError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(client.pendingCount).toBe(0);
    late[0]!();
    await client.action('Ping'); // the late answer has been read by now
    expect(events).not.toHaveBeenCalled();
    expect(records.some((r) => r.msg === 'AMI action timed out')).toBe(true);
    expect(client.connected).toBe(true);
  });

  it('a list times out on silence between items (inactivity timeout)', async () => {
    const { server, client } = await connected();
    server.handle('Trickle', (a, s) => {
      const id = a.get('ActionID')!;
      s.reply(a, 'Success', [['EventList', 'start']]);
      let i = 0;
      const t = setInterval(() => {
        if (s.closed) return clearInterval(t);
        if (i < 10) s.send([['Event', 'Item'], ['ActionID', id], ['N', String(i++)]]);
        else {
          clearInterval(t);
          s.send([['Event', 'TrickleComplete'], ['ActionID', id], ['EventList', 'Complete']]);
        }
      }, 30);
    });
    // 10 × 30 ms = 300 ms in total, more than the 200 ms timeout, but never 200 ms of silence.
    const res = await client.listAction('Trickle', undefined, { timeoutMs: 200 });
    expect(res.events).toHaveLength(10);
  });
});

describe('AsteriskAmiClient: link loss', () => {
  it('disconnect rejects every pending action with AmiDisconnectedError and emits disconnect', async () => {
    const { server, client } = await connected({ reconnect: false });
    server.handle('Never', () => {});
    const onDisconnect = vi.fn();
    client.on('disconnect', onDisconnect);
    const pending = [client.action('Never'), client.listAction('Never'), client.command('never')];
    server.handle('Command', () => {});
    await server.waitForAction('Command');
    expect(client.pendingCount).toBe(3);
    server.dropAll();
    const settled = await Promise.allSettled(pending);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(AmiDisconnectedError);
    }
    expect(client.pendingCount).toBe(0);
    expect(onDisconnect).toHaveBeenCalledTimes(1);
    expect(onDisconnect.mock.calls[0]![0]).toBeInstanceOf(Error);
    expect(client.connected).toBe(false);
  });

  it('reconnects with growing backoff and re-emits connect so state can be re-read', async () => {
    const { server, client, records } = await connected({ reconnectMinMs: 40, reconnectMaxMs: 1_000, stableAfterMs: 0 });
    const resynced: string[] = [];
    client.on('connect', () => {
      void client.listAction('CoreShowChannels').then((r) => resynced.push(`channels:${r.events.length}`));
    });
    server.refuseNext = 3; // Asterisk restarting: three refused attempts, then up again
    const before = server.connectTimes.length;
    server.dropAll();
    await once(client, 'connect');
    await waitFor(() => resynced.length === 1);
    expect(resynced).toEqual(['channels:0']);
    expect(client.connectCount).toBe(2);
    const times = server.connectTimes.slice(before);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // stable session → first retry after min (40), then 80, 160, 320 ms (no jitter in tests)
    expect(gaps[0]).toBeGreaterThanOrEqual(75);
    expect(gaps[1]).toBeGreaterThanOrEqual(155);
    expect(gaps[2]).toBeGreaterThanOrEqual(315);
    expect(records.filter((r) => r.msg === 'AMI reconnect scheduled').map((r) => r.obj.delayMs)).toEqual([40, 80, 160, 320]);
  });

  it('backoff is capped by reconnectMaxMs', async () => {
    const { server, client, records } = await connected({ reconnectMinMs: 10, reconnectMaxMs: 50, stableAfterMs: 0 });
    server.refuseNext = 5;
    server.dropAll();
    await once(client, 'connect');
    expect(records.filter((r) => r.msg === 'AMI reconnect scheduled').map((r) => r.obj.delayMs)).toEqual([10, 20, 40, 50, 50, 50]);
  });

  it('unanswered pings drop the link and the client reconnects', async () => {
    const { server, client, records } = await connected({ pingIntervalMs: 40, pingTimeoutMs: 80 });
    await server.waitForAction('Ping');
    const disconnected = once<[Error | undefined]>(client, 'disconnect');
    server.answerPings = false; // Asterisk hung: socket open, nothing answered
    const [err] = await disconnected;
    expect(err?.message).toMatch(/ping unanswered/);
    server.answerPings = true;
    await once(client, 'connect');
    expect(server.sessions.filter((s) => s.loggedInOnce)).toHaveLength(2);
    expect(records.some((r) => r.level === 'warn' && /ping unanswered/.test(r.msg ?? ''))).toBe(true);
  });

  it('close() logs off, emits disconnect, rejects pending, and stops reconnecting', async () => {
    const { server, client } = await connected();
    server.handle('Never', () => {});
    const p = client.action('Never');
    await server.waitForAction('Never');
    const onDisconnect = vi.fn();
    client.on('disconnect', onDisconnect);
    await client.close();
    await expect(p).rejects.toBeInstanceOf(AmiDisconnectedError);
    expect(server.actions('Logoff')).toHaveLength(1);
    expect(onDisconnect).toHaveBeenCalledTimes(1);
    const n = server.connectTimes.length;
    await sleep(100);
    expect(server.connectTimes.length).toBe(n);
    expect(client.pendingCount).toBe(0);
  });

  it('close() while reconnecting stops the loop', async () => {
    const { server, client } = await connected({ reconnectMinMs: 30 });
    server.refuseNext = 1000;
    server.dropAll();
    await waitFor(() => server.connectTimes.length >= 3);
    await client.close();
    const n = server.connectTimes.length;
    await sleep(150);
    expect(server.connectTimes.length).toBe(n);
  });
});

describe('AsteriskAmiClient: headers and events', () => {
  it('CR/LF header injection is refused before anything is sent', async () => {
    const { server, client } = await connected();
    const before = server.received.length;
    const rawBefore = server.sessions[0]!.raw.length;
    await expect(client.action('Getvar', { Channel: 'PJSIP/1', Variable: 'X\r\nAction: Hangup\r\nChannel: PJSIP/seat101-0001' })).rejects.toBeInstanceOf(AmiHeaderError);
    await expect(client.action('Getvar', { 'Variable\nAction': 'Hangup' })).rejects.toBeInstanceOf(AmiHeaderError);
    await expect(client.command('core show channels\r\nAction: Hangup')).rejects.toThrow(/CR, LF or NUL/);
    await client.action('Ping');
    expect(server.received.slice(before).map((r) => r.msg.get('Action'))).toEqual(['Ping']);
    expect(server.actions('Hangup')).toHaveLength(0);
    expect(server.sessions[0]!.raw.slice(rawBefore)).not.toContain('Hangup');
  });

  it('repeated ChanVariable headers are all kept, in order', async () => {
    const { server, client } = await connected();
    const got = once<[AmiMessage]>(client, 'event');
    server.broadcastEvent([
      ['Event', 'Newchannel'],
      ['Channel', 'PJSIP/seat101-00000001'],
      ['ChanVariable', 'SEATBOX_AGENT=agent-7'],
      ['ChanVariable', 'SEATBOX_QUEUE=sales'],
      ['ChanVariable', 'CALLTAG=tag=1:x'],
    ]);
    const [msg] = await got;
    expect(msg.getAll('ChanVariable')).toEqual(['SEATBOX_AGENT=agent-7', 'SEATBOX_QUEUE=sales', 'CALLTAG=tag=1:x']);
    expect(chanVariables(msg)).toEqual([
      ['SEATBOX_AGENT', 'agent-7'],
      ['SEATBOX_QUEUE', 'sales'],
      ['CALLTAG', 'tag=1:x'],
    ]);
  });

  it('Setvar/Getvar and the VarSet event keep "Variable: NAME" and "Value: v" as separate fields', async () => {
    const { server, client } = await connected();
    server.channelVars.set('PJSIP/seat101-00000001', new Map());
    const varset = once<[AmiMessage]>(client, 'event');
    await client.setVar('SEATBOX_NOTE', 'Grüße: a=b; c', 'PJSIP/seat101-00000001');
    const setvar = server.actions('Setvar')[0]!.msg;
    expect(setvar.fields.slice(2)).toEqual([
      ['Channel', 'PJSIP/seat101-00000001'],
      ['Variable', 'SEATBOX_NOTE'],
      ['Value', 'Grüße: a=b; c'],
    ]);
    const [ev] = await varset;
    expect(ev.event).toBe('VarSet');
    expect(ev.get('Variable')).toBe('SEATBOX_NOTE');
    expect(ev.get('Value')).toBe('Grüße: a=b; c');
    expect(await client.getVar('SEATBOX_NOTE', 'PJSIP/seat101-00000001')).toBe('Grüße: a=b; c');
    const raw = await client.action('Getvar', [['Variable', 'CUT(CALLTAG,=,2)']]);
    expect(raw.get('Variable')).toBe('CUT(CALLTAG,=,2)');
    expect(raw.get('Value')).toBe('');
  });

  it('a throwing event listener is logged and does not stop the reader or other listeners', async () => {
    const { server, client, records } = await connected();
    const seen: string[] = [];
    client.on('event', (m) => {
      if (m.event === 'Boom') throw new Error('listener bug');
    });
    client.on('event', (m) => seen.push(m.event!));
    server.broadcastEvent([['Event', 'Boom']]);
    server.broadcastEvent([['Event', 'After']]);
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['Boom', 'After']);
    expect(records.some((r) => r.level === 'error' && /listener threw/.test(r.msg ?? ''))).toBe(true);
    expect(client.connected).toBe(true);
  });

  it('events arrive in order; nothing is written to console', async () => {
    const log = vi.spyOn(console, 'log');
    const { server, client } = await connected();
    const seen: string[] = [];
    client.on('event', (m) => seen.push(m.get('N')!));
    for (let i = 0; i < 500; i++) server.broadcastEvent([['Event', 'Tick'], ['N', String(i)]]);
    await waitFor(() => seen.length === 500);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
    expect(log).not.toHaveBeenCalled();
  });
});
