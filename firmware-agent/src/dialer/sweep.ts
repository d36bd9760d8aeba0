// The scenario sweep: every scenario file x every policy, as a table and an SVG scatter plot of
// talk occupancy against worst-window drop rate (used by scripts/dialer-sweep.ts and the test).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from './bench.js';
import { parseScenario, type Scenario } from './scenario.js';
import type { SimResult } from './simulator.js';

export interface SweepRow {
  file: string;
  scenario: Scenario;
  results: SimResult[];
}

export function runSweep(dir: string): SweepRow[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const scenario = parseScenario(readFileSync(join(dir, file), 'utf8'), join(dir, file));
    return { file, scenario, results: runScenario(scenario).results };
  });
}

const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)} %`;

export function sweepTable(rows: SweepRow[]): string {
  const lines = [
    '| scenario | policy | talk occupancy | drop rate | worst window | dials | live answers | drops |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    for (const x of r.results) {
      lines.push(
        `| ${r.file.replace(/\.json$/, '')} | ${x.policy} | ${pct(x.talkOccupancy)} | ${pct(x.dropRate, 2)} | ${pct(x.worstWindowDropRate, 2)} | ${x.dials} | ${x.liveAnswers} | ${x.drops} |`,
      );
    }
  }
  return lines.join('\n');
}

const COLORS: Record<string, string> = { progressive: '#6b7280', 'vicidial-adaptive': '#d97706', predictive: '#2563eb' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Scatter: x = worst-window drop rate, y = talk occupancy, one colour per policy, cap line. */
export function sweepSvg(rows: SweepRow[]): string {
  const W = 760;
  const H = 480;
  const m = { l: 70, r: 200, t: 40, b: 60 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xMax = 0.05;
  const yMin = 0.4;
  const yMax = 1;
  const X = (v: number) => m.l + (Math.min(v, xMax) / xMax) * pw;
  const Y = (v: number) => m.t + (1 - (Math.max(v, yMin) - yMin) / (yMax - yMin)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">Dialer sweep: talk occupancy vs worst 24-h window drop rate</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = (xMax * i) / 5;
    out.push(`<line x1="${X(v)}" y1="${m.t}" x2="${X(v)}" y2="${m.t + ph}" stroke="#eee"/>`);
    out.push(`<text x="${X(v)}" y="${m.t + ph + 18}" text-anchor="middle">${(v * 100).toFixed(0)} %</text>`);
  }
  for (let i = 0; i <= 6; i++) {
    const v = yMin + ((yMax - yMin) * i) / 6;
    out.push(`<line x1="${m.l}" y1="${Y(v)}" x2="${m.l + pw}" y2="${Y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 8}" y="${Y(v) + 4}" text-anchor="end">${(v * 100).toFixed(0)} %</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  const caps = [...new Set(rows.map((r) => r.scenario.dropCap))];
  for (const c of caps) {
    out.push(`<line x1="${X(c)}" y1="${m.t}" x2="${X(c)}" y2="${m.t + ph}" stroke="#dc2626" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${X(c) + 4}" y="${m.t + 14}" fill="#dc2626">cap ${(c * 100).toFixed(0)} %</text>`);
  }
  out.push(`<text x="${m.l + pw / 2}" y="${H - 15}" text-anchor="middle">worst-window drop rate (drops / live answers)</text>`);
  out.push(`<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">talk occupancy</text>`);
  rows.forEach((r, si) => {
    for (const x of r.results) {
      const cx = X(x.worstWindowDropRate);
      const cy = Y(x.talkOccupancy);
      const col = COLORS[x.policy] ?? '#000';
      out.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="${col}" fill-opacity="0.8"><title>${esc(r.file)} ${x.policy}: ${pct(x.talkOccupancy)}, ${pct(x.worstWindowDropRate, 2)}</title></circle>`);
      out.push(`<text x="${(cx + 7).toFixed(1)}" y="${(cy + 4).toFixed(1)}" font-size="9" fill="${col}">${si + 1}</text>`);
    }
  });
  let ly = m.t + 10;
  for (const [p, c] of Object.entries(COLORS)) {
    out.push(`<circle cx="${m.l + pw + 20}" cy="${ly}" r="5" fill="${c}"/><text x="${m.l + pw + 30}" y="${ly + 4}">${p}</text>`);
    ly += 18;
  }
  ly += 10;
  rows.forEach((r, si) => {
    out.push(`<text x="${m.l + pw + 14}" y="${ly}" font-size="10">${si + 1}: ${esc(r.file.replace(/\.json$/, ''))}</text>`);
    ly += 14;
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
