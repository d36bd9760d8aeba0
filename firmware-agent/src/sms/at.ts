// A small typed AT command layer over a byte stream (a serial port): one command at a time with
// a timeout, final result codes (OK, ERROR, +CME ERROR: n, +CMS ERROR: n), the "> " prompt of
// AT+CMGS, and unsolicited result codes (+CMTI, +CDS, +CREG …) kept apart from command
// responses. Bytes outside printable ASCII are dropped: a modem that resets or a noisy line sends
// garbage, and a PDU or response never contains such bytes.
import { EventEmitter } from 'node:events';

/** What the channel needs of a port (SerialPort and SerialPortMock are such streams). */
export interface AtPort {
  write(data: string | Buffer, cb?: (err?: Error | null) => void): boolean;
  on(event: 'data', l: (d: Buffer) => void): unknown;
  on(event: 'close', l: () => void): unknown;
  on(event: 'error', l: (e: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export type AtErrorKind = 'error' | 'cme' | 'cms' | 'timeout' | 'closed' | 'busy';

export class AtError extends Error {
  constructor(
    readonly kind: AtErrorKind,
    readonly command: string,
    readonly code: number | null = null,
    message?: string,
  ) {
    super(message ?? `${command}: ${kind === 'cme' ? `+CME ERROR: ${code}` : kind === 'cms' ? `+CMS ERROR: ${code}` : kind}`);
  }
}

export interface AtResponse {
  /** Information lines (echo and URCs removed), in order. */
  lines: string[];
}

/** An unsolicited result code; two-line ones (+CDS, +CMT) carry their PDU line. */
export interface Urc {
  name: string; // '+CMTI', '+CDS', '+CREG', 'RING', 'RDY' …
  value: string;
  pdu?: string;
}

/** URCs that are never command responses (except +CREG, answered by AT+CREG?). */
const URC_PREFIXES = ['+CMTI', '+CDS', '+CDSI', '+CMT', '+CREG', '+CGREG', '+CEREG', '+CBM', 'RING', 'RDY', '+CPIN', '+QIND', '+CFUN', '+QUSIM', 'NO CARRIER'];
const TWO_LINE = new Set(['+CDS', '+CMT', '+CBM']);

interface Pending {
  command: string;
  /** response prefix of this command ('+CREG' for AT+CREG?) */
  prefix: string | null;
  lines: string[];
  timer: NodeJS.Timeout;
  resolve: (r: AtResponse) => void;
  reject: (e: AtError) => void;
  /** AT+CMGS: the PDU to send after "> " (null once sent) */
  payload: string | null;
  timeoutMs: number;
}

export interface CommandOptions {
  timeoutMs?: number;
  /** For AT+CMGS: sent after the "> " prompt, followed by Ctrl-Z. */
  payload?: string;
}

/**
 * Events: 'urc' (Urc), 'noise' (a line that was neither response nor URC), 'close'.
 */
export class AtChannel extends EventEmitter {
  private buf = '';
  private pending: Pending | null = null;
  private queue: Array<() => void> = [];
  private twoLine: { name: string; value: string } | null = null;
  private closed = false;
  readonly defaultTimeoutMs: number;

  constructor(
    private readonly port: AtPort,
    opts: { timeoutMs?: number } = {},
  ) {
    super();
    this.defaultTimeoutMs = opts.timeoutMs ?? 5000;
    port.on('data', (d) => this.onData(d));
    port.on('close', () => this.shutdown('port closed'));
    port.on('error', (e) => this.emit('port-error', e));
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /** Ends the channel: pending and queued commands fail with 'closed'. */
  shutdown(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.reject(new AtError('closed', p.command, null, `${p.command}: ${reason}`));
    }
    const q = this.queue.splice(0);
    for (const run of q) run();
    this.emit('close');
  }

  /** Sends one command (without the trailing CR) and resolves on OK; rejects with AtError. */
  command(command: string, opts: CommandOptions = {}): Promise<AtResponse> {
    return new Promise<AtResponse>((resolve, reject) => {
      const run = () => {
        if (this.closed) return reject(new AtError('closed', command));
        const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
        const m = /^AT([+^$][A-Z0-9]+)/i.exec(command);
        const p: Pending = {
          command,
          prefix: m ? m[1]!.toUpperCase() : null,
          lines: [],
          payload: opts.payload ?? null,
          timeoutMs,
          resolve: (r) => {
            this.finish();
            resolve(r);
          },
          reject: (e) => {
            this.finish();
            reject(e);
          },
          timer: setTimeout(() => {
            if (this.pending === p) p.reject(new AtError('timeout', command, null, `${command}: no answer within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        this.pending = p;
        this.port.write(`${command}\r`, (err) => {
          if (err && this.pending === p) p.reject(new AtError('closed', command, null, `${command}: write failed: ${err.message}`));
        });
      };
      if (this.pending || this.queue.length) this.queue.push(run);
      else run();
    });
  }

  private finish(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = null;
    // Synchronously: a command() call in between must queue behind it, not overtake it.
    const next = this.queue.shift();
    if (next) next();
  }

  private onData(d: Buffer): void {
    // Printable ASCII plus CR/LF/'>'; everything else is line noise.
    this.buf += d.toString('latin1').replace(/[^\x20-\x7e\r\n]/g, '');
    if (this.buf.length > 64 * 1024) this.buf = this.buf.slice(-4096); // a runaway modem
    for (;;) {
      const p = this.pending;
      // The AT+CMGS prompt comes without a line end.
      if (p && p.payload !== null) {
        const t = this.buf.replace(/^[\r\n]+/, '');
        if (t.startsWith('>')) {
          this.buf = t.replace(/^> ?/, '');
          const payload = p.payload;
          p.payload = null;
          this.port.write(`${payload}\x1a`);
          continue;
        }
      }
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      const line = this.buf.slice(0, m.index).trim();
      this.buf = this.buf.slice(m.index + m[0].length);
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (this.twoLine) {
      const t = this.twoLine;
      this.twoLine = null;
      if (/^[0-9A-Fa-f]+$/.test(line)) {
        this.emit('urc', { name: t.name, value: t.value, pdu: line.toUpperCase() } satisfies Urc);
        return;
      }
      // The PDU line never came: report the header alone, then treat this line normally.
      this.emit('urc', { name: t.name, value: t.value } satisfies Urc);
    }
    const p = this.pending;
    if (p) {
      if (line === p.command || line.toUpperCase() === p.command.toUpperCase()) return; // echo (before ATE0)
      if (line === 'OK') return p.resolve({ lines: p.lines });
      if (line === 'ERROR') return p.reject(new AtError('error', p.command));
      const cme = /^\+CME ERROR:\s*(\d+)/.exec(line);
      if (cme) return p.reject(new AtError('cme', p.command, Number(cme[1])));
      const cms = /^\+CMS ERROR:\s*(\d+)/.exec(line);
      if (cms) return p.reject(new AtError('cms', p.command, Number(cms[1])));
      if (/^\+C[MS]E ERROR:/.test(line)) return p.reject(new AtError('error', p.command, null, `${p.command}: ${line}`));
    }
    const name = /^(\+[A-Z]+|[A-Z ]+)(?::|$)/.exec(line)?.[1] ?? '';
    const isUrc = URC_PREFIXES.includes(name) && !(p && p.prefix === name);
    if (isUrc) {
      const value = line.slice(name.length).replace(/^:\s*/, '');
      if (TWO_LINE.has(name)) this.twoLine = { name, value };
      else this.emit('urc', { name, value } satisfies Urc);
      return;
    }
    if (p) {
      p.lines.push(line);
      return;
    }
    this.emit('noise', line);
  }
}

// ---- response parsing helpers ------------------------------------------------------------------

/** The value after "<prefix>: " of the first matching line (garbage lines are skipped). */
export function field(r: AtResponse, prefix: string): string | null {
  const l = r.lines.find((x) => x.startsWith(`${prefix}:`));
  return l ? l.slice(prefix.length + 1).trim() : null;
}

/** Splits "a,\"b,c\",d" into ['a', 'b,c', 'd']. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const c of s) {
    if (c === '"') q = !q;
    else if (c === ',' && !q) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}
