import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PRODUCT, version } from './version.js';

const HELP = `${PRODUCT} ${version()} — call-center appliance agent

Usage: seatbox <command> [options]

Commands:
  serve                 Run the agent: Asterisk, API, web UI
    --data DIR            data directory (database, Asterisk instance, recordings)
                          default: ~/.local/share/seatbox
    --port N              web UI / API port (default 8080)
    --host ADDR           listen address (default 127.0.0.1)
    --demo                demo mode: simulated PSTN and agents, a periodic demo call
    --ami-port N          Asterisk manager port on loopback (default 5038)
    --sip-port N          SIP (UDP) port (default 5060)
    --sip-bind ADDR       SIP bind address (default 127.0.0.1 in demo, else 0.0.0.0)
    --asterisk-root DIR   Debian sid root holding Asterisk (default $SEATBOX_CACHE/sid-root)
    --demo-interval S     seconds between demo calls (default 20; 0 = no simulated traffic)
    --host-root DIR       where the telephony-card tools' outputs are read (DIR/commands/
                          dahdi_*.txt, DIR/proc/dahdi); default: setting hardware.hostRoot,
                          the simulated cards in demo mode, else the DAHDI tools if installed
    --asterisk MODE       chroot (default: Asterisk in the sid root) | system (the appliance:
                          the asterisk.service of the image)
  update ...            signed update bundles: make-bundle, verify, install, status
  leads check FILE [--json]  check a CSV/XLSX lead file without importing (docs/leads-import.md)
  bench NAME [--json]   benchmarks (seatbox bench: the list): ami, capacity, …
  version               print the version
  help                  this text
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    case 'version':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'serve':
      return serve(rest);
    case 'update': {
      const { updateCli } = await import('./system/update/cli.js');
      return updateCli(rest);
    }
    case 'leads': {
      const { leadsCli } = await import('./leads/import/cli.js');
      return leadsCli(rest);
    }
    case 'bench': {
      const { runBench } = await import('./bench/index.js');
      return runBench(rest);
    }
    default:
      process.stderr.write(`seatbox: unknown command "${cmd}"\n\n${HELP}`);
      return 2;
  }
}

function intOption(name: string, value: string | undefined, fallback: number, min = 1, max = 65535): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer ${min}-${max}, got "${value}"`);
  return n;
}

async function serve(args: string[]): Promise<number> {
  let opts;
  try {
    const { values } = parseArgs({
      args,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        demo: { type: 'boolean', default: false },
        'ami-port': { type: 'string' },
        'sip-port': { type: 'string' },
        'sip-bind': { type: 'string' },
        'asterisk-root': { type: 'string' },
        'demo-interval': { type: 'string' },
        'host-root': { type: 'string' },
        asterisk: { type: 'string' },
      },
      strict: true,
    });
    const mode = values.asterisk ?? 'chroot';
    if (mode !== 'chroot' && mode !== 'system') throw new Error(`--asterisk: expected chroot or system, got "${mode}"`);
    opts = {
      dataDir: resolve(values.data ?? join(homedir(), '.local', 'share', 'seatbox')),
      host: values.host ?? '127.0.0.1',
      port: intOption('port', values.port, 8080, 0),
      demo: values.demo ?? false,
      asterisk: {
        rootDir: values['asterisk-root'] ? resolve(values['asterisk-root']) : mode === 'system' ? '/' : undefined,
        mode: mode as 'chroot' | 'system',
        amiPort: intOption('ami-port', values['ami-port'], 5038, 1024),
        sipPort: intOption('sip-port', values['sip-port'], 5060),
        sipBind: values['sip-bind'] ?? (values.demo ? '127.0.0.1' : '0.0.0.0'),
      },
      demoCallIntervalSeconds: intOption('demo-interval', values['demo-interval'], 20, 0, 3600),
      // 0: a quiet demo (no periodic call, no predictive demo campaign): tests bring their own calls.
      demoCalls: values['demo-interval'] !== '0',
      ...(values['host-root'] ? { hostRoot: resolve(values['host-root']) } : {}),
    };
  } catch (err) {
    process.stderr.write(`seatbox serve: ${(err as Error).message}\n`);
    return 2;
  }
  const { SeatBoxAgent } = await import('./main.js');
  let stopping = false;
  // A staged restore asks for a restart: stop this agent, start a fresh one (it applies the
  // restore before opening the database). Under systemd a failed start exits; systemd restarts.
  const restart = (): void => {
    setTimeout(() => {
      if (stopping) return;
      const old = agent;
      old.log.info('restarting the agent');
      old
        .stop()
        .then(async () => {
          agent = new SeatBoxAgent({ ...opts, onRestartRequested: restart });
          await agent.start();
        })
        .catch((err: unknown) => {
          agent.log.fatal({ err }, 'SeatBox failed to restart');
          process.exit(1);
        });
    }, 300);
  };
  let agent = new SeatBoxAgent({ ...opts, onRestartRequested: restart });
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    agent.log.info({ signal }, 'stopping');
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        agent.log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await agent.start();
  } catch (err) {
    agent.log.fatal({ err }, 'SeatBox failed to start');
    await agent.stop().catch(() => undefined);
    return 1;
  }
  // Keep running until a signal arrives.
  await new Promise(() => undefined);
  return 0;
}
