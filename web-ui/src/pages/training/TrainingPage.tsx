// Training (docs/training.md): qualification per agent with what is missing (and approving the
// qualifying recording), training plans with trainees and exam results, retraining assignments.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { formatDuration } from '../../format.js';
import { useI18n, type TFunction } from '../../i18n/index.js';
import '../desk/records/records.css';
import { trainingApi, type AgentChoice, type Plan, type Qualification, type Retraining } from './training-api.js';

type Tab = 'qualifications' | 'plans' | 'retraining';
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }) : '');
const val = (e: Event) => (e.target as HTMLInputElement).value;

export function TrainingPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>('qualifications');
  const [err, setErr] = useState<string | null>(null);
  const [agents, setAgents] = useState<AgentChoice[]>([]);
  const has = (...r: string[]) => user.roles.includes('admin') || r.some((x) => user.roles.includes(x as never));
  const canTrain = has('trainer', 'manager');
  const isTrainer = user.roles.includes('trainer');
  const canAssign = has('trainer', 'manager', 'qa');
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  useEffect(() => void trainingApi.agents().then((r) => setAgents(r.agents), fail), [fail]);
  return (
    <div data-testid="training-page">
      <PageHeader title={t('tr.title')} subtitle={t('tr.subtitle')} />
      <div class="tk-filters" role="tablist">
        {(['qualifications', 'plans', 'retraining'] as Tab[]).map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} class={`btn ${tab === x ? 'btn-primary' : 'btn-ghost'} btn-small`} onClick={() => (setTab(x), setErr(null))} data-testid={`training-tab-${x}`}>
            {t(`tr.tab.${x}`)}
          </button>
        ))}
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      {tab === 'qualifications' && <Qualifications t={t} agents={agents} canTrain={canTrain} isTrainer={isTrainer} fail={fail} />}
      {tab === 'plans' && <Plans t={t} agents={agents} canTrain={canTrain} fail={fail} />}
      {tab === 'retraining' && <RetrainingList t={t} agents={agents} canAssign={canAssign} canTrain={canTrain} fail={fail} />}
    </div>
  );
}

interface Common {
  t: TFunction;
  agents: AgentChoice[];
  fail: (e: unknown) => void;
}

function AgentSelect({ agents, value, onChange, testId }: { agents: AgentChoice[]; value: number; onChange: (id: number) => void; testId?: string }) {
  return (
    <select value={value} onChange={(e) => onChange(Number(val(e)))} data-testid={testId}>
      <option value={0}>—</option>
      {agents.map((a) => (
        <option key={a.id} value={a.id}>
          {a.number} {a.name}
        </option>
      ))}
    </select>
  );
}

function Qualifications({ t, agents, canTrain, isTrainer, fail }: Common & { canTrain: boolean; isTrainer: boolean }) {
  const [rows, setRows] = useState<Qualification[]>([]);
  const [mark, setMark] = useState(0);
  const [picking, setPicking] = useState<number | null>(null);
  const [recs, setRecs] = useState<Array<{ id: number; startedAt: string; durationMs: number | null }>>([]);
  const load = useCallback(() => void trainingApi.qualifications().then((r) => setRows(r.qualifications), fail), [fail]);
  useEffect(load, [load]);
  const act = (p: Promise<unknown>) => void p.then(load, fail);
  const pick = (id: number) => {
    setPicking(id);
    void trainingApi.recordings(id).then((r) => setRecs(r.recordings), fail);
  };
  return (
    <div class="card table-wrap">
      {canTrain && (
        <div class="rec-row">
          <AgentSelect agents={agents} value={mark} onChange={setMark} testId="training-mark-agent" />
          <button type="button" class="btn btn-primary btn-small" disabled={!mark} onClick={() => (act(trainingApi.setTrainee(mark, true)), setMark(0))} data-testid="training-mark">
            {t('tr.markTrainee')}
          </button>
        </div>
      )}
      <table class="table" data-testid="training-qualifications">
        <thead>
          <tr>
            <th>{t('tr.col.agent')}</th>
            <th>{t('tr.col.status')}</th>
            <th>{t('tr.col.written')}</th>
            <th>{t('tr.col.oral')}</th>
            <th>{t('tr.col.recording')}</th>
            <th>{t('tr.col.missing')}</th>
            <th>{t('tr.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <EmptyRow cols={7}>{t('tr.empty.qualifications')}</EmptyRow>
          ) : (
            rows.map((q) => (
              <tr key={q.agentId} data-testid={`training-q-${q.agentNumber}`}>
                <td>
                  {q.agentNumber} {q.agentName}
                </td>
                <td class={q.gated ? 'tk-overdue' : ''}>{q.gated ? t('tr.status.gated') : q.qualifiedAt ? t('tr.status.qualified') : t('tr.status.free')}</td>
                <td>{q.writtenScore ?? '—'} / {q.passMarkWritten}</td>
                <td>{q.oralScore ?? '—'} / {q.passMarkOral}</td>
                <td>{q.recordingId !== null ? `#${q.recordingId}` : '—'}</td>
                <td>
                  {[...q.missing.map((m) => t(`tr.missing.${m}`)), ...q.openRetraining.map((r) => `${t('tr.tab.retraining')}: ${r.reason}`)].join('、')}
                </td>
                <td>
                  {isTrainer && q.missing.includes('recording') && (
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => pick(q.agentId)} data-testid={`training-pick-${q.agentNumber}`}>
                      {t('tr.pickRecording')}
                    </button>
                  )}
                  {canTrain && q.trainee && (
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => act(trainingApi.setTrainee(q.agentId, false))}>
                      {t('tr.unmarkTrainee')}
                    </button>
                  )}
                  {picking === q.agentId &&
                    (recs.length === 0 ? (
                      <div class="muted">{t('tr.noRecordings')}</div>
                    ) : (
                      recs.map((r) => (
                        <div key={r.id} class="rec-row">
                          #{r.id} {when(r.startedAt)} {r.durationMs !== null ? formatDuration(Math.round(r.durationMs / 1000)) : ''}
                          <button type="button" class="btn btn-primary btn-small" onClick={() => (act(trainingApi.approveRecording(q.agentId, r.id)), setPicking(null))}>
                            {t('tr.approveRecording')}
                          </button>
                        </div>
                      ))
                    ))}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

function Plans({ t, agents, canTrain, fail }: Common & { canTrain: boolean }) {
  const [plans, setPlans] = useState<Plan[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [form, setForm] = useState({ title: '', kind: 'initial', startsAt: '', place: '', material: '', examWritten: true, examOral: true, passMarkWritten: 80, passMarkOral: 80, trainees: [] as number[] });
  const load = useCallback(() => void trainingApi.plans().then((r) => setPlans(r.plans), fail), [fail]);
  useEffect(load, [load]);
  const create = () =>
    void trainingApi.createPlan({ ...form, startsAt: form.startsAt ? new Date(form.startsAt).toISOString() : '' }).then((p) => (setOpen(p.id), setForm({ ...form, title: '', trainees: [] }), load()), fail);
  const detail = plans.find((p) => p.id === open);
  return (
    <div>
      {canTrain && (
        <div class="card" data-testid="training-plan-form">
          <h3>{t('tr.plan.new')}</h3>
          <div class="rec-row">
            <input placeholder={t('tr.plan.title')} aria-label={t('tr.plan.title')} value={form.title} onInput={(e) => setForm({ ...form, title: val(e) })} />
            <select aria-label={t('tr.plan.kind')} value={form.kind} onChange={(e) => setForm({ ...form, kind: val(e) })}>
              <option value="initial">{t('tr.plan.kind.initial')}</option>
              <option value="retraining">{t('tr.plan.kind.retraining')}</option>
            </select>
            <input type="datetime-local" aria-label={t('tr.plan.startsAt')} value={form.startsAt} onInput={(e) => setForm({ ...form, startsAt: val(e) })} />
            <input placeholder={t('tr.plan.place')} aria-label={t('tr.plan.place')} value={form.place} onInput={(e) => setForm({ ...form, place: val(e) })} />
          </div>
          <textarea placeholder={t('tr.plan.material')} aria-label={t('tr.plan.material')} value={form.material} onInput={(e) => setForm({ ...form, material: val(e) })} />
          <div class="rec-row">
            {t('tr.plan.exam')}:
            <label>
              <input type="checkbox" checked={form.examWritten} onChange={(e) => setForm({ ...form, examWritten: (e.target as HTMLInputElement).checked })} /> {t('tr.plan.examWritten')}
            </label>
            <label>
              <input type="checkbox" checked={form.examOral} onChange={(e) => setForm({ ...form, examOral: (e.target as HTMLInputElement).checked })} /> {t('tr.plan.examOral')}
            </label>
            {t('tr.plan.passMark')}:
            <input type="number" min={0} max={100} aria-label={`${t('tr.plan.examWritten')} ${t('tr.plan.passMark')}`} value={form.passMarkWritten} onInput={(e) => setForm({ ...form, passMarkWritten: Number(val(e)) })} />
            <input type="number" min={0} max={100} aria-label={`${t('tr.plan.examOral')} ${t('tr.plan.passMark')}`} value={form.passMarkOral} onInput={(e) => setForm({ ...form, passMarkOral: Number(val(e)) })} />
          </div>
          <div class="rec-row">
            {t('tr.plan.trainees')}:
            {agents.map((a) => (
              <label key={a.id}>
                <input type="checkbox" checked={form.trainees.includes(a.id)} onChange={(e) => setForm({ ...form, trainees: (e.target as HTMLInputElement).checked ? [...form.trainees, a.id] : form.trainees.filter((x) => x !== a.id) })} /> {a.number} {a.name}
              </label>
            ))}
          </div>
          <button type="button" class="btn btn-primary" disabled={!form.title.trim() || !form.place.trim() || !form.startsAt} onClick={create} data-testid="training-plan-create">
            {t('tr.plan.create')}
          </button>
        </div>
      )}
      <div class="card table-wrap">
        <table class="table" data-testid="training-plans">
          <thead>
            <tr>
              <th>{t('tr.plan.title')}</th>
              <th>{t('tr.plan.kind')}</th>
              <th>{t('tr.plan.startsAt')}</th>
              <th>{t('tr.plan.place')}</th>
              <th>{t('tr.plan.trainees')}</th>
              <th>{t('tr.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {plans.length === 0 ? (
              <EmptyRow cols={6}>{t('tr.plan.empty')}</EmptyRow>
            ) : (
              plans.map((p) => (
                <tr key={p.id} class={p.redesign ? 'tk-overdue' : ''}>
                  <td>
                    {p.title} {p.redesign && <strong>⚠ {t('tr.plan.redesign')}</strong>}
                  </td>
                  <td>{t(`tr.plan.kind.${p.kind}`)}</td>
                  <td>{when(p.startsAt)}</td>
                  <td>{p.place}</td>
                  <td>{p.trainees.length}</td>
                  <td>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => setOpen(p.id)}>
                      {t('tr.plan.open')}
                    </button>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {detail && <PlanDetail t={t} plan={detail} canTrain={canTrain} fail={fail} reload={load} />}
    </div>
  );
}

function PlanDetail({ t, plan, canTrain, fail, reload }: { t: TFunction; plan: Plan; canTrain: boolean; fail: (e: unknown) => void; reload: () => void }) {
  const [entry, setEntry] = useState<Record<number, { w: string; o: string; at: string; re: string }>>({});
  const get = (id: number) => entry[id] ?? { w: '', o: '', at: '', re: '' };
  const set = (id: number, patch: Partial<{ w: string; o: string; at: string; re: string }>) => setEntry({ ...entry, [id]: { ...get(id), ...patch } });
  const act = (p: Promise<unknown>) => void p.then(reload, fail);
  return (
    <div class="card" data-testid="training-plan-detail">
      <h3>{plan.title}</h3>
      {plan.redesign && (
        <Alert kind="warning">
          {t('tr.plan.redesign')}{' '}
          {canTrain && (
            <button type="button" class="btn btn-ghost btn-small" onClick={() => act(trainingApi.clearRedesign(plan.id))}>
              {t('tr.plan.clearRedesign')}
            </button>
          )}
        </Alert>
      )}
      <p class="muted tk-pre">{plan.material}</p>
      <table class="table">
        <thead>
          <tr>
            <th>{t('tr.col.agent')}</th>
            <th>{t('tr.col.status')}</th>
            <th>{t('tr.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {plan.trainees.map((a) => {
            const results = plan.results.filter((r) => r.agentId === a.agentId);
            const last = results[results.length - 1];
            const e = get(a.agentId);
            return (
              <tr key={a.agentId} data-testid={`training-trainee-${a.number}`}>
                <td>
                  {a.number} {a.name}
                </td>
                <td>
                  {results.map((r) => (
                    <div key={r.id} class={r.reexamOverdue ? 'tk-overdue' : ''}>
                      {t('tr.result.attempt', { n: String(r.attempt) })} {when(r.examAt)}: {r.writtenScore ?? '—'} / {r.oralScore ?? '—'} {r.passed ? t('tr.result.passed') : t('tr.result.failed')}
                      {r.reexamAt && ` · ${t('tr.result.reexamAt', { at: when(r.reexamAt) })}`}
                      {r.reexamOverdue && ` · ${t('tr.result.overdue')}`}
                    </div>
                  ))}
                </td>
                <td>
                  {canTrain && !last?.passed && (
                    <div class="rec-row">
                      <input type="datetime-local" aria-label={t('tr.result.examAt')} value={e.at} onInput={(ev) => set(a.agentId, { at: val(ev) })} />
                      {plan.examWritten && <input type="number" min={0} max={100} aria-label={t('tr.plan.examWritten')} placeholder={t('tr.plan.examWritten')} value={e.w} onInput={(ev) => set(a.agentId, { w: val(ev) })} />}
                      {plan.examOral && <input type="number" min={0} max={100} aria-label={t('tr.plan.examOral')} placeholder={t('tr.plan.examOral')} value={e.o} onInput={(ev) => set(a.agentId, { o: val(ev) })} />}
                      <button
                        type="button"
                        class="btn btn-primary btn-small"
                        disabled={!e.at}
                        onClick={() =>
                          act(
                            trainingApi.recordResult(plan.id, {
                              agentId: a.agentId,
                              examAt: new Date(e.at).toISOString(),
                              ...(plan.examWritten ? { writtenScore: Number(e.w) } : {}),
                              ...(plan.examOral ? { oralScore: Number(e.o) } : {}),
                            }),
                          )
                        }
                      >
                        {t('tr.result.record')}
                      </button>
                      {last && !last.passed && (
                        <>
                          <input type="datetime-local" aria-label={t('tr.result.scheduleReexam')} value={e.re} onInput={(ev) => set(a.agentId, { re: val(ev) })} />
                          <button type="button" class="btn btn-ghost btn-small" disabled={!e.re} onClick={() => act(trainingApi.scheduleReexam(plan.id, a.agentId, new Date(e.re).toISOString()))}>
                            {t('tr.result.scheduleReexam')}
                          </button>
                        </>
                      )}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RetrainingList({ t, agents, canAssign, canTrain, fail }: Common & { canAssign: boolean; canTrain: boolean }) {
  const [rows, setRows] = useState<Retraining[]>([]);
  const [agentId, setAgentId] = useState(0);
  const [reason, setReason] = useState('');
  const load = useCallback(() => void trainingApi.retraining().then((r) => setRows(r.retraining), fail), [fail]);
  useEffect(load, [load]);
  const act = (p: Promise<unknown>) => void p.then(load, fail);
  const name = (id: number) => {
    const a = agents.find((x) => x.id === id);
    return a ? `${a.number} ${a.name}` : `#${id}`;
  };
  return (
    <div class="card table-wrap">
      {canAssign && (
        <div class="rec-row">
          <AgentSelect agents={agents} value={agentId} onChange={setAgentId} testId="training-rt-agent" />
          <input placeholder={t('tr.rt.reason')} aria-label={t('tr.rt.reason')} value={reason} onInput={(e) => setReason(val(e))} />
          <button type="button" class="btn btn-primary btn-small" disabled={!agentId || !reason.trim()} onClick={() => (act(trainingApi.assignRetraining(agentId, reason)), setReason(''))}>
            {t('tr.rt.assign')}
          </button>
        </div>
      )}
      <table class="table" data-testid="training-retraining">
        <thead>
          <tr>
            <th>{t('tr.rt.agent')}</th>
            <th>{t('tr.rt.reason')}</th>
            <th>{t('tr.rt.source')}</th>
            <th>{t('tr.rt.at')}</th>
            <th>{t('tr.col.status')}</th>
            <th>{t('tr.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <EmptyRow cols={6}>{t('tr.rt.empty')}</EmptyRow>
          ) : (
            rows.map((r) => (
              <tr key={r.id}>
                <td>{name(r.agentId)}</td>
                <td>{r.reason}</td>
                <td>{t(`tr.rt.source.${r.source}`)}</td>
                <td>
                  {when(r.assignedAt)} {r.assignedBy ?? ''}
                </td>
                <td>{t(`tr.rt.status.${r.status}`)}</td>
                <td>
                  {canTrain && r.status === 'open' && (
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => act(trainingApi.cancelRetraining(r.id))}>
                      {t('tr.rt.cancel')}
                    </button>
                  )}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
