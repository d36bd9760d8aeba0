// Evaluations (docs/qa.md): the agent's own results (acknowledge or appeal within the deadline)
// and, for QA staff, all evaluations. Opening one shows the player, the items, the comments
// (click = seek) and the history.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { qaApi, type EvaluationDetail, type EvaluationSummary } from './qa-api.js';
import { EvaluationView, hasRole, ScoreCell, statusLabel, val, when } from './qa-shared.js';

export function QaEvaluationsPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const staff = hasRole(user, 'qa', 'team_lead', 'manager');
  const [tab, setTab] = useState<'mine' | 'all'>(staff ? 'all' : 'mine');
  const [rows, setRows] = useState<EvaluationSummary[]>([]);
  const [open, setOpen] = useState<EvaluationDetail | null>(null);
  const [reason, setReason] = useState('');
  const [appealing, setAppealing] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const load = useCallback(() => void (tab === 'mine' ? qaApi.mine() : qaApi.evaluations()).then(setRows, fail), [tab, fail]);
  useEffect(load, [load]);
  const show = (id: number) => void qaApi.evaluation(id).then((d) => (setOpen(d), setAppealing(false), setReason('')), fail);
  const after = (p: Promise<unknown>) => void p.then(() => (load(), open && show(open.id)), fail);
  const deadlineOpen = (ev: EvaluationSummary) => !ev.ackDeadline || Date.now() <= Date.parse(ev.ackDeadline);
  return (
    <div class="qa-page" data-testid="qa-evaluations-page">
      <PageHeader title={t('qa.eval.title')} subtitle={t('qa.eval.subtitle')} />
      {staff && (
        <div class="tk-filters qa-row" role="tablist">
          {(['all', 'mine'] as const).map((x) => (
            <button key={x} type="button" role="tab" aria-selected={tab === x} class={`btn ${tab === x ? 'btn-primary' : 'btn-ghost'} btn-small`} onClick={() => (setTab(x), setOpen(null))} data-testid={`qa-eval-tab-${x}`}>
              {x === 'all' ? t('qa.eval.all') : t('qa.eval.mine')}
            </button>
          ))}
        </div>
      )}
      {err && <Alert kind="error">{err}</Alert>}
      <div class="card table-wrap">
        <table class="table" data-testid="qa-evaluations">
          <thead>
            <tr>
              <th>{t('qa.col.time')}</th>
              <th>{t('qa.col.agent')}</th>
              <th>{t('qa.col.reviewer')}</th>
              <th>{t('qa.col.form')}</th>
              <th>{t('qa.col.score')}</th>
              <th>{t('qa.col.status')}</th>
              <th>{t('qa.col.deadline')}</th>
              <th>{t('qa.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <EmptyRow cols={8}>{t('qa.eval.empty')}</EmptyRow>
            ) : (
              rows.map((ev) => (
                <tr key={ev.id} data-testid={`qa-eval-${ev.id}`}>
                  <td>{when(ev.submittedAt)}</td>
                  <td>{ev.agentName ?? '—'}</td>
                  <td>{ev.reviewerName}</td>
                  <td>
                    {ev.formName} · {t('qa.forms.version')} {ev.formVersion}
                  </td>
                  <td>
                    <ScoreCell t={t} score={ev.score} passed={ev.passed} criticalFailed={ev.criticalFailed} />
                    {ev.outlier && <span class="qa-critical">{t('qa.outlier')}</span>}
                  </td>
                  <td>{statusLabel(t, ev.status)}</td>
                  <td>{ev.status === 'submitted' ? when(ev.ackDeadline) : '—'}</td>
                  <td>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => show(ev.id)} data-testid={`qa-eval-open-${ev.id}`}>
                      {t('qa.view')}
                    </button>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {open && (
        <div class="card">
          {tab === 'mine' && open.status === 'submitted' && (
            <div class="qa-row" data-testid="qa-eval-agent-actions">
              <button type="button" class="btn btn-primary btn-small" onClick={() => after(qaApi.acknowledge(open.id))} data-testid="qa-ack">
                {t('qa.ack')}
              </button>
              {deadlineOpen(open) && open.kind === 'review' && (
                <button type="button" class="btn btn-ghost btn-small" onClick={() => setAppealing(true)} data-testid="qa-appeal">
                  {t('qa.appeal')}
                </button>
              )}
            </div>
          )}
          {appealing && (
            <div class="qa-row">
              <textarea placeholder={t('qa.appeal.reason')} aria-label={t('qa.appeal.reason')} value={reason} onInput={(e) => setReason(val(e))} data-testid="qa-appeal-reason" />
              <button type="button" class="btn btn-primary btn-small" disabled={!reason.trim()} onClick={() => after(qaApi.appeal(open.id, reason))} data-testid="qa-appeal-send">
                {t('qa.appeal.send')}
              </button>
            </div>
          )}
          {open.appeal && (
            <Alert kind="info" title={`${t('qa.appeal')} · ${statusLabel(t, open.appeal.status)}`}>
              {open.appeal.reason}
              {open.appeal.decisionNote && ` — ${open.appeal.decisionNote}`}
            </Alert>
          )}
          <EvaluationView t={t} lang={lang} ev={open} audioSrc={qaApi.evaluationAudioUrl(open.id)} />
          <button type="button" class="btn btn-ghost btn-small" onClick={() => setOpen(null)}>
            {t('qa.close')}
          </button>
        </div>
      )}
    </div>
  );
}
