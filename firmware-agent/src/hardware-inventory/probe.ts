// Where the DAHDI tools' outputs come from. On the appliance the card drivers and tools live
// on the host, not in the agent's root; the agent sees the host through a "host root"
// directory (balena-supervisor style). Two adapters behind one interface:
//   FixtureProbe  <hostRoot>/commands/dahdi_hardware.txt, commands/dahdi_scan.txt and
//                 <hostRoot>/proc/dahdi/<span>: recorded outputs (tests, demo, a box whose
//                 host writes the outputs on a timer).
//   CommandProbe  runs dahdi_hardware and dahdi_scan and reads <hostRoot>/proc/dahdi.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectInput } from '../hardware/index.js';
import { projectRoot } from '../version.js';

export interface ProbeOutput extends DetectInput {
  /** Which adapter produced it, for the UI and the logs. */
  source: 'fixture' | 'command' | 'none';
  /** Problems reading the outputs (a missing tool, an unreadable file). */
  errors: string[];
}

export interface HardwareProbe {
  readonly kind: ProbeOutput['source'];
  /** Where it reads from (host root or tool names), for the UI. */
  readonly describe: string;
  read(): Promise<ProbeOutput>;
}

function readProcDir(dir: string, errors: string[]): string[] {
  if (!existsSync(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+$/.test(n));
  } catch (err) {
    errors.push(`${dir}: ${(err as Error).message}`);
    return [];
  }
  const out: string[] = [];
  for (const n of names.sort((a, b) => Number(a) - Number(b))) {
    try {
      out.push(readFileSync(join(dir, n), 'utf8'));
    } catch (err) {
      errors.push(`${join(dir, n)}: ${(err as Error).message}`);
    }
  }
  return out;
}

export const FIXTURE_MARKER = join('commands', 'dahdi_scan.txt');

export class FixtureProbe implements HardwareProbe {
  readonly kind = 'fixture' as const;
  constructor(readonly hostRoot: string) {}

  get describe(): string {
    return this.hostRoot;
  }

  async read(): Promise<ProbeOutput> {
    const errors: string[] = [];
    const file = (name: string): string | undefined => {
      const p = join(this.hostRoot, 'commands', name);
      try {
        return readFileSync(p, 'utf8');
      } catch (err) {
        errors.push(`${p}: ${(err as Error).message}`);
        return undefined;
      }
    };
    const out: ProbeOutput = { source: 'fixture', errors, proc: readProcDir(join(this.hostRoot, 'proc', 'dahdi'), errors) };
    const hardware = file('dahdi_hardware.txt');
    const scan = file('dahdi_scan.txt');
    if (hardware !== undefined) out.hardware = hardware;
    if (scan !== undefined) out.scan = scan;
    return out;
  }
}

function run(cmd: string, timeoutMs: number): Promise<{ out?: string; error?: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        resolve({ error: code === 'ENOENT' ? `${cmd}: not installed` : `${cmd}: ${err.message.split('\n')[0]}` });
      } else resolve({ out: stdout });
    });
  });
}

export class CommandProbe implements HardwareProbe {
  readonly kind = 'command' as const;
  constructor(
    readonly hostRoot = '/',
    private readonly tools = { hardware: 'dahdi_hardware', scan: 'dahdi_scan' },
    private readonly timeoutMs = 10_000,
  ) {}

  get describe(): string {
    return `${this.tools.hardware}, ${this.tools.scan}, ${join(this.hostRoot, 'proc', 'dahdi')}`;
  }

  async read(): Promise<ProbeOutput> {
    const errors: string[] = [];
    const [hw, scan] = await Promise.all([run(this.tools.hardware, this.timeoutMs), run(this.tools.scan, this.timeoutMs)]);
    const out: ProbeOutput = { source: 'command', errors, proc: readProcDir(join(this.hostRoot, 'proc', 'dahdi'), errors) };
    if (hw.error) errors.push(hw.error);
    else if (hw.out !== undefined) out.hardware = hw.out;
    if (scan.error) errors.push(scan.error);
    else if (scan.out !== undefined) out.scan = scan.out;
    return out;
  }
}

/** A box where nothing can be probed (no host root given, no tools): no cards. */
export class NullProbe implements HardwareProbe {
  readonly kind = 'none' as const;
  readonly describe = 'none';
  async read(): Promise<ProbeOutput> {
    return { source: 'none', errors: [] };
  }
}

function onPath(cmd: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

/**
 * The probe for a host root: recorded outputs when the directory holds them, else the real
 * tools when installed, else nothing.
 */
export function selectProbe(hostRoot: string | undefined): HardwareProbe {
  if (hostRoot && existsSync(join(hostRoot, FIXTURE_MARKER))) return new FixtureProbe(hostRoot);
  if (onPath('dahdi_scan')) return new CommandProbe(hostRoot ?? '/');
  return new NullProbe();
}

/** The demo's simulated cards: an E1 span and an analog card with FXS and FXO ports. */
export function demoHostRoot(): string | undefined {
  const dir = join(projectRoot(), 'tests', 'fixtures', 'host-root', 'lab');
  return existsSync(join(dir, FIXTURE_MARKER)) ? dir : undefined;
}
