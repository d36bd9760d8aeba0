// Recordings: search every call recording (date range, number, seat, agent, evidence),
// play it with seeking (<audio> on the Range endpoint), download (manager / QA / admin only),
// mark or unmark evidence with a reason, and the storage panel (disk use, alarm, recording
// switch, last lifecycle job, "run now" for admins). See docs/recording.md.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { formatDuration, formatMegabytes } from '../../format.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { recordingsApi, type Recording, type RecordingFilter, type RecordingJobProgress, type RecordingStorage } from './recordings-api.js';
import './recordings.css';
import { EmptyRow } from '../../components/EmptyRow.js';

const PAGE = 50;
const has = (u: User, ...roles: string[]) => u.roles.some((r) => r === 'admin' || roles.includes(r));
const value = (e: Event) => (e.target as HTMLInputElement).value;
const dirKey = (d: string | null): MessageKey | null => (d === 'inbound' ? 'rec.direction.inbound' : d === 'outbound' ? 'rec.direction.outbound' : d === 'internal' ? 'rec.direction.internal' : null);

export function RecordingsPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const canDownload = has(user, 'manager', 'qa');
  const isAdmin = user.roles.includes('admin');
  const [form, setForm] = useState({ from: '', to: '', number: '', seat: '', agent: '', evidence: false });
  const [filter, setFilter] = useState<RecordingFilter>({ limit: PAGE, offset: 0 });
  const [list, setList] = useState<{ total: number; items: Recording[] }>({ total: 0, items: [] });
  const [playing, setPlaying] = useState<Recording | null>(null);
  const [editing, setEditing] = useState<{ id: number; mark: boolean; reason: string } | null>(null);
  const [storage, setStorage] = useState<RecordingStorage | null>(null);
  const [job, setJob] = useState<RecordingJobProgress | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const load = useCallback(() => void recordingsApi.list(filter).then(setList, (e) => setErr(describeError(t, e))), [filter, t]);
  const loadStorage = useCallback(() => void recordingsApi.storage().then(setStorage, (e) => setErr(describeError(t, e))), [t]);
  useEffect(() => {
    load();
    const timer = setInterval(load, 15_000);
    return () => clearInterval(timer);
  }, [load]);
  useEffect(() => {
    loadStorage();
    const timer = setInterval(loadStorage, 30_000);
    return () => clearInterval(timer);
  }, [loadStorage]);
  useLiveMessages((m) => {
    if (m.type === 'recording.finished') load();
    else if (m.type === 'recording.storage') setStorage(m.data);
    else if (m.type === 'recording.job') {
      setJob(m.data.phase === 'done' ? null : m.data);
      if (m.data.phase === 'done') {
        loadStorage();
        load();
      }
    }
  });

  const search = () => {
    const dayStart = (d: string) => new Date(`${d}T00:00:00`).toISOString();
    const dayAfter = (d: string) => new Date(new Date(`${d}T00:00:00`).getTime() + 86_400_000).toISOString();
    setFilter({
      limit: PAGE,
      offset: 0,
      ...(form.from ? { from: dayStart(form.from) } : {}),
      ...(form.to ? { to: dayAfter(form.to) } : {}),
      ...(form.number.trim() ? { number: form.number.trim() } : {}),
      ...(form.seat.trim() ? { seat: form.seat.trim() } : {}),
      ...(form.agent.trim() ? { agent: form.agent.trim() } : {}),
      ...(form.evidence ? { evidence: true } : {}),
    });
  };
  const reset = () => {
    setForm({ from: '', to: '', number: '', seat: '', agent: '', evidence: false });
    setFilter({ limit: PAGE, offset: 0 });
  };
  const saveEvidence = async () => {
    if (!editing || !editing.reason.trim()) return;
    setErr(null);
    try {
      const r = await recordingsApi.evidence(editing.id, editing.mark, editing.reason.trim());
      setNote(t(r.evidence ? 'rec.evidence.marked' : 'rec.evidence.unmarked'));
      setEditing(null);
      if (playing?.id === r.id) setPlaying(r);
      load();
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const runNow = async () => {
    setErr(null);
    try {
      await recordingsApi.runNow();
      loadStorage();
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const when = (iso: string) => new Date(iso).toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

  return (
    <div class="page rec-page" data-testid="recordings-page">
      <PageHeader title={t('rec.title')} subtitle={t('rec.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="rec-note">{note}</span>
        </Alert>
      )}
      {storage && <StoragePanel storage={storage} job={job} isAdmin={isAdmin} onRun={() => void runNow()} />}
      <div class="card">
        <div class="card-body rec-filters">
          <label class="rec-field">
            <span>{t('rec.filter.from')}</span>
            <input type="date" value={form.from} onInput={(e) => setForm({ ...form, from: value(e) })} data-testid="rec-from" />
          </label>
          <label class="rec-field">
            <span>{t('rec.filter.to')}</span>
            <input type="date" value={form.to} onInput={(e) => setForm({ ...form, to: value(e) })} data-testid="rec-to" />
          </label>
          <label class="rec-field">
            <span>{t('rec.filter.number')}</span>
            <input class="mono" value={form.number} onInput={(e) => setForm({ ...form, number: value(e) })} data-testid="rec-number" />
          </label>
          <label class="rec-field">
            <span>{t('rec.filter.seat')}</span>
            <input class="mono rec-short" value={form.seat} onInput={(e) => setForm({ ...form, seat: value(e) })} data-testid="rec-seat" />
          </label>
          <label class="rec-field">
            <span>{t('rec.filter.agent')}</span>
            <input class="mono rec-short" value={form.agent} onInput={(e) => setForm({ ...form, agent: value(e) })} data-testid="rec-agent" />
          </label>
          <label class="rec-check">
            <input type="checkbox" checked={form.evidence} onChange={(e) => setForm({ ...form, evidence: (e.target as HTMLInputElement).checked })} data-testid="rec-evidence-only" />
            {t('rec.filter.evidence')}
          </label>
          <button type="button" class="btn btn-primary" onClick={search} data-testid="rec-search">
            {t('rec.filter.search')}
          </button>
          <button type="button" class="btn btn-secondary" onClick={reset}>
            {t('rec.filter.reset')}
          </button>
        </div>
      </div>
      {playing && (
        <div class="card" data-testid="rec-player">
          <div class="card-head rec-player-head">
            <h2 class="card-title">{t('rec.player.title', { id: playing.id })}</h2>
            <span class="mono">{[playing.fromNumber, playing.toNumber].filter(Boolean).join(' → ')}</span>
            <span class="rec-grow" />
            {canDownload && (
              <a class="btn btn-secondary btn-small" href={recordingsApi.downloadUrl(playing.id)} download data-testid="rec-download">
                {t('rec.download')}
              </a>
            )}
            <button type="button" class="btn btn-small" onClick={() => setPlaying(null)}>
              {t('rec.player.close')}
            </button>
          </div>
          <div class="card-body">
            <audio key={playing.id} controls preload="metadata" src={recordingsApi.audioUrl(playing.id)} class="rec-audio" data-testid="rec-audio" />
            {playing.evidence && <p class="rec-muted">{t('rec.evidence.by', { by: playing.evidenceBy ?? '', at: playing.evidenceAt ? when(playing.evidenceAt) : '', reason: playing.evidenceReason ?? '' })}</p>}
          </div>
        </div>
      )}
      <div class="card">
        <div class="table-wrap">
          <table class="table" data-testid="rec-table">
            <thead>
              <tr>
                <th>{t('rec.col.time')}</th>
                <th>{t('rec.col.direction')}</th>
                <th>{t('rec.col.from')}</th>
                <th>{t('rec.col.to')}</th>
                <th>{t('rec.col.agent')}</th>
                <th>{t('rec.col.seat')}</th>
                <th>{t('rec.col.duration')}</th>
                <th>{t('rec.col.evidence')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.items.length === 0 && <EmptyRow cols={9}>{t('rec.empty')}</EmptyRow>}
              {list.items.map((r) => {
                const dk = dirKey(r.direction);
                return (
                  <tr key={r.id} data-testid="rec-row" data-id={r.id} class={playing?.id === r.id ? 'rec-current' : undefined}>
                    <td class="tnum">{when(r.startedAt)}</td>
                    <td>{dk ? t(dk) : ''}</td>
                    <td class="mono">{r.fromNumber ?? ''}</td>
                    <td class="mono">{r.toNumber ?? ''}</td>
                    <td>{r.agentName ? `${r.agentName} (${r.agentNumber ?? ''})` : ''}</td>
                    <td class="mono">{r.seat ?? ''}</td>
                    <td class="tnum">
                      {r.durationMs !== null ? formatDuration(r.durationMs / 1000) : ''}
                      {r.format === 'opus' && <span class="badge badge-slate rec-tag">{t('rec.format.opus')}</span>}
                      {r.compression === 'failed' && (
                        <span class="badge badge-amber rec-tag" title={r.compressionError ?? ''}>
                          {t('rec.compression.failed')}
                        </span>
                      )}
                    </td>
                    <td>
                      {r.evidence && (
                        <span class="badge badge-red" title={r.evidenceReason ?? ''} data-testid="rec-evidence-badge">
                          {t('rec.evidence.badge')}
                        </span>
                      )}
                    </td>
                    <td class="rec-actions">
                      {r.state === 'complete' ? (
                        <button type="button" class="btn btn-small btn-primary" onClick={() => setPlaying(r)} data-testid="rec-play">
                          {t('rec.play')}
                        </button>
                      ) : (
                        <span class="badge badge-slate">{t(r.state === 'recording' ? 'rec.state.recording' : 'rec.state.missing')}</span>
                      )}
                      {canDownload && r.state === 'complete' && (
                        <a class="btn btn-small btn-secondary" href={recordingsApi.downloadUrl(r.id)} download data-testid="rec-row-download">
                          {t('rec.download')}
                        </a>
                      )}
                      {canDownload && r.state === 'complete' && editing?.id !== r.id && (
                        <button type="button" class="btn btn-small" onClick={() => setEditing({ id: r.id, mark: !r.evidence, reason: '' })} data-testid="rec-evidence-toggle">
                          {t(r.evidence ? 'rec.evidence.unmark' : 'rec.evidence.mark')}
                        </button>
                      )}
                      {editing?.id === r.id && (
                        <span class="rec-evidence-edit">
                          <input value={editing.reason} placeholder={t('rec.evidence.reason')} aria-label={t('rec.evidence.reason')} onInput={(e) => setEditing({ ...editing, reason: value(e) })} data-testid="rec-evidence-reason" />
                          <button type="button" class="btn btn-small btn-primary" disabled={!editing.reason.trim()} onClick={() => void saveEvidence()} data-testid="rec-evidence-save">
                            {t('rec.evidence.save')}
                          </button>
                          <button type="button" class="btn btn-small" onClick={() => setEditing(null)}>
                            {t('rec.evidence.cancel')}
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div class="card-body rec-paging">
          <span data-testid="rec-total">{t('rec.total', { n: list.total })}</span>
          <span class="rec-grow" />
          <button type="button" class="btn btn-small" disabled={filter.offset === 0} onClick={() => setFilter({ ...filter, offset: Math.max(0, filter.offset - PAGE) })}>
            {t('rec.prev')}
          </button>
          <button type="button" class="btn btn-small" disabled={filter.offset + PAGE >= list.total} onClick={() => setFilter({ ...filter, offset: filter.offset + PAGE })}>
            {t('rec.next')}
          </button>
        </div>
      </div>
    </div>
  );
}

function StoragePanel({ storage: s, job, isAdmin, onRun }: { storage: RecordingStorage; job: RecordingJobProgress | null; isAdmin: boolean; onRun: () => void }) {
  const { t, lang } = useI18n();
  const tone = s.level === 'stop' ? 'badge-red' : s.level === 'alarm' ? 'badge-amber' : 'badge-green';
  const last = s.lastJob;
  const gb = (b: number) => `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(b / 1024 ** 3)} GB`;
  return (
    <div class="card" data-testid="rec-storage">
      <div class="card-head rec-player-head">
        <h2 class="card-title">{t('rec.storage.title')}</h2>
        <span class={`badge ${tone}`} data-testid="rec-storage-level" data-level={s.level}>
          {t(s.level === 'stop' ? 'rec.storage.level.stop' : s.level === 'alarm' ? 'rec.storage.level.alarm' : 'rec.storage.level.ok')}
        </span>
        <span class="rec-grow" />
        {isAdmin && (
          <button type="button" class="btn btn-small btn-secondary" disabled={s.jobRunning || job !== null} onClick={onRun} data-testid="rec-run-now">
            {t('rec.storage.runNow')}
          </button>
        )}
      </div>
      <div class="card-body rec-storage-grid">
        <div>
          <div class="rec-muted">{t('rec.storage.disk')}</div>
          <div class="rec-meter" aria-hidden="true">
            <div class={`rec-meter-fill ${tone}`} style={{ width: `${Math.min(100, s.usedPercent)}%` }} />
          </div>
          <div class="tnum" data-testid="rec-disk">{t('rec.storage.diskValue', { used: s.usedPercent, free: gb(s.freeBytes) })}</div>
        </div>
        <div>
          <div class="rec-muted">{t('rec.storage.recordings')}</div>
          <div class="tnum">{formatMegabytes(t, lang, s.recordingsBytes)}</div>
          <div class="rec-muted">{t('rec.storage.policy', { days: s.settings.retentionDays, quota: s.settings.quotaBytes > 0 ? gb(s.settings.quotaBytes) : t('rec.storage.noQuota'), schedule: s.settings.schedule })}</div>
        </div>
        <div>
          <div class="rec-muted">{t('rec.storage.lastJob')}</div>
          {job ? (
            <div data-testid="rec-job-progress">{t('rec.storage.running', { phase: t(`rec.storage.phase.${job.phase}` as MessageKey), done: job.done, total: job.total })}</div>
          ) : last ? (
            <div data-testid="rec-last-job">
              <span class={`badge ${last.status === 'ok' ? 'badge-green' : last.status === 'running' ? 'badge-blue' : 'badge-amber'}`}>{t(`rec.storage.status.${last.status}` as MessageKey)}</span>{' '}
              {t('rec.storage.jobSummary', { at: new Date(last.startedAt).toLocaleString(lang, { hour12: false }), compressed: last.compressed, failed: last.failed, age: last.deletedAge, quota: last.deletedQuota })}
            </div>
          ) : (
            <div>{t('rec.storage.never')}</div>
          )}
        </div>
      </div>
    </div>
  );
}
