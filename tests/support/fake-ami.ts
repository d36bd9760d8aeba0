// A small fake Asterisk Manager Interface server for tests: TCP on 127.0.0.1, port 0.
//
// It behaves like Asterisk 22 where tests depend on it: greeting line "Asterisk Call Manager/11.0.0",
// Login checks Username/Secret and honours "Events: off" (an "Event:" header is ignored, as Asterisk
// does), responses carry the ActionID, list actions answer "EventList: start" … "EventList: Complete",
// Command answers with one "Output:" line per line. Tests script everything else: custom handlers,
// raw bytes, dropping sockets, refusing connections, not answering pings.

import net from 'node:net';
import { AmiParser } from '../../firmware-agent/src/ami/parser.js';
import { serializeFields } from '../../firmware-agent/src/ami/serialize.js';
import { AsteriskAmiClient, type AsteriskAmiClientOptions } from '../../firmware-agent/src/ami/client.js';
import type { AmiLogger, AmiMessage } from '../../firmware-agent/src/ami/types.js';

export type Fields = ReadonlyArray<readonly [string, string]>;
export type FakeHandler = (action: AmiMessage, session: FakeAmiSession) => void;

export interface FakeAmiOptions {
  username?: string;
  secret?: string;
  banner?: string;
  asteriskVersion?: string;
}

export interface ReceivedAction {
  session: FakeAmiSession;
  msg: AmiMessage;
}

export class FakeAmiSession {
  loggedIn = false;
  /** Logged in at some point (stays true after the socket closed). */
  loggedInOnce = false;
  eventsOn = true;
  readonly received: AmiMessage[] = [];
  readonly rawReceived: Buffer[] = [];
  closed = false;

  constructor(
    readonly server: FakeAmiServer,
    readonly socket: net.Socket,
    readonly index: number,
  ) {}

  /** All raw bytes received on this session. */
  get raw(): string {
    return Buffer.concat(this.rawReceived).toString('utf8');
  }

  writeRaw(data: string | Uint8Array): void {
    if (!this.closed) this.socket.write(data);
  }

  send(fields: Fields): void {
    this.writeRaw(serializeFields(fields));
  }

  /** A response: Response first, then ActionID (when the action had one), then the given fields. */
  reply(action: AmiMessage, response: string, fields: Fields = []): void {
    const id = action.get('ActionID');
    this.send([['Response', response], ...(id !== undefined ? ([['ActionID', id]] as const) : []), ...fields]);
  }

  /** An unsolicited event (only if logged in with events on, like Asterisk). */
  event(fields: Fields): void {
    if (this.loggedIn && this.eventsOn) this.send(fields);
  }

  /** Answer a list action: EventList start, the items (each gets the ActionID), Complete. */
  list(action: AmiMessage, itemEvent: string, items: Fields[], completeEvent: string, message = 'List follows'): void {
    const id = action.get('ActionID') ?? '';
    this.reply(action, 'Success', [['EventList', 'start'], ['Message', message]]);
    for (const item of items) this.send([['Event', itemEvent], ['ActionID', id], ...item]);
    this.send([['Event', completeEvent], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', String(items.length)]]);
  }

  /** Drop the TCP connection abruptly. */
  drop(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Close politely (FIN). */
  end(): void {
    this.closed = true;
    this.socket.end();
  }
}

export class FakeAmiServer {
  readonly sessions: FakeAmiSession[] = [];
  readonly received: ReceivedAction[] = [];
  /** Connection attempts seen (including refused ones), as Date.now() values. */
  readonly connectTimes: number[] = [];
  /** Answer "Action: Ping" (set false to simulate a hung Asterisk that keeps the socket open). */
  answerPings = true;
  /** Destroy this many upcoming connections right after accept (before the greeting). */
  refuseNext = 0;
  /** Global variables for Getvar/Setvar without Channel. */
  readonly globals = new Map<string, string>();
  /** Channel variables: channel → name → value. */
  readonly channelVars = new Map<string, Map<string, string>>();
  /** CLI commands known to Command → output text. */
  readonly commands = new Map<string, string>([['core show version', 'Asterisk 22.10.1 (fake)']]);
  /** Channels listed by CoreShowChannels. */
  channels: Fields[] = [];

  private readonly handlers = new Map<string, FakeHandler>();
  private readonly waiters: Array<{ pred: (r: ReceivedAction) => boolean; resolve: (r: ReceivedAction) => void }> = [];
  private server!: net.Server;
  port = 0;

  constructor(readonly opts: FakeAmiOptions = {}) {
    this.installDefaults();
  }

  static async start(opts: FakeAmiOptions = {}): Promise<FakeAmiServer> {
    const s = new FakeAmiServer(opts);
    await s.listen();
    return s;
  }

  get username(): string {
    return this.opts.username ?? 'seatbox';
  }
  get secret(): string {
    return this.opts.secret ?? 'secret';
  }

  /** Live (not closed) sessions. */
  get live(): FakeAmiSession[] {
    return this.sessions.filter((s) => !s.closed);
  }

  /** Replace or add the handler of an action (case-insensitive name). */
  handle(action: string, handler: FakeHandler): void {
    this.handlers.set(action.toLowerCase(), handler);
  }

  /** Received actions with that name (case-insensitive), all sessions. */
  actions(name: string): ReceivedAction[] {
    const n = name.toLowerCase();
    return this.received.filter((r) => r.msg.get('Action')?.toLowerCase() === n);
  }

  waitForAction(name: string, timeoutMs = 5_000, after = 0): Promise<ReceivedAction> {
    const n = name.toLowerCase();
    const existing = this.received.slice(after).find((r) => r.msg.get('Action')?.toLowerCase() === n);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fake AMI: no ${name} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        pred: (r) => r.msg.get('Action')?.toLowerCase() === n,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
      });
    });
  }

  /** Wait until n sessions have logged in (in total, since start). */
  async waitForLogins(n: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sessions.filter((s) => s.loggedInOnce).length < n) {
      if (Date.now() > deadline) throw new Error(`fake AMI: fewer than ${n} logins within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  broadcastEvent(fields: Fields): void {
    for (const s of this.live) s.event(fields);
  }

  dropAll(): void {
    for (const s of this.live) s.drop();
  }

  async close(): Promise<void> {
    for (const s of this.sessions) if (!s.closed) s.drop();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sessions) s.socket.destroy();
  }

  /** Stop accepting (connections are refused with ECONNREFUSED, like a stopped Asterisk). */
  async stopListening(): Promise<void> {
    // net.Server#close() waits for open connections before its callback; the listening socket
    // itself is closed at once, which is all we need.
    this.server.close();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Accept again on the same port. */
  async listenAgain(): Promise<void> {
    await this.listen(this.port);
  }

  private async listen(port = 0): Promise<void> {
    this.server = net.createServer((sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private accept(sock: net.Socket): void {
    this.connectTimes.push(Date.now());
    sock.on('error', () => {});
    if (this.refuseNext > 0) {
      this.refuseNext--;
      sock.destroy();
      return;
    }
    sock.setNoDelay(true);
    const session = new FakeAmiSession(this, sock, this.sessions.length);
    this.sessions.push(session);
    const parser = new AmiParser((msg) => this.dispatch(session, msg));
    sock.on('data', (chunk: Buffer) => {
      session.rawReceived.push(chunk);
      parser.push(chunk);
    });
    sock.on('close', () => {
      session.closed = true;
      session.loggedIn = false;
    });
    sock.write(`${this.opts.banner ?? 'Asterisk Call Manager/11.0.0'}\r\n`);
  }

  private dispatch(session: FakeAmiSession, msg: AmiMessage): void {
    session.received.push(msg);
    const rec = { session, msg };
    this.received.push(rec);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.pred(rec)) {
        this.waiters.splice(i, 1);
        w.resolve(rec);
      }
    }
    if (session.closed) return;
    const name = (msg.get('Action') ?? '').toLowerCase();
    if (name !== 'login' && !session.loggedIn) {
      session.reply(msg, 'Error', [['Message', 'Permission denied']]);
      return;
    }
    const h = this.handlers.get(name);
    if (h) h(msg, session);
    else session.reply(msg, 'Error', [['Message', `Invalid/unknown command: ${msg.get('Action')}. Use Action: ListCommands to show available commands.`]]);
  }

  private installDefaults(): void {
    this.handle('Login', (a, s) => {
      if (a.get('Username') === this.username && a.get('Secret') === this.secret) {
        s.loggedIn = true;
        s.loggedInOnce = true;
        // Asterisk reads "Events:" only; a lone "Event:" header is ignored (events stay on).
        const ev = a.get('Events');
        if (ev !== undefined && ev.toLowerCase() === 'off') s.eventsOn = false;
        s.reply(a, 'Success', [['Message', 'Authentication accepted']]);
        s.event([['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', '5'], ['LastReload', '5'], ['Status', 'Fully Booted']]);
      } else {
        s.reply(a, 'Error', [['Message', 'Authentication failed']]);
      }
    });
    this.handle('Logoff', (a, s) => {
      s.reply(a, 'Goodbye', [['Message', 'Thanks for all the fish.']]);
      s.end();
    });
    this.handle('Ping', (a, s) => {
      if (this.answerPings) s.reply(a, 'Success', [['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]]);
    });
    this.handle('CoreSettings', (a, s) => {
      s.reply(a, 'Success', [
        ['AMIversion', '11.0.0'],
        ['AsteriskVersion', this.opts.asteriskVersion ?? '22.10.1'],
        ['SystemName', ''],
      ]);
    });
    this.handle('Command', (a, s) => {
      const cmd = a.get('Command') ?? '';
      const out = this.commands.get(cmd);
      if (out === undefined) {
        s.reply(a, 'Error', [
          ['Message', 'Command output follows'],
          ['Output', `No such command '${cmd}' (type 'core show help ${cmd.split(' ')[0] ?? ''}' for other possible commands)`],
        ]);
        return;
      }
      s.reply(a, 'Success', [['Message', 'Command output follows'], ...out.split('\n').map((l) => ['Output', l] as const)]);
    });
    this.handle('Getvar', (a, s) => {
      const name = a.get('Variable') ?? '';
      const ch = a.get('Channel');
      if (ch !== undefined && !this.channelVars.has(ch)) {
        s.reply(a, 'Error', [['Message', 'No such channel']]);
        return;
      }
      const v = ch !== undefined ? this.channelVars.get(ch)?.get(name) : this.globals.get(name);
      s.reply(a, 'Success', [['Variable', name], ['Value', v ?? '']]);
    });
    this.handle('Setvar', (a, s) => {
      const name = a.get('Variable') ?? '';
      const value = a.get('Value') ?? '';
      const ch = a.get('Channel');
      if (ch !== undefined) {
        let m = this.channelVars.get(ch);
        if (!m) this.channelVars.set(ch, (m = new Map()));
        m.set(name, value);
      } else this.globals.set(name, value);
      s.reply(a, 'Success', [['Message', 'Variable Set']]);
      this.broadcastEvent([
        ['Event', 'VarSet'],
        ['Privilege', 'dialplan,all'],
        ['Channel', ch ?? 'none'],
        ['Uniqueid', 'none'],
        ['Variable', name],
        ['Value', value],
      ]);
    });
    this.handle('CoreShowChannels', (a, s) => {
      s.list(a, 'CoreShowChannel', this.channels, 'CoreShowChannelsComplete', 'Channels will follow');
    });
  }
}

// ---- helpers shared by the AMI unit tests ----

export interface LogRecord {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A pino-shaped logger that records calls. */
export function memoryLogger(): { logger: AmiLogger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const fn =
    (level: string) =>
    (a: object | string, b?: string): void => {
      if (typeof a === 'string') records.push({ level, obj: {}, msg: a });
      else records.push({ level, obj: a as Record<string, unknown>, msg: b });
    };
  const logger: AmiLogger = {
    trace: fn('trace'),
    debug: fn('debug'),
    info: fn('info'),
    warn: fn('warn'),
    error: fn('error'),
    child() {
      return logger;
    },
  };
  return { logger, records };
}

export function clientFor(server: FakeAmiServer, opts: Partial<AsteriskAmiClientOptions> = {}): AsteriskAmiClient {
  return new AsteriskAmiClient({
    host: '127.0.0.1',
    port: server.port,
    username: server.username,
    secret: server.secret,
    actionTimeoutMs: 2_000,
    pingIntervalMs: 60_000,
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    backoffJitter: 0,
    ...opts,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Resolves with the arguments of the next emission of an event. */
export function once<T extends unknown[]>(emitter: { once(ev: string, fn: (...a: T) => void): unknown }, ev: string): Promise<T> {
  return new Promise((resolve) => emitter.once(ev, (...a: T) => resolve(a)));
}
