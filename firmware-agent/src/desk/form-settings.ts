// The desk records' parts of a campaign's settings document (campaigns/settings.ts embeds them):
// identity check (which lead fields stay hidden until the caller is verified), the configurable
// registration / order form (注册) and the agents' daily targets (read by the desk core's
// personal statistics). Kept here so the desk records own their rules; no imports from
// campaigns/ (settings.ts imports this file).
import { Type, type Static } from '@sinclair/typebox';

const NInt = (max: number) => Type.Union([Type.Integer({ minimum: 0, maximum: max }), Type.Null()], { default: null });

export const IdentitySettings = Type.Object(
  {
    /** Lead field names withheld from the agent until the caller's identity is verified. */
    sensitiveFields: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 40, default: ['id_number', 'address'] }),
    /** The lead field holding the resident ID number the caller must state. */
    idField: Type.String({ minLength: 1, maxLength: 64, default: 'id_number' }),
    /** Misses per call before the check locks for that call. */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
  },
  { additionalProperties: false },
);
export type IdentitySettings = Static<typeof IdentitySettings>;

export const FORM_FIELD_TYPES = ['text', 'number', 'phone', 'id_number', 'date', 'select', 'textarea', 'checkbox'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

export const FormOption = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 64 }),
    labelZh: Type.String({ minLength: 1, maxLength: 64 }),
    labelEn: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const FormField = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
    labelZh: Type.String({ minLength: 1, maxLength: 64 }),
    labelEn: Type.String({ minLength: 1, maxLength: 64 }),
    type: Type.Union(FORM_FIELD_TYPES.map((t) => Type.Literal(t))),
    required: Type.Boolean({ default: false }),
    options: Type.Optional(Type.Array(FormOption, { maxItems: 100 })),
    /** number: smallest / largest value */
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    /** text / textarea: most characters (default 200 / 2000) */
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
);
export type FormField = Static<typeof FormField>;

export const RegistrationFormSettings = Type.Object({ fields: Type.Array(FormField, { maxItems: 60 }) }, { additionalProperties: false });
export type RegistrationFormSettings = Static<typeof RegistrationFormSettings>;

export const TargetSettings = Type.Object(
  {
    callsPerDay: NInt(10000),
    contactsPerDay: NInt(10000),
    salesPerDay: NInt(10000),
    talkMinutesPerDay: NInt(1440),
  },
  { additionalProperties: false },
);
export type TargetSettings = Static<typeof TargetSettings>;

export function defaultIdentity(): IdentitySettings {
  return { sensitiveFields: ['id_number', 'address'], idField: 'id_number', maxAttempts: 3 };
}

/** A sensible order form: product, quantity, delivery address, contact phone, note. */
export function defaultRegistrationForm(): RegistrationFormSettings {
  return {
    fields: [
      {
        key: 'product',
        labelZh: '产品',
        labelEn: 'Product',
        type: 'select',
        required: true,
        options: [
          { value: 'basic', labelZh: '基础套餐', labelEn: 'Basic plan' },
          { value: 'standard', labelZh: '标准套餐', labelEn: 'Standard plan' },
          { value: 'premium', labelZh: '尊享套餐', labelEn: 'Premium plan' },
        ],
      },
      { key: 'quantity', labelZh: '数量', labelEn: 'Quantity', type: 'number', required: true, min: 1, max: 99 },
      { key: 'delivery_address', labelZh: '收货地址', labelEn: 'Delivery address', type: 'textarea', required: true, maxLength: 200 },
      { key: 'contact_phone', labelZh: '联系电话', labelEn: 'Contact phone', type: 'phone', required: true },
      { key: 'note', labelZh: '备注', labelEn: 'Note', type: 'textarea', required: false, maxLength: 500 },
    ],
  };
}

export function defaultTargets(): TargetSettings {
  return { callsPerDay: null, contactsPerDay: null, salesPerDay: null, talkMinutesPerDay: null };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fills per-field defaults of a given form (arrays replace the defaults wholesale when merged). */
export function fillFormDefaults(doc: Record<string, unknown>): void {
  const form = doc.registrationForm;
  if (isPlainObject(form) && Array.isArray(form.fields)) {
    form.fields = form.fields.map((f) => (isPlainObject(f) ? { required: false, ...f } : f));
  }
}

/** Rules TypeBox cannot say: unique keys, options of selects, min ≤ max, known id field. */
export function deskSettingsIssues(s: { identity: IdentitySettings; registrationForm: RegistrationFormSettings }): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const keys = new Set<string>();
  s.registrationForm.fields.forEach((f, i) => {
    const p = `settings.registrationForm.fields.${i}`;
    if (keys.has(f.key)) issues.push({ path: `${p}.key`, message: `duplicate field key "${f.key}"` });
    keys.add(f.key);
    if (f.type === 'select') {
      if (!f.options?.length) issues.push({ path: `${p}.options`, message: 'a select field needs at least one option' });
      const vals = new Set<string>();
      f.options?.forEach((o, j) => {
        if (vals.has(o.value)) issues.push({ path: `${p}.options.${j}.value`, message: `duplicate option "${o.value}"` });
        vals.add(o.value);
      });
    } else if (f.options?.length) issues.push({ path: `${p}.options`, message: `only select fields have options (this one is ${f.type})` });
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) issues.push({ path: `${p}.min`, message: `min (${f.min}) is greater than max (${f.max})` });
    if ((f.min !== undefined || f.max !== undefined) && f.type !== 'number') issues.push({ path: `${p}.min`, message: `min/max apply to number fields only (this one is ${f.type})` });
  });
  const seen = new Set<string>();
  s.identity.sensitiveFields.forEach((f, i) => {
    if (seen.has(f)) issues.push({ path: `settings.identity.sensitiveFields.${i}`, message: `duplicate field "${f}"` });
    seen.add(f);
  });
  return issues;
}
