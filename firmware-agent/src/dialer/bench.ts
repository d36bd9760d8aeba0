// `seatbox bench dialer --scenario FILE [--json]`: the three policies on one scenario.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makePolicies } from './policies.js';
import { parseScenario, type Scenario } from './scenario.js';
import { CallStream, simulate, type SimResult } from './simulator.js';

export function runScenario(sc: Scenario): { results: SimResult[] } {
  const stream = new CallStream(sc);
  const results = makePolicies(sc).map((p) => simulate(sc, p, stream));
  return { results };
}

export function runDialerBench(args: { scenario?: string; json: boolean }): number {
  if (!args.scenario) {
    process.stderr.write('seatbox bench dialer: --scenario FILE is required\n');
    return 2;
  }
  let sc: Scenario;
  try {
    sc = parseScenario(readFileSync(args.scenario, 'utf8'), args.scenario);
  } catch (e) {
    process.stderr.write(`seatbox bench dialer: ${(e as Error).message}\n`);
    return 2;
  }
  const out = runScenario(sc);
  if (args.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else {
    for (const r of out.results) {
      process.stdout.write(
        `${r.policy.padEnd(18)} occupancy ${(r.talkOccupancy * 100).toFixed(1)} %  drop ${(r.dropRate * 100).toFixed(2)} %  ` +
          `worst window ${(r.worstWindowDropRate * 100).toFixed(2)} %  dials ${r.dials}  answers ${r.liveAnswers}  drops ${r.drops}\n`,
      );
    }
  }
  return 0;
}

export async function runDialerBenchCli(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, scenario: { type: 'string' } }, strict: true });
  return runDialerBench({ scenario: values.scenario, json: values.json ?? false });
}
