// QA forms editor (docs/qa.md): sections, items (zh/en text, weight, max points, critical,
// N/A allowed), pass mark. Saving a used version creates the next version (the server decides).
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type TFunction } from '../../i18n/index.js';
import { qaApi, type FormDefinition, type FormSummary } from './qa-api.js';
import { hasRole, val } from './qa-shared.js';

type Item = FormDefinition['sections'][number]['items'][number];
const blankItem = (): Item => ({ textZh: '', textEn: '', weight: 1, maxPoints: 1, critical: false, naAllowed: false });
const blankForm = (): FormDefinition => ({ nameZh: '', nameEn: '', passMark: 80, sections: [{ titleZh: '', titleEn: '', items: [blankItem()] }] });

export function QaFormsPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const canEdit = hasRole(user, 'qa', 'manager');
  const [forms, setForms] = useState<FormSummary[]>([]);
  const [editing, setEditing] = useState<{ id: number | null; def: FormDefinition } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const load = useCallback(() => void qaApi.forms().then(setForms, fail), [fail]);
  useEffect(load, [load]);
  const edit = (id: number) =>
    void qaApi.form(id).then(({ latest }) =>
      setEditing({
        id,
        def: {
          nameZh: latest.nameZh,
          nameEn: latest.nameEn,
          passMark: latest.passMark,
          sections: latest.sections.map((s) => ({ titleZh: s.titleZh, titleEn: s.titleEn, items: s.items.map((i) => ({ textZh: i.textZh, textEn: i.textEn, weight: i.weight, maxPoints: i.maxPoints, critical: i.critical, naAllowed: i.naAllowed })) })),
        },
      }),
    fail);
  const save = () => {
    if (!editing) return;
    setErr(null);
    const p = editing.id === null ? qaApi.createForm(editing.def).then((v) => ({ newVersion: false, version: v })) : qaApi.saveForm(editing.id, editing.def);
    void p.then((r) => (setMsg(r.newVersion ? t('qa.forms.savedNew', { version: r.version.version }) : t('qa.forms.saved', { version: r.version.version })), setEditing(null), load()), fail);
  };
  return (
    <div class="qa-page" data-testid="qa-forms-page">
      <PageHeader
        title={t('qa.forms.title')}
        subtitle={t('qa.forms.subtitle')}
        actions={
          canEdit && (
            <button type="button" class="btn btn-primary" onClick={() => (setEditing({ id: null, def: blankForm() }), setMsg(null))} data-testid="qa-form-new">
              {t('qa.forms.new')}
            </button>
          )
        }
      />
      {err && <Alert kind="error" testId="qa-form-error">{err}</Alert>}
      {msg && <Alert kind="success" testId="qa-form-saved">{msg}</Alert>}
      {editing && <Editor t={t} def={editing.def} onChange={(def) => setEditing({ ...editing, def })} onSave={save} onCancel={() => setEditing(null)} />}
      <div class="card table-wrap">
        <table class="table" data-testid="qa-forms">
          <thead>
            <tr>
              <th>{t('qa.col.form')}</th>
              <th>{t('qa.forms.version')}</th>
              <th>{t('qa.forms.passMark')}</th>
              <th>{t('qa.forms.items')}</th>
              <th>{t('qa.forms.evaluations')}</th>
              <th>{t('qa.forms.active')}</th>
              <th>{t('qa.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {forms.length === 0 ? (
              <EmptyRow cols={7}>{t('qa.forms.empty')}</EmptyRow>
            ) : (
              forms.map((f) => (
                <tr key={f.id} data-testid={`qa-form-${f.id}`}>
                  <td>{lang === 'en' ? f.nameEn : f.nameZh}</td>
                  <td>{f.latestVersion}</td>
                  <td>{f.passMark}</td>
                  <td>{f.itemCount}</td>
                  <td>{f.evaluationCount}</td>
                  <td>{f.active ? '✓' : '—'}</td>
                  <td>
                    {canEdit && (
                      <>
                        <button type="button" class="btn btn-ghost btn-small" onClick={() => (edit(f.id), setMsg(null))} data-testid={`qa-form-edit-${f.id}`}>
                          {t('qa.forms.edit')}
                        </button>
                        <button type="button" class="btn btn-ghost btn-small" onClick={() => void qaApi.setFormActive(f.id, !f.active).then(load, fail)}>
                          {f.active ? t('qa.forms.retire') : t('qa.forms.activate')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Editor({ t, def, onChange, onSave, onCancel }: { t: TFunction; def: FormDefinition; onChange: (d: FormDefinition) => void; onSave: () => void; onCancel: () => void }) {
  const setSection = (si: number, patch: Partial<FormDefinition['sections'][number]>) => onChange({ ...def, sections: def.sections.map((s, i) => (i === si ? { ...s, ...patch } : s)) });
  const setItem = (si: number, ii: number, patch: Partial<Item>) => setSection(si, { items: def.sections[si]!.items.map((it, i) => (i === ii ? { ...it, ...patch } : it)) });
  const checked = (e: Event) => (e.target as HTMLInputElement).checked;
  return (
    <div class="card" data-testid="qa-form-editor">
      <div class="qa-row">
        <input type="text" placeholder={t('qa.forms.nameZh')} aria-label={t('qa.forms.nameZh')} value={def.nameZh} onInput={(e) => onChange({ ...def, nameZh: val(e) })} data-testid="qa-form-name-zh" />
        <input type="text" placeholder={t('qa.forms.nameEn')} aria-label={t('qa.forms.nameEn')} value={def.nameEn} onInput={(e) => onChange({ ...def, nameEn: val(e) })} data-testid="qa-form-name-en" />
        <label>
          {t('qa.forms.passMark')}{' '}
          <input class="qa-number" type="number" min={0} max={100} value={def.passMark ?? 80} onInput={(e) => onChange({ ...def, passMark: Number(val(e)) })} data-testid="qa-form-pass-mark" />
        </label>
      </div>
      {def.sections.map((s, si) => (
        <div key={si} class="qa-form-section" data-testid={`qa-form-section-${si}`}>
          <div class="qa-row">
            <strong>
              {t('qa.forms.section')} {si + 1}
            </strong>
            <input type="text" placeholder={t('qa.forms.titleZh')} aria-label={t('qa.forms.titleZh')} value={s.titleZh} onInput={(e) => setSection(si, { titleZh: val(e) })} data-testid={`qa-form-s${si}-title-zh`} />
            <input type="text" placeholder={t('qa.forms.titleEn')} aria-label={t('qa.forms.titleEn')} value={s.titleEn} onInput={(e) => setSection(si, { titleEn: val(e) })} data-testid={`qa-form-s${si}-title-en`} />
            <button type="button" class="btn btn-ghost btn-small" disabled={def.sections.length < 2} onClick={() => onChange({ ...def, sections: def.sections.filter((_, i) => i !== si) })}>
              {t('qa.forms.remove')}
            </button>
          </div>
          {s.items.map((it, ii) => (
            <div key={ii} class="qa-form-item" data-testid={`qa-form-s${si}-i${ii}`}>
              <input type="text" placeholder={t('qa.forms.textZh')} aria-label={t('qa.forms.textZh')} value={it.textZh} onInput={(e) => setItem(si, ii, { textZh: val(e) })} data-testid={`qa-form-s${si}-i${ii}-zh`} />
              <input type="text" placeholder={t('qa.forms.textEn')} aria-label={t('qa.forms.textEn')} value={it.textEn} onInput={(e) => setItem(si, ii, { textEn: val(e) })} data-testid={`qa-form-s${si}-i${ii}-en`} />
              <input type="number" min={0.1} step={0.1} title={t('qa.forms.weight')} aria-label={t('qa.forms.weight')} value={it.weight} onInput={(e) => setItem(si, ii, { weight: Number(val(e)) })} data-testid={`qa-form-s${si}-i${ii}-weight`} />
              <input type="number" min={1} max={100} title={t('qa.forms.maxPoints')} aria-label={t('qa.forms.maxPoints')} value={it.maxPoints} onInput={(e) => setItem(si, ii, { maxPoints: Number(val(e)) })} data-testid={`qa-form-s${si}-i${ii}-max`} />
              <label>
                <input type="checkbox" checked={it.critical} onChange={(e) => setItem(si, ii, { critical: checked(e) })} data-testid={`qa-form-s${si}-i${ii}-critical`} /> {t('qa.forms.critical')}
              </label>
              <label>
                <input type="checkbox" checked={it.naAllowed} onChange={(e) => setItem(si, ii, { naAllowed: checked(e) })} data-testid={`qa-form-s${si}-i${ii}-na`} /> {t('qa.forms.naAllowed')}
              </label>
              <button type="button" class="btn btn-ghost btn-small" disabled={s.items.length < 2} onClick={() => setSection(si, { items: s.items.filter((_, i) => i !== ii) })}>
                {t('qa.forms.remove')}
              </button>
            </div>
          ))}
          <button type="button" class="btn btn-ghost btn-small" onClick={() => setSection(si, { items: [...s.items, blankItem()] })} data-testid={`qa-form-s${si}-add-item`}>
            {t('qa.forms.addItem')}
          </button>
        </div>
      ))}
      <div class="qa-row">
        <button type="button" class="btn btn-ghost btn-small" onClick={() => onChange({ ...def, sections: [...def.sections, { titleZh: '', titleEn: '', items: [blankItem()] }] })} data-testid="qa-form-add-section">
          {t('qa.forms.addSection')}
        </button>
        <button type="button" class="btn btn-primary" onClick={onSave} data-testid="qa-form-save">
          {t('qa.forms.save')}
        </button>
        <button type="button" class="btn btn-ghost" onClick={onCancel}>
          {t('qa.forms.cancel')}
        </button>
      </div>
    </div>
  );
}
