// A GSM modem simulator speaking the Quectel EC25 AT dialect on one end of a pty pair (socat):
// echo until ATE0, the init commands, AT+CMGS with the "> " prompt and Ctrl-Z / ESC, +CMGS: <mr>,
// +CDS status reports after a delay, stored incoming SMS (+CMTI, AT+CMGR/CMGD/CMGL), and faults
// (no SIM, registration lost, +CMS ERROR on chosen sends, slow answers, garbage bytes).
// Used by the integration tests and by demo mode. Not a network: every SMS "arrives".
import { EventEmitter } from 'node:events';
import type { ClosablePort } from './at-modem.js';
import { decodePdu, encodeDeliver, encodeStatusReport, PduError, type DecodedSubmit } from './pdu.js';

export interface SimFaults {
  /** AT+CPIN? → +CME ERROR: 10, SMS commands → +CMS ERROR: 310 */
  noSim: boolean;
  /** +CREG stat (1 home, 5 roaming, 2 searching, 3 denied, 0 none) */
  registration: number;
  /** +CMS ERROR codes for the next sends, in order (null = that send succeeds) */
  sendErrors: Array<number | null>;
  /** extra delay before every answer */
  slowMs: number;
  /** garbage bytes written before every answer */
  garbage: boolean;
  /** status for the delivery report of a number (default 0 = delivered) */
  deliveryStatus: (to: string) => number;
  /** ms between a send and its +CDS (default 300) */
  deliveryDelayMs: number;
}

export interface SimSent {
  mr: number;
  at: Date;
  pdu: DecodedSubmit;
}

interface Stored {
  stat: number; // 0 unread, 1 read
  pdu: string;
  length: number;
}

/** Events: 'submit' (SimSent), 'command' (string). */
export class ModemSimulator extends EventEmitter {
  readonly faults: SimFaults;
  readonly sent: SimSent[] = [];
  readonly commands: string[] = [];
  private echo = true;
  private cmee = 0;
  private cregUrc = 0;
  private mr = 0;
  private concatRef = 0;
  private buf = '';
  /** AT+CMGS: waiting for the PDU of this TPDU length */
  private prompt: number | null = null;
  private readonly storage = new Map<number, Stored>();
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly operator: string;
  readonly smsc: string;

  constructor(
    private readonly port: ClosablePort,
    opts: { faults?: Partial<SimFaults>; operator?: string; smsc?: string } = {},
  ) {
    super();
    this.operator = opts.operator ?? 'CHINA MOBILE';
    this.smsc = opts.smsc ?? '+8613800100500';
    this.faults = { noSim: false, registration: 1, sendErrors: [], slowMs: 0, garbage: false, deliveryStatus: () => 0, deliveryDelayMs: 300, ...opts.faults };
    port.on('data', (d) => this.onData(d));
    port.on('close', () => (this.closed = true));
    port.on('error', () => undefined);
  }

  /** Registration change with the +CREG URC when enabled (AT+CREG=1). */
  setRegistration(stat: number): void {
    this.faults.registration = stat;
    if (this.cregUrc) this.out(`\r\n+CREG: ${stat}\r\n`);
  }

  /** A text from a phone: stored on the "SIM", announced with +CMTI per part. */
  injectIncoming(from: string, text: string, at = new Date()): number[] {
    const pdus = encodeDeliver({ from, text, at, smsc: this.smsc, concatRef: this.concatRef++ & 0xff });
    const idx: number[] = [];
    for (const pdu of pdus) {
      let i = 0;
      while (this.storage.has(i)) i++;
      this.storage.set(i, { stat: 0, pdu, length: pdu.length / 2 - (parseInt(pdu.slice(0, 2), 16) + 1) });
      idx.push(i);
      this.out(`\r\n+CMTI: "SM",${i}\r\n`);
    }
    return idx;
  }

  get storedCount(): number {
    return this.storage.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    // A port whose other end is gone may never call back.
    await new Promise<void>((r) => {
      const t = setTimeout(r, 1000);
      try {
        this.port.close(() => (clearTimeout(t), r()));
      } catch {
        clearTimeout(t);
        r();
      }
    });
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) f();
    }, ms);
    this.timers.add(t);
  }

  private out(s: string): void {
    if (!this.closed) this.port.write(s);
  }

  /** An answer (after slowMs, garbage first if set). */
  private reply(s: string): void {
    const send = () => this.out((this.faults.garbage ? '\x00\xff\x13\x91' : '') + s);
    if (this.faults.slowMs > 0) this.later(this.faults.slowMs, send);
    else send();
  }

  private ok(body = ''): void {
    this.reply(`${body}\r\nOK\r\n`);
  }

  private cme(code: number): void {
    this.reply(this.cmee ? `\r\n+CME ERROR: ${code}\r\n` : '\r\nERROR\r\n');
  }

  private cms(code: number): void {
    this.reply(this.cmee ? `\r\n+CMS ERROR: ${code}\r\n` : '\r\nERROR\r\n');
  }

  private onData(d: Buffer): void {
    this.buf += d.toString('latin1');
    for (;;) {
      if (this.prompt !== null) {
        const z = this.buf.search(/[\x1a\x1b]/);
        if (z < 0) return;
        const body = this.buf.slice(0, z).trim();
        const cancelled = this.buf[z] === '\x1b';
        this.buf = this.buf.slice(z + 1);
        const len = this.prompt;
        this.prompt = null;
        if (this.echo) this.out(body);
        if (cancelled) this.ok();
        else this.submit(body, len);
        continue;
      }
      const m = /\r\n?|\n/.exec(this.buf);
      if (!m) return;
      const line = this.buf.slice(0, m.index).trim();
      this.buf = this.buf.slice(m.index + m[0].length);
      if (!line) continue;
      if (this.echo) this.out(`${line}\r`);
      this.command(line);
    }
  }

  private command(raw: string): void {
    const c = raw.toUpperCase();
    this.commands.push(raw);
    this.emit('command', raw);
    if (c === 'AT') return this.ok();
    if (c === 'ATE0' || c === 'ATE1') {
      this.echo = c === 'ATE1';
      return this.ok();
    }
    if (c === 'ATI') return this.ok('\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G (simulated)\r\n');
    if (c === 'AT+CGSN') return this.ok('\r\n867962040000001\r\n');
    let m = /^AT\+CMEE=(\d)$/.exec(c);
    if (m) {
      this.cmee = Number(m[1]);
      return this.ok();
    }
    if (c === 'AT+CPIN?') return this.faults.noSim ? this.cme(10) : this.ok('\r\n+CPIN: READY\r\n');
    m = /^AT\+CREG=(\d)$/.exec(c);
    if (m) {
      this.cregUrc = Number(m[1]);
      return this.ok();
    }
    if (c === 'AT+CREG?') return this.ok(`\r\n+CREG: ${this.cregUrc},${this.faults.noSim ? 0 : this.faults.registration}\r\n`);
    if (c === 'AT+CSQ') return this.ok(`\r\n+CSQ: ${this.faults.noSim || this.faults.registration === 0 ? 99 : 23},99\r\n`);
    if (c === 'AT+COPS?') {
      const reg = !this.faults.noSim && (this.faults.registration === 1 || this.faults.registration === 5);
      return this.ok(reg ? `\r\n+COPS: 0,0,"${this.operator}",7\r\n` : '\r\n+COPS: 0\r\n');
    }
    if (/^AT\+CMGF=[01]$/.test(c) || /^AT\+CNMI=/.test(c) || /^AT\+CSMP=/.test(c) || /^AT\+CPMS=/.test(c)) return this.faults.noSim && c.startsWith('AT+CPMS') ? this.cms(310) : this.ok();
    if (c === 'AT+CSCA?') return this.ok(`\r\n+CSCA: "${this.smsc}",145\r\n`);
    m = /^AT\+CMGS=(\d+)$/.exec(c);
    if (m) {
      if (this.faults.noSim) return this.cms(310);
      this.prompt = Number(m[1]);
      return this.reply('\r\n> ');
    }
    m = /^AT\+CMGR=(\d+)$/.exec(c);
    if (m) {
      if (this.faults.noSim) return this.cms(310);
      const s = this.storage.get(Number(m[1]));
      if (!s) return this.cms(321); // invalid memory index
      const stat = s.stat;
      s.stat = 1;
      return this.ok(`\r\n+CMGR: ${stat},,${s.length}\r\n${s.pdu}\r\n`);
    }
    m = /^AT\+CMGD=(\d+)(?:,(\d))?$/.exec(c);
    if (m) {
      if (m[2] && m[2] !== '0') this.storage.clear();
      else this.storage.delete(Number(m[1]));
      return this.ok();
    }
    m = /^AT\+CMGL=(\d)$/.exec(c);
    if (m) {
      const want = Number(m[1]);
      let body = '';
      for (const [i, s] of [...this.storage.entries()].sort((a, b) => a[0] - b[0])) {
        if (want !== 4 && s.stat !== want) continue;
        body += `\r\n+CMGL: ${i},${s.stat},,${s.length}\r\n${s.pdu}`;
        s.stat = 1;
      }
      return this.ok(body ? `${body}\r\n` : '');
    }
    return this.reply('\r\nERROR\r\n');
  }

  private submit(hex: string, len: number): void {
    let pdu: DecodedSubmit;
    try {
      const d = decodePdu(hex);
      if (d.type !== 'submit') throw new PduError('not an SMS-SUBMIT');
      if (d.tpduLength !== len) throw new PduError(`AT+CMGS=${len} but the TPDU has ${d.tpduLength} octets`);
      pdu = d;
    } catch {
      return this.cms(304); // invalid PDU mode parameter
    }
    if (this.faults.noSim) return this.cms(310);
    if (this.faults.registration !== 1 && this.faults.registration !== 5) return this.cms(331);
    const err = this.faults.sendErrors.length ? this.faults.sendErrors.shift()! : null;
    if (err !== null) return this.cms(err);
    const mr = (this.mr = (this.mr + 1) & 0xff);
    const sent = { mr, at: new Date(), pdu };
    this.sent.push(sent);
    this.emit('submit', sent);
    this.reply(`\r\n+CMGS: ${mr}\r\n\r\nOK\r\n`);
    if (pdu.statusReport) {
      // After the (possibly slow) +CMGS answer: a real modem never reports before it answered.
      this.later(this.faults.slowMs + this.faults.deliveryDelayMs, () => {
        const now = new Date();
        const sr = encodeStatusReport({ ref: mr, recipient: pdu.to, at: sent.at, dischargedAt: now, status: this.faults.deliveryStatus(pdu.to), smsc: this.smsc });
        this.out(`\r\n+CDS: ${sr.tpduLength}\r\n${sr.hex}\r\n`);
      });
    }
  }
}
