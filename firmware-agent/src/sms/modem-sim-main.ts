#!/usr/bin/env node
// Runs the EC25 modem simulator by hand (docs/sms.md):
//   node dist/firmware-agent/sms/modem-sim-main.js --pair                 # makes a socat pty pair, prints the modem end
//   node dist/firmware-agent/sms/modem-sim-main.js --pty /dev/pts/7       # one end of a pair you made
// Options: --no-sim, --registration N, --fail 500,38 (CMS errors of the next sends), --slow MS,
// --garbage, --delivery-ms MS. Commands on stdin, one per line:
//   incoming <number> <text>   the "network" delivers an SMS (e.g. incoming +8613800138000 退订)
//   creg <stat>                registration change (+CREG URC): 1 home, 2 searching, 3 denied
//   nosim on|off · fail <code> · slow <ms> · garbage on|off · sent · quit
import { createInterface } from 'node:readline';
import { openSerialPort } from './at-modem.js';
import { ModemSimulator } from './modem-sim.js';
import { createPtyPair, type PtyPair } from './pty-pair.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  let pair: PtyPair | null = null;
  let path = arg('--pty');
  if (!path) {
    if (!process.argv.includes('--pair')) {
      console.error('usage: modem-sim-main (--pty /dev/pts/N | --pair) [--no-sim] [--registration N] [--fail 500,38] [--slow MS] [--garbage] [--delivery-ms MS]');
      process.exit(2);
    }
    pair = await createPtyPair();
    path = pair.a;
    console.log(`modem port for the agent (SMS settings → device): ${pair.b}`);
  }
  const port = await openSerialPort(path, 115200);
  const sim = new ModemSimulator(port, {
    faults: {
      noSim: process.argv.includes('--no-sim'),
      registration: Number(arg('--registration') ?? 1),
      sendErrors: (arg('--fail') ?? '').split(',').filter(Boolean).map(Number),
      slowMs: Number(arg('--slow') ?? 0),
      garbage: process.argv.includes('--garbage'),
      deliveryDelayMs: Number(arg('--delivery-ms') ?? 2000),
    },
  });
  sim.on('submit', (s: { mr: number; pdu: { to: string; text: string; concat: { seq: number; total: number } | null } }) =>
    console.log(`SMS mr=${s.mr} to ${s.pdu.to}${s.pdu.concat ? ` part ${s.pdu.concat.seq}/${s.pdu.concat.total}` : ''}: ${s.pdu.text}`),
  );
  console.log(`EC25 simulator on ${path}; type "help" for commands`);
  const stop = async () => {
    await sim.close().catch(() => undefined);
    await pair?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [cmd, a, ...rest] = line.trim().split(/\s+/);
    if (cmd === 'incoming' && a) console.log(`stored at ${sim.injectIncoming(a, rest.join(' ')).join(',')}`);
    else if (cmd === 'creg' && a) sim.setRegistration(Number(a));
    else if (cmd === 'nosim') sim.faults.noSim = a === 'on';
    else if (cmd === 'fail' && a) sim.faults.sendErrors.push(Number(a));
    else if (cmd === 'slow') sim.faults.slowMs = Number(a ?? 0);
    else if (cmd === 'garbage') sim.faults.garbage = a === 'on';
    else if (cmd === 'sent') console.log(`${sim.sent.length} SMS parts sent`);
    else if (cmd === 'quit') void stop();
    else console.log('commands: incoming <number> <text> | creg <stat> | nosim on|off | fail <code> | slow <ms> | garbage on|off | sent | quit');
  });
  rl.on('close', () => void stop());
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
