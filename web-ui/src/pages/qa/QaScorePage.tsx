// Scoring (docs/qa.md): the work queue (assigned re-scores first, then unscored calls) and the
// scoring screen: player + item checklist + comments stamped with the playback position.
// Query: ?recording=<id>[&form=<versionId>][&calibration=<sessionId>][&replaces=<evaluationId>]
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type TFunction } from '../../i18n/index.js';
import { navigate, usePath } from '../../router.js';
import { clock, qaApi, type FormSummary, type FormVersion, type QueueItem } from './qa-api.js';
import { hasRole, itemsOf, Player, usePlayer, val, when } from './qa-shared.js';

interface Target {
  recordingId: number;
  formVersionId?: number;
  calibrationSessionId?: number;
  replacesEvaluationId?: number;
}

function readTarget(): Target | null {
  const q = new URLSearchParams(location.search);
  const n = (k: string) => (q.get(k) && Number(q.get(k)) > 0 ? Number(q.get(k)) : undefined);
  const recordingId = n('recording');
  if (!recordingId) return null;
  return { recordingId, formVersionId: n('form'), calibrationSessionId: n('calibration'), replacesEvaluationId: n('replaces') };
}

export function QaScorePage({ user }: { user: User }) {
  const { t } = useI18n();
  const path = usePath();
  // The router re-renders on path changes only; the target lives in the query string.
  const [search, setSearch] = useState(location.search);
  useEffect(() => {
    const sync = () => setSearch(location.search);
    window.addEventListener('popstate', sync);
    return () => window.removeEventListener('popstate', sync);
  }, []);
  const go = (to: string) => (navigate(to), setSearch(location.search));
  const target = readTarget();
  // Agents open the QA section for their own results: the scoring screen is not theirs.
  const scorer = hasRole(user, 'qa', 'team_lead', 'manager');
  useEffect(() => {
    if (!scorer) navigate('/qa/evaluations', { replace: true });
  }, [scorer, path]);
  return (
    <div class="qa-page" data-testid="qa-score-page">
      <PageHeader title={t('qa.score.title')} subtitle={t('qa.score.subtitle')} />
      {target ? <ScoreSheet key={search} t={t} target={target} /> : <Queue t={t} user={user} go={go} />}
    </div>
  );
}

function Queue({ t, go }: { t: TFunction; user: User; go: (to: string) => void }) {
  const [rows, setRows] = useState<QueueItem[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const [manual, setManual] = useState('');
  useEffect(() => void qaApi.queue().then(setRows, (e) => setErr(describeError(t, e))), [t]);
  const open = (q: QueueItem) => go(`/qa/score?recording=${q.recordingId}${q.reason === 'rescore' && q.appealId ? `&appeal=${q.appealId}` : ''}`);
  return (
    <div class="card table-wrap">
      {err && <Alert kind="error">{err}</Alert>}
      <div class="qa-row">
        <h3>{t('qa.queue.title')}</h3>
        <input type="number" min={1} placeholder={t('qa.recordingId')} aria-label={t('qa.recordingId')} value={manual} onInput={(e) => setManual(val(e))} data-testid="qa-open-id" />
        <button type="button" class="btn btn-ghost btn-small" disabled={!(Number(manual) > 0)} onClick={() => go(`/qa/score?recording=${Number(manual)}`)} data-testid="qa-open-id-go">
          {t('qa.open')}
        </button>
      </div>
      <table class="table" data-testid="qa-queue">
        <thead>
          <tr>
            <th>{t('qa.col.recording')}</th>
            <th>{t('qa.col.time')}</th>
            <th>{t('qa.col.duration')}</th>
            <th>{t('qa.col.agent')}</th>
            <th>{t('qa.col.status')}</th>
            <th>{t('qa.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <EmptyRow cols={6}>{t('qa.queue.empty')}</EmptyRow>
          ) : (
            rows.map((q) => (
              <tr key={`${q.reason}-${q.recordingId}`} data-testid={`qa-queue-${q.recordingId}`}>
                <td>#{q.recordingId}</td>
                <td>{when(q.startedAt)}</td>
                <td>{q.durationMs !== null ? clock(q.durationMs) : '—'}</td>
                <td>{q.agentName ?? '—'}</td>
                <td>{q.reason === 'rescore' ? t('qa.queue.rescore') : t('qa.queue.unscored')}</td>
                <td>
                  <button type="button" class="btn btn-primary btn-small" onClick={() => open(q)} data-testid={`qa-queue-open-${q.recordingId}`}>
                    {t('qa.open')}
                  </button>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Client-side preview with the server's rule (the server's score is what counts). */
function preview(form: FormVersion, points: Map<number, number | null>): { score: number; critical: boolean } | null {
  let earned = 0;
  let weight = 0;
  let critical = false;
  for (const it of itemsOf(form)) {
    if (!points.has(it.id)) return null;
    const p = points.get(it.id)!;
    if (p === null) continue;
    if (it.critical && p === 0) critical = true;
    earned += (p / it.maxPoints) * it.weight;
    weight += it.weight;
  }
  if (weight === 0) return null;
  return { score: critical ? 0 : Math.round((earned / weight) * 10000) / 100, critical };
}

function ScoreSheet({ t, target }: { t: TFunction; target: Target }) {
  const { lang } = useI18n();
  const player = usePlayer();
  const [forms, setForms] = useState<FormSummary[]>([]);
  const [versionId, setVersionId] = useState<number | undefined>(target.formVersionId);
  const [form, setForm] = useState<FormVersion | null>(null);
  const [points, setPoints] = useState(new Map<number, number | null>());
  const [comments, setComments] = useState<{ positionMs: number; itemId: number | null; text: string }[]>([]);
  const [draft, setDraft] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [replaces, setReplaces] = useState<number | undefined>(target.replacesEvaluationId);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const text = (zh: string, en: string) => (lang === 'en' ? en : zh);

  useEffect(() => {
    if (target.formVersionId) return;
    void qaApi.forms().then((f) => {
      const active = f.filter((x) => x.active);
      setForms(active);
      if (active.length === 1 && !versionId) setVersionId(active[0]!.latestVersionId);
    }, fail);
    // A re-score from the queue: find the appealed evaluation of this recording and keep its form version.
    const appeal = new URLSearchParams(location.search).get('appeal');
    if (appeal) {
      void qaApi.appeals('upheld').then((list) => {
        const ap = list.find((a) => a.id === Number(appeal));
        if (!ap) return;
        setReplaces(ap.evaluationId);
        void qaApi.evaluation(ap.evaluationId).then((ev) => setVersionId(ev.formVersionId), fail);
      }, fail);
    }
  }, [target.formVersionId, fail]);
  useEffect(() => {
    if (versionId) void qaApi.version(versionId).then((v) => (setForm(v), setPoints(new Map())), fail);
  }, [versionId, fail]);

  const set = (itemId: number, p: number | null) => setPoints(new Map(points).set(itemId, p));
  const addComment = (itemId: number | null) => {
    if (!draft.trim()) return;
    setComments([...comments, { positionMs: player.positionMs(), itemId, text: draft.trim() }].sort((a, b) => a.positionMs - b.positionMs));
    setDraft('');
  };
  const pv = useMemo(() => (form ? preview(form, points) : null), [form, points]);
  const missing = form ? itemsOf(form).filter((i) => !points.has(i.id)).length : 0;
  const submit = () => {
    if (!form) return;
    setErr(null);
    void qaApi
      .submit({
        recordingId: target.recordingId,
        formVersionId: form.id,
        answers: itemsOf(form).map((i) => ({ itemId: i.id, points: points.get(i.id) ?? null })),
        comments,
        source: target.calibrationSessionId ? 'calibration' : replaces ? 'rescore' : 'queue',
        ...(target.calibrationSessionId ? { calibrationSessionId: target.calibrationSessionId } : {}),
        ...(replaces ? { replacesEvaluationId: replaces } : {}),
      })
      .then((ev) => setDone(t('qa.submitted', { score: ev.score.toFixed(2) })), fail);
  };

  return (
    <div class="card" data-testid="qa-score-sheet">
      {err && <Alert kind="error">{err}</Alert>}
      {done && <Alert kind="success" testId="qa-score-done">{done}</Alert>}
      <div class="qa-sticky">
        <div class="qa-row">
          <strong>
            {t('qa.col.recording')} #{target.recordingId}
          </strong>
          {!target.formVersionId && !replaces && (
            <select aria-label={t('qa.pickForm')} value={versionId ?? 0} onChange={(e) => setVersionId(Number(val(e)) || undefined)} data-testid="qa-pick-form">
              <option value={0}>{t('qa.pickForm')}</option>
              {forms.map((f) => (
                <option key={f.id} value={f.latestVersionId}>
                  {text(f.nameZh, f.nameEn)} · {t('qa.forms.version')} {f.latestVersion}
                </option>
              ))}
            </select>
          )}
          {pv && (
            <span class={pv.critical ? 'qa-fail' : ''} data-testid="qa-preview">
              {pv.critical ? t('qa.previewCritical') : t('qa.preview', { score: pv.score.toFixed(2) })}
            </span>
          )}
        </div>
        <Player src={qaApi.recordingAudioUrl(target.recordingId)} audio={player.audio} />
        <div class="qa-row">
          <input class="rec-grow" placeholder={t('qa.comment.placeholder')} aria-label={t('qa.comment.placeholder')} value={draft} onInput={(e) => setDraft(val(e))} onKeyDown={(e) => e.key === 'Enter' && addComment(null)} data-testid="qa-comment-text" />
          <button type="button" class="btn btn-ghost btn-small" disabled={!draft.trim()} onClick={() => addComment(null)} data-testid="qa-comment-add">
            {t('qa.comment.add')}
          </button>
        </div>
        {comments.length > 0 && (
          <ul class="qa-comments" data-testid="qa-comments">
            {comments.map((c, i) => (
              <li key={i}>
                <button type="button" class="btn btn-ghost btn-small" title={t('qa.comment.seek', { time: clock(c.positionMs) })} onClick={() => player.seek(c.positionMs)} data-testid={`qa-comment-seek-${i}`}>
                  {clock(c.positionMs)}
                </button>{' '}
                {c.text}
              </li>
            ))}
          </ul>
        )}
      </div>
      {!forms.length && !target.formVersionId && !versionId && <Alert kind="info">{t('qa.noForm')}</Alert>}
      {form &&
        form.sections.map((s) => (
          <div key={s.id} class="qa-section">
            <h4>{text(s.titleZh, s.titleEn)}</h4>
            {s.items.map((it) => {
              const p = points.get(it.id);
              const opts: (number | null)[] = it.critical ? [it.maxPoints, 0] : Array.from({ length: it.maxPoints + 1 }, (_, k) => it.maxPoints - k);
              if (it.naAllowed) opts.push(null);
              return (
                <div key={it.id} class="qa-item" data-testid={`qa-item-${it.id}`}>
                  <span class="qa-item-text">
                    {text(it.textZh, it.textEn)} <span class="muted">{t('qa.item.weight', { weight: it.weight })}</span>
                    {it.critical && <em class="qa-critical">{t('qa.item.critical')}</em>}
                  </span>
                  <span class="qa-item-controls">
                    {opts.map((o) => (
                      <button
                        key={String(o)}
                        type="button"
                        class={`btn btn-small ${points.has(it.id) && p === o ? 'btn-primary' : 'btn-ghost'}`}
                        aria-pressed={points.has(it.id) && p === o}
                        onClick={() => set(it.id, o)}
                        data-testid={`qa-item-${it.id}-${o === null ? 'na' : o}`}
                      >
                        {o === null ? t('qa.item.na') : it.critical ? (o === 0 ? t('qa.item.fail') : t('qa.item.pass')) : String(o)}
                      </button>
                    ))}
                    <button type="button" class="btn btn-ghost btn-small" disabled={!draft.trim()} title={t('qa.comment.add')} onClick={() => addComment(it.id)}>
                      +
                    </button>
                  </span>
                </div>
              );
            })}
          </div>
        ))}
      {form && (
        <div class="qa-row">
          <button type="button" class="btn btn-primary" disabled={missing > 0 || !!done} onClick={submit} data-testid="qa-submit">
            {t('qa.submit')}
          </button>
          {missing > 0 && <span class="muted">{t('qa.unanswered', { count: missing })}</span>}
        </div>
      )}
    </div>
  );
}
