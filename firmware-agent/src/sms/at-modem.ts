// The SmsModem adapter for AT-command GSM modems, written against the Quectel EC20/EC25 dialect
// (EC2x "AT Commands Manual": AT+CMEE=1 numeric errors, AT+CNMI=2,1,0,1,0 → +CMTI for a stored
// SMS and +CDS for a status report, PDU mode AT+CMGF=0). Also fits SIMCom SIM800/SIM7600 and
// Huawei E3372 in stick mode, which share these 27.005/27.007 commands.
// Reconnects with backoff when the port goes away; polls signal and registration.
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type { Logger } from '../logging.js';
import { AtChannel, AtError, field, splitArgs, type AtPort, type Urc } from './at.js';
import { SmsSendError, TRANSIENT_CMS, cmsText, type ModemState, type ModemStatus, type SendPart, type SmsModem } from './modem.js';
import { decodePdu, PduError, type DecodedDeliver, type DecodedStatusReport } from './pdu.js';

export interface ClosablePort extends AtPort {
  close(cb?: (err?: Error | null) => void): void;
}

export interface AtModemOptions {
  path: string;
  baudRate?: number;
  logger: Logger;
  /** Opens the port (tests pass SerialPortMock); default: serialport's SerialPort. */
  openPort?: (path: string, baudRate: number) => Promise<ClosablePort>;
  commandTimeoutMs?: number;
  /** AT+CMGS waits for the network's answer: up to 120 s on EC25 per its manual. */
  sendTimeoutMs?: number;
  pollMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export function openSerialPort(path: string, baudRate: number): Promise<ClosablePort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((err) => (err ? reject(err) : resolve(port as unknown as ClosablePort)));
  });
}

export class AtModem extends EventEmitter implements SmsModem {
  private port: ClosablePort | null = null;
  private ch: AtChannel | null = null;
  private wanted = false;
  private st: ModemStatus;
  private reconnectTimer?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private backoffMs: number;
  private initializing = false;
  private readonly log: Logger;

  constructor(private readonly o: AtModemOptions) {
    super();
    this.log = o.logger;
    this.backoffMs = o.reconnectMinMs ?? 1000;
    this.st = { state: 'closed', operator: null, signal: null, registration: null, model: null, imei: null, error: null, path: o.path, since: new Date().toISOString() };
  }

  status(): ModemStatus {
    return { ...this.st };
  }

  private set(state: ModemState, patch: Partial<ModemStatus> = {}): void {
    const changed = state !== this.st.state || Object.entries(patch).some(([k, v]) => this.st[k as keyof ModemStatus] !== v);
    if (state !== this.st.state) this.st.since = new Date().toISOString();
    this.st = { ...this.st, ...patch, state };
    if (changed) this.emit('state', this.status());
  }

  async open(): Promise<void> {
    this.wanted = true;
    await this.connect();
    this.pollTimer = setInterval(() => void this.poll(), this.o.pollMs ?? 30_000);
    this.pollTimer.unref();
  }

  async close(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pollTimer);
    const port = this.port;
    this.port = null;
    this.ch?.shutdown('modem closed');
    this.ch = null;
    if (port) await new Promise<void>((r) => port.close(() => r()));
    this.set('closed');
  }

  private async connect(): Promise<void> {
    if (!this.wanted) return;
    this.set('opening');
    let port: ClosablePort;
    try {
      port = await (this.o.openPort ?? openSerialPort)(this.o.path, this.o.baudRate ?? 115200);
    } catch (err) {
      this.set('disconnected', { error: `cannot open ${this.o.path}: ${(err as Error).message}` });
      this.scheduleReconnect();
      return;
    }
    if (!this.wanted) {
      port.close();
      return;
    }
    this.port = port;
    const ch = (this.ch = new AtChannel(port, { timeoutMs: this.o.commandTimeoutMs ?? 5000 }));
    ch.on('urc', (u: Urc) => this.onUrc(u));
    ch.on('noise', (line: string) => this.log.debug({ line: line.slice(0, 80) }, 'modem: unexpected line ignored'));
    ch.on('port-error', (err: Error) => this.log.warn({ err }, 'modem port error'));
    ch.on('close', () => this.onLost(ch));
    await this.init();
  }

  private onLost(ch: AtChannel): void {
    if (this.ch !== ch) return;
    this.ch = null;
    const port = this.port;
    this.port = null;
    port?.removeAllListeners();
    if (!this.wanted) return;
    this.log.warn({ path: this.o.path }, 'modem went away; reconnecting');
    this.set('disconnected', { error: 'modem went away (port closed)', signal: null });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.wanted) return;
    clearTimeout(this.reconnectTimer);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.reconnectMaxMs ?? 30_000);
    this.reconnectTimer = setTimeout(() => void this.connect(), wait);
    this.reconnectTimer.unref();
  }

  private async cmd(command: string, timeoutMs?: number): Promise<import('./at.js').AtResponse> {
    const ch = this.ch;
    if (!ch) throw new AtError('closed', command);
    return ch.command(command, timeoutMs ? { timeoutMs } : {});
  }

  /** The init sequence; ends in ready, no_sim, no_network or error. */
  async init(): Promise<void> {
    if (this.initializing || !this.ch) return;
    this.initializing = true;
    const ch = this.ch;
    try {
      this.set('initializing');
      // Sync: a fresh modem may still have boot noise or a half command in its buffer.
      let synced = false;
      for (let i = 0; i < 3 && !synced; i++) {
        try {
          await this.cmd('AT', 1500);
          synced = true;
        } catch (err) {
          if ((err as AtError).kind === 'closed') throw err;
        }
      }
      if (!synced) throw new AtError('timeout', 'AT', null, 'modem does not answer AT');
      await this.cmd('ATE0');
      await this.cmd('AT+CMEE=1');
      const model = await this.cmd('ATI').then((r) => r.lines.filter((l) => !l.startsWith('Revision')).join(' ').slice(0, 64) || null, () => null);
      const imei = await this.cmd('AT+CGSN').then((r) => r.lines.find((l) => /^\d{14,17}$/.test(l)) ?? null, () => null);
      this.st = { ...this.st, model, imei };
      if (!(await this.checkSim())) return;
      await this.cmd('AT+CMGF=0');
      await this.cmd('AT+CNMI=2,1,0,1,0');
      await this.cmd('AT+CREG=1');
      await this.refresh();
      this.backoffMs = this.o.reconnectMinMs ?? 1000;
      if (this.st.state === 'ready') await this.readStored();
    } catch (err) {
      if (this.ch === ch && this.wanted) {
        const msg = (err as Error).message;
        this.log.warn({ err: msg }, 'modem init failed');
        this.set('error', { error: `init failed: ${msg}` });
      }
    } finally {
      this.initializing = false;
    }
  }

  /** AT+CPIN?: +CME ERROR: 10 = SIM not inserted; SIM PIN = locked. */
  private async checkSim(): Promise<boolean> {
    try {
      const r = await this.cmd('AT+CPIN?');
      const v = field(r, '+CPIN');
      if (v === 'READY') return true;
      this.set('no_sim', { error: `SIM not ready (${v ?? 'no answer'})`, operator: null, signal: null });
      return false;
    } catch (err) {
      const e = err as AtError;
      if (e.kind === 'cme' || e.kind === 'error') {
        this.set('no_sim', { error: e.code === 10 ? 'SIM not inserted (+CME ERROR: 10)' : e.message, operator: null, signal: null });
        return false;
      }
      throw err;
    }
  }

  /** Registration, signal and operator; sets ready / no_network. */
  async refresh(): Promise<void> {
    const creg = field(await this.cmd('AT+CREG?'), '+CREG');
    const stat = creg ? Number(splitArgs(creg)[1] ?? splitArgs(creg)[0]) : null;
    const csq = field(await this.cmd('AT+CSQ'), '+CSQ');
    const rssi = csq ? Number(splitArgs(csq)[0]) : NaN;
    const cops = await this.cmd('AT+COPS?').then((r) => field(r, '+COPS'), () => null);
    const operator = cops ? (splitArgs(cops)[2] ?? null) || null : null;
    const signal = Number.isFinite(rssi) && rssi !== 99 ? rssi : null;
    this.applyRegistration(stat, { signal, operator });
  }

  private applyRegistration(stat: number | null, patch: Partial<ModemStatus> = {}): void {
    const registered = stat === 1 || stat === 5;
    const why = stat === 3 ? 'registration denied (+CREG: 3)' : stat === 2 ? 'searching for a network (+CREG: 2)' : `not registered (+CREG: ${stat ?? '?'})`;
    this.set(registered ? 'ready' : 'no_network', { registration: stat, error: registered ? null : why, ...patch });
  }

  private async poll(): Promise<void> {
    if (!this.ch || this.initializing || this.ch.busy) return;
    try {
      if (this.st.state === 'no_sim' || this.st.state === 'error') await this.init();
      else if (this.st.state === 'ready' || this.st.state === 'no_network') await this.refresh();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'modem poll failed');
    }
  }

  /** Messages stored while we were away (AT+CMGL=4: all), read and deleted. */
  private async readStored(): Promise<void> {
    const r = await this.cmd('AT+CMGL=4', 20_000).catch(() => null);
    if (!r) return;
    for (let i = 0; i < r.lines.length; i++) {
      const m = /^\+CMGL:\s*(\d+)/.exec(r.lines[i]!);
      const pdu = r.lines[i + 1];
      if (!m || !pdu || !/^[0-9A-F]+$/i.test(pdu)) continue;
      this.handleStoredPdu(pdu, Number(m[1]));
      await this.cmd(`AT+CMGD=${m[1]}`).catch(() => undefined);
      i++;
    }
  }

  private handleStoredPdu(pdu: string, index: number): void {
    try {
      const d = decodePdu(pdu);
      if (d.type === 'deliver') this.emit('sms', d satisfies DecodedDeliver, index);
      else if (d.type === 'status-report') this.emit('status-report', d satisfies DecodedStatusReport);
    } catch (err) {
      this.log.warn({ err: (err as PduError).message, index }, 'undecodable stored SMS ignored');
    }
  }

  private async readMessage(index: number): Promise<void> {
    try {
      const r = await this.cmd(`AT+CMGR=${index}`);
      const at = r.lines.findIndex((l) => l.startsWith('+CMGR:'));
      const pdu = at >= 0 ? r.lines[at + 1] : undefined;
      if (pdu) this.handleStoredPdu(pdu, index);
      await this.cmd(`AT+CMGD=${index}`);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, index }, 'reading a received SMS failed');
    }
  }

  private onUrc(u: Urc): void {
    if (u.name === '+CMTI' || u.name === '+CDSI') {
      const idx = Number(splitArgs(u.value)[1]);
      if (Number.isInteger(idx)) void this.readMessage(idx);
    } else if (u.name === '+CDS' || u.name === '+CMT') {
      if (!u.pdu) return;
      this.handleStoredPdu(u.pdu, -1);
    } else if (u.name === '+CREG') {
      const a = splitArgs(u.value);
      this.applyRegistration(Number(a[0]));
      if (this.st.state === 'ready') void this.refresh().catch(() => undefined);
    } else if (u.name === 'RDY') {
      // The modem restarted under us: its settings (ATE0, CNMI …) are gone.
      this.log.warn('modem restarted (RDY); initialising again');
      void this.init();
    }
  }

  async send(parts: SendPart[]): Promise<number[]> {
    if (this.st.state !== 'ready' || !this.ch) throw new SmsSendError(`modem not ready (${this.st.state})`, null, true);
    const refs: number[] = [];
    for (const p of parts) {
      try {
        const r = await this.ch.command(`AT+CMGS=${p.tpduLength}`, { payload: p.hex, timeoutMs: this.o.sendTimeoutMs ?? 120_000 });
        const mr = Number(field(r, '+CMGS'));
        if (!Number.isInteger(mr)) throw new SmsSendError('AT+CMGS answered OK without +CMGS: <mr>', null, true, refs);
        refs.push(mr);
      } catch (err) {
        if (err instanceof SmsSendError) throw err;
        const e = err as AtError;
        if (e.kind === 'cms' && e.code !== null) {
          if (e.code === 310) this.set('no_sim', { error: 'SIM not inserted (+CMS ERROR: 310)' });
          if (e.code === 331) this.set('no_network', { error: 'no network service (+CMS ERROR: 331)' });
          throw new SmsSendError(`+CMS ERROR: ${e.code} (${cmsText(e.code)})`, e.code, TRANSIENT_CMS.has(e.code), refs);
        }
        // ERROR without a code, a timeout or a lost port: the message may be sent again.
        throw new SmsSendError(e.message, null, true, refs);
      }
    }
    return refs;
  }
}
