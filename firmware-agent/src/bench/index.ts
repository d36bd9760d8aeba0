// `seatbox bench <name> [options]`: each benchmark parses its own options and prints JSON
// with --json. Benchmarks measure; tests never assert on their timings.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAmiBench } from './ami-bench.js';

export interface BenchEntry {
  /** One line for `seatbox bench` without a name. */
  summary: string;
  run(args: string[]): Promise<number>;
}

async function amiBench(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, calls: { type: 'string' } }, strict: true });
  const result = await runAmiBench({ calls: values.calls ? Number(values.calls) : undefined });
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `AMI pipeline: ${result.eventsPerSecond.toLocaleString('en')} events/s end to end (parser + call model + SQLite)\n` +
        `asterisk-manager baseline: ${result.baselineEventsPerSecond.toLocaleString('en')} events/s (parse only, over TCP)\n`,
    );
  }
  return 0;
}

// One entry per benchmark; modules add theirs here (lazy imports keep `seatbox` start-up fast).
export const BENCHES: Record<string, BenchEntry> = {
  ami: { summary: 'AMI parser + call model + SQLite throughput', run: amiBench },
  capacity: {
    summary: '48 recorded calls + 8 IVR callers + 4 faxes on the real Asterisk',
    run: async (args) => (await import('./capacity-bench.js')).runCapacityBenchCli(args),
  },
  'leads-import': {
    summary: 'check + import of a generated 110,000-row messy GBK lead file into SQLite',
    run: async (args) => (await import('../leads/import/bench.js')).runLeadsImportBenchCli(args),
  },
  dialer: {
    summary: 'predictive dialer simulator: progressive vs vicidial-adaptive vs predictive (--scenario FILE)',
    run: async (args) => (await import('../dialer/bench.js')).runDialerBenchCli(args),
  },
  // Not in `bench all`: the first run generates a year of data (minutes, ~GBs, cached outside the repo).
  reports: {
    summary: 'KPI reports over one year of generated data (1.5 M calls, ~20 M agent states; cached data set)',
    run: async (args) => (await import('../reports/bench.js')).runReportsBenchCli(args),
  },
};

/** The `seatbox` launcher (firmware-agent/bin/seatbox.js), which runs dist/firmware-agent/cli.js's main(). */
export const SEATBOX_LAUNCHER = fileURLToPath(new URL('../../../firmware-agent/bin/seatbox.js', import.meta.url));

// `seatbox bench all --json` (npm run bench): every benchmark in its own process (one cannot
// skew another's memory or CPU figures), one JSON document out.
const ALL: Array<{ name: string; args: string[] }> = [
  { name: 'ami', args: [] },
  { name: 'leads-import', args: [] },
  { name: 'dialer', args: ['--scenario', fileURLToPath(new URL('../../../tests/dialer-sweep/reference.json', import.meta.url))] },
  { name: 'capacity', args: [] },
];

async function allBenches(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true });
  const out: Record<string, unknown> = {};
  let failed = 0;
  for (const b of ALL) {
    process.stderr.write(`[bench all] ${b.name} …\n`);
    const res = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [SEATBOX_LAUNCHER, 'bench', b.name, ...b.args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    try {
      out[b.name] = JSON.parse(res.stdout);
    } catch {
      out[b.name] = { error: `exit ${res.code}, no JSON output` };
    }
    if (res.code !== 0) failed++;
  }
  process.stdout.write(values.json ? `${JSON.stringify(out, null, 2)}\n` : `${JSON.stringify(out)}\n`);
  return failed ? 1 : 0;
}
BENCHES['all'] = { summary: 'every benchmark above, each in its own process, one JSON document', run: allBenches };

export async function runBench(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const entry = name ? BENCHES[name] : undefined;
  if (!entry) {
    const list = Object.entries(BENCHES).map(([n, e]) => `  ${n.padEnd(14)} ${e.summary}`).join('\n');
    process.stderr.write(`seatbox bench: ${name ? `unknown benchmark "${name}"` : 'which benchmark?'}\navailable:\n${list}\n`);
    return 2;
  }
  try {
    return await entry.run(rest);
  } catch (err) {
    process.stderr.write(`seatbox bench ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
