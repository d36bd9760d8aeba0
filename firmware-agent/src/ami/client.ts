// AsteriskAmiClient: the AMI connection the agent uses (implements the AmiClient contract).
//
// It owns the TCP socket, our streaming parser (parser.ts) and serializer (serialize.ts). It does
// not run asterisk-manager 0.2.0 at all: every piece of that library that does real work (socket,
// parser, correlation, login, reconnect) had one of the gaps listed in docs/ami.md, and the socket
// it creates is private to its closure, so none of it could be kept. asterisk-manager is still used
// by baseline.ts (benchmark baseline) and by the tests that reproduce its gaps.
//
// Guarantees:
//  - action()/listAction()/command() are correlated by a unique ActionID and always settle: answer,
//    AmiTimeoutError, or AmiDisconnectedError when the link drops (pending map and timers emptied).
//  - List actions collect their events (same ActionID) up to "EventList: Complete"; the timeout of
//    a list is an inactivity timeout (re-armed by every list event).
//  - The read path is synchronous: parse and dispatch inside the socket 'data' handler, never await
//    per event; a throwing listener is logged and does not stop the reader.
//  - Ping every pingIntervalMs; an unanswered ping drops the socket and the client reconnects.
//  - Reconnect with exponential backoff and jitter; 'connect' is emitted after every login
//    (listeners must resync live state), 'disconnect' after every loss of a logged-in session.
//  - No 'error' events are emitted (nothing can crash the process by being unhandled); failures are
//    reported through promise rejections, the 'disconnect' argument and the injected logger.

import { EventEmitter } from 'node:events';
import net from 'node:net';
import { EventLagMeter } from './event-lag.js';
import { AmiParser } from './parser.js';
import { serializeAction } from './serialize.js';
import {
  AmiAuthError,
  AmiDisconnectedError,
  AmiError,
  AmiMessage,
  AmiNotConnectedError,
  AmiTimeoutError,
  type AmiActionOptions,
  type AmiClient,
  type AmiClientOptions,
  type AmiHeaders,
  type AmiListResult,
  type AmiLogger,
} from './types.js';

export interface AsteriskAmiClientOptions extends AmiClientOptions {
  /** pino-compatible logger; silent when omitted. */
  logger?: AmiLogger;
  /** Login "Events:" header: true → on (default), false → off, string → event mask (e.g. "call,agent"). */
  events?: boolean | string;
  /** How long a ping may stay unanswered before the link is dropped (default: pingIntervalMs). */
  pingTimeoutMs?: number;
  /** TCP connect + greeting + login must finish within this (default 10 s). */
  connectTimeoutMs?: number;
  /** Failed attempts before the first connect() rejects (default: unlimited, keep trying). */
  connectAttempts?: number;
  /** Reconnect after a lost session (default true). */
  reconnect?: boolean;
  /** Random spread of each backoff delay, 0..1 (default 0.2 → ±20 %). */
  backoffJitter?: number;
  /** A session that stayed up this long resets the backoff (default 5 s). */
  stableAfterMs?: number;
  /** Ask CoreSettings after login to learn asteriskVersion (default true). */
  fetchVersion?: boolean;
  /** Prefix of generated ActionIDs (default "sb<random>"). */
  actionIdPrefix?: string;
}

interface Pending {
  readonly id: string;
  readonly action: string;
  readonly list: boolean;
  readonly timeoutMs: number;
  readonly acceptError: boolean;
  timer: NodeJS.Timeout | undefined;
  response: AmiMessage | undefined;
  events: AmiMessage[] | undefined;
  resolve(value: AmiMessage | AmiListResult): void;
  reject(err: Error): void;
}

type Phase = 'idle' | 'connecting' | 'login' | 'ready';

const noop = (): void => {};
const silentLogger: AmiLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };

function isErrorResponse(msg: AmiMessage): boolean {
  const r = msg.fields[0]?.[1];
  return r !== undefined && r.toLowerCase() === 'error';
}

/** ActionID of a message; exact key first (Asterisk always spells it "ActionID"). */
function actionIdOf(msg: AmiMessage): string | undefined {
  const f = msg.fields;
  for (let i = 0; i < f.length; i++) {
    const pair = f[i]!;
    if (pair[0] === 'ActionID') return pair[1];
  }
  return undefined;
}

function isListComplete(msg: AmiMessage): boolean {
  const v = msg.get('EventList');
  return v !== undefined && v.toLowerCase() === 'complete';
}

export class AsteriskAmiClient extends EventEmitter implements AmiClient {
  private readonly opts: Required<
    Omit<AsteriskAmiClientOptions, 'logger' | 'events' | 'connectAttempts' | 'actionIdPrefix'>
  > & { events: string; connectAttempts: number; actionIdPrefix: string };
  private readonly log: AmiLogger;
  /** Asterisk → agent event lag (events with a Timestamp header: manager.conf timestampevents). */
  readonly eventLag = new EventLagMeter();

  private phase: Phase = 'idle';
  private socket: net.Socket | undefined;
  private readonly pending = new Map<string, Pending>();
  private listsPending = 0;
  private seq = 0;
  private attempt = 0;
  private failedAttempts = 0;
  private everConnected = false;
  private closing = false;
  private readyAt = 0;
  private lastError: Error | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingInFlight = false;
  private waiters: Array<{ resolve(): void; reject(err: Error): void }> = [];

  private version: string | undefined;
  /** Greeting line of the current/last session, e.g. "Asterisk Call Manager/11.0.0". */
  banner: string | undefined;
  /** Number of successful logins (1 after the first connect). */
  connectCount = 0;

  constructor(options: AsteriskAmiClientOptions) {
    super();
    const pingIntervalMs = options.pingIntervalMs ?? 5_000;
    const ev = options.events ?? true;
    this.opts = {
      host: options.host,
      port: options.port,
      username: options.username,
      secret: options.secret,
      actionTimeoutMs: options.actionTimeoutMs ?? 10_000,
      pingIntervalMs,
      pingTimeoutMs: options.pingTimeoutMs ?? pingIntervalMs,
      reconnectMinMs: options.reconnectMinMs ?? 250,
      reconnectMaxMs: options.reconnectMaxMs ?? 15_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      connectAttempts: options.connectAttempts ?? Number.POSITIVE_INFINITY,
      reconnect: options.reconnect ?? true,
      backoffJitter: Math.min(1, Math.max(0, options.backoffJitter ?? 0.2)),
      stableAfterMs: options.stableAfterMs ?? 5_000,
      fetchVersion: options.fetchVersion ?? true,
      events: ev === true ? 'on' : ev === false ? 'off' : ev,
      actionIdPrefix: options.actionIdPrefix ?? `sb${Math.random().toString(36).slice(2, 8)}`,
    };
    const base = options.logger ?? silentLogger;
    this.log = base.child ? base.child({ component: 'ami' }) : base;
  }

  // ---- typed EventEmitter surface ----
  override on(event: 'event', fn: (msg: AmiMessage) => void): this;
  override on(event: 'connect', fn: () => void): this;
  override on(event: 'disconnect', fn: (err?: Error) => void): this;
  override on(event: string | symbol, fn: (...args: never[]) => void): this;
  override on(event: string | symbol, fn: (...args: never[]) => void): this {
    return super.on(event, fn as (...args: unknown[]) => void);
  }
  override off(event: string | symbol, fn: (...args: never[]) => void): this {
    return super.off(event, fn as (...args: unknown[]) => void);
  }

  get connected(): boolean {
    return this.phase === 'ready';
  }

  get asteriskVersion(): string | undefined {
    return this.version;
  }

  /** Actions waiting for an answer (0 after every disconnect). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Start the link. Resolves after the first successful login; keeps retrying with backoff while
   * Asterisk is unreachable (up to connectAttempts). Rejects with AmiAuthError if the first login
   * is refused, or when close() is called first.
   */
  connect(): Promise<void> {
    if (this.phase === 'ready') return Promise.resolve();
    this.closing = false;
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.socket === undefined && this.reconnectTimer === undefined) {
      this.failedAttempts = 0;
      this.openSocket();
    }
    return p;
  }

  /** Log off (best effort, 1 s), close the socket, stop reconnecting; pending actions are rejected. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.settleWaiters(new AmiDisconnectedError('connect (client closed)'));
    const sock = this.socket;
    if (!sock) return;
    const wasReady = this.phase === 'ready';
    if (wasReady) {
      try {
        await this.request('Logoff', undefined, { timeoutMs: 1_000 }, false, true, true);
      } catch {
        // Goodbye is a courtesy; the socket is closed below either way.
      }
    }
    if (this.socket !== sock) return; // already gone (Asterisk closes after Goodbye)
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        sock.destroy();
      }, 1_000);
      sock.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      if (wasReady) sock.end();
      else sock.destroy();
    });
  }

  action(action: string, headers?: AmiHeaders, opts?: AmiActionOptions): Promise<AmiMessage> {
    return this.request(action, headers, opts, false, false, false) as Promise<AmiMessage>;
  }

  listAction(action: string, headers?: AmiHeaders, opts?: AmiActionOptions): Promise<AmiListResult> {
    return this.request(action, headers, opts, true, false, false) as Promise<AmiListResult>;
  }

  /**
   * Run a CLI command; resolves with the whole output (lines joined with "\n"). Works with the
   * Asterisk 14+ "Output:" lines and the older "Response: Follows … --END COMMAND--" framing (the
   * parser normalises both). Rejects with AmiError (output in the message and .response) when
   * Asterisk answers Response: Error, e.g. for an unknown command.
   */
  async command(cmd: string, opts?: AmiActionOptions): Promise<string> {
    const res = (await this.request('Command', { Command: cmd }, opts, false, true, false)) as AmiMessage;
    const output = res.getAll('Output').join('\n');
    if (isErrorResponse(res)) {
      throw new AmiError(`AMI Command "${cmd}" failed: ${output || res.get('Message') || 'error'}`, res);
    }
    return output;
  }

  /** Getvar: value of a channel variable (or a global / dialplan function when channel is omitted). */
  async getVar(variable: string, channel?: string, opts?: AmiActionOptions): Promise<string> {
    const h: Array<[string, string]> = [];
    if (channel !== undefined) h.push(['Channel', channel]);
    h.push(['Variable', variable]);
    const res = await this.action('Getvar', h, opts);
    return res.get('Value') ?? '';
  }

  /** Setvar on a channel (or a global when channel is omitted). */
  async setVar(variable: string, value: string, channel?: string, opts?: AmiActionOptions): Promise<void> {
    const h: Array<[string, string]> = [];
    if (channel !== undefined) h.push(['Channel', channel]);
    h.push(['Variable', variable], ['Value', value]);
    await this.action('Setvar', h, opts);
  }

  // ---- internals ----

  private nextId(): string {
    this.seq = (this.seq + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.opts.actionIdPrefix}-${this.seq}`;
  }

  private request(
    action: string,
    headers: AmiHeaders | undefined,
    opts: AmiActionOptions | undefined,
    list: boolean,
    acceptError: boolean,
    internal: boolean,
  ): Promise<AmiMessage | AmiListResult> {
    let wire: string;
    const id = this.nextId();
    try {
      wire = serializeAction(action, id, headers);
    } catch (err) {
      return Promise.reject(err);
    }
    const sock = this.socket;
    const usable = this.phase === 'ready' || (internal && this.phase === 'login');
    if (!usable || sock === undefined) return Promise.reject(new AmiNotConnectedError(action));
    const timeoutMs = opts?.timeoutMs ?? this.opts.actionTimeoutMs;
    return new Promise((resolve, reject) => {
      const p: Pending = {
        id,
        action,
        list,
        timeoutMs,
        acceptError,
        timer: undefined,
        response: undefined,
        events: list ? [] : undefined,
        resolve,
        reject,
      };
      p.timer = setTimeout(() => {
        if (this.pending.get(id) !== p) return;
        this.forget(p);
        this.log.warn({ action, actionId: id, timeoutMs }, 'AMI action timed out');
        reject(new AmiTimeoutError(action, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, p);
      if (list) this.listsPending++;
      this.log.trace?.({ action, actionId: id }, 'AMI action sent');
      sock.write(wire);
    });
  }

  private forget(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    this.pending.delete(p.id);
    if (p.list) this.listsPending--;
  }

  private openSocket(): void {
    this.attempt++;
    this.phase = 'connecting';
    const { host, port } = this.opts;
    this.log.debug({ host, port, attempt: this.attempt }, 'AMI connecting');
    const sock = net.createConnection({ host, port });
    const parser = new AmiParser((msg) => this.onMessage(msg), {
      onBanner: (b) => {
        this.banner = b;
      },
    });
    this.socket = sock;
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 10_000);
    this.connectTimer = setTimeout(() => {
      if (this.socket !== sock) return;
      this.lastError = new Error(`AMI connect/login to ${host}:${port} timed out after ${this.opts.connectTimeoutMs} ms`);
      this.log.warn({ host, port }, this.lastError.message);
      sock.destroy(this.lastError);
    }, this.opts.connectTimeoutMs);
    sock.on('connect', () => {
      if (this.socket === sock) void this.login(sock);
    });
    sock.on('data', (chunk: Buffer) => {
      if (this.socket !== sock) return;
      try {
        parser.push(chunk);
      } catch (err) {
        // Only parser limits land here (listeners are guarded); the stream cannot be trusted now.
        this.lastError = err as Error;
        this.log.error({ err }, 'AMI stream broken; reconnecting');
        sock.destroy();
      }
    });
    sock.on('error', (err) => {
      this.lastError = err;
      this.log.debug({ err: err.message }, 'AMI socket error');
    });
    sock.on('close', () => this.onSocketClose(sock));
  }

  private async login(sock: net.Socket): Promise<void> {
    this.phase = 'login';
    try {
      await this.request(
        'Login',
        [
          ['Username', this.opts.username],
          ['Secret', this.opts.secret],
          ['Events', this.opts.events],
        ],
        { timeoutMs: this.opts.connectTimeoutMs },
        false,
        false,
        true,
      );
    } catch (err) {
      if (this.socket !== sock) return;
      if (err instanceof AmiError && !(err instanceof AmiDisconnectedError) && !(err instanceof AmiTimeoutError)) {
        const authErr = new AmiAuthError(`AMI login as ${this.opts.username} refused: ${err.response?.get('Message') ?? err.message}`, err.response);
        this.lastError = authErr;
        this.log.error({ username: this.opts.username }, authErr.message);
        if (!this.everConnected) {
          // Wrong credentials will not fix themselves: fail the first connect() and stop.
          this.closing = true;
          this.settleWaiters(authErr);
        }
      } else {
        this.lastError = err as Error;
      }
      sock.destroy();
      return;
    }
    if (this.socket !== sock) return;
    if (this.opts.fetchVersion) {
      try {
        const cs = (await this.request('CoreSettings', undefined, { timeoutMs: this.opts.connectTimeoutMs }, false, false, true)) as AmiMessage;
        this.version = cs.get('AsteriskVersion');
      } catch (err) {
        if (this.socket !== sock) return;
        this.log.warn({ err: (err as Error).message }, 'AMI CoreSettings failed; Asterisk version unknown');
      }
      if (this.socket !== sock) return;
    }
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.phase = 'ready';
    this.readyAt = Date.now();
    this.everConnected = true;
    this.failedAttempts = 0;
    this.connectCount++;
    this.startPing(sock);
    this.log.info({ banner: this.banner, asteriskVersion: this.version, attempt: this.attempt }, 'AMI connected');
    this.settleWaiters();
    this.emitSafe('connect');
  }

  private startPing(sock: net.Socket): void {
    this.pingInFlight = false;
    const timer = setInterval(() => {
      if (this.socket !== sock || this.phase !== 'ready' || this.pingInFlight) return;
      this.pingInFlight = true;
      this.request('Ping', undefined, { timeoutMs: this.opts.pingTimeoutMs }, false, true, true).then(
        () => {
          this.pingInFlight = false;
        },
        (err: Error) => {
          this.pingInFlight = false;
          if (err instanceof AmiTimeoutError && this.socket === sock) {
            this.lastError = new Error(`AMI ping unanswered for ${this.opts.pingTimeoutMs} ms`);
            this.log.warn({ pingTimeoutMs: this.opts.pingTimeoutMs }, 'AMI ping unanswered; dropping the link to reconnect');
            sock.destroy();
          }
        },
      );
    }, this.opts.pingIntervalMs);
    timer.unref();
    this.pingTimer = timer;
  }

  private onSocketClose(sock: net.Socket): void {
    if (this.socket !== sock) return;
    const wasReady = this.phase === 'ready';
    const err = this.lastError;
    this.socket = undefined;
    this.phase = 'idle';
    this.lastError = undefined;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.connectTimer = undefined;
    this.pingTimer = undefined;
    this.pingInFlight = false;

    for (const p of [...this.pending.values()]) {
      this.forget(p);
      p.reject(new AmiDisconnectedError(p.action));
    }

    if (wasReady) {
      if (Date.now() - this.readyAt >= this.opts.stableAfterMs) this.attempt = 0;
      if (!this.closing) this.log.warn({ err: err?.message }, 'AMI connection lost');
      this.emitSafe('disconnect', err ?? (this.closing ? undefined : new Error('AMI connection closed by peer')));
    } else {
      this.failedAttempts++;
      if (!this.closing) this.log.warn({ err: err?.message, failedAttempts: this.failedAttempts }, 'AMI connect attempt failed');
    }

    if (this.closing) return;
    if (!this.everConnected && this.failedAttempts >= this.opts.connectAttempts) {
      this.settleWaiters(err ?? new AmiDisconnectedError('connect'));
      return;
    }
    if (!this.opts.reconnect && this.everConnected) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const { reconnectMinMs: min, reconnectMaxMs: max, backoffJitter: jitter } = this.opts;
    const exp = Math.min(max, min * 2 ** Math.min(30, this.attempt));
    const delay = Math.max(0, Math.round(exp * (1 - jitter + 2 * jitter * Math.random())));
    this.log.info({ delayMs: delay, attempt: this.attempt + 1 }, 'AMI reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closing) this.openSocket();
    }, delay);
  }

  private settleWaiters(err?: Error): void {
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) {
      if (err) x.reject(err);
      else x.resolve();
    }
  }

  /** Hot path: called synchronously by the parser for every message. */
  private onMessage(msg: AmiMessage): void {
    const first = msg.fields[0];
    if (first === undefined) return;
    const key = first[0];
    if (key === 'Event' || (key !== 'Response' && key.toLowerCase() === 'event')) {
      if (this.listsPending !== 0) {
        const id = actionIdOf(msg);
        if (id !== undefined) {
          const p = this.pending.get(id);
          if (p !== undefined && p.list) {
            if (isListComplete(msg)) {
              this.forget(p);
              const res: AmiListResult = { response: p.response ?? msg, events: p.events ?? [], complete: msg };
              p.resolve(res);
            } else {
              p.events!.push(msg);
              p.timer?.refresh();
            }
            return;
          }
        }
      }
      this.emitSafe('event', msg);
      // After every listener ran: the lag includes our own processing, not just the socket.
      const ts = msg.get('Timestamp');
      if (ts !== undefined) this.eventLag.record(ts);
      return;
    }
    if (key === 'Response' || key.toLowerCase() === 'response') {
      const id = actionIdOf(msg) ?? msg.actionId;
      const p = id === undefined ? undefined : this.pending.get(id);
      if (p === undefined) {
        this.log.debug({ actionId: id, response: first[1] }, 'AMI response without a pending action (late or foreign)');
        return;
      }
      if (isErrorResponse(msg) && !p.acceptError) {
        this.forget(p);
        p.reject(new AmiError(`AMI ${p.action} failed: ${msg.get('Message') ?? 'Response: Error'}`, msg));
        return;
      }
      if (p.list) {
        const el = msg.get('EventList');
        if (el !== undefined && el.toLowerCase() === 'start') {
          p.response = msg;
          p.timer?.refresh();
          return;
        }
        // A list action that answered without starting a list: nothing follows.
        this.forget(p);
        p.resolve({ response: msg, events: p.events ?? [] });
        return;
      }
      this.forget(p);
      p.resolve(msg);
      return;
    }
    this.log.debug({ firstKey: key }, 'AMI message that is neither event nor response ignored');
  }

  private emitSafe(event: 'event' | 'connect' | 'disconnect', arg?: unknown): void {
    const listeners = this.rawListeners(event) as Array<(a?: unknown) => void>;
    for (let i = 0; i < listeners.length; i++) {
      try {
        if (arg === undefined && event !== 'disconnect') listeners[i]!.call(this);
        else listeners[i]!.call(this, arg);
      } catch (err) {
        this.log.error({ err, event }, 'AMI listener threw; ignored so the reader keeps going');
      }
    }
  }
}
