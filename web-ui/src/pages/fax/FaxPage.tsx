// Fax: inbox (received faxes as PDF: view / download — both audited — and read flags), outbox
// (PDF uploads + optional cover page queued for a trunk; live status per job; cancel) and the
// fax settings (channels, retries, station ID). Live frames fax.received / fax.job keep it current.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { ApiRequestError } from '../../api.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { formatDuration } from '../../format.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLive, useLiveMessages } from '../../live.js';
import { faxApi, fileToBase64, type FaxInboxItem, type FaxJob, type FaxSettings } from './fax-api.js';
import './fax.css';
import { EmptyRow } from '../../components/EmptyRow.js';

type Tab = 'inbox' | 'outbox' | 'settings';
const SIM_TRUNK = 'pstn-sim';
const SIM_NUMBERS = '02150001000, 02150001001';
const str = (e: Event) => (e.target as HTMLInputElement).value;
const when = (lang: string, iso: string) => new Date(iso).toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

const ROUTE_KEY: Record<string, MessageKey> = { did: 'fax.in.route.did', hotline: 'fax.in.route.hotline', line: 'fax.in.route.line', demo: 'fax.in.route.demo' };
const STATUS_KEY: Record<string, MessageKey> = {
  converting: 'fax.status.converting',
  queued: 'fax.status.queued',
  dialing: 'fax.status.dialing',
  sending: 'fax.status.sending',
  sent: 'fax.status.sent',
  failed: 'fax.status.failed',
  cancelled: 'fax.status.cancelled',
};
const STATUS_TONE: Record<string, string> = { converting: 'slate', queued: 'slate', dialing: 'blue', sending: 'blue', sent: 'green', failed: 'red', cancelled: 'slate' };

export function FaxPage({ user }: { user: User }) {
  const { t } = useI18n();
  const live = useLive();
  const [tab, setTab] = useState<Tab>('inbox');
  const [inbox, setInbox] = useState<FaxInboxItem[]>([]);
  const [unread, setUnread] = useState(0);
  const [jobs, setJobs] = useState<FaxJob[]>([]);
  const [trunks, setTrunks] = useState<string[]>([]);
  const [channels, setChannels] = useState(4);
  const [active, setActive] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [arriving, setArriving] = useState<string | null>(null);

  const loadInbox = useCallback(() => void faxApi.inbox().then((r) => (setInbox(r.items), setUnread(r.unread)), (e) => setErr(describeError(t, e))), [t]);
  const loadOutbox = useCallback(
    () =>
      void faxApi.outbox().then(
        (r) => {
          setJobs(r.jobs);
          setTrunks(r.trunks);
          setChannels(r.channels);
          setActive(r.active);
        },
        (e) => setErr(describeError(t, e)),
      ),
    [t],
  );
  useEffect(() => {
    loadInbox();
    loadOutbox();
  }, [loadInbox, loadOutbox]);
  useLiveMessages((msg) => {
    if (msg.type === 'fax.received') {
      setArriving(null);
      setUnread(msg.data.unread);
      setInbox((l) => [msg.data.item, ...l.filter((x) => x.id !== msg.data.item.id)]);
    } else if (msg.type === 'fax.incoming') {
      setArriving(msg.data.callerNumber ?? t('fax.unknown'));
    } else if (msg.type === 'fax.job') {
      setJobs((l) => (l.some((j) => j.id === msg.data.id) ? l.map((j) => (j.id === msg.data.id ? msg.data : j)) : [msg.data, ...l]));
      if (['sent', 'failed', 'cancelled', 'dialing'].includes(msg.data.status)) loadOutbox();
    }
  });

  const act = async (fn: () => Promise<unknown>, ok?: string | ((r: unknown) => string)) => {
    setErr(null);
    setNote(null);
    try {
      const r = await fn();
      if (ok) setNote(typeof ok === 'function' ? ok(r) : ok);
    } catch (e) {
      // The server names the file and what it really is (e.g. "scan.pdf: … a PNG image").
      setErr(e instanceof ApiRequestError && e.code === 'invalid_file' ? t('fax.out.invalidFile', { message: e.message }) : describeError(t, e));
    }
  };

  return (
    <div class="page fax-page" data-testid="fax-page">
      <PageHeader title={t('fax.title')} subtitle={t('fax.subtitle', { channels })} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="fax-note">{note}</span>
        </Alert>
      )}
      {arriving && (
        <Alert kind="info">
          <span data-testid="fax-arriving">{t('fax.in.arriving', { from: arriving })}</span>
        </Alert>
      )}
      <div class="fax-tabs" role="tablist">
        {(['inbox', 'outbox', 'settings'] as const).map((k) => (
          <button type="button" role="tab" class="fax-tab" aria-selected={tab === k} onClick={() => setTab(k)} data-testid={`fax-tab-${k}`} key={k}>
            {t(`fax.tab.${k}`)}
            {k === 'inbox' && unread > 0 && (
              <span class="fax-badge" data-testid="fax-unread">
                {unread}
              </span>
            )}
          </button>
        ))}
      </div>
      {tab === 'inbox' && <Inbox t={t} items={inbox} unread={unread} demo={live.status?.demo === true} act={act} reload={loadInbox} />}
      {tab === 'outbox' && <Outbox t={t} jobs={jobs} trunks={trunks} channels={channels} active={active} act={act} reload={loadOutbox} />}
      {tab === 'settings' && <Settings t={t} user={user} act={act} onSaved={(s) => setChannels(s.channels)} />}
    </div>
  );
}

type Act = (fn: () => Promise<unknown>, ok?: string | ((r: unknown) => string)) => Promise<void>;

function Inbox({ t, items, unread, demo, act, reload }: { t: TFunction; items: FaxInboxItem[]; unread: number; demo: boolean; act: Act; reload: () => void }) {
  const { lang } = useI18n();
  return (
    <div class="card">
      <div class="card-body">
        <div class="fax-row">
        <span>{t('fax.unread', { n: unread })}</span>
        <span class="fax-grow" />
        {demo && (
          <button type="button" class="btn btn-secondary" data-testid="fax-demo" onClick={() => void act(() => faxApi.demoReceive(), t('fax.in.demoStarted'))}>
            {t('fax.in.demo')}
          </button>
        )}
        <button type="button" class="btn btn-secondary" onClick={reload}>
          {t('fax.refresh')}
        </button>
        </div>
      </div>
      <div class="table-wrap">
        <table class="table" data-testid="fax-inbox">
          <thead>
            <tr>
              <th>{t('fax.in.received')}</th>
              <th>{t('fax.in.from')}</th>
              <th>{t('fax.in.to')}</th>
              <th class="num">{t('fax.in.pages')}</th>
              <th class="num">{t('fax.in.rate')}</th>
              <th class="num">{t('fax.in.duration')}</th>
              <th>{t('fax.in.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && <EmptyRow cols={8}>{t('fax.in.empty')}</EmptyRow>}
            {items.map((f) => (
              <tr key={f.id} class={f.readAt ? '' : 'fax-unread'} data-testid="fax-in-row" data-id={f.id} data-pages={f.pages} data-read={String(!!f.readAt)}>
                <td class="tnum">
                  {when(lang, f.receivedAt)}
                  {!f.readAt && f.status === 'received' && <span class="badge badge-blue fax-new">{t('fax.in.new')}</span>}
                </td>
                <td>
                  <div class="mono">{f.callerNumber ?? t('fax.unknown')}</div>
                  {f.remoteStation && <div class="fax-muted mono">{f.remoteStation}</div>}
                </td>
                <td>
                  <div class="mono">{f.did ?? '—'}</div>
                  <div class="fax-muted">{t(ROUTE_KEY[f.route] ?? 'fax.in.route.did')}</div>
                </td>
                <td class="num tnum">{f.pages}</td>
                <td class="num tnum">{f.rate ?? '—'}</td>
                <td class="num tnum">{f.durationSeconds !== null ? formatDuration(f.durationSeconds) : '—'}</td>
                <td>
                  <span class={`badge badge-${f.status === 'received' ? 'green' : 'red'}`}>{t(f.status === 'received' ? 'fax.in.ok' : 'fax.in.failed')}</span>
                  {f.error && <div class="fax-muted">{f.error}</div>}
                </td>
                <td class="fax-actions">
                  {f.hasPdf && (
                    <>
                      <a class="btn btn-small btn-primary" href={faxApi.pdfUrl(f.id)} target="_blank" rel="noopener" data-testid="fax-view" onClick={() => !f.readAt && void faxApi.markRead(f.id, true).then(reload)}>
                        {t('fax.in.view')}
                      </a>
                      <a class="btn btn-small btn-secondary" href={faxApi.pdfUrl(f.id, true)} data-testid="fax-download">
                        {t('fax.in.download')}
                      </a>
                    </>
                  )}
                  <button type="button" class="btn btn-small btn-secondary" data-testid="fax-read" onClick={() => void act(async () => (await faxApi.markRead(f.id, !f.readAt), reload()))}>
                    {t(f.readAt ? 'fax.in.markUnread' : 'fax.in.markRead')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Outbox({ t, jobs, trunks, channels, active, act, reload }: { t: TFunction; jobs: FaxJob[]; trunks: string[]; channels: number; active: number; act: Act; reload: () => void }) {
  const { lang } = useI18n();
  const [number, setNumber] = useState('');
  const [trunk, setTrunk] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [cover, setCover] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  /** Bumped after a send: a new <input type=file> (it cannot be cleared through its value). */
  const [fileKey, setFileKey] = useState(0);
  const chosen = trunk || trunks[0] || '';
  const send = () =>
    void act(async () => {
      setBusy(true);
      try {
        const job = await faxApi.send({
          number: number.trim(),
          trunk: chosen,
          files: await Promise.all(files.map(async (f) => ({ name: f.name, data: await fileToBase64(f) }))),
          cover: cover ? { from, to, note: text } : null,
        });
        setNumber('');
        setFiles([]);
        setFileKey((k) => k + 1);
        reload();
        return job;
      } finally {
        setBusy(false);
      }
    }, (job) => t('fax.out.queued', { id: (job as FaxJob).id }));
  return (
    <>
      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('fax.out.new')}</h2>
        </div>
        <div class="card-body">
          <div class="fax-form">
          <label class="fax-field">
            <span>{t('fax.out.number')}</span>
            <input class="mono" value={number} onInput={(e) => setNumber(str(e).trim())} data-testid="fax-number" inputMode="tel" />
          </label>
          <label class="fax-field">
            <span>{t('fax.out.trunk')}</span>
            <select value={chosen} onChange={(e) => setTrunk((e.target as HTMLSelectElement).value)} data-testid="fax-trunk">
              {trunks.map((x) => (
                <option value={x} key={x}>
                  {x === SIM_TRUNK ? t('fax.out.trunk.sim') : x}
                </option>
              ))}
            </select>
          </label>
          <label class="fax-field">
            <span>{t('fax.out.files')}</span>
            <input key={fileKey} type="file" accept="application/pdf,.pdf" multiple onChange={(e) => setFiles([...((e.target as HTMLInputElement).files ?? [])])} data-testid="fax-files" />
          </label>
          <label class="fax-check">
            <input type="checkbox" checked={cover} onChange={(e) => setCover((e.target as HTMLInputElement).checked)} data-testid="fax-cover" />
            {t('fax.out.cover')}
          </label>
          {cover && (
            <div class="fax-form">
              <label class="fax-field">
                <span>{t('fax.out.coverFrom')}</span>
                <input value={from} onInput={(e) => setFrom(str(e))} maxLength={80} data-testid="fax-cover-from" />
              </label>
              <label class="fax-field">
                <span>{t('fax.out.coverTo')}</span>
                <input value={to} onInput={(e) => setTo(str(e))} maxLength={80} />
              </label>
              <label class="fax-field fax-wide">
                <span>{t('fax.out.coverNote')}</span>
                <textarea value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} maxLength={1000} rows={3} />
              </label>
            </div>
          )}
          <div class="fax-row">
            <button type="button" class="btn btn-primary" disabled={busy || !/^\+?[0-9]{3,20}$/.test(number) || !chosen || (files.length === 0 && !cover)} onClick={send} data-testid="fax-send">
              {t('fax.out.send')}
            </button>
            {chosen === SIM_TRUNK && <span class="fax-muted">{t('fax.out.simHint', { numbers: SIM_NUMBERS })}</span>}
          </div>
          </div>
        </div>
      </div>
      <div class="card">
        <div class="card-body">
          <div class="fax-row">
            <span data-testid="fax-active">{t('fax.out.active', { active, channels })}</span>
            <span class="fax-grow" />
            <button type="button" class="btn btn-secondary" onClick={reload}>
              {t('fax.refresh')}
            </button>
          </div>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="fax-outbox">
            <thead>
              <tr>
                <th>{t('fax.out.id')}</th>
                <th>{t('fax.out.created')}</th>
                <th>{t('fax.out.number')}</th>
                <th>{t('fax.out.trunk')}</th>
                <th class="num">{t('fax.in.pages')}</th>
                <th>{t('fax.in.status')}</th>
                <th class="num">{t('fax.out.attempts')}</th>
                <th>{t('fax.out.result')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.length === 0 && <EmptyRow cols={9}>{t('fax.out.empty')}</EmptyRow>}
              {jobs.map((j) => (
                <tr key={j.id} data-testid="fax-job-row" data-id={j.id} data-status={j.status}>
                  <td class="tnum">{j.id}</td>
                  <td class="tnum">{when(lang, j.createdAt)}</td>
                  <td class="mono">{j.number}</td>
                  <td>{j.trunk === SIM_TRUNK ? t('fax.out.trunk.sim') : j.trunk}</td>
                  <td class="num tnum">{j.pages || '—'}</td>
                  <td>
                    <span class={`badge badge-${STATUS_TONE[j.status] ?? 'slate'}`} data-testid="fax-job-status">
                      {t(STATUS_KEY[j.status] ?? 'fax.status.queued')}
                    </span>
                  </td>
                  <td class="num tnum">
                    {j.attempts} / {j.maxAttempts}
                  </td>
                  <td>
                    {j.status === 'queued' && j.nextAttemptAt ? (
                      <span>{t('fax.out.retryAt', { time: when(lang, j.nextAttemptAt), result: j.lastResult ?? '' })}</span>
                    ) : j.status === 'sent' ? (
                      <span>
                        {[t('fax.out.pagesSent', { n: j.pagesSent ?? j.pages }), j.rate ? t('fax.out.rate', { rate: j.rate }) : '', j.remoteStation ?? ''].filter(Boolean).join(' · ')}
                      </span>
                    ) : (
                      <span class="fax-muted">{j.error ?? ''}</span>
                    )}
                  </td>
                  <td>
                    {['converting', 'queued', 'dialing', 'sending'].includes(j.status) && (
                      <button type="button" class="btn btn-small btn-secondary" onClick={() => void act(async () => (await faxApi.cancel(j.id), reload()))} data-testid="fax-cancel">
                        {t('fax.out.cancel')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

function Settings({ t, user, act, onSaved }: { t: TFunction; user: User; act: Act; onSaved: (s: FaxSettings) => void }) {
  const [s, setS] = useState<FaxSettings | null>(null);
  const canEdit = user.roles.includes('admin') || user.roles.includes('manager');
  useEffect(() => void faxApi.settings().then(setS, () => undefined), []);
  if (!s) return null;
  const num = (k: keyof FaxSettings) => (e: Event) => setS({ ...s, [k]: Number(str(e)) });
  const text = (k: keyof FaxSettings) => (e: Event) => setS({ ...s, [k]: str(e) });
  return (
    <div class="card">
      <div class="card-body">
        {!canEdit && <Alert kind="info">{t('fax.set.readOnly')}</Alert>}
        <div class="fax-form">
        <label class="fax-field">
          <span>{t('fax.set.channels')}</span>
          <input type="number" min={1} max={16} value={s.channels} onInput={num('channels')} disabled={!canEdit} data-testid="fax-set-channels" />
        </label>
        <label class="fax-field">
          <span>{t('fax.set.maxAttempts')}</span>
          <input type="number" min={1} max={10} value={s.maxAttempts} onInput={num('maxAttempts')} disabled={!canEdit} />
        </label>
        <label class="fax-field">
          <span>{t('fax.set.retry')}</span>
          <input type="number" min={10} max={3600} value={s.retryIntervalSeconds} onInput={num('retryIntervalSeconds')} disabled={!canEdit} />
        </label>
        <label class="fax-field">
          <span>{t('fax.set.stationId')}</span>
          <input class="mono" value={s.stationId} onInput={text('stationId')} maxLength={20} disabled={!canEdit} />
        </label>
        <label class="fax-field">
          <span>{t('fax.set.header')}</span>
          <input value={s.header} onInput={text('header')} maxLength={40} disabled={!canEdit} />
        </label>
        <label class="fax-field">
          <span>{t('fax.set.demo')}</span>
          <input type="number" min={0} max={86400} value={s.demoIntervalSeconds} onInput={num('demoIntervalSeconds')} disabled={!canEdit} />
        </label>
        {canEdit && (
          <div class="fax-row">
            <button type="button" class="btn btn-primary" data-testid="fax-set-save" onClick={() => void act(async () => onSaved(await faxApi.saveSettings(s)), t('fax.set.saved'))}>
              {t('fax.set.save')}
            </button>
          </div>
        )}
        </div>
      </div>
    </div>
  );
}
