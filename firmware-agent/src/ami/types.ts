// The typed AMI contract the rest of the agent codes against. Domain modules never touch
// asterisk-manager directly; they see only these types.

/** One AMI message (response or event) as ordered key/value pairs; repeated keys are kept. */
export class AmiMessage {
  constructor(readonly fields: ReadonlyArray<readonly [string, string]>) {}

  /** First value for a key (case-insensitive, as Asterisk treats header names). */
  get(key: string): string | undefined {
    const k = key.toLowerCase();
    for (const [name, value] of this.fields) if (name.toLowerCase() === k) return value;
    return undefined;
  }

  /** Every value for a repeated key, in order (e.g. ChanVariable, Output). */
  getAll(key: string): string[] {
    const k = key.toLowerCase();
    const out: string[] = [];
    for (const [name, value] of this.fields) if (name.toLowerCase() === k) out.push(value);
    return out;
  }

  get event(): string | undefined {
    return this.get('Event');
  }

  get response(): string | undefined {
    return this.get('Response');
  }

  get actionId(): string | undefined {
    return this.get('ActionID');
  }

  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    for (const [k, v] of this.fields) if (!(k in o)) o[k] = v;
    return o;
  }
}

/** Headers of an outgoing action; arrays send the key once per value, in order. */
export type AmiHeaders = Record<string, string | number | ReadonlyArray<string>> | ReadonlyArray<readonly [string, string]>;

export interface AmiActionOptions {
  /** Reject with AmiTimeoutError after this many ms (default from the client options). */
  timeoutMs?: number;
}

export interface AmiListResult {
  response: AmiMessage;
  events: AmiMessage[];
  /** The closing event (EventList: Complete), if any. */
  complete?: AmiMessage;
}

export class AmiError extends Error {
  constructor(message: string, readonly response?: AmiMessage) {
    super(message);
    this.name = 'AmiError';
  }
}
export class AmiTimeoutError extends AmiError {
  constructor(action: string, ms: number) {
    super(`AMI action ${action} got no answer within ${ms} ms`);
    this.name = 'AmiTimeoutError';
  }
}
export class AmiDisconnectedError extends AmiError {
  constructor(action: string) {
    super(`AMI connection lost before ${action} was answered`);
    this.name = 'AmiDisconnectedError';
  }
}

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Default action timeout. */
  actionTimeoutMs?: number;
  /** Ping interval; the link is considered dead when a ping is not answered in time. */
  pingIntervalMs?: number;
  /** Reconnect backoff bounds. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/**
 * Events emitted by an AmiClient:
 *  - 'event' (msg: AmiMessage): every unsolicited AMI event, in arrival order
 *  - 'connect' (): logged in (also after each reconnect) — listeners must resync live state
 *  - 'disconnect' (err?: Error): the link dropped; pending actions were rejected
 */
export interface AmiClient {
  readonly connected: boolean;
  /** Asterisk version learned at login (CoreSettings AsteriskVersion), if known. */
  readonly asteriskVersion: string | undefined;
  connect(): Promise<void>;
  close(): Promise<void>;
  action(action: string, headers?: AmiHeaders, opts?: AmiActionOptions): Promise<AmiMessage>;
  listAction(action: string, headers?: AmiHeaders, opts?: AmiActionOptions): Promise<AmiListResult>;
  /** Runs a CLI command; resolves with its whole output text. */
  command(cmd: string, opts?: AmiActionOptions): Promise<string>;
  on(event: 'event', fn: (msg: AmiMessage) => void): this;
  on(event: 'connect', fn: () => void): this;
  on(event: 'disconnect', fn: (err?: Error) => void): this;
  off(event: string, fn: (...args: never[]) => void): this;
}

// ---- Additions by the AMI layer (firmware-agent/src/ami/). Names above are the contract and unchanged. ----

/** Not connected (or not logged in) when the action was issued; nothing was sent. */
export class AmiNotConnectedError extends AmiDisconnectedError {
  constructor(action: string) {
    super(action);
    this.message = `AMI is not connected; ${action} was not sent`;
    this.name = 'AmiNotConnectedError';
  }
}
/** A header name or value would break AMI framing (CR, LF or NUL; ':' or blank in a name). Thrown before anything is sent. */
export class AmiHeaderError extends AmiError {
  constructor(message: string) {
    super(message);
    this.name = 'AmiHeaderError';
  }
}
/** Login was refused (Response: Error to Action: Login). */
export class AmiAuthError extends AmiError {
  constructor(message: string, response?: AmiMessage) {
    super(message, response);
    this.name = 'AmiAuthError';
  }
}
/** The byte stream from Asterisk broke a parser limit (e.g. a line longer than maxLineBytes). */
export class AmiProtocolError extends AmiError {
  constructor(message: string) {
    super(message);
    this.name = 'AmiProtocolError';
  }
}

/** Minimal pino-compatible logger (pino.Logger satisfies it). */
export interface AmiLogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}
export interface AmiLogger {
  trace?: AmiLogFn;
  debug: AmiLogFn;
  info: AmiLogFn;
  warn: AmiLogFn;
  error: AmiLogFn;
  child?(bindings: Record<string, unknown>): AmiLogger;
}
