// Calibration (docs/qa.md): the QA manager picks a recording, a form and reviewers; each scores
// on the scoring screen; once all have scored (or the session is closed) the spread shows:
// total and per item min / max / mean / SD, and each reviewer's deviation from the mean.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { navigate } from '../../router.js';
import { qaApi, type CalibrationSummary, type CalibrationView, type FormSummary } from './qa-api.js';
import { isQaManager, statusLabel, val, when } from './qa-shared.js';

const num = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(2));

export function QaCalibrationPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const manager = isQaManager(user);
  const [list, setList] = useState<CalibrationSummary[]>([]);
  const [open, setOpen] = useState<CalibrationView | null>(null);
  const [forms, setForms] = useState<FormSummary[]>([]);
  const [reviewers, setReviewers] = useState<{ id: number; name: string }[]>([]);
  const [draft, setDraft] = useState({ title: '', recordingId: '', formVersionId: 0, reviewerUserIds: [] as number[] });
  const [err, setErr] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const load = useCallback(() => void qaApi.calibrations().then(setList, fail), [fail]);
  useEffect(load, [load]);
  useEffect(() => {
    if (!manager) return;
    void qaApi.forms().then((f) => setForms(f.filter((x) => x.active)), fail);
    void qaApi.reviewers().then(setReviewers, fail);
  }, [manager, fail]);
  const show = (id: number) => void qaApi.calibration(id).then(setOpen, fail);
  const create = () =>
    void qaApi
      .createCalibration({ title: draft.title, recordingId: Number(draft.recordingId), formVersionId: draft.formVersionId, reviewerUserIds: draft.reviewerUserIds })
      .then((s) => (setErr(null), setOpen(s), load(), setDraft({ ...draft, title: '', reviewerUserIds: [] })), fail);
  const scoredBy = open ? open.reviewers.filter((r) => r.scored) : [];
  const me = open?.reviewers.find((r) => r.userId === user.id);
  return (
    <div class="qa-page" data-testid="qa-calibration-page">
      <PageHeader title={t('qa.cal.title')} subtitle={t('qa.cal.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      {manager && (
        <div class="card" data-testid="qa-cal-form">
          <h3>{t('qa.cal.new')}</h3>
          <div class="qa-row">
            <input placeholder={t('qa.cal.name')} aria-label={t('qa.cal.name')} value={draft.title} onInput={(e) => setDraft({ ...draft, title: val(e) })} data-testid="qa-cal-title" />
            <input type="number" min={1} placeholder={t('qa.recordingId')} aria-label={t('qa.recordingId')} value={draft.recordingId} onInput={(e) => setDraft({ ...draft, recordingId: val(e) })} data-testid="qa-cal-recording" />
            <select aria-label={t('qa.pickForm')} value={draft.formVersionId} onChange={(e) => setDraft({ ...draft, formVersionId: Number(val(e)) })} data-testid="qa-cal-form-version">
              <option value={0}>{t('qa.pickForm')}</option>
              {forms.map((f) => (
                <option key={f.id} value={f.latestVersionId}>
                  {lang === 'en' ? f.nameEn : f.nameZh} · {t('qa.forms.version')} {f.latestVersion}
                </option>
              ))}
            </select>
          </div>
          <div class="qa-row">
            {t('qa.cal.reviewers')}:
            {reviewers.map((r) => (
              <label key={r.id}>
                <input
                  type="checkbox"
                  checked={draft.reviewerUserIds.includes(r.id)}
                  onChange={(e) => setDraft({ ...draft, reviewerUserIds: (e.target as HTMLInputElement).checked ? [...draft.reviewerUserIds, r.id] : draft.reviewerUserIds.filter((x) => x !== r.id) })}
                  data-testid={`qa-cal-reviewer-${r.id}`}
                />{' '}
                {r.name}
              </label>
            ))}
          </div>
          <button type="button" class="btn btn-primary" disabled={!draft.title.trim() || !(Number(draft.recordingId) > 0) || !draft.formVersionId || draft.reviewerUserIds.length < 2} onClick={create} data-testid="qa-cal-create">
            {t('qa.cal.create')}
          </button>
        </div>
      )}
      <div class="card table-wrap">
        <table class="table" data-testid="qa-calibrations">
          <thead>
            <tr>
              <th>{t('qa.cal.name')}</th>
              <th>{t('qa.col.recording')}</th>
              <th>{t('qa.col.time')}</th>
              <th>{t('qa.col.status')}</th>
              <th>{t('qa.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.length === 0 ? (
              <EmptyRow cols={5}>{t('qa.cal.empty')}</EmptyRow>
            ) : (
              list.map((s) => (
                <tr key={s.id} data-testid={`qa-cal-${s.id}`}>
                  <td>{s.title}</td>
                  <td>#{s.recordingId}</td>
                  <td>{when(s.createdAt)}</td>
                  <td>
                    {statusLabel(t, s.status)} · {t('qa.cal.progress', { scored: s.scored, total: s.reviewers })}
                  </td>
                  <td>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => show(s.id)} data-testid={`qa-cal-open-${s.id}`}>
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
        <div class="card" data-testid="qa-cal-view">
          <h3>
            {open.title} · #{open.recordingId} · {statusLabel(t, open.status)}
          </h3>
          <div class="qa-row">
            {me && !me.scored && open.status === 'open' && (
              <button type="button" class="btn btn-primary btn-small" onClick={() => navigate(`/qa/score?recording=${open.recordingId}&form=${open.formVersionId}&calibration=${open.id}`)} data-testid="qa-cal-score">
                {t('qa.cal.scoreNow')}
              </button>
            )}
            {manager && open.status === 'open' && (
              <button type="button" class="btn btn-ghost btn-small" onClick={() => void qaApi.closeCalibration(open.id).then((s) => (setOpen(s), load()), fail)} data-testid="qa-cal-close">
                {t('qa.cal.closeSession')}
              </button>
            )}
          </div>
          {!open.revealed && <Alert kind="info">{t('qa.cal.hidden')}</Alert>}
          <table class="table" data-testid="qa-cal-reviewers">
            <thead>
              <tr>
                <th>{t('qa.col.reviewer')}</th>
                <th>{t('qa.col.score')}</th>
                <th>{t('qa.cal.deviation')}</th>
              </tr>
            </thead>
            <tbody>
              {open.reviewers.map((r) => (
                <tr key={r.userId} data-testid={`qa-cal-reviewer-row-${r.userId}`}>
                  <td>{r.name}</td>
                  <td>{r.score !== null ? num(r.score) : r.scored ? '✓' : '—'}</td>
                  <td>{r.deviation !== null ? (r.deviation > 0 ? `+${num(r.deviation)}` : num(r.deviation)) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {open.revealed && open.total && (
            <table class="table" data-testid="qa-cal-spread">
              <thead>
                <tr>
                  <th>{t('qa.cal.item')}</th>
                  {scoredBy.map((r) => (
                    <th key={r.userId}>{r.name}</th>
                  ))}
                  <th>{t('qa.cal.min')}</th>
                  <th>{t('qa.cal.max')}</th>
                  <th>{t('qa.cal.mean')}</th>
                  <th>{t('qa.cal.sd')}</th>
                </tr>
              </thead>
              <tbody>
                {open.items.map((it) => (
                  <tr key={it.itemId}>
                    <td>{lang === 'en' ? it.textEn : it.textZh}</td>
                    {it.points.map((p, i) => (
                      <td key={i}>{p === null ? t('qa.item.na') : p}</td>
                    ))}
                    <td>{num(it.stats.min)}</td>
                    <td>{num(it.stats.max)}</td>
                    <td>{num(it.stats.mean)}</td>
                    <td>{num(it.stats.sd)}</td>
                  </tr>
                ))}
                <tr data-testid="qa-cal-total">
                  <th>{t('qa.cal.total')}</th>
                  {scoredBy.map((r) => (
                    <td key={r.userId}>{num(r.score)}</td>
                  ))}
                  <td>{num(open.total.min)}</td>
                  <td>{num(open.total.max)}</td>
                  <td>{num(open.total.mean)}</td>
                  <td>{num(open.total.sd)}</td>
                </tr>
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}
