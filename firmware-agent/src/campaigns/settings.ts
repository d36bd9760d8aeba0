// One TypeBox document holds a campaign's calling rules (campaigns.settings_json): calling
// hours, retries, caps, dispositions, consent gate, caller ID/trunk, script, drop cap.
// validateSettings() fills defaults and names every problem by path and reason.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { IdentitySettings, RegistrationFormSettings, TargetSettings, defaultIdentity, defaultRegistrationForm, defaultTargets, deskSettingsIssues, fillFormDefaults } from '../desk/form-settings.js';

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: 'HH:MM local time' });
const Window = Type.Object({ from: HHMM, to: HHMM }, { additionalProperties: false });
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const RETRY_OUTCOMES = ['busy', 'no_answer', 'unreachable', 'failed', 'machine', 'dropped'] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];
const RetryRule = Type.Object(
  {
    afterMinutes: Type.Integer({ minimum: 1, maximum: 10080 }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 20 }),
  },
  { additionalProperties: false },
);

export const Disposition = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9_]{1,32}$' }),
    labelZh: Type.String({ minLength: 1, maxLength: 32 }),
    labelEn: Type.String({ minLength: 1, maxLength: 32 }),
    sale: Type.Boolean({ default: false }),
    contact: Type.Boolean({ default: false }),
    dnc: Type.Boolean({ default: false }),
    callback: Type.Boolean({ default: false }),
    final: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export type Disposition = Static<typeof Disposition>;

export const CampaignSettings = Type.Object(
  {
    hours: Type.Object(
      {
        timezone: Type.String({ minLength: 1, default: 'Asia/Shanghai' }),
        weekly: Type.Object(Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Array(Window, { maxItems: 4 })])) as Record<Weekday, ReturnType<typeof Type.Array<typeof Window>>>, {
          additionalProperties: false,
        }),
        holidays: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 366, default: [] }),
      },
      { additionalProperties: false },
    ),
    retries: Type.Object(Object.fromEntries(RETRY_OUTCOMES.map((o) => [o, RetryRule])) as Record<RetryOutcome, typeof RetryRule>, { additionalProperties: false }),
    /** Dial attempts of one number per local day. */
    dailyAttemptCap: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
    /** A non-final contact disposition (e.g. "no decision") is called again after this. */
    recontactAfterMinutes: Type.Integer({ minimum: 1, maximum: 43200, default: 1440 }),
    dispositions: Type.Array(Disposition, { minItems: 1, maxItems: 40 }),
    dnc: Type.Object({ refusalMonths: Type.Integer({ minimum: 1, maximum: 120, default: 6 }) }, { additionalProperties: false }),
    consentGate: Type.Boolean({ default: false }),
    callerId: Type.Union([Type.String({ pattern: '^[0-9]{3,20}$' }), Type.Null()], { default: null }),
    trunk: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], { default: null }),
    channelLimit: Type.Integer({ minimum: 1, maximum: 480, default: 30 }),
    script: Type.String({ maxLength: 20000, default: '' }),
    dropCapPercent: Type.Number({ minimum: 0, maximum: 100, default: 3 }),
    /** Desk records (desk/form-settings.ts): identity check, registration form, daily targets. */
    identity: IdentitySettings,
    registrationForm: RegistrationFormSettings,
    targets: TargetSettings,
  },
  { additionalProperties: false },
);
export type CampaignSettings = Static<typeof CampaignSettings>;

const day = (from = '09:00', to = '21:00') => [{ from, to }];

export function defaultSettings(): CampaignSettings {
  return {
    hours: { timezone: 'Asia/Shanghai', weekly: { mon: day(), tue: day(), wed: day(), thu: day(), fri: day(), sat: day(), sun: day() }, holidays: [] },
    retries: {
      busy: { afterMinutes: 30, maxAttempts: 3 },
      no_answer: { afterMinutes: 120, maxAttempts: 3 },
      unreachable: { afterMinutes: 240, maxAttempts: 2 },
      failed: { afterMinutes: 240, maxAttempts: 2 },
      machine: { afterMinutes: 240, maxAttempts: 2 },
      dropped: { afterMinutes: 60, maxAttempts: 3 },
    },
    dailyAttemptCap: 3,
    recontactAfterMinutes: 1440,
    dispositions: [
      { code: 'sale', labelZh: '成交', labelEn: 'Sale', sale: true, contact: true, dnc: false, callback: false, final: true },
      { code: 'registered', labelZh: '已登记', labelEn: 'Registered', sale: true, contact: true, dnc: false, callback: false, final: true },
      { code: 'callback', labelZh: '预约回访', labelEn: 'Call back', sale: false, contact: true, dnc: false, callback: true, final: false },
      { code: 'thinking', labelZh: '考虑中', labelEn: 'Undecided', sale: false, contact: true, dnc: false, callback: false, final: false },
      { code: 'not_interested', labelZh: '无意向', labelEn: 'Not interested', sale: false, contact: true, dnc: false, callback: false, final: true },
      { code: 'refused', labelZh: '拒绝并要求勿扰', labelEn: 'Refused, do not call', sale: false, contact: true, dnc: true, callback: false, final: true },
      { code: 'wrong_number', labelZh: '号码错误', labelEn: 'Wrong number', sale: false, contact: false, dnc: false, callback: false, final: true },
    ],
    dnc: { refusalMonths: 6 },
    consentGate: false,
    callerId: null,
    trunk: null,
    channelLimit: 30,
    script: '您好，请问是{{name}}吗？我是{{fields.company}}的客服……',
    dropCapPercent: 3,
    identity: defaultIdentity(),
    registrationForm: defaultRegistrationForm(),
    targets: defaultTargets(),
  };
}

export interface SettingsIssue {
  path: string;
  message: string;
}

export class CampaignSettingsError extends Error {
  constructor(readonly issues: SettingsIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of a partial document over the defaults (arrays replace). */
function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Validates a (partial) settings document over the defaults; throws CampaignSettingsError. */
export function validateSettings(input: unknown, base: CampaignSettings = defaultSettings()): CampaignSettings {
  if (input !== undefined && !isPlainObject(input)) throw new CampaignSettingsError([{ path: 'settings', message: 'must be an object' }]);
  const doc = merge(base, input ?? {});
  // Defaults of dispositions' flags (a disposition given without sale:false etc.).
  if (isPlainObject(doc) && Array.isArray(doc.dispositions)) {
    doc.dispositions = doc.dispositions.map((d) => (isPlainObject(d) ? { sale: false, contact: false, dnc: false, callback: false, final: false, ...d } : d));
  }
  if (isPlainObject(doc)) fillFormDefaults(doc);
  const issues: SettingsIssue[] = [];
  for (const e of Value.Errors(CampaignSettings, doc)) {
    const path = 'settings' + e.path.replace(/\//g, '.');
    if (!issues.some((i) => i.path === path)) issues.push({ path, message: e.message });
    if (issues.length >= 20) break;
  }
  if (issues.length) throw new CampaignSettingsError(issues);
  const s = doc as CampaignSettings;
  try {
    new Intl.DateTimeFormat('en', { timeZone: s.hours.timezone });
  } catch {
    issues.push({ path: 'settings.hours.timezone', message: `unknown time zone "${s.hours.timezone}"` });
  }
  for (const d of WEEKDAYS) {
    s.hours.weekly[d].forEach((w, i) => {
      if (minutes(w.to) <= minutes(w.from)) issues.push({ path: `settings.hours.weekly.${d}.${i}`, message: `window ends (${w.to}) before or when it starts (${w.from})` });
    });
  }
  const codes = new Set<string>();
  s.dispositions.forEach((d, i) => {
    if (codes.has(d.code)) issues.push({ path: `settings.dispositions.${i}.code`, message: `duplicate disposition code "${d.code}"` });
    codes.add(d.code);
    if (d.callback && d.final) issues.push({ path: `settings.dispositions.${i}`, message: 'a callback disposition cannot be final' });
  });
  issues.push(...deskSettingsIssues(s));
  for (const p of scriptPlaceholders(s.script)) {
    if (!PLACEHOLDER.test(p)) issues.push({ path: 'settings.script', message: `unknown placeholder {{${p}}}: use {{name}}, {{phone}} or {{fields.<column>}}` });
  }
  if (issues.length) throw new CampaignSettingsError(issues);
  return s;
}

const PLACEHOLDER = /^(name|phone|extension|fields\.[\p{L}\p{N}_ -]{1,40})$/u;

function scriptPlaceholders(script: string): string[] {
  return [...script.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!);
}

export interface ScriptLead {
  name: string | null;
  phone: string | null;
  extension: string | null;
  fields: Record<string, unknown>;
}

/**
 * The script with a lead's values put in. Plain text: values are never interpreted (no
 * template code, no HTML — the UI shows it as text); a missing value is shown as 【?】 and listed.
 */
export function renderScript(script: string, lead: ScriptLead): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = script.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_m, key: string) => {
    let v: unknown;
    if (key === 'name') v = lead.name;
    else if (key === 'phone') v = lead.phone;
    else if (key === 'extension') v = lead.extension;
    else if (key.startsWith('fields.')) v = Object.prototype.hasOwnProperty.call(lead.fields, key.slice(7)) ? lead.fields[key.slice(7)] : undefined;
    if (v === undefined || v === null || v === '') {
      missing.push(key);
      return '【?】';
    }
    return String(v).slice(0, 200);
  });
  return { text, missing };
}
