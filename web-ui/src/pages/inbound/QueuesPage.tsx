// Inbound → Queues: strategy, ring time, members with skill level (penalty), music on hold,
// announcements, maximum wait, and the overflow to chosen seats, then voicemail / callback /
// hang up. Saving checks first; issues are shown under the queue at fault.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { inboundApi, type HotlineIssue, type HotlineQueue, type QueuesDoc } from './inbound-api.js';
import { canConfigure } from './IvrPage.js';
import { IssuesFor, issueText, num, str } from './shared.js';
import './inbound.css';

const STRATEGIES: Array<{ value: HotlineQueue['strategy']; key: MessageKey }> = [
  { value: 'ringall', key: 'inbound.strategy.ringall' },
  { value: 'leastrecent', key: 'inbound.strategy.leastrecent' },
  { value: 'fewestcalls', key: 'inbound.strategy.fewestcalls' },
  { value: 'rrmemory', key: 'inbound.strategy.rrmemory' },
  { value: 'linear', key: 'inbound.strategy.linear' },
  { value: 'random', key: 'inbound.strategy.random' },
];
const FINALS: Array<{ value: HotlineQueue['overflow']['final']; key: MessageKey }> = [
  { value: 'voicemail', key: 'inbound.dest.voicemail' },
  { value: 'callback', key: 'inbound.dest.callback' },
  { value: 'hangup', key: 'inbound.dest.hangup' },
];

function QueueEditor({ q, index, issues, onChange, onRemove }: { q: HotlineQueue; index: number; issues: HotlineIssue[]; onChange: (q: HotlineQueue) => void; onRemove: () => void }) {
  const { t } = useI18n();
  const set = (patch: Partial<HotlineQueue>) => onChange({ ...q, ...patch });
  const setOv = (patch: Partial<HotlineQueue['overflow']>) => onChange({ ...q, overflow: { ...q.overflow, ...patch } });
  const tid = `queue-${index}`;
  return (
    <div class="card ib-menu" data-testid="queue-card" data-queue={q.name}>
      <div class="card-head ib-menu-head">
        <input class="ib-name" value={q.label} onInput={(e) => set({ label: str(e) })} data-testid={`${tid}-label`} aria-label={t('inbound.queue.label')} />
        <span class="muted small mono">{q.name}</span>
        <span class="st-grow" />
        <button type="button" class="btn btn-small btn-ghost" onClick={onRemove} data-testid={`${tid}-remove`}>
          {t('inbound.remove')}
        </button>
      </div>
      <div class="card-body">
        <div class="ib-grid">
          <label class="field">
            <span>{t('inbound.queue.strategy')}</span>
            <select value={q.strategy} onChange={(e) => set({ strategy: (e.target as HTMLSelectElement).value as HotlineQueue['strategy'] })} data-testid={`${tid}-strategy`}>
              {STRATEGIES.map((s) => (
                <option value={s.value} key={s.value}>
                  {t(s.key)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('inbound.queue.ring')}</span>
            <input type="number" min={5} max={120} value={q.ringTimeoutSeconds} onInput={(e) => set({ ringTimeoutSeconds: num(e) })} data-testid={`${tid}-ring`} />
          </label>
          <label class="field">
            <span>{t('inbound.queue.maxWait')}</span>
            <input type="number" min={5} max={3600} value={q.maxWaitSeconds} onInput={(e) => set({ maxWaitSeconds: num(e) })} data-testid={`${tid}-maxwait`} />
          </label>
          <label class="field">
            <span>{t('inbound.queue.moh')}</span>
            <input class="mono" value={q.moh} onInput={(e) => set({ moh: str(e).trim() })} data-testid={`${tid}-moh`} />
          </label>
          <label class="field">
            <span>{t('inbound.queue.announceEvery')}</span>
            <input type="number" min={10} max={600} value={q.announceFrequency} onInput={(e) => set({ announceFrequency: num(e) })} />
          </label>
          <label class="st-check">
            <input type="checkbox" checked={q.announcePosition} onChange={(e) => set({ announcePosition: (e.target as HTMLInputElement).checked })} />
            {t('inbound.queue.announcePosition')}
          </label>
          <label class="st-check">
            <input type="checkbox" checked={q.announceHoldtime} onChange={(e) => set({ announceHoldtime: (e.target as HTMLInputElement).checked })} />
            {t('inbound.queue.announceHoldtime')}
          </label>
          <label class="st-check">
            <input type="checkbox" checked={q.survey} onChange={(e) => set({ survey: (e.target as HTMLInputElement).checked })} />
            {t('inbound.queue.survey')}
          </label>
        </div>
        <h3 class="ib-sub">{t('inbound.queue.members')}</h3>
        <table class="table ib-options">
          <thead>
            <tr>
              <th>{t('inbound.queue.seat')}</th>
              <th>{t('inbound.queue.skill')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.members.map((m, j) => (
              <tr key={j} data-testid="queue-member">
                <td>
                  <input class="ib-short mono" value={m.seat} onInput={(e) => set({ members: q.members.map((x, k) => (k === j ? { ...x, seat: str(e).trim() } : x)) })} data-testid={`${tid}-member-${j}-seat`} aria-label={t('inbound.queue.seat')} />
                </td>
                <td>
                  <input type="number" min={0} max={10} value={m.penalty} onInput={(e) => set({ members: q.members.map((x, k) => (k === j ? { ...x, penalty: num(e) } : x)) })} data-testid={`${tid}-member-${j}-penalty`} aria-label={t('inbound.queue.skill')} />
                </td>
                <td>
                  <button type="button" class="btn btn-small btn-ghost" onClick={() => set({ members: q.members.filter((_, k) => k !== j) })}>
                    {t('inbound.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="ib-row">
          <button type="button" class="btn btn-small btn-secondary" onClick={() => set({ members: [...q.members, { seat: '', penalty: 0 }] })} data-testid={`${tid}-add-member`}>
            {t('inbound.queue.addMember')}
          </button>
        </div>
        <p class="field-hint">{t('inbound.queue.skillHint')}</p>
        <h3 class="ib-sub">{t('inbound.queue.overflow')}</h3>
        <div class="ib-grid">
          <label class="field">
            <span>{t('inbound.queue.overflowSeats')}</span>
            <input class="mono" value={q.overflow.seats.join(', ')} onChange={(e) => setOv({ seats: str(e).split(/[\s,，]+/).filter(Boolean) })} data-testid={`${tid}-overflow-seats`} />
          </label>
          <label class="field">
            <span>{t('inbound.queue.thenAfter')}</span>
            <input type="number" min={5} max={600} value={q.overflow.thenAfterSeconds} onInput={(e) => setOv({ thenAfterSeconds: num(e) })} data-testid={`${tid}-overflow-after`} />
          </label>
          <label class="field">
            <span>{t('inbound.queue.final')}</span>
            <select value={q.overflow.final} onChange={(e) => setOv({ final: (e.target as HTMLSelectElement).value as HotlineQueue['overflow']['final'] })} data-testid={`${tid}-final`}>
              {FINALS.map((f) => (
                <option value={f.value} key={f.value}>
                  {t(f.key)}
                </option>
              ))}
            </select>
          </label>
          <label class="st-check">
            <input type="checkbox" checked={q.overflow.whenNoAgentFree} onChange={(e) => setOv({ whenNoAgentFree: (e.target as HTMLInputElement).checked })} />
            {t('inbound.queue.whenNoAgentFree')}
          </label>
        </div>
        <IssuesFor issues={issues} prefix={`queues[${index}]`} testId={`${tid}-issues`} />
      </div>
    </div>
  );
}

function MonitoringCard({ canEdit }: { canEdit: boolean }) {
  const { t } = useI18n();
  const [seats, setSeats] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    inboundApi.monitoring().then((m) => setSeats(m.supervisorSeats.join(', ')), () => undefined);
  }, []);
  const save = async () => {
    try {
      const r = await inboundApi.saveMonitoring(seats.split(/[\s,，]+/).filter(Boolean));
      setSeats(r.supervisorSeats.join(', '));
      setMsg({ ok: true, text: t('inbound.saved') });
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e) });
    }
  };
  return (
    <div class="card" data-testid="monitoring-card">
      <div class="card-head">
        <h2 class="card-title">{t('inbound.monitoring.title')}</h2>
      </div>
      <div class="card-body">
        <div class="ib-row">
          <label class="field st-grow">
            <span>{t('inbound.monitoring.seats')}</span>
            <input class="mono" value={seats} disabled={!canEdit} onInput={(e) => setSeats(str(e))} data-testid="monitoring-seats" />
          </label>
          {canEdit && (
            <button type="button" class="btn btn-small btn-secondary" onClick={() => void save()} data-testid="monitoring-save">
              {t('inbound.monitoring.save')}
            </button>
          )}
        </div>
        <p class="field-hint">{t('inbound.monitoring.hint')}</p>
        {msg && <Alert kind={msg.ok ? 'success' : 'error'}>{msg.text}</Alert>}
      </div>
    </div>
  );
}

export function QueuesPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [doc, setDoc] = useState<QueuesDoc | null>(null);
  const [issues, setIssues] = useState<HotlineIssue[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [newName, setNewName] = useState('');
  useEffect(() => {
    inboundApi.queues().then(setDoc, (e) => setErr(describeError(t, e)));
  }, [t]);
  if (!doc) return <div class="page">{err ? <Alert kind="error">{err}</Alert> : <span class="spinner" />}</div>;
  const change = (d: QueuesDoc) => {
    setDoc(d);
    setSaved(false);
  };
  const save = async () => {
    setBusy(true);
    setErr(null);
    setSaved(false);
    try {
      const c = await inboundApi.checkQueues(doc);
      setIssues(c.issues);
      if (!c.ok) return;
      setDoc(await inboundApi.saveQueues(doc));
      setSaved(true);
    } catch (e) {
      setErr(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  const add = () => {
    const name = newName.trim().toLowerCase();
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name) || doc.queues.some((q) => q.name === name)) return;
    change({ queues: [...doc.queues, { name, label: name, strategy: 'ringall', ringTimeoutSeconds: 15, members: [], moh: 'default', announcePosition: true, announceHoldtime: false, announceFrequency: 60, maxWaitSeconds: 60, survey: false, overflow: { seats: [], whenNoAgentFree: true, thenAfterSeconds: 20, final: 'callback' } }] });
    setNewName('');
  };
  return (
    <div class="page ib-page" data-testid="queues-page">
      <PageHeader
        title={t('inbound.queues.title')}
        subtitle={t('inbound.queues.subtitle')}
        actions={
          canConfigure(user) && (
            <button type="button" class="btn btn-primary" onClick={() => void save()} disabled={busy} data-testid="queues-save">
              {t('inbound.save')}
            </button>
          )
        }
      />
      {err && <Alert kind="error">{err}</Alert>}
      {saved && (
        <Alert kind="success">
          <span data-testid="queues-saved">{t('inbound.saved')}</span>
        </Alert>
      )}
      {issues.length > 0 && (
        <Alert kind="error">
          <div data-testid="queues-issues">
            <strong>{t('inbound.notSaved', { n: issues.length })}</strong>
            <ul>
              {issues.map((i, n) => (
                <li key={n}>{issueText(t, i)}</li>
              ))}
            </ul>
          </div>
        </Alert>
      )}
      {doc.queues.map((q, i) => (
        <QueueEditor key={q.name} q={q} index={i} issues={issues} onChange={(nq) => change({ queues: doc.queues.map((x, k) => (k === i ? nq : x)) })} onRemove={() => change({ queues: doc.queues.filter((_, k) => k !== i) })} />
      ))}
      <div class="ib-row">
        <input class="ib-short mono" value={newName} onInput={(e) => setNewName(str(e))} placeholder={t('inbound.queue.newName')} data-testid="queue-new-name" aria-label={t('inbound.queue.newName')} />
        <button type="button" class="btn btn-secondary" onClick={add} data-testid="queue-add">
          {t('inbound.queue.add')}
        </button>
      </div>
      <MonitoringCard canEdit={canConfigure(user)} />
    </div>
  );
}
