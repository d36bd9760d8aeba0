// The desk parts of a campaign's settings editor (Outbound → Campaigns): identity check
// (sensitive fields, ID field, attempts), the registration / order form (fields, types,
// options, limits) and the agents' daily targets. Embedded in CampaignsPage's SettingsEditor;
// the server validates and names problems by path (settings.registrationForm.fields.2.key …).
import type { CampaignSettings } from '../../../../../firmware-agent/src/campaigns/settings.js';
import { FORM_FIELD_TYPES, type FormField } from '../../../../../firmware-agent/src/desk/form-settings.js';
import { useI18n, type MessageKey } from '../../../i18n/index.js';
import './records.css';

type Up = (fn: (d: CampaignSettings) => void) => void;
const val = (e: Event) => (e.target as HTMLInputElement).value;
const optNum = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));
const TARGETS = ['callsPerDay', 'contactsPerDay', 'salesPerDay', 'talkMinutesPerDay'] as const;

/** Options as lines "value | 中文 | English". */
function optionsText(f: FormField): string {
  return (f.options ?? []).map((o) => `${o.value} | ${o.labelZh} | ${o.labelEn}`).join('\n');
}
function parseOptions(text: string): FormField['options'] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [value = '', zh, en] = l.split('|').map((x) => x.trim());
      return { value, labelZh: zh || value, labelEn: en || zh || value };
    });
}

export function DeskSettingsSections({ s, up }: { s: CampaignSettings; up: Up }) {
  const { t } = useI18n();
  const fields = s.registrationForm.fields;
  const setField = (i: number, fn: (f: FormField) => void) => up((d) => fn(d.registrationForm.fields[i]!));
  return (
    <div data-testid="desk-settings">
      <h3 class="ob-h3">{t('records.settings.identity')}</h3>
      <p class="field-hint">{t('records.settings.identityHint')}</p>
      <div class="ob-grid">
        <label>
          {t('records.settings.sensitiveFields')}
          <input
            value={s.identity.sensitiveFields.join(', ')}
            onInput={(e) =>
              up((d) => {
                d.identity.sensitiveFields = val(e)
                  .split(/[,，\s]+/)
                  .map((x) => x.trim())
                  .filter(Boolean);
              })
            }
            data-testid="settings-sensitive-fields"
          />
        </label>
        <label>
          {t('records.settings.idField')}
          <input value={s.identity.idField} onInput={(e) => up((d) => void (d.identity.idField = val(e)))} data-testid="settings-id-field" />
        </label>
        <label>
          {t('records.settings.maxAttempts')}
          <input type="number" min={1} max={10} value={s.identity.maxAttempts} onInput={(e) => up((d) => void (d.identity.maxAttempts = Number(val(e))))} data-testid="settings-max-attempts" />
        </label>
      </div>

      <h3 class="ob-h3">{t('records.settings.targets')}</h3>
      <div class="ob-grid">
        {TARGETS.map((k) => (
          <label key={k}>
            {t(`records.settings.target.${k}` as MessageKey)}
            <input
              type="number"
              min={0}
              value={s.targets[k] ?? ''}
              placeholder={t('records.settings.noTarget')}
              onInput={(e) => up((d) => void (d.targets[k] = val(e).trim() === '' ? null : Number(val(e))))}
              data-testid={`settings-target-${k}`}
            />
          </label>
        ))}
      </div>

      <h3 class="ob-h3">{t('records.settings.form')}</h3>
      <p class="field-hint">{t('records.settings.formHint')}</p>
      <table class="table" data-testid="settings-form-fields">
        <thead>
          <tr>
            <th>{t('records.settings.key')}</th>
            <th>{t('records.settings.labelZh')}</th>
            <th>{t('records.settings.labelEn')}</th>
            <th>{t('records.settings.type')}</th>
            <th>{t('records.settings.required')}</th>
            <th>{t('records.settings.limits')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {fields.map((f, i) => (
            <tr key={i}>
              <td>
                <input value={f.key} size={12} onInput={(e) => setField(i, (x) => void (x.key = val(e)))} aria-label={t('records.settings.key')} data-testid={`form-field-key-${i}`} />
              </td>
              <td>
                <input value={f.labelZh} size={10} onInput={(e) => setField(i, (x) => void (x.labelZh = val(e)))} aria-label={t('records.settings.labelZh')} />
              </td>
              <td>
                <input value={f.labelEn} size={12} onInput={(e) => setField(i, (x) => void (x.labelEn = val(e)))} aria-label={t('records.settings.labelEn')} />
              </td>
              <td>
                <select
                  value={f.type}
                  onChange={(e) =>
                    setField(i, (x) => {
                      x.type = val(e) as FormField['type'];
                      if (x.type === 'select') x.options = x.options?.length ? x.options : [{ value: 'a', labelZh: 'A', labelEn: 'A' }];
                      else delete x.options;
                      if (x.type !== 'number') (delete x.min, delete x.max);
                    })
                  }
                  aria-label={t('records.settings.type')}
                >
                  {FORM_FIELD_TYPES.map((ty) => (
                    <option key={ty} value={ty}>
                      {t(`records.settings.type.${ty}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input type="checkbox" checked={f.required} onChange={(e) => setField(i, (x) => void (x.required = (e.target as HTMLInputElement).checked))} aria-label={t('records.settings.required')} />
              </td>
              <td>
                {f.type === 'number' && (
                  <>
                    <input type="number" class="rec-num" value={f.min ?? ''} placeholder={t('records.settings.min')} aria-label={t('records.settings.min')} onInput={(e) => setField(i, (x) => void (optNum(val(e)) === undefined ? delete x.min : (x.min = optNum(val(e)))))} />
                    <input type="number" class="rec-num" value={f.max ?? ''} placeholder={t('records.settings.max')} aria-label={t('records.settings.max')} onInput={(e) => setField(i, (x) => void (optNum(val(e)) === undefined ? delete x.max : (x.max = optNum(val(e)))))} />
                  </>
                )}
                {(f.type === 'text' || f.type === 'textarea') && (
                  <input type="number" class="rec-num" value={f.maxLength ?? ''} placeholder={t('records.settings.maxLength')} aria-label={t('records.settings.maxLength')} onInput={(e) => setField(i, (x) => void (optNum(val(e)) === undefined ? delete x.maxLength : (x.maxLength = optNum(val(e)))))} />
                )}
                {f.type === 'select' && (
                  <textarea rows={3} cols={26} value={optionsText(f)} title={t('records.settings.optionsHint')} aria-label={t('records.settings.optionsHint')} onInput={(e) => setField(i, (x) => void (x.options = parseOptions((e.target as HTMLTextAreaElement).value)))} />
                )}
              </td>
              <td>
                <button type="button" class="btn btn-ghost btn-small" disabled={i === 0} onClick={() => up((d) => void d.registrationForm.fields.splice(i - 1, 0, d.registrationForm.fields.splice(i, 1)[0]!))}>
                  {t('records.settings.up')}
                </button>
                <button type="button" class="btn btn-ghost btn-small" onClick={() => up((d) => void d.registrationForm.fields.splice(i, 1))}>
                  {t('records.settings.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="btn btn-secondary btn-small" onClick={() => up((d) => void d.registrationForm.fields.push({ key: `field_${d.registrationForm.fields.length + 1}`, labelZh: '新字段', labelEn: 'New field', type: 'text', required: false }))} data-testid="settings-form-add">
        {t('records.settings.addField')}
      </button>
    </div>
  );
}
