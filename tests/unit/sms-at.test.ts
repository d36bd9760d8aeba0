// AT command layer and the AT modem adapter over @serialport/binding-mock: line framing across
// chunk boundaries, URCs mixed into command responses, the AT+CMGS prompt, +CME/+CMS errors,
// timeouts, garbage bytes, the init sequence (SIM missing, registration) and reconnecting.
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { AtChannel, AtError, type Urc } from '../../firmware-agent/src/sms/at.js';
import { AtModem, type ClosablePort } from '../../firmware-agent/src/sms/at-modem.js';
import { SmsSendError } from '../../firmware-agent/src/sms/modem.js';
import { encodeStatusReport, encodeSubmit } from '../../firmware-agent/src/sms/pdu.js';

const PATH = '/dev/ttyUSB-mock';
// The binding instance serialport itself uses (@serialport/binding-mock imported directly may be
// its ESM twin with a separate port registry).
const MockBinding = SerialPortMock.binding;

/** Opens a mock port and calls `onWrite` with every chunk our side writes. */
async function mockPort(onWrite: (s: string, emit: (d: string) => void) => void): Promise<SerialPortMock> {
  const port = new SerialPortMock({ path: PATH, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => port.open((e) => (e ? j(e) : r())));
  const binding = port.port!;
  const orig = binding.write.bind(binding);
  const emit = (d: string) => setTimeout(() => binding.isOpen && binding.emitData(Buffer.from(d, 'latin1')), 2);
  binding.write = async (buf: Buffer) => {
    await orig(buf);
    onWrite(buf.toString('latin1'), emit);
  };
  return port;
}

beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: true }));
afterEach(() => MockBinding.reset());

describe('AtChannel', () => {
  it('answers a command; lines split over chunks; echo ignored', async () => {
    const port = await mockPort((s, emit) => {
      if (s === 'AT+CSQ\r') {
        emit('AT+CSQ\r\r\n+C');
        setTimeout(() => emit('SQ: 23,99\r\n\r\nO'), 5);
        setTimeout(() => emit('K\r\n'), 10);
      }
    });
    const ch = new AtChannel(port);
    const r = await ch.command('AT+CSQ');
    expect(r.lines).toEqual(['+CSQ: 23,99']);
    port.close();
  });

  it('separates URCs (+CMTI, two-line +CDS) from the response; +CREG is a response only to AT+CREG?', async () => {
    const sr = encodeStatusReport({ ref: 7, recipient: '13800138000', at: new Date(0), dischargedAt: new Date(0), status: 0 });
    const port = await mockPort((s, emit) => {
      if (s === 'AT+CREG?\r') emit(`\r\n+CMTI: "SM",4\r\n\r\n+CREG: 1,1\r\n\r\n+CDS: ${sr.tpduLength}\r\n${sr.hex}\r\n\r\nOK\r\n`);
      if (s === 'AT\r') emit('\r\n+CREG: 2\r\n\r\nOK\r\n');
    });
    const ch = new AtChannel(port);
    const urcs: Urc[] = [];
    ch.on('urc', (u: Urc) => urcs.push(u));
    const r = await ch.command('AT+CREG?');
    expect(r.lines).toEqual(['+CREG: 1,1']);
    await ch.command('AT');
    expect(urcs).toEqual([
      { name: '+CMTI', value: '"SM",4' },
      { name: '+CDS', value: String(sr.tpduLength), pdu: sr.hex },
      { name: '+CREG', value: '2' },
    ]);
    port.close();
  });

  it('AT+CMGS: waits for "> ", sends PDU + Ctrl-Z, returns +CMGS', async () => {
    const [pdu] = encodeSubmit({ to: '13800138000', text: '您好' });
    let got = '';
    const port = await mockPort((s, emit) => {
      if (s.startsWith('AT+CMGS=')) emit('\r\n> ');
      else if (s.endsWith('\x1a')) {
        got = s;
        emit('\r\n+CMGS: 42\r\n\r\nOK\r\n');
      }
    });
    const ch = new AtChannel(port);
    const r = await ch.command(`AT+CMGS=${pdu!.tpduLength}`, { payload: pdu!.hex });
    expect(got).toBe(`${pdu!.hex}\x1a`);
    expect(r.lines).toEqual(['+CMGS: 42']);
    port.close();
  });

  it('+CMS ERROR / +CME ERROR / ERROR reject with kind and code', async () => {
    const port = await mockPort((s, emit) => {
      if (s.startsWith('AT+CMGS')) emit('\r\n+CMS ERROR: 500\r\n');
      if (s.startsWith('AT+CPIN')) emit('\r\n+CME ERROR: 10\r\n');
      if (s.startsWith('AT+BOGUS')) emit('\r\nERROR\r\n');
    });
    const ch = new AtChannel(port);
    await expect(ch.command('AT+CMGS=20', { payload: '00' })).rejects.toMatchObject({ kind: 'cms', code: 500 });
    await expect(ch.command('AT+CPIN?')).rejects.toMatchObject({ kind: 'cme', code: 10 });
    await expect(ch.command('AT+BOGUS')).rejects.toMatchObject({ kind: 'error', code: null });
    port.close();
  });

  it('times out and goes on with the next queued command', async () => {
    const port = await mockPort((s, emit) => {
      if (s === 'AT+SLOW\r') return; // never answers
      emit('\r\nOK\r\n');
    });
    const ch = new AtChannel(port, { timeoutMs: 80 });
    const slow = ch.command('AT+SLOW');
    const next = ch.command('AT');
    await expect(slow).rejects.toBeInstanceOf(AtError);
    await expect(slow).rejects.toMatchObject({ kind: 'timeout' });
    await expect(next).resolves.toEqual({ lines: [] });
    port.close();
  });

  it('drops garbage bytes and stray lines; a lone noise line is reported, not taken as a response', async () => {
    const port = await mockPort((s, emit) => {
      if (s === 'AT+CSQ\r') emit('\x00\xff\xfe\r\n+CSQ: 18,99\x07\r\n\x1b\x80\r\nOK\r\n');
    });
    const ch = new AtChannel(port);
    const noise: string[] = [];
    ch.on('noise', (l: string) => noise.push(l));
    port.port!.emitData(Buffer.from('\xff\xfeZZ#garbage\r\n', 'latin1'));
    await new Promise((r) => setTimeout(r, 20));
    const r = await ch.command('AT+CSQ');
    expect(r.lines).toEqual(['+CSQ: 18,99']);
    expect(noise).toEqual(['ZZ#garbage']);
    port.close();
  });

  it('a closing port fails the pending command with kind closed', async () => {
    const port = await mockPort(() => undefined);
    const ch = new AtChannel(port);
    const p = ch.command('AT', { timeoutMs: 5000 });
    setTimeout(() => port.destroy(), 10);
    await expect(p).rejects.toMatchObject({ kind: 'closed' });
  });
});

/** A tiny scripted EC25 on the mock port: enough of the dialect for the adapter's state machine. */
function scripted(opts: { sim?: boolean; creg?: number; cms?: number | null }) {
  const log: string[] = [];
  let mr = 0;
  return {
    log,
    handler: (s: string, emit: (d: string) => void) => {
      if (s.endsWith('\x1a')) {
        if (opts.cms) emit(`\r\n+CMS ERROR: ${opts.cms}\r\n`);
        else emit(`\r\n+CMGS: ${++mr}\r\n\r\nOK\r\n`);
        return;
      }
      const c = s.replace(/\r$/, '');
      log.push(c);
      if (c === 'AT+CPIN?') return emit(opts.sim === false ? '\r\n+CME ERROR: 10\r\n' : '\r\n+CPIN: READY\r\n\r\nOK\r\n');
      if (c === 'AT+CREG?') return emit(`\r\n+CREG: 1,${opts.creg ?? 1}\r\n\r\nOK\r\n`);
      if (c === 'AT+CSQ') return emit('\r\n+CSQ: 21,99\r\n\r\nOK\r\n');
      if (c === 'AT+COPS?') return emit('\r\n+COPS: 0,0,"CHINA MOBILE",7\r\n\r\nOK\r\n');
      if (c === 'ATI') return emit('\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n');
      if (c === 'AT+CGSN') return emit('\r\n867962041234567\r\n\r\nOK\r\n');
      if (c.startsWith('AT+CMGS=')) return emit('\r\n> ');
      if (c === 'AT+CMGL=4') return emit('\r\nOK\r\n');
      emit('\r\nOK\r\n');
    },
  };
}

function modemOn(handler: (s: string, emit: (d: string) => void) => void, extra: Partial<ConstructorParameters<typeof AtModem>[0]> = {}) {
  const ports: SerialPortMock[] = [];
  const modem = new AtModem({
    path: PATH,
    logger: silentLogger(),
    pollMs: 60_000,
    reconnectMinMs: 20,
    openPort: async () => {
      const p = await mockPort(handler);
      ports.push(p);
      return p as unknown as ClosablePort;
    },
    ...extra,
  });
  return { modem, ports };
}

describe('AtModem (EC25 dialect on the mock port)', () => {
  it('init sequence → ready with operator, signal, model and IMEI; sends with TP-MR refs', async () => {
    const s = scripted({});
    const { modem } = modemOn(s.handler);
    await modem.open();
    expect(s.log.slice(0, 10)).toEqual(['AT', 'ATE0', 'AT+CMEE=1', 'ATI', 'AT+CGSN', 'AT+CPIN?', 'AT+CMGF=0', 'AT+CNMI=2,1,0,1,0', 'AT+CREG=1', 'AT+CREG?']);
    expect(modem.status()).toMatchObject({ state: 'ready', operator: 'CHINA MOBILE', signal: 21, registration: 1, imei: '867962041234567' });
    expect(modem.status().model).toContain('EC25');
    const parts = encodeSubmit({ to: '13800138000', text: '中'.repeat(100) });
    await expect(modem.send(parts)).resolves.toEqual([1, 2]);
    await modem.close();
    expect(modem.status().state).toBe('closed');
  });

  it('no SIM (+CME ERROR: 10) → no_sim and sends refused as transient', async () => {
    const { modem } = modemOn(scripted({ sim: false }).handler);
    await modem.open();
    expect(modem.status()).toMatchObject({ state: 'no_sim', error: 'SIM not inserted (+CME ERROR: 10)' });
    await expect(modem.send(encodeSubmit({ to: '13800138000', text: 'x' }))).rejects.toMatchObject({ transient: true, code: null });
    await modem.close();
  });

  it('registration denied → no_network; a +CREG URC brings it back to ready', async () => {
    const { modem, ports } = modemOn(scripted({ creg: 3 }).handler);
    await modem.open();
    expect(modem.status()).toMatchObject({ state: 'no_network', registration: 3 });
    const states: string[] = [];
    modem.on('state', (st: { state: string }) => states.push(st.state));
    ports[0]!.port!.emitData(Buffer.from('\r\n+CREG: 1\r\n'));
    await new Promise((r) => setTimeout(r, 30));
    expect(states).toContain('ready');
    await modem.close();
  });

  it('+CMS ERROR on send: code and transient flag (500 transient, 21 permanent)', async () => {
    const a = modemOn(scripted({ cms: 500 }).handler);
    await a.modem.open();
    const e1 = await a.modem.send(encodeSubmit({ to: '13800138000', text: 'x' })).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(SmsSendError);
    expect(e1).toMatchObject({ code: 500, transient: true });
    await a.modem.close();
    MockBinding.reset();
    MockBinding.createPort(PATH, { echo: false, record: true });
    const b = modemOn(scripted({ cms: 21 }).handler);
    await b.modem.open();
    await expect(b.modem.send(encodeSubmit({ to: '13800138000', text: 'x' }))).rejects.toMatchObject({ code: 21, transient: false });
    await b.modem.close();
  });

  it('modem goes away → disconnected, reconnects with backoff and initialises again', async () => {
    const { modem, ports } = modemOn(scripted({}).handler);
    await modem.open();
    expect(modem.status().state).toBe('ready');
    const states: string[] = [];
    modem.on('state', (st: { state: string }) => states.push(st.state));
    // A USB unplug: serialport closes the stream under us ('close' event, binding released).
    ports[0]!.close();
    for (let i = 0; i < 100 && !(states.includes('disconnected') && modem.status().state === 'ready'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(states[0]).toBe('disconnected');
    expect(modem.status().error).toBe(null);
    expect(modem.status().state).toBe('ready');
    expect(ports.length).toBe(2);
    await modem.close();
  });

  it('a path that cannot be opened → disconnected with the reason, retried', async () => {
    let tries = 0;
    const modem = new AtModem({
      path: '/dev/ttyUSB9',
      logger: silentLogger(),
      reconnectMinMs: 10,
      openPort: async () => {
        tries++;
        throw new Error('No such file or directory');
      },
    });
    await modem.open();
    expect(modem.status()).toMatchObject({ state: 'disconnected', error: 'cannot open /dev/ttyUSB9: No such file or directory' });
    await new Promise((r) => setTimeout(r, 60));
    expect(tries).toBeGreaterThan(1);
    await modem.close();
  });
});
