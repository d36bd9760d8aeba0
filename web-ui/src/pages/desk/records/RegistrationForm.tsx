// The campaign's configurable registration / order form (settings.registrationForm), rendered
// field by field; the server validates and names each problem by path (values.<key>), shown
// under its field.
import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../../../components/Alert.js';
import { describeError } from '../../../errors.js';
import { useI18n } from '../../../i18n/index.js';
import { FieldErrors, recordsApi, type FormField } from './records-api.js';
import './records.css';

type Values = Record<string, string | boolean>;

export function RegistrationForm(props: { campaignId: number; leadId: number; linkedid: string | null; onSaved?: (id: number) => void }) {
  const { t, lang } = useI18n();
  const [fields, setFields] = useState<FormField[] | null>(null);
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<number | null>(null);

  useEffect(() => {
    setFields(null);
    setValues({});
    setErrors({});
    setSaved(null);
    recordsApi.form(props.campaignId).then(
      (r) => setFields(r.fields),
      (e) => setErr(describeError(t, e)),
    );
  }, [props.campaignId, props.leadId]);

  const label = (x: { labelZh: string; labelEn: string }) => (lang === 'zh-CN' ? x.labelZh : x.labelEn);
  const set = (k: string, v: string | boolean) => setValues((cur) => ({ ...cur, [k]: v }));

  const save = async (e: Event) => {
    e.preventDefault();
    if (!fields) return;
    setBusy(true);
    setErr(null);
    setErrors({});
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = values[f.key];
      if (f.type === 'checkbox') out[f.key] = v === true;
      else if (typeof v === 'string' && v.trim() !== '') out[f.key] = v;
    }
    try {
      const r = await recordsApi.register({ campaignId: props.campaignId, leadId: props.leadId, linkedid: props.linkedid, values: out });
      setSaved(r.id);
      setValues({});
      props.onSaved?.(r.id);
    } catch (x) {
      if (x instanceof FieldErrors) {
        setErrors(Object.fromEntries(x.issues.map((i) => [i.path.replace(/^values\./, ''), i.message])));
        setErr(t('records.reg.invalid'));
      } else setErr(describeError(t, x));
    } finally {
      setBusy(false);
    }
  };

  if (!fields) return err ? <Alert kind="error">{err}</Alert> : null;
  if (!fields.length) return <p class="muted">{t('records.reg.none')}</p>;
  return (
    <form class="rec-reg" onSubmit={(e) => void save(e)} data-testid="registration-form" noValidate>
      <div class="rec-title">{t('records.reg.title')}</div>
      {fields.map((f) => {
        const id = `reg-${f.key}`;
        const v = values[f.key];
        const bad = errors[f.key];
        const common = { id, 'aria-invalid': bad ? ('true' as const) : undefined, 'data-testid': `reg-${f.key}` };
        let input;
        if (f.type === 'select') {
          input = (
            <select {...common} value={typeof v === 'string' ? v : ''} onChange={(e) => set(f.key, (e.target as HTMLSelectElement).value)}>
              <option value="">{t('records.reg.choose')}</option>
              {(f.options ?? []).map((o) => (
                <option key={o.value} value={o.value}>
                  {label(o)}
                </option>
              ))}
            </select>
          );
        } else if (f.type === 'textarea') {
          input = <textarea {...common} rows={2} maxLength={f.maxLength ?? 2000} value={typeof v === 'string' ? v : ''} onInput={(e) => set(f.key, (e.target as HTMLTextAreaElement).value)} />;
        } else if (f.type === 'checkbox') {
          input = <input {...common} type="checkbox" checked={v === true} onChange={(e) => set(f.key, (e.target as HTMLInputElement).checked)} />;
        } else {
          const type = f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : f.type === 'phone' ? 'tel' : 'text';
          input = (
            <input
              {...common}
              type={type}
              value={typeof v === 'string' ? v : ''}
              onInput={(e) => set(f.key, (e.target as HTMLInputElement).value)}
              {...(f.type === 'number' ? { min: f.min, max: f.max } : {})}
              {...(f.type === 'text' ? { maxLength: f.maxLength ?? 200 } : {})}
              autocomplete="off"
            />
          );
        }
        return (
          <div class={`field rec-field${f.type === 'checkbox' ? ' rec-check' : ''}`} key={f.key}>
            <label for={id}>
              {label(f)}
              {f.required && <span class="rec-req"> *</span>}
            </label>
            {input}
            {bad && (
              <span class="field-error" data-testid={`reg-error-${f.key}`}>
                {bad}
              </span>
            )}
          </div>
        );
      })}
      {err && <Alert kind="error">{err}</Alert>}
      {saved !== null && (
        <Alert kind="success" testId="registration-saved">
          {t('records.reg.saved', { id: saved })}
        </Alert>
      )}
      <button type="submit" class="btn btn-primary" disabled={busy} data-testid="registration-save">
        {busy ? t('records.reg.saving') : t('records.reg.save')}
      </button>
    </form>
  );
}
