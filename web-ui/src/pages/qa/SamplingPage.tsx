// Sampling plan and work queue (docs/qa-sampling.md): the signed-in reviewer's sampled calls
// (assigned / done / overdue, each opening the scoring screen), the period's plan status, and
// for managers the settings and "sample now".
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { request } from '../../api.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { navigate } from '../../router.js';

interface Settings { period: 'week' | 'month'; leadRate: number; qaRate: number; dueDays: number; seed: string }
interface QueueItem { assignmentId: number; recordingId: number; agentLabel: string; kind: 'lead' | 'qa'; callType: 'inbound' | 'dialer' | 'manual'; startedAt: string; dueAt: string; status: 'assigned' | 'done' | 'overdue' }
interface Status {
  period: { kind: string; from: string; to: string };
  lastRunAt: string | null;
  agents: Array<{ agentId: number; label: string; team: string; calls: number; leadTarget: number; qaTarget: number; lead: number; qa: number; leadUnassigned: number }>;
  reviewers: Array<{ userId: number; name: string; assigned: number; done: number; overdue: number }>;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }) : '');
const val = (e: Event) => (e.target as HTMLInputElement).value;

export function SamplingPage({ user }: { user: User }) {
  const { t } = useI18n();
  const isManager = user.roles.includes('admin') || user.roles.includes('manager');
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [queue, setQueue] = useState<QueueItem[]>([]);
  const [status, setStatus] = useState<Status | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const load = useCallback(() => {
    setErr(null);
    request<{ items: QueueItem[] }>('GET', '/qa/sampling/queue').then((r) => setQueue(r.items), fail);
    request<Status>('GET', '/qa/sampling/status').then(setStatus, fail);
    request<Settings>('GET', '/qa/sampling/settings').then(setSettings, fail);
  }, [fail]);
  useEffect(load, [load]);

  const save = () =>
    settings &&
    request<Settings>('PUT', '/qa/sampling/settings', settings).then((s) => {
      setSettings(s);
      setNote(t('qs.saved'));
    }, fail);
  const run = () =>
    request<{ calls: number; addedLead: number; addedQa: number }>('POST', '/qa/sampling/run', {}).then((r) => {
      setNote(t('qs.ran', { calls: r.calls, lead: r.addedLead, qa: r.addedQa }));
      load();
    }, fail);

  return (
    <div data-testid="qa-sampling-page">
      <PageHeader title={t('qs.title')} subtitle={t('qs.subtitle')} actions={isManager ? <button type="button" class="btn btn-primary" onClick={run} data-testid="qs-run">{t('qs.run')}</button> : undefined} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && <Alert kind="success">{note}</Alert>}
      <h2>{t('qs.myQueue')}</h2>
      <table class="table" data-testid="qs-queue">
        <thead>
          <tr><th>{t('qs.col.agent')}</th><th>{t('qs.col.kind')}</th><th>{t('qs.col.callType')}</th><th>{t('qs.col.started')}</th><th>{t('qs.col.due')}</th><th>{t('qs.col.status')}</th><th /></tr>
        </thead>
        <tbody>
          {queue.length === 0 && <EmptyRow cols={7}>{t('qs.emptyQueue')}</EmptyRow>}
          {queue.map((q) => (
            <tr key={q.assignmentId} data-testid="qs-queue-row">
              <td>{q.agentLabel}</td>
              <td>{t(`qs.kind.${q.kind}`)}</td>
              <td>{t(`qs.type.${q.callType}`)}</td>
              <td>{when(q.startedAt)}</td>
              <td>{when(q.dueAt)}</td>
              <td class={q.status === 'overdue' ? 'text-danger' : ''}>{t(`qs.status.${q.status}`)}</td>
              <td>{q.status !== 'done' && <button type="button" class="btn btn-ghost btn-small" onClick={() => navigate(`/qa/score?recording=${q.recordingId}`)}>{t('qs.score')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {status && (
        <>
          <h2>
            {t('qs.plan')} · {status.period.from} – {status.period.to} · {t('qs.lastRun')}: {status.lastRunAt ? when(status.lastRunAt) : t('qs.never')}
          </h2>
          <table class="table" data-testid="qs-plan">
            <thead>
              <tr><th>{t('qs.col.agent')}</th><th>{t('qs.col.team')}</th><th>{t('qs.col.calls')}</th><th>{t('qs.col.lead')}</th><th>{t('qs.col.qa')}</th><th>{t('qs.col.unassigned')}</th></tr>
            </thead>
            <tbody>
              {status.agents.length === 0 && <EmptyRow cols={6}>{t('qs.emptyPlan')}</EmptyRow>}
              {status.agents.map((a) => (
                <tr key={a.agentId}>
                  <td>{a.label}</td><td>{a.team}</td><td>{a.calls}</td>
                  <td>{a.lead} ({a.leadTarget})</td><td>{a.qa} ({a.qaTarget})</td><td>{a.leadUnassigned || ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="table" data-testid="qs-reviewers">
            <thead>
              <tr><th>{t('qs.col.reviewer')}</th><th>{t('qs.col.assigned')}</th><th>{t('qs.col.done')}</th><th>{t('qs.col.overdue')}</th></tr>
            </thead>
            <tbody>
              {status.reviewers.map((r) => (
                <tr key={r.userId}><td>{r.name}</td><td>{r.assigned}</td><td>{r.done}</td><td>{r.overdue}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      {isManager && settings && (
        <fieldset class="form-grid" data-testid="qs-settings">
          <legend>{t('qs.settings')}</legend>
          <label>{t('qs.period')}
            <select value={settings.period} onChange={(e) => setSettings({ ...settings, period: val(e) as Settings['period'] })}>
              <option value="week">{t('qs.period.week')}</option>
              <option value="month">{t('qs.period.month')}</option>
            </select>
          </label>
          <label>{t('qs.leadRate')}<input type="number" min={0} max={100} value={Math.round(settings.leadRate * 100)} onInput={(e) => setSettings({ ...settings, leadRate: Number(val(e)) / 100 })} /></label>
          <label>{t('qs.qaRate')}<input type="number" min={0} max={100} value={Math.round(settings.qaRate * 100)} onInput={(e) => setSettings({ ...settings, qaRate: Number(val(e)) / 100 })} /></label>
          <label>{t('qs.dueDays')}<input type="number" min={0} max={60} value={settings.dueDays} onInput={(e) => setSettings({ ...settings, dueDays: Number(val(e)) })} /></label>
          <label>{t('qs.seed')}<input value={settings.seed} onInput={(e) => setSettings({ ...settings, seed: val(e) })} /></label>
          <button type="button" class="btn btn-primary" onClick={save} data-testid="qs-save">{t('qs.save')}</button>
        </fieldset>
      )}
    </div>
  );
}
