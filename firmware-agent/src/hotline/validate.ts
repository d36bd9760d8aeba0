// Validation of the hotline documents beyond their JSON schema: references, dead ends and
// loops. A "loop" is a cycle of menus a caller who presses nothing (or only wrong keys) goes
// round forever — fallbacks chain back to a menu already passed; "back to the main menu"
// options are fine because they need a key press. Every issue names the editor item (path)
// so the UI can show it next to the field.
import { Value } from '@sinclair/typebox/value';
import { IvrDocSchema, QueuesDocSchema, type Destination, type IvrDoc, type QueuesDoc } from './types.js';

export interface HotlineIssue {
  /** Editor path, e.g. `menus[1].onFail`, `queues[0].overflow.seats[2]`. */
  path: string;
  code: 'schema' | 'duplicate' | 'unknown_target' | 'loop' | 'dead_end' | 'unreachable' | 'hours';
  message: string;
}

export class HotlineValidationError extends Error {
  constructor(readonly issues: HotlineIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'HotlineValidationError';
  }
}

export interface HotlineContext {
  seats: ReadonlySet<string>;
  prompts: ReadonlySet<string>;
  queues: ReadonlySet<string>;
}

function schemaIssues(schema: Parameters<typeof Value.Errors>[0], doc: unknown): HotlineIssue[] {
  return [...Value.Errors(schema, doc)].slice(0, 20).map((e) => ({
    path: e.path.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.') || '(document)',
    code: 'schema' as const,
    message: e.message,
  }));
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function checkDest(dest: Destination, path: string, doc: IvrDoc, ctx: HotlineContext, out: HotlineIssue[]): void {
  const t = dest.target ?? '';
  switch (dest.kind) {
    case 'menu':
      if (!doc.menus.some((m) => m.id === t)) out.push({ path, code: 'unknown_target', message: t ? `no menu "${t}"` : 'choose a menu' });
      break;
    case 'queue':
    case 'callback':
      if (!ctx.queues.has(t)) out.push({ path, code: 'unknown_target', message: t ? `no queue "${t}"` : 'choose a queue' });
      break;
    case 'seat':
      if (!ctx.seats.has(t)) out.push({ path, code: 'unknown_target', message: t ? `no seat ${t}` : 'choose a seat' });
      break;
    default:
      if (dest.target !== undefined && dest.target !== '') out.push({ path, code: 'schema', message: `a ${dest.kind} destination has no target` });
      break;
  }
}

export function validateIvr(input: unknown, ctx: HotlineContext): { ok: true; doc: IvrDoc } | { ok: false; issues: HotlineIssue[] } {
  if (!Value.Check(IvrDocSchema, input)) return { ok: false, issues: schemaIssues(IvrDocSchema, input) };
  const doc = input;
  const out: HotlineIssue[] = [];
  const ids = new Map<string, number>();
  doc.menus.forEach((m, i) => {
    if (ids.has(m.id)) out.push({ path: `menus[${i}].id`, code: 'duplicate', message: `menu id "${m.id}" is used twice` });
    ids.set(m.id, i);
  });
  if (!ids.has(doc.entryMenu)) out.push({ path: 'entryMenu', code: 'unknown_target', message: `no menu "${doc.entryMenu}"` });
  const prompt = (p: string | null, path: string) => {
    if (p !== null && !ctx.prompts.has(p)) out.push({ path, code: 'unknown_target', message: `no prompt "${p}"` });
  };
  doc.menus.forEach((m, i) => {
    prompt(m.prompt, `menus[${i}].prompt`);
    prompt(m.invalidPrompt, `menus[${i}].invalidPrompt`);
    if (m.options.length === 0) out.push({ path: `menus[${i}].options`, code: 'dead_end', message: `menu "${m.name}" has no options: callers can only time out` });
    const digits = new Set<string>();
    m.options.forEach((o, j) => {
      if (digits.has(o.digit)) out.push({ path: `menus[${i}].options[${j}].digit`, code: 'duplicate', message: `key ${o.digit} is used twice in menu "${m.name}"` });
      digits.add(o.digit);
      checkDest(o.destination, `menus[${i}].options[${j}].destination`, doc, ctx, out);
      if (o.destination.kind === 'menu' && o.destination.target === m.id) out.push({ path: `menus[${i}].options[${j}].destination`, code: 'loop', message: `key ${o.digit} of menu "${m.name}" leads back to the same menu` });
    });
    checkDest(m.fallback, `menus[${i}].fallback`, doc, ctx, out);
  });
  // Loops without input: follow onFail from every menu.
  const reported = new Set<string>();
  for (const start of doc.menus) {
    const seen: string[] = [];
    let cur: string | undefined = start.id;
    while (cur !== undefined && ids.has(cur)) {
      if (seen.includes(cur)) {
        const cycle = seen.slice(seen.indexOf(cur));
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const names = [...cycle, cur].map((id) => `"${doc.menus[ids.get(id)!]!.name}"`).join(' → ');
          out.push({ path: `menus[${ids.get(cycle[cycle.length - 1]!)}].fallback`, code: 'loop', message: `loop: a caller who presses nothing goes round ${names} forever; end it in a queue, seat, voicemail, callback or hangup` });
        }
        break;
      }
      seen.push(cur);
      const m: IvrDoc['menus'][number] = doc.menus[ids.get(cur)!]!;
      cur = m.fallback.kind === 'menu' ? m.fallback.target : undefined;
    }
  }
  // Unreachable menus (dead configuration).
  const reach = new Set<string>();
  const stack = [doc.entryMenu];
  while (stack.length) {
    const id = stack.pop()!;
    if (reach.has(id) || !ids.has(id)) continue;
    reach.add(id);
    const m = doc.menus[ids.get(id)!]!;
    for (const d of [...m.options.map((o) => o.destination), m.fallback]) if (d.kind === 'menu' && d.target) stack.push(d.target);
  }
  if (doc.hours.closedDestination.kind === 'menu' && doc.hours.closedDestination.target) stack.push(doc.hours.closedDestination.target);
  while (stack.length) {
    const id = stack.pop()!;
    if (reach.has(id) || !ids.has(id)) continue;
    reach.add(id);
    const m = doc.menus[ids.get(id)!]!;
    for (const d of [...m.options.map((o) => o.destination), m.fallback]) if (d.kind === 'menu' && d.target) stack.push(d.target);
  }
  doc.menus.forEach((m, i) => {
    if (!reach.has(m.id)) out.push({ path: `menus[${i}]`, code: 'unreachable', message: `menu "${m.name}" cannot be reached from the entry menu` });
  });
  // Business hours.
  const h = doc.hours;
  h.weekly.forEach((w, i) => {
    if (minutes(w.close) <= minutes(w.open)) out.push({ path: `hours.weekly[${i}].close`, code: 'hours', message: `closes (${w.close}) before it opens (${w.open})` });
  });
  if (minutes(h.makeupHours.close) <= minutes(h.makeupHours.open)) out.push({ path: 'hours.makeupHours.close', code: 'hours', message: `closes (${h.makeupHours.close}) before it opens (${h.makeupHours.open})` });
  const dates = new Map<string, string>();
  (['holidays', 'makeupWorkdays'] as const).forEach((list) =>
    h[list].forEach((c, i) => {
      const d = new Date(`${c.date}T00:00:00Z`);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== c.date) out.push({ path: `hours.${list}[${i}].date`, code: 'hours', message: `not a calendar date: ${c.date}` });
      if (dates.has(c.date)) out.push({ path: `hours.${list}[${i}].date`, code: 'duplicate', message: `${c.date} is already listed (${dates.get(c.date)})` });
      dates.set(c.date, c.name);
    }),
  );
  if (h.closedDestination.kind === 'menu' && h.closedDestination.target === doc.entryMenu && doc.useBusinessHours)
    out.push({ path: 'hours.closedDestination', code: 'loop', message: 'out of hours the caller would be sent back to the entry menu' });
  checkDest(h.closedDestination, 'hours.closedDestination', doc, ctx, out);
  prompt(h.closedPrompt, 'hours.closedPrompt');
  return out.length ? { ok: false, issues: out } : { ok: true, doc };
}

export function validateQueues(input: unknown, ctx: Omit<HotlineContext, 'queues'>): { ok: true; doc: QueuesDoc } | { ok: false; issues: HotlineIssue[] } {
  if (!Value.Check(QueuesDocSchema, input)) return { ok: false, issues: schemaIssues(QueuesDocSchema, input) };
  const doc = input;
  const out: HotlineIssue[] = [];
  const names = new Set<string>();
  doc.queues.forEach((q, i) => {
    if (names.has(q.name)) out.push({ path: `queues[${i}].name`, code: 'duplicate', message: `queue "${q.name}" exists twice` });
    names.add(q.name);
    const members = new Set<string>();
    q.members.forEach((m, j) => {
      if (!ctx.seats.has(m.seat)) out.push({ path: `queues[${i}].members[${j}].seat`, code: 'unknown_target', message: `no seat ${m.seat}` });
      if (members.has(m.seat)) out.push({ path: `queues[${i}].members[${j}].seat`, code: 'duplicate', message: `seat ${m.seat} is a member twice` });
      members.add(m.seat);
    });
    q.overflow.seats.forEach((s, j) => {
      if (!ctx.seats.has(s)) out.push({ path: `queues[${i}].overflow.seats[${j}]`, code: 'unknown_target', message: `no seat ${s}` });
    });
    if (q.members.length === 0 && q.overflow.seats.length === 0) out.push({ path: `queues[${i}].members`, code: 'dead_end', message: `queue "${q.label}" has no members and no overflow seats: nobody can answer` });
  });
  return out.length ? { ok: false, issues: out } : { ok: true, doc };
}

/** Is the hotline open at `at` (Asia/Shanghai, UTC+8 without DST)? */
export function isOpen(hours: IvrDoc['hours'], at: Date): boolean {
  const local = new Date(at.getTime() + 8 * 3600_000);
  const date = local.toISOString().slice(0, 10);
  const m = local.getUTCHours() * 60 + local.getUTCMinutes();
  if (hours.holidays.some((c) => c.date === date)) return false;
  if (hours.makeupWorkdays.some((c) => c.date === date)) return m >= minutes(hours.makeupHours.open) && m < minutes(hours.makeupHours.close);
  const dow = ((local.getUTCDay() + 6) % 7) + 1;
  return hours.weekly.some((w) => w.days.includes(dow) && m >= minutes(w.open) && m < minutes(w.close));
}
