// Appeals and outlier re-checks (docs/qa.md): the QA manager (role manager) rejects an appeal,
// upholds it with an adjusted score, or orders a re-score by another reviewer; outlier scores
// are confirmed or adjusted. Other QA staff see the lists read-only.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { qaApi, type AppealView, type EvaluationDetail, type EvaluationSummary } from './qa-api.js';
import { EvaluationView, isQaManager, ScoreCell, statusLabel, val, when } from './qa-shared.js';

export function QaAppealsPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const manager = isQaManager(user);
  const [onlyOpen, setOnlyOpen] = useState(true);
  const [appeals, setAppeals] = useState<AppealView[]>([]);
  const [rechecks, setRechecks] = useState<EvaluationSummary[]>([]);
  const [reviewers, setReviewers] = useState<{ id: number; name: string }[]>([]);
  const [form, setForm] = useState<Record<number, { score: string; reviewer: number; note: string }>>({});
  const [open, setOpen] = useState<EvaluationDetail | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const load = useCallback(() => {
    void qaApi.appeals(onlyOpen ? 'open' : undefined).then(setAppeals, fail);
    void qaApi.evaluations({ outlierPending: true }).then(setRechecks, fail);
  }, [onlyOpen, fail]);
  useEffect(load, [load]);
  useEffect(() => void qaApi.reviewers().then(setReviewers, fail), [fail]);
  const f = (id: number) => form[id] ?? { score: '', reviewer: 0, note: '' };
  const edit = (id: number, patch: Partial<{ score: string; reviewer: number; note: string }>) => setForm({ ...form, [id]: { ...f(id), ...patch } });
  const act = (p: Promise<unknown>) => void p.then(() => (setErr(null), load()), fail);
  const show = (id: number) => void qaApi.evaluation(id).then(setOpen, fail);
  return (
    <div class="qa-page" data-testid="qa-appeals-page">
      <PageHeader title={t('qa.appeals.title')} subtitle={t('qa.appeals.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      <div class="tk-filters qa-row" role="tablist">
        {[true, false].map((x) => (
          <button key={String(x)} type="button" role="tab" aria-selected={onlyOpen === x} class={`btn ${onlyOpen === x ? 'btn-primary' : 'btn-ghost'} btn-small`} onClick={() => setOnlyOpen(x)}>
            {x ? t('qa.appeals.open') : t('qa.appeals.all')}
          </button>
        ))}
      </div>
      <div class="card table-wrap">
        <table class="table" data-testid="qa-appeals">
          <thead>
            <tr>
              <th>{t('qa.col.time')}</th>
              <th>{t('qa.col.agent')}</th>
              <th>{t('qa.col.reviewer')}</th>
              <th>{t('qa.col.score')}</th>
              <th>{t('qa.col.reason')}</th>
              <th>{t('qa.col.status')}</th>
              <th>{t('qa.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {appeals.length === 0 ? (
              <EmptyRow cols={7}>{t('qa.appeals.empty')}</EmptyRow>
            ) : (
              appeals.map((a) => (
                <tr key={a.id} data-testid={`qa-appeal-${a.id}`}>
                  <td>{when(a.filedAt)}</td>
                  <td>{a.agentName ?? '—'}</td>
                  <td>{a.reviewerName}</td>
                  <td>{a.score.toFixed(2)}</td>
                  <td>{a.reason}</td>
                  <td>{statusLabel(t, a.status)}</td>
                  <td>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => show(a.evaluationId)} data-testid={`qa-appeal-view-${a.id}`}>
                      {t('qa.view')}
                    </button>
                    {manager && a.status === 'open' && (
                      <div class="qa-row">
                        <input placeholder={t('qa.appeals.note')} aria-label={t('qa.appeals.note')} value={f(a.id).note} onInput={(e) => edit(a.id, { note: val(e) })} />
                        <button type="button" class="btn btn-ghost btn-small" onClick={() => act(qaApi.decide(a.id, { decision: 'rejected', note: f(a.id).note || undefined }))} data-testid={`qa-appeal-reject-${a.id}`}>
                          {t('qa.appeals.reject')}
                        </button>
                        <input class="qa-number" type="number" min={0} max={100} placeholder={t('qa.appeals.newScore')} aria-label={t('qa.appeals.newScore')} value={f(a.id).score} onInput={(e) => edit(a.id, { score: val(e) })} data-testid={`qa-appeal-score-${a.id}`} />
                        <button type="button" class="btn btn-ghost btn-small" disabled={f(a.id).score === ''} onClick={() => act(qaApi.decide(a.id, { decision: 'upheld', outcome: 'adjusted', adjustedScore: Number(f(a.id).score), note: f(a.id).note || undefined }))} data-testid={`qa-appeal-adjust-${a.id}`}>
                          {t('qa.appeals.adjust')}
                        </button>
                        <select aria-label={t('qa.appeals.reviewer')} value={f(a.id).reviewer} onChange={(e) => edit(a.id, { reviewer: Number(val(e)) })} data-testid={`qa-appeal-reviewer-${a.id}`}>
                          <option value={0}>{t('qa.appeals.reviewer')}</option>
                          {reviewers.map((r) => (
                            <option key={r.id} value={r.id}>
                              {r.name}
                            </option>
                          ))}
                        </select>
                        <button type="button" class="btn btn-ghost btn-small" disabled={!f(a.id).reviewer} onClick={() => act(qaApi.decide(a.id, { decision: 'upheld', outcome: 'rescore', rescoreReviewerUserId: f(a.id).reviewer, note: f(a.id).note || undefined }))} data-testid={`qa-appeal-rescore-${a.id}`}>
                          {t('qa.appeals.rescore')}
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div class="card table-wrap">
        <h3>{t('qa.recheck.title')}</h3>
        <table class="table" data-testid="qa-rechecks">
          <thead>
            <tr>
              <th>{t('qa.col.time')}</th>
              <th>{t('qa.col.agent')}</th>
              <th>{t('qa.col.reviewer')}</th>
              <th>{t('qa.col.score')}</th>
              <th>{t('qa.col.reason')}</th>
              <th>{t('qa.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rechecks.length === 0 ? (
              <EmptyRow cols={6}>{t('qa.recheck.empty')}</EmptyRow>
            ) : (
              rechecks.map((ev) => (
                <tr key={ev.id} data-testid={`qa-recheck-${ev.id}`}>
                  <td>{when(ev.submittedAt)}</td>
                  <td>{ev.agentName ?? '—'}</td>
                  <td>{ev.reviewerName}</td>
                  <td>
                    <ScoreCell t={t} score={ev.score} passed={ev.passed} criticalFailed={ev.criticalFailed} />
                  </td>
                  <td>{ev.outlierReason}</td>
                  <td>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => show(ev.id)}>
                      {t('qa.view')}
                    </button>
                    {manager && (
                      <span class="qa-row">
                        <button type="button" class="btn btn-ghost btn-small" onClick={() => act(qaApi.recheck(ev.id, { action: 'confirm' }))} data-testid={`qa-recheck-confirm-${ev.id}`}>
                          {t('qa.recheck.confirm')}
                        </button>
                        <input class="qa-number" type="number" min={0} max={100} aria-label={t('qa.appeals.newScore')} value={f(-ev.id).score} onInput={(e) => edit(-ev.id, { score: val(e) })} />
                        <button type="button" class="btn btn-ghost btn-small" disabled={f(-ev.id).score === ''} onClick={() => act(qaApi.recheck(ev.id, { action: 'adjust', score: Number(f(-ev.id).score) }))}>
                          {t('qa.recheck.adjust')}
                        </button>
                      </span>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {open && (
        <div class="card">
          <EvaluationView t={t} lang={lang} ev={open} audioSrc={qaApi.evaluationAudioUrl(open.id)} />
          <button type="button" class="btn btn-ghost btn-small" onClick={() => setOpen(null)}>
            {t('qa.close')}
          </button>
        </div>
      )}
    </div>
  );
}
