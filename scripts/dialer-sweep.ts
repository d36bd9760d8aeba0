// Runs the dialer scenario sweep (tests/dialer-sweep/*.json), prints the table (Markdown) and
// writes docs/dialer-sweep.svg atomically. Usage: npx tsx scripts/dialer-sweep.ts
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSweep, sweepSvg, sweepTable } from '../firmware-agent/src/dialer/sweep.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rows = runSweep(join(root, 'tests', 'dialer-sweep'));
process.stdout.write(`${sweepTable(rows)}\n`);
const target = join(root, 'docs', 'dialer-sweep.svg');
writeFileSync(`${target}.tmp`, sweepSvg(rows));
renameSync(`${target}.tmp`, target);
process.stdout.write(`wrote ${target}\n`);
