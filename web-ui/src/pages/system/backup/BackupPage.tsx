// System → Backup: the backups on the target, back up now (progress from the live feed),
// restore with the backup's name typed as confirmation, target / schedule / retention.
import type { User } from '../../../../../firmware-agent/src/http/schemas.js';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiRequestError } from '../../../api.js';
import { Alert } from '../../../components/Alert.js';
import { Icon } from '../../../components/Icon.js';
import { PageHeader } from '../../../components/PageHeader.js';
import { describeError } from '../../../errors.js';
import { formatMegabytes, formatTime } from '../../../format.js';
import { useI18n, type MessageKey } from '../../../i18n/index.js';
import { useLiveMessages } from '../../../live.js';
import { ProgressBar } from '../update/UpdatePage.js';
import { backupApi, type BackupConfig, type BackupInfo, type BackupProgress } from './backup-api.js';
import '../system.css';
import { EmptyRow } from '../../../components/EmptyRow.js';

const ERRORS: Record<string, MessageKey> = {
  busy: 'backup.error.busy',
  corrupt: 'backup.error.corrupt',
  too_new: 'backup.error.tooNew',
  bad_confirmation: 'backup.error.confirm',
  not_found: 'backup.error.notFound',
  no_target: 'backup.error.noTarget',
};

export function BackupPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const isAdmin = user.roles.includes('admin');
  const [backups, setBackups] = useState<BackupInfo[]>([]);
  const [config, setConfig] = useState<BackupConfig | null>(null);
  const [draft, setDraft] = useState<BackupConfig | null>(null);
  const [progress, setProgress] = useState<BackupProgress | null>(null);
  const [restoring, setRestoring] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [withRecordings, setWithRecordings] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);

  const errorText = useCallback(
    (e: unknown) => (e instanceof ApiRequestError && ERRORS[e.code] ? t(ERRORS[e.code]!) : describeError(t, e)),
    [t],
  );
  const load = useCallback(async () => {
    try {
      const r = await backupApi.list();
      setBackups(r.backups);
      setConfig(r.config);
      setDraft((d) => d ?? r.config);
    } catch (e) {
      setError(errorText(e));
    }
  }, [errorText]);
  useEffect(() => {
    if (isAdmin) void load();
  }, [isAdmin, load]);
  useLiveMessages((m) => {
    if (m.type === 'backup.progress') setProgress(m.data);
  });

  if (!isAdmin) {
    return (
      <div class="page">
        <PageHeader title={t('backup.title')} />
        <Alert kind="info">{t('system.adminOnly')}</Alert>
      </div>
    );
  }

  const run = async (fn: () => Promise<void>) => {
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const backupNow = () =>
    run(async () => {
      await backupApi.create(withRecordings);
      setNotice('backup.done');
      await load();
    });
  const restore = (id: string) =>
    run(async () => {
      await backupApi.restore(id, typed);
      setRestoring(null);
      setTyped('');
      setNotice('backup.restoreStarted');
    });
  const save = () =>
    run(async () => {
      if (!draft) return;
      setConfig(await backupApi.saveConfig(draft));
      setNotice('backup.configSaved');
      await load();
    });

  const running = progress && progress.phase !== 'done' && progress.phase !== 'failed';
  return (
    <div class="page sys-page" data-testid="backup-page">
      <PageHeader
        title={t('backup.title')}
        subtitle={t('backup.subtitle')}
        actions={
          <div class="sys-row">
            <label class="muted small">
              <input type="checkbox" checked={withRecordings} onChange={(e) => setWithRecordings((e.currentTarget as HTMLInputElement).checked)} /> {t('backup.withRecordings')}
            </label>
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void backupNow()} data-testid="backup-now">
              <Icon name="package" size={16} />
              {t('backup.now')}
            </button>
          </div>
        }
      />
      {error && (
        <Alert kind="error" testId="backup-error">
          {error}
        </Alert>
      )}
      {notice && (
        <Alert kind="success" testId="backup-notice">
          {t(notice)}
        </Alert>
      )}
      {running && progress && (
        <div class="card">
          <div class="card-body sys-progress-block" data-testid="backup-progress">
            <span class="muted small">{t(progress.op === 'restore' ? 'backup.progress.restore' : 'backup.progress.backup', { phase: progress.phase })}</span>
            <ProgressBar done={progress.done} total={progress.total} />
          </div>
        </div>
      )}
      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('backup.list')}</h2>
        </div>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t('backup.col.name')}</th>
                <th>{t('backup.col.created')}</th>
                <th>{t('backup.col.version')}</th>
                <th class="num">{t('backup.col.rows')}</th>
                <th class="num">{t('backup.col.size')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {backups.length === 0 && <EmptyRow cols={6}>{t('backup.empty')}</EmptyRow>}
              {backups.map((b) => (
                <tr key={b.id} data-testid="backup-row">
                  <td class="mono">{b.id}</td>
                  <td class="num">{formatTime(lang, b.createdAt)}</td>
                  <td class="mono">{b.agentVersion}</td>
                  <td class="num">{b.rows}</td>
                  <td class="num">{formatMegabytes(t, lang, b.sizeBytes)}</td>
                  <td>
                    {restoring === b.id ? (
                      <div class="sys-confirm">
                        <span class="muted small">{t('backup.confirmHint', { name: b.id })}</span>
                        <input class="mono" value={typed} onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)} data-testid="backup-confirm" />
                        <div class="sys-row">
                          <button type="button" class="btn btn-small btn-primary" disabled={busy || typed !== b.id} onClick={() => void restore(b.id)} data-testid="backup-restore-go">
                            {t('backup.restore')}
                          </button>
                          <button type="button" class="btn btn-small btn-ghost" onClick={() => setRestoring(null)}>
                            {t('backup.cancel')}
                          </button>
                        </div>
                      </div>
                    ) : (
                      <button type="button" class="btn btn-small btn-secondary" onClick={() => { setRestoring(b.id); setTyped(''); }} data-testid="backup-restore">
                        {t('backup.restore')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {draft && config && (
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">{t('backup.settings')}</h2>
          </div>
          <div class="card-body">
            <div class="field">
              <label>{t('backup.target')}</label>
              <input class="mono" data-testid="backup-target" value={draft.target} onInput={(e) => setDraft({ ...draft, target: (e.currentTarget as HTMLInputElement).value })} />
              <span class="field-hint">{t('backup.targetHint')}</span>
            </div>
            <div class="field">
              <label>{t('backup.schedule')}</label>
              <input class="mono" value={draft.schedule} onInput={(e) => setDraft({ ...draft, schedule: (e.currentTarget as HTMLInputElement).value })} />
              <span class="field-hint">{t('backup.scheduleHint')}</span>
            </div>
            <div class="field">
              <label>{t('backup.keep')}</label>
              <input type="number" min={1} max={365} value={draft.keep} onInput={(e) => setDraft({ ...draft, keep: Number((e.currentTarget as HTMLInputElement).value) })} />
            </div>
            <label class="muted small">
              <input type="checkbox" checked={draft.includeRecordings} onChange={(e) => setDraft({ ...draft, includeRecordings: (e.currentTarget as HTMLInputElement).checked })} /> {t('backup.withRecordings')}
            </label>
            <div class="sys-row">
              <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => void save()} data-testid="backup-save">
                {t('backup.save')}
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
