// Inbound → IVR: the hotline number, menus (prompt, keys, timeout, retries, fallback), business
// hours with the holiday calendar, and prompts (TTS or upload, preview). Saving checks first:
// loops, dead ends and unknown targets are shown next to the menu at fault and nothing is saved.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { inboundApi, fileToBase64, type HotlineIssue, type IvrDoc, type IvrMenu, type Prompt } from './inbound-api.js';
import { DestinationPicker, IssuesFor, issueText, num, str } from './shared.js';
import './inbound.css';

const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const DAY_KEYS = ['inbound.day.1', 'inbound.day.2', 'inbound.day.3', 'inbound.day.4', 'inbound.day.5', 'inbound.day.6', 'inbound.day.7'] as const;

export const canConfigure = (u: User): boolean => u.roles.includes('admin') || u.roles.includes('manager');

function PromptSelect({ value, prompts, onChange, testId, label }: { value: string | null; prompts: Prompt[]; onChange: (v: string | null) => void; testId: string; label: string }) {
  const { t } = useI18n();
  return (
    <select value={value ?? ''} onChange={(e) => onChange((e.target as HTMLSelectElement).value || null)} data-testid={testId} aria-label={label}>
      <option value="">{t('inbound.prompt.none')}</option>
      {prompts.map((p) => (
        <option value={p.name} key={p.name}>
          {p.name}
        </option>
      ))}
    </select>
  );
}

function MenuEditor({ menu, index, doc, prompts, queues, issues, onChange, onRemove }: { menu: IvrMenu; index: number; doc: IvrDoc; prompts: Prompt[]; queues: string[]; issues: HotlineIssue[]; onChange: (m: IvrMenu) => void; onRemove: () => void }) {
  const { t } = useI18n();
  const menus = doc.menus.map((m) => ({ id: m.id, name: m.name }));
  const set = (patch: Partial<IvrMenu>) => onChange({ ...menu, ...patch });
  const nextDigit = () => ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'].find((d) => !menu.options.some((o) => o.digit === d)) ?? '9';
  const tid = `menu-${index}`;
  return (
    <div class="card ib-menu" data-testid="ivr-menu" data-menu={menu.id}>
      <div class="card-head ib-menu-head">
        <input class="ib-name" value={menu.name} onInput={(e) => set({ name: str(e) })} data-testid={`${tid}-name`} aria-label={t('inbound.menu.name')} />
        <span class="muted small mono">{menu.id}</span>
        {doc.entryMenu === menu.id && <span class="count-pill">{t('inbound.menu.entry')}</span>}
        <span class="st-grow" />
        {doc.entryMenu !== menu.id && (
          <button type="button" class="btn btn-small btn-ghost" onClick={onRemove} data-testid={`${tid}-remove`}>
            {t('inbound.remove')}
          </button>
        )}
      </div>
      <div class="card-body">
        <div class="ib-grid">
          <label class="field">
            <span>{t('inbound.menu.prompt')}</span>
            <PromptSelect value={menu.prompt} prompts={prompts} onChange={(v) => set({ prompt: v })} testId={`${tid}-prompt`} label={t('inbound.menu.prompt')} />
          </label>
          <label class="field">
            <span>{t('inbound.menu.timeout')}</span>
            <input type="number" min={1} max={60} value={menu.timeoutSeconds} onInput={(e) => set({ timeoutSeconds: num(e) })} data-testid={`${tid}-timeout`} />
          </label>
          <label class="field">
            <span>{t('inbound.menu.retries')}</span>
            <input type="number" min={0} max={9} value={menu.maxRetries} onInput={(e) => set({ maxRetries: num(e) })} data-testid={`${tid}-retries`} />
          </label>
          <label class="field">
            <span>{t('inbound.menu.invalidPrompt')}</span>
            <PromptSelect value={menu.invalidPrompt} prompts={prompts} onChange={(v) => set({ invalidPrompt: v })} testId={`${tid}-invalid`} label={t('inbound.menu.invalidPrompt')} />
          </label>
        </div>
        <table class="table ib-options">
          <thead>
            <tr>
              <th>{t('inbound.option.key')}</th>
              <th>{t('inbound.option.destination')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {menu.options.map((o, j) => (
              <tr key={j} data-testid="ivr-option">
                <td>
                  <input class="ib-key mono" maxLength={1} value={o.digit} onInput={(e) => set({ options: menu.options.map((x, k) => (k === j ? { ...x, digit: str(e) } : x)) })} data-testid={`${tid}-opt-${j}-digit`} aria-label={t('inbound.option.key')} />
                </td>
                <td>
                  <DestinationPicker value={o.destination} menus={menus} queues={queues} onChange={(d) => set({ options: menu.options.map((x, k) => (k === j ? { ...x, destination: d } : x)) })} testId={`${tid}-opt-${j}`} />
                </td>
                <td>
                  <button type="button" class="btn btn-small btn-ghost" onClick={() => set({ options: menu.options.filter((_, k) => k !== j) })} data-testid={`${tid}-opt-${j}-remove`}>
                    {t('inbound.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="ib-row">
          <button type="button" class="btn btn-small btn-secondary" onClick={() => set({ options: [...menu.options, { digit: nextDigit(), destination: { kind: 'hangup' } }] })} data-testid={`${tid}-add-option`}>
            {t('inbound.option.add')}
          </button>
          <span class="ib-fallback">
            <span>{t('inbound.menu.fallback')}</span>
            <DestinationPicker value={menu.fallback} menus={menus} queues={queues} onChange={(d) => set({ fallback: d })} testId={`${tid}-fallback`} />
          </span>
        </div>
        <IssuesFor issues={issues} prefix={`menus[${index}]`} testId={`${tid}-issues`} />
      </div>
    </div>
  );
}

function HoursEditor({ doc, prompts, queues, issues, onChange }: { doc: IvrDoc; prompts: Prompt[]; queues: string[]; issues: HotlineIssue[]; onChange: (h: IvrDoc['hours']) => void }) {
  const { t } = useI18n();
  const h = doc.hours;
  const set = (patch: Partial<IvrDoc['hours']>) => onChange({ ...h, ...patch });
  const [newDate, setNewDate] = useState('');
  const [newName, setNewName] = useState('');
  const [newKind, setNewKind] = useState<'holidays' | 'makeupWorkdays'>('holidays');
  const calendar = [...h.holidays.map((d) => ({ ...d, list: 'holidays' as const })), ...h.makeupWorkdays.map((d) => ({ ...d, list: 'makeupWorkdays' as const }))].sort((a, b) => a.date.localeCompare(b.date));
  return (
    <div class="card" data-testid="ivr-hours">
      <div class="card-head">
        <h2 class="card-title">{t('inbound.hours.title')}</h2>
      </div>
      <div class="card-body">
        {h.weekly.map((w, i) => (
          <div class="ib-row" key={i} data-testid="hours-range">
            {DAYS.map((d) => (
              <label class="st-check" key={d}>
                <input type="checkbox" checked={w.days.includes(d)} onChange={(e) => set({ weekly: h.weekly.map((x, k) => (k === i ? { ...x, days: (e.target as HTMLInputElement).checked ? [...x.days, d].sort() : x.days.filter((y) => y !== d) } : x)) })} />
                {t(DAY_KEYS[d - 1]!)}
              </label>
            ))}
            <input type="time" value={w.open} onInput={(e) => set({ weekly: h.weekly.map((x, k) => (k === i ? { ...x, open: str(e) } : x)) })} aria-label={t('inbound.hours.open')} data-testid={`hours-${i}-open`} />
            <span>–</span>
            <input type="time" value={w.close} onInput={(e) => set({ weekly: h.weekly.map((x, k) => (k === i ? { ...x, close: str(e) } : x)) })} aria-label={t('inbound.hours.close')} data-testid={`hours-${i}-close`} />
            <button type="button" class="btn btn-small btn-ghost" onClick={() => set({ weekly: h.weekly.filter((_, k) => k !== i) })}>
              {t('inbound.remove')}
            </button>
          </div>
        ))}
        <div class="ib-row">
          <button type="button" class="btn btn-small btn-secondary" onClick={() => set({ weekly: [...h.weekly, { days: [6], open: '09:00', close: '12:00' }] })} data-testid="hours-add">
            {t('inbound.hours.add')}
          </button>
        </div>
        <IssuesFor issues={issues} prefix="hours.weekly" testId="hours-issues" />

        <h3 class="ib-sub">{t('inbound.calendar.title')}</h3>
        <p class="field-hint" data-testid="calendar-note">{t('inbound.calendar.note')}</p>
        <table class="table ib-options" data-testid="calendar">
          <tbody>
            {calendar.map((c) => (
              <tr key={`${c.list}-${c.date}`} data-testid="calendar-row">
                <td class="mono">{c.date}</td>
                <td>{c.name}</td>
                <td>{c.list === 'holidays' ? t('inbound.calendar.holiday') : t('inbound.calendar.workday')}</td>
                <td>
                  <button type="button" class="btn btn-small btn-ghost" onClick={() => set({ [c.list]: h[c.list].filter((x) => x.date !== c.date) } as Partial<IvrDoc['hours']>)}>
                    {t('inbound.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="ib-row">
          <input type="date" value={newDate} onInput={(e) => setNewDate(str(e))} aria-label={t('inbound.calendar.date')} data-testid="calendar-date" />
          <input value={newName} onInput={(e) => setNewName(str(e))} placeholder={t('inbound.calendar.name')} data-testid="calendar-name" />
          <select value={newKind} onChange={(e) => setNewKind((e.target as HTMLSelectElement).value as 'holidays' | 'makeupWorkdays')} data-testid="calendar-kind" aria-label={t('inbound.calendar.kind')}>
            <option value="holidays">{t('inbound.calendar.holiday')}</option>
            <option value="makeupWorkdays">{t('inbound.calendar.workday')}</option>
          </select>
          <button
            type="button"
            class="btn btn-small btn-secondary"
            disabled={!newDate || !newName.trim()}
            onClick={() => {
              set({ [newKind]: [...h[newKind], { date: newDate, name: newName.trim() }] } as Partial<IvrDoc['hours']>);
              setNewDate('');
              setNewName('');
            }}
            data-testid="calendar-add"
          >
            {t('inbound.calendar.add')}
          </button>
        </div>
        <div class="ib-row">
          <span>{t('inbound.calendar.makeupHours')}</span>
          <input type="time" value={h.makeupHours.open} onInput={(e) => set({ makeupHours: { ...h.makeupHours, open: str(e) } })} aria-label={t('inbound.hours.open')} />
          <span>–</span>
          <input type="time" value={h.makeupHours.close} onInput={(e) => set({ makeupHours: { ...h.makeupHours, close: str(e) } })} aria-label={t('inbound.hours.close')} />
        </div>
        <IssuesFor issues={issues} prefix="hours.holidays" testId="holiday-issues" />
        <IssuesFor issues={issues} prefix="hours.makeupWorkdays" testId="workday-issues" />

        <h3 class="ib-sub">{t('inbound.closed.title')}</h3>
        <div class="ib-row">
          <label class="field">
            <span>{t('inbound.closed.prompt')}</span>
            <PromptSelect value={h.closedPrompt} prompts={prompts} onChange={(v) => set({ closedPrompt: v })} testId="closed-prompt" label={t('inbound.closed.prompt')} />
          </label>
          <span class="ib-fallback">
            <span>{t('inbound.closed.then')}</span>
            <DestinationPicker value={h.closedDestination} menus={doc.menus.map((m) => ({ id: m.id, name: m.name }))} queues={queues} onChange={(d) => set({ closedDestination: d })} testId="closed-dest" />
          </span>
        </div>
        <IssuesFor issues={issues} prefix="hours.closedDestination" testId="closed-issues" />
      </div>
    </div>
  );
}

function PromptsCard({ prompts, canEdit, onChanged }: { prompts: Prompt[]; canEdit: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [lang, setLang] = useState<'zh' | 'en'>('zh');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const run = async (fn: () => Promise<string>) => {
    setBusy(true);
    setErr(null);
    setNote(null);
    try {
      setNote(await fn());
      onChanged();
    } catch (e) {
      setErr(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card" data-testid="prompts">
      <div class="card-head">
        <h2 class="card-title">{t('inbound.prompts.title')}</h2>
      </div>
      <div class="card-body">
        <table class="table ib-options">
          <tbody>
            {prompts.length === 0 && (
              <tr>
                <td class="table-empty">{t('inbound.prompts.empty')}</td>
              </tr>
            )}
            {prompts.map((p) => (
              <tr key={p.name} data-testid="prompt-row" data-name={p.name}>
                <td class="mono">{p.name}</td>
                <td>{p.source === 'tts' ? `${t('inbound.prompts.tts')} (${p.lang === 'zh' ? t('inbound.prompts.zh') : t('inbound.prompts.en')}): ${p.text ?? ''}` : `${t('inbound.prompts.upload')}: ${p.original ?? ''}`}</td>
                <td class="tnum">{t('inbound.prompts.seconds', { s: (p.durationMs / 1000).toFixed(1) })}</td>
                <td>
                  <audio controls preload="none" src={inboundApi.audioUrl(p.name, p.updatedAt)} data-testid="prompt-audio" />
                </td>
                <td>
                  {canEdit && (
                    <button type="button" class="btn btn-small btn-ghost" onClick={() => void run(async () => (await inboundApi.removePrompt(p.name), t('inbound.prompts.deleted')))}>
                      {t('inbound.remove')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {canEdit && (
          <>
            <div class="ib-row">
              <input class="ib-short mono" value={name} onInput={(e) => setName(str(e).toLowerCase())} placeholder={t('inbound.prompts.name')} data-testid="prompt-name" aria-label={t('inbound.prompts.name')} />
              <select value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as 'zh' | 'en')} data-testid="prompt-lang" aria-label={t('inbound.prompts.lang')}>
                <option value="zh">{t('inbound.prompts.zh')}</option>
                <option value="en">{t('inbound.prompts.en')}</option>
              </select>
              <input class="st-grow" value={text} onInput={(e) => setText(str(e))} placeholder={t('inbound.prompts.text')} data-testid="prompt-text" aria-label={t('inbound.prompts.text')} />
              <button type="button" class="btn btn-small btn-secondary" disabled={busy || !name || !text.trim()} data-testid="prompt-tts" onClick={() => void run(async () => ((await inboundApi.saveTts(name, text.trim(), lang)).regenerated ? t('inbound.prompts.generated') : t('inbound.prompts.unchanged')))}>
                {t('inbound.prompts.generate')}
              </button>
            </div>
            <div class="ib-row">
              <input type="file" accept=".wav,.mp3,audio/*" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} data-testid="prompt-file" aria-label={t('inbound.prompts.file')} />
              <button type="button" class="btn btn-small btn-secondary" disabled={busy || !name || !file} data-testid="prompt-upload" onClick={() => void run(async () => (await inboundApi.upload(name, file!.name, await fileToBase64(file!)), t('inbound.prompts.uploaded')))}>
                {t('inbound.prompts.doUpload')}
              </button>
              {busy && <span class="spinner" />}
            </div>
            <p class="field-hint">{t('inbound.prompts.hint')}</p>
          </>
        )}
        {err && <Alert kind="error">{err}</Alert>}
        {note && (
          <div class="muted small" data-testid="prompt-note">
            {note}
          </div>
        )}
      </div>
    </div>
  );
}

export function IvrPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [doc, setDoc] = useState<IvrDoc | null>(null);
  const [prompts, setPrompts] = useState<Prompt[]>([]);
  const [queues, setQueues] = useState<string[]>([]);
  const [issues, setIssues] = useState<HotlineIssue[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const canEdit = canConfigure(user);

  const loadPrompts = useCallback(() => void inboundApi.prompts().then(setPrompts, (e) => setErr(describeError(t, e))), [t]);
  useEffect(() => {
    inboundApi.ivr().then(setDoc, (e) => setErr(describeError(t, e)));
    inboundApi.queues().then((q) => setQueues(q.queues.map((x) => x.name)), () => undefined);
    loadPrompts();
  }, [t, loadPrompts]);

  if (!doc) return <div class="page">{err ? <Alert kind="error">{err}</Alert> : <span class="spinner" />}</div>;
  const change = (d: IvrDoc) => {
    setDoc(d);
    setSaved(false);
  };
  const save = async () => {
    setBusy(true);
    setErr(null);
    setSaved(false);
    try {
      const c = await inboundApi.checkIvr(doc);
      setIssues(c.issues);
      if (!c.ok) return;
      setDoc(await inboundApi.saveIvr(doc));
      setSaved(true);
    } catch (e) {
      setErr(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  const addMenu = () => {
    let n = doc.menus.length;
    while (doc.menus.some((m) => m.id === `menu${n}`)) n++;
    change({ ...doc, menus: [...doc.menus, { id: `menu${n}`, name: t('inbound.menu.newName', { n }), prompt: null, timeoutSeconds: 5, maxRetries: 2, invalidPrompt: null, options: [], fallback: { kind: 'hangup' } }] });
  };
  return (
    <div class="page ib-page" data-testid="ivr-page">
      <PageHeader
        title={t('inbound.ivr.title')}
        subtitle={t('inbound.ivr.subtitle')}
        actions={
          canEdit && (
            <button type="button" class="btn btn-primary" onClick={() => void save()} disabled={busy} data-testid="ivr-save">
              {t('inbound.save')}
            </button>
          )
        }
      />
      {err && <Alert kind="error">{err}</Alert>}
      {saved && (
        <Alert kind="success">
          <span data-testid="ivr-saved">{t('inbound.saved')}</span>
        </Alert>
      )}
      {issues.length > 0 && (
        <Alert kind="error">
          <div data-testid="ivr-issues">
            <strong>{t('inbound.notSaved', { n: issues.length })}</strong>
            <ul>
              {issues.map((i, n) => (
                <li key={n}>{issueText(t, i)}</li>
              ))}
            </ul>
          </div>
        </Alert>
      )}
      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('inbound.hotline.title')}</h2>
        </div>
        <div class="card-body">
          <div class="ib-grid">
          <label class="field">
            <span>{t('inbound.hotline.did')}</span>
            <input class="mono" value={doc.did} onInput={(e) => change({ ...doc, did: str(e).trim() })} data-testid="ivr-did" />
          </label>
          <label class="field">
            <span>{t('inbound.hotline.concurrency')}</span>
            <input type="number" min={1} max={8} value={doc.maxConcurrent} onInput={(e) => change({ ...doc, maxConcurrent: num(e) })} data-testid="ivr-concurrency" />
          </label>
          <label class="field">
            <span>{t('inbound.hotline.entry')}</span>
            <select value={doc.entryMenu} onChange={(e) => change({ ...doc, entryMenu: (e.target as HTMLSelectElement).value })} data-testid="ivr-entry">
              {doc.menus.map((m) => (
                <option value={m.id} key={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
          <label class="st-check">
            <input type="checkbox" checked={doc.useBusinessHours} onChange={(e) => change({ ...doc, useBusinessHours: (e.target as HTMLInputElement).checked })} />
            {t('inbound.hotline.useHours')}
          </label>
          <label class="st-check">
            <input type="checkbox" checked={doc.faxDetect} onChange={(e) => change({ ...doc, faxDetect: (e.target as HTMLInputElement).checked })} />
            {t('inbound.hotline.fax')}
          </label>
          </div>
          <IssuesFor issues={issues} prefix="did" testId="did-issues" />
        </div>
      </div>
      {doc.menus.map((m, i) => (
        <MenuEditor
          key={i}
          menu={m}
          index={i}
          doc={doc}
          prompts={prompts}
          queues={queues}
          issues={issues}
          onChange={(nm) => change({ ...doc, menus: doc.menus.map((x, k) => (k === i ? nm : x)) })}
          onRemove={() => change({ ...doc, menus: doc.menus.filter((_, k) => k !== i) })}
        />
      ))}
      <div class="ib-row">
        <button type="button" class="btn btn-secondary" onClick={addMenu} data-testid="ivr-add-menu">
          {t('inbound.menu.add')}
        </button>
      </div>
      <HoursEditor doc={doc} prompts={prompts} queues={queues} issues={issues} onChange={(h) => change({ ...doc, hours: h })} />
      <PromptsCard prompts={prompts} canEdit={canEdit} onChanged={loadPrompts} />
    </div>
  );
}
