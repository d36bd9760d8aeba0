// Each known gap of asterisk-manager 0.2.0 is reproduced here by driving the raw library against the
// fake AMI server (so the gap is demonstrated, not asserted from memory), then the same scenario is
// run through our AsteriskAmiClient to show the gap is closed. Table: docs/ami.md.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadAsteriskManager, type AsteriskManagerInstance, type AsteriskManagerMessage } from '../../firmware-agent/src/ami/asterisk-manager.js';
import { AmiDisconnectedError, AmiHeaderError, type AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { clientFor, FakeAmiServer, memoryLogger, once, sleep, waitFor } from '../support/fake-ami.js';

const Manager = loadAsteriskManager();
const FIX = path.join(import.meta.dirname, '../fixtures/ami');

/** Blocks of the real Asterisk 22 transcript, as raw text. */
const session22 = fs.readFileSync(path.join(FIX, 'asterisk22-session.raw'), 'utf8').split('\r\n\r\n');
const realBlock = (pred: (b: string) => boolean): string => {
  const b = session22.find(pred);
  if (!b) throw new Error('fixture block not found');
  return `${b}\r\n\r\n`;
};

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  vi.restoreAllMocks();
});

async function fake(): Promise<FakeAmiServer> {
  const server = await FakeAmiServer.start();
  cleanups.push(() => server.close());
  return server;
}

/** The raw library, constructed the documented way (connects and logs in at once). */
async function rawManager(server: FakeAmiServer, events = true): Promise<AsteriskManagerInstance> {
  const logins = server.sessions.filter((s) => s.loggedInOnce).length;
  const ami = Manager(server.port, '127.0.0.1', server.username, server.secret, events);
  cleanups.push(() => ami.disconnect());
  await server.waitForLogins(logins + 1);
  await sleep(20); // its login callback runs on a later tick
  return ami;
}

async function ours(server: FakeAmiServer, opts: Parameters<typeof clientFor>[1] = {}) {
  const { logger, records } = memoryLogger();
  const client = clientFor(server, { logger, ...opts });
  cleanups.push(() => client.close());
  await client.connect();
  return { client, records };
}

function listHandler(server: FakeAmiServer): void {
  server.channels = [
    [['Channel', 'PJSIP/seat101-00000001'], ['ChannelState', '6']],
    [['Channel', 'PJSIP/seat102-00000002'], ['ChannelState', '6']],
    [['Channel', 'Local/100@demo-00000003;1'], ['ChannelState', '6']],
  ];
}

describe('gap 1: only the first reply reaches the callback, list results are lost', () => {
  it('asterisk-manager: CoreShowChannels callback gets the "EventList: start" response only', async () => {
    const server = await fake();
    listHandler(server);
    const ami = await rawManager(server);
    const calls: AsteriskManagerMessage[] = [];
    const done = new Promise((r) => ami.on('coreshowchannelscomplete', r));
    ami.action({ action: 'CoreShowChannels' }, (_err, res) => calls.push(res!));
    await done;
    await sleep(20);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.eventlist).toBe('start');
    // The three CoreShowChannel items only went to the global event stream, uncorrelated.
  });

  it('ours: listAction collects the items and the closing event', async () => {
    const server = await fake();
    listHandler(server);
    const { client } = await ours(server);
    const res = await client.listAction('CoreShowChannels');
    expect(res.events).toHaveLength(3);
    expect(res.complete?.event).toBe('CoreShowChannelsComplete');
  });
});

describe('gap 2: callbacks pending when the socket drops never fire (no timeout, listeners leak)', () => {
  it('asterisk-manager: after the drop the callbacks stay silent and their listeners stay registered', async () => {
    const server = await fake();
    server.handle('Never', () => {});
    const ami = await rawManager(server);
    const cb = vi.fn();
    const ids = Array.from({ length: 5 }, () => ami.action({ action: 'Never' }, cb));
    await waitFor(() => server.actions('Never').length === 5);
    const closed = new Promise((r) => ami.on('close', r));
    server.dropAll();
    await closed;
    await sleep(300);
    expect(cb).not.toHaveBeenCalled();
    for (const id of ids) expect(ami.listeners(id)).toHaveLength(1);
  });

  it('ours: every pending action rejects with AmiDisconnectedError; nothing is left behind', async () => {
    const server = await fake();
    server.handle('Never', () => {});
    const { client } = await ours(server, { reconnect: false });
    const pending = Array.from({ length: 5 }, () => client.action('Never'));
    await waitFor(() => server.actions('Never').length === 5);
    server.dropAll();
    for (const r of await Promise.allSettled(pending)) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AmiDisconnectedError);
    }
    expect(client.pendingCount).toBe(0);
  });
});

describe('gap 3: the events login flag is sent as "Event:" and ignored (Asterisk reads "Events:")', () => {
  it('asterisk-manager(events=false) sends "Event: off", so events keep coming', async () => {
    const server = await fake();
    const ami = await rawManager(server, false);
    const login = server.actions('Login')[0]!.msg;
    expect(login.get('Event')).toBe('off');
    expect(login.get('Events')).toBeUndefined();
    const seen = vi.fn();
    ami.on('managerevent', seen);
    server.broadcastEvent([['Event', 'Newchannel'], ['Channel', 'PJSIP/seat101-00000001']]);
    await waitFor(() => seen.mock.calls.length === 1);
  });

  it('ours(events=false) sends "Events: off" and gets no events', async () => {
    const server = await fake();
    const { client } = await ours(server, { events: false });
    expect(server.actions('Login')[0]!.msg.get('Events')).toBe('off');
    const seen = vi.fn();
    client.on('event', seen);
    server.broadcastEvent([['Event', 'Newchannel'], ['Channel', 'PJSIP/seat101-00000001']]);
    await client.action('Ping');
    expect(seen).not.toHaveBeenCalled();
  });
});

describe('gap 4: Variable/ChanVariable headers are split into objects (mangles VarSet and Getvar)', () => {
  // Bytes exactly as Asterisk 22.10.1 sent them (tests/fixtures/ami/asterisk22-session.raw).
  const getvarReply = realBlock((b) => b.includes('ActionID: gv-3'));
  const varSet = realBlock((b) => b.startsWith('Event: VarSet') && b.includes('Variable: SEATBOX_NOTE'));
  const dialBegin = realBlock((b) => b.startsWith('Event: DialBegin'));
  const script = (server: FakeAmiServer) =>
    server.handle('Getvar', (a, s) => {
      s.writeRaw(getvarReply.replace('ActionID: gv-3', `ActionID: ${a.get('ActionID')}`));
      s.writeRaw(varSet);
      s.writeRaw(dialBegin);
    });

  it('asterisk-manager: the variable name becomes an object key with an empty value', async () => {
    const server = await fake();
    script(server);
    const ami = await rawManager(server);
    const events: AsteriskManagerMessage[] = [];
    ami.on('managerevent', (e: AsteriskManagerMessage) => events.push(e));
    const res = await new Promise<AsteriskManagerMessage>((resolve) => ami.action({ action: 'Getvar', variable: 'SEATBOX_NOTE' }, (_e, r) => resolve(r!)));
    await waitFor(() => events.some((e) => e.event === 'DialBegin'));
    expect(res.variable).toEqual({ SEATBOX_NOTE: '' }); // not the string "SEATBOX_NOTE"
    expect(res.value).toBe('Grüße: a=b; c');
    const vs = events.find((e) => e.event === 'VarSet')!;
    expect(vs.variable).toEqual({ SEATBOX_NOTE: '' });
    const dial = events.find((e) => e.event === 'DialBegin')!;
    // ChanVariable → object, but DestChanVariable → array: the same data in two shapes, keys lower-cased.
    expect(dial.chanvariable).toEqual({ SEATBOX_AGENT: '', SEATBOX_QUEUE: 'sales' });
    expect(dial.destchanvariable).toEqual(['SEATBOX_AGENT=', 'SEATBOX_QUEUE=']);
  });

  it('asterisk-manager: a Getvar of a dialplan function containing "=" is mangled', async () => {
    const server = await fake();
    const ami = await rawManager(server);
    const res = await new Promise<AsteriskManagerMessage>((resolve) => ami.action({ action: 'Getvar', variable: 'CUT(CALLTAG,=,2)' }, (_e, r) => resolve(r!)));
    expect(res.variable).toEqual({ 'CUT(CALLTAG,': ',2)' });
  });

  it('ours: Variable and Value stay separate fields; repeated ChanVariable kept in order', async () => {
    const server = await fake();
    script(server);
    const { client } = await ours(server);
    const events: AmiMessage[] = [];
    client.on('event', (e) => events.push(e));
    const res = await client.action('Getvar', [['Variable', 'SEATBOX_NOTE']]);
    expect(res.get('Variable')).toBe('SEATBOX_NOTE');
    expect(res.get('Value')).toBe('Grüße: a=b; c');
    await waitFor(() => events.some((e) => e.event === 'DialBegin'));
    const vs = events.find((e) => e.event === 'VarSet')!;
    expect([vs.get('Variable'), vs.get('Value')]).toEqual(['SEATBOX_NOTE', 'Grüße: a=b; c']);
    const dial = events.find((e) => e.event === 'DialBegin')!;
    expect(dial.getAll('ChanVariable')).toEqual(['SEATBOX_AGENT=', 'SEATBOX_QUEUE=sales']);
    expect(dial.getAll('DestChanVariable')).toEqual(['SEATBOX_AGENT=', 'SEATBOX_QUEUE=']);
    server.handle('Getvar', (a, s) => s.reply(a, 'Success', [['Variable', a.get('Variable')!], ['Value', '']]));
    expect((await client.action('Getvar', [['Variable', 'CUT(CALLTAG,=,2)']])).get('Variable')).toBe('CUT(CALLTAG,=,2)');
  });
});

describe('gap 5: action headers are sorted and re-cased; CR/LF in values is not checked (header injection)', () => {
  it('asterisk-manager: sorts the lines, re-cases keys, and lets a value inject a second action', async () => {
    const server = await fake();
    server.handle('Originate', (a, s) => s.reply(a, 'Success', [['Message', 'Originate successfully queued']]));
    const ami = await rawManager(server);
    ami.action({ action: 'Originate', channel: 'Local/200@demo', exten: 'park', context: 'demo', priority: 1, callerid: 'Seat <101>' });
    const orig = (await server.waitForAction('Originate')).msg;
    expect(orig.fields.map(([k]) => k)).toEqual(['Action', 'ActionID', 'Callerid', 'Channel', 'Context', 'Exten', 'Priority']);

    ami.action({ action: 'Getvar', channel: 'PJSIP/seat102-00000007', variable: 'X\r\n\r\nAction: Hangup\r\nChannel: PJSIP/seat101-00000001' });
    const injected = (await server.waitForAction('Hangup')).msg;
    expect(injected.get('Channel')).toBe('PJSIP/seat101-00000001');
  });

  it('ours: keeps the given order and spelling, and refuses CR/LF before sending anything', async () => {
    const server = await fake();
    server.handle('Originate', (a, s) => s.reply(a, 'Success', [['Message', 'Originate successfully queued']]));
    const { client } = await ours(server);
    await client.action('Originate', { Channel: 'Local/200@demo', Exten: 'park', Context: 'demo', Priority: 1, CallerID: 'Seat <101>' });
    const orig = server.actions('Originate')[0]!.msg;
    expect(orig.fields.map(([k]) => k)).toEqual(['Action', 'ActionID', 'Channel', 'Exten', 'Context', 'Priority', 'CallerID']);
    const before = server.received.length;
    await expect(
      client.action('Getvar', { Channel: 'PJSIP/seat102-00000007', Variable: 'X\r\n\r\nAction: Hangup\r\nChannel: PJSIP/seat101-00000001' }),
    ).rejects.toThrow(AmiHeaderError);
    await client.action('Ping');
    expect(server.received.slice(before).map((r) => r.msg.get('Action'))).toEqual(['Ping']);
  });
});

describe('gap 6: keepConnected() does nothing once connected', () => {
  it('asterisk-manager: keepConnected() after login arms nothing; a dropped link stays down', async () => {
    const server = await fake();
    const ami = await rawManager(server);
    expect(ami.isConnected()).toBe(true);
    ami.keepConnected();
    expect(ami.reconnect).toBeUndefined();
    const closed = new Promise((r) => ami.on('close', r));
    server.dropAll();
    await closed;
    await sleep(500);
    expect(server.connectTimes).toHaveLength(1);
  });

  it('ours: reconnects by default and emits connect again', async () => {
    const server = await fake();
    const { client } = await ours(server);
    const again = once(client, 'connect');
    server.dropAll();
    await again;
    expect(server.connectTimes).toHaveLength(2);
    expect(client.connected).toBe(true);
  });
});

describe('gap 7: reconnect waits 10 s rising to 60 s and logs with console.log', () => {
  it('asterisk-manager: delays 10,20,…,60,60 s and console.log for each (timers fast-forwarded)', async () => {
    const server = await fake();
    const consoleLog = vi.spyOn(console, 'log').mockImplementation(() => {});
    const realSetTimeout = globalThis.setTimeout;
    const delays: number[] = [];
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number, ...args: unknown[]) => {
      if ((ms ?? 0) >= 10_000) {
        delays.push(ms!);
        return realSetTimeout(fn, 1); // fast-forward its reconnect wait
      }
      return realSetTimeout(fn, ms, ...args);
    }) as typeof setTimeout);
    const ami = Manager(server.port, '127.0.0.1', server.username, server.secret, true);
    cleanups.push(() => ami.disconnect());
    ami.keepConnected(); // the only moment it works: while the first socket is still opening
    expect(typeof ami.reconnect).toBe('function');
    await server.waitForLogins(1);
    await server.stopListening(); // Asterisk down: connections refused
    server.dropAll();
    await waitFor(() => delays.length >= 7, 10_000, 'seven reconnect attempts');
    expect(delays.slice(0, 7)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 60_000]);
    expect(consoleLog).toHaveBeenCalledWith('Trying to reconnect to AMI in 10 seconds');
    expect(consoleLog).toHaveBeenCalledWith('Trying to reconnect to AMI in 60 seconds');
    ami.disconnect();
  });

  it('ours: exponential backoff from reconnectMinMs (default 250 ms) capped at reconnectMaxMs (default 15 s), logged via the injected logger', async () => {
    const consoleLog = vi.spyOn(console, 'log');
    const server = await fake();
    const { client, records } = await ours(server, { reconnectMinMs: 10, reconnectMaxMs: 80, stableAfterMs: 0 });
    await server.stopListening();
    server.dropAll();
    await waitFor(() => records.filter((r) => r.msg === 'AMI reconnect scheduled').length >= 6);
    expect(records.filter((r) => r.msg === 'AMI reconnect scheduled').slice(0, 6).map((r) => r.obj.delayMs)).toEqual([10, 20, 40, 80, 80, 80]);
    await server.listenAgain();
    await once(client, 'connect');
    expect(consoleLog).not.toHaveBeenCalled();
  });
});

describe('gap 8: a built-in listener swallows "error"', () => {
  async function closedPort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    return port;
  }

  it('asterisk-manager: connection refused is invisible; connect and action callbacks never fire', async () => {
    const port = await closedPort();
    const ami = Manager(undefined, '127.0.0.1', 'u', 'p', true);
    cleanups.push(() => ami.disconnect());
    expect(ami.listeners('error')).toHaveLength(1); // its own no-op
    const connected = vi.fn();
    const answered = vi.fn();
    ami.connect(port, '127.0.0.1', connected);
    ami.action({ action: 'Ping' }, answered); // held until a login that never happens
    const closed = new Promise((r) => ami.on('close', r));
    await closed;
    await sleep(100);
    expect(connected).not.toHaveBeenCalled();
    expect(answered).not.toHaveBeenCalled();
  });

  it('ours: connect() rejects with the socket error, which is also logged', async () => {
    const port = await closedPort();
    const { logger, records } = memoryLogger();
    const { AsteriskAmiClient } = await import('../../firmware-agent/src/ami/client.js');
    const client = new AsteriskAmiClient({ host: '127.0.0.1', port, username: 'u', secret: 'p', connectAttempts: 1, logger });
    cleanups.push(() => client.close());
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(records.some((r) => r.level === 'warn' && /ECONNREFUSED/.test(String(r.obj.err)))).toBe(true);
    await expect(client.action('Ping')).rejects.toBeInstanceOf(AmiDisconnectedError);
  });
});

describe('extra: legacy Command framing with the terminator glued to the last line', () => {
  const legacy = (id: string) => `Response: Follows\r\nPrivilege: Command\r\nActionID: ${id}\r\nno newline at the end--END COMMAND--\r\n\r\n`;

  it('asterisk-manager: its parser never leaves "follows" mode; later messages are swallowed', async () => {
    const server = await fake();
    server.handle('Command', (a, s) => {
      s.writeRaw(legacy(a.get('ActionID')!));
      s.writeRaw('Event: Newchannel\r\nChannel: PJSIP/seat101-00000001\r\n\r\n');
    });
    const ami = await rawManager(server);
    const answered = vi.fn();
    const seen = vi.fn();
    ami.on('newchannel', seen);
    ami.action({ action: 'Command', command: 'core show uptime' }, answered);
    await server.waitForAction('Command');
    await sleep(300);
    expect(answered).not.toHaveBeenCalled();
    expect(seen).not.toHaveBeenCalled();
  });

  it('ours: output returned, following events delivered', async () => {
    const server = await fake();
    server.handle('Command', (a, s) => {
      s.writeRaw(legacy(a.get('ActionID')!));
      s.writeRaw('Event: Newchannel\r\nChannel: PJSIP/seat101-00000001\r\n\r\n');
    });
    const { client } = await ours(server);
    const ev = once<[AmiMessage]>(client, 'event');
    expect(await client.command('core show uptime')).toBe('no newline at the end');
    expect((await ev)[0].event).toBe('Newchannel');
  });
});

describe('extra: no keepalive, a hung Asterisk (socket open, nothing answered) goes unnoticed', () => {
  it('asterisk-manager: stays "connected" and the action waits forever', async () => {
    const server = await fake();
    const ami = await rawManager(server);
    server.answerPings = false;
    const answered = vi.fn();
    ami.action({ action: 'Ping' }, answered);
    await sleep(400);
    expect(ami.isConnected()).toBe(true);
    expect(answered).not.toHaveBeenCalled();
    expect(server.connectTimes).toHaveLength(1);
  });

  it('ours: unanswered pings drop the link, the client reconnects and says so', async () => {
    const server = await fake();
    const { client } = await ours(server, { pingIntervalMs: 50, pingTimeoutMs: 100 });
    const lost = once<[Error | undefined]>(client, 'disconnect');
    server.answerPings = false;
    expect((await lost)[0]?.message).toMatch(/ping unanswered for 100 ms/);
    server.answerPings = true;
    await once(client, 'connect');
    expect(server.connectTimes).toHaveLength(2);
  });
});
