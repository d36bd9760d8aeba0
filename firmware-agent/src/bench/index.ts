import { parseArgs } from 'node:util';
import { runAmiBench } from './ami-bench.js';

export async function runBench(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false }, calls: { type: 'string' } }, strict: true });
  if (name !== 'ami') {
    process.stderr.write(`seatbox bench: unknown benchmark "${name ?? ''}" (available: ami)\n`);
    return 2;
  }
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
