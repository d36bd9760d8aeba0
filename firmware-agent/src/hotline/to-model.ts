// The stored hotline documents → the PBX model's hotline part (ivrs, businessHours, hotlines,
// queues with hotline options), with sources so model issues name the editor's items.
import type { Db } from '../db/database.js';
import { customPromptSound, type PbxHotlineDestination, type PbxModel, type PbxQueue } from '../pbx-config/model.js';
import type { ModelSource } from '../pbx-model/errors.js';
import { defaultQueues, type Destination, type IvrDoc, type MonitoringDoc, type QueuesDoc } from './types.js';

export const HOTLINE_ID = 'hotline';
/** Played when a menu has no prompt of its own (stock sound, one second of silence). */
export const NO_PROMPT_SOUND = 'silence/1';
/**
 * The satisfaction survey's prompt while the documents have no survey prompt of their own
 * (stock sound: a beep, then the caller keys 1-5).
 */
export const SURVEY_PROMPT_SOUND = 'beep';

export function readHotlineDocs(db: Db): { ivr: IvrDoc | null; queues: QueuesDoc | null; monitoring: MonitoringDoc | null } {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hotline_documents'").get()) return { ivr: null, queues: null, monitoring: null };
  const rows = db.prepare('SELECT kind, json FROM hotline_documents').all() as Array<{ kind: string; json: string }>;
  const get = (k: string) => {
    const r = rows.find((x) => x.kind === k);
    return r ? JSON.parse(r.json) : null;
  };
  return { ivr: get('ivr') as IvrDoc | null, queues: get('queues') as QueuesDoc | null, monitoring: get('monitoring') as MonitoringDoc | null };
}

const dest = (d: Destination): PbxHotlineDestination => (d.target ? { kind: d.kind, target: d.target } : { kind: d.kind });

/**
 * Adds the hotline to `model` (in place). Nothing when no IVR or queue was ever saved (a box
 * without a hotline keeps its old configuration).
 */
export function addHotlineToModel(db: Db, model: PbxModel, sources: ModelSource[]): void {
  const { ivr, queues: storedQueues, monitoring } = readHotlineDocs(db);
  if (monitoring) {
    sources.push({ path: 'monitoring', label: 'monitoring' });
    model.monitoring = { enabled: monitoring.supervisorSeats.length > 0, supervisorSeats: [...monitoring.supervisorSeats] };
  }
  if (!ivr && !storedQueues) return;
  const sound = (p: string | null): string | undefined => (p === null ? undefined : customPromptSound(model.paths.varlib, p));
  const queues = storedQueues ?? defaultQueues();
  const sipSeats = new Set(model.endpoints.map((e) => e.id));
  const out: PbxQueue[] = model.queues.filter((q) => !queues.queues.some((h) => h.name === q.name));
  for (const q of queues.queues) {
    sources.push({ path: `queues[${out.length}]`, label: `queue "${q.label}"`, fields: { timeout: 'ringTimeoutSeconds', musicClass: 'moh', 'overflow.seats': 'overflow.seats', members: 'members' } });
    out.push({
      name: q.name,
      strategy: q.strategy,
      timeout: q.ringTimeoutSeconds,
      retry: 5,
      wrapupSeconds: 0,
      maxLength: 0,
      members: q.members.filter((m) => sipSeats.has(m.seat)).map((m) => ({ endpoint: m.seat, penalty: m.penalty })),
      musicClass: q.moh,
      announcePosition: q.announcePosition,
      announceHoldtime: q.announceHoldtime,
      announceFrequency: q.announceFrequency,
      maxWaitSeconds: q.maxWaitSeconds,
      overflow: { whenNoAgentFree: q.overflow.whenNoAgentFree, seats: q.overflow.seats, thenAfterSeconds: q.overflow.thenAfterSeconds, final: q.overflow.final },
      survey: q.survey,
    });
  }
  model.queues = out;
  // A hotline queue with the survey on needs the model's survey (otherwise the model refuses
  // the queue: "the satisfaction survey (survey) is not enabled").
  if (!model.survey?.enabled && queues.queues.some((q) => q.survey)) {
    sources.push({ path: 'survey', label: 'satisfaction survey' });
    model.survey = { enabled: true, prompt: SURVEY_PROMPT_SOUND, timeoutSeconds: 5 };
  }
  if (!ivr) return;
  const ivrIndex = model.ivrs?.length ?? 0;
  ivr.menus.forEach((m, j) => sources.push({ path: `ivrs[${ivrIndex}].menus[${j}]`, label: `menu "${m.name}"` }));
  sources.push({ path: `ivrs[${ivrIndex}]`, label: 'IVR' });
  model.ivrs = [
    ...(model.ivrs ?? []),
    {
      id: HOTLINE_ID,
      entryMenu: ivr.entryMenu,
      menus: ivr.menus.map((m) => {
        const menu: NonNullable<PbxModel['ivrs']>[number]['menus'][number] = {
          id: m.id,
          prompt: sound(m.prompt) ?? NO_PROMPT_SOUND,
          options: m.options.map((o) => ({ digit: o.digit, destination: dest(o.destination) })),
          timeoutSeconds: m.timeoutSeconds,
          maxRetries: m.maxRetries,
          fallback: dest(m.fallback),
        };
        const inv = sound(m.invalidPrompt);
        if (inv) menu.invalidPrompt = inv;
        return menu;
      }),
    },
  ];
  const h = ivr.hours;
  sources.push({ path: 'businessHours', label: 'business hours' });
  model.businessHours = {
    timeZone: 'Asia/Shanghai',
    weekly: h.weekly.map((w) => ({ days: [...w.days], open: w.open, close: w.close })),
    holidays: h.holidays.map((d) => d.date),
    makeupWorkdays: h.makeupWorkdays.map((d) => d.date),
    makeupHours: { ...h.makeupHours },
    closedDestination: dest(h.closedDestination),
    ...(h.closedPrompt ? { closedPrompt: customPromptSound(model.paths.varlib, h.closedPrompt) } : {}),
  };
  const hotIndex = model.hotlines?.length ?? 0;
  sources.push({ path: `hotlines[${hotIndex}]`, label: 'hotline', fields: { dids: 'did', maxConcurrent: 'maxConcurrent' } });
  model.hotlines = [...(model.hotlines ?? []), { id: HOTLINE_ID, dids: [ivr.did], ivr: HOTLINE_ID, maxConcurrent: ivr.maxConcurrent, faxDetect: ivr.faxDetect, useBusinessHours: ivr.useBusinessHours }];
}
