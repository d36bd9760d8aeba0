// System → Update: running slot and version, upload a signed bundle with a progress bar,
// verification result, install into the other slot (progress from the live feed), reboot.
import type { User } from '../../../../../firmware-agent/src/http/schemas.js';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiRequestError } from '../../../api.js';
import { Alert } from '../../../components/Alert.js';
import { Icon } from '../../../components/Icon.js';
import { PageHeader } from '../../../components/PageHeader.js';
import { describeError } from '../../../errors.js';
import { formatMegabytes } from '../../../format.js';
import { useI18n, type MessageKey } from '../../../i18n/index.js';
import { useLiveMessages } from '../../../live.js';
import { updateApi, type UpdateState, type UpdateStatus, type UploadResult } from './update-api.js';
import '../system.css';

const ERRORS: Record<string, MessageKey> = {
  bad_signature: 'update.error.badSignature',
  bad_format: 'update.error.badFormat',
  bad_manifest: 'update.error.badFormat',
  bad_payload: 'update.error.badPayload',
  too_large: 'update.error.tooLarge',
  no_slots: 'update.error.noSlots',
  on_trial: 'update.error.onTrial',
  busy: 'update.error.busy',
  not_verified: 'update.error.notVerified',
};
const PHASES: Record<UpdateState['phase'], MessageKey> = {
  idle: 'update.phase.idle',
  receiving: 'update.phase.receiving',
  verifying: 'update.phase.verifying',
  verified: 'update.phase.verified',
  writing: 'update.phase.writing',
  ready: 'update.phase.ready',
  rebooting: 'update.phase.rebooting',
  failed: 'update.phase.failed',
};

export function ProgressBar({ done, total, testId }: { done: number; total: number; testId?: string }) {
  const pct = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
  return (
    <div class="sys-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid={testId}>
      <div class="sys-progress-bar" style={{ width: `${pct}%` }} />
      <span class="sys-progress-label tnum">{`${pct}%`}</span>
    </div>
  );
}

export function UpdatePage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const isAdmin = user.roles.includes('admin');
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<{ sent: number; total: number } | null>(null);
  const [verified, setVerified] = useState<UploadResult | null>(null);
  const [live, setLive] = useState<UpdateState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const errorText = useCallback(
    (e: unknown) => (e instanceof ApiRequestError && ERRORS[e.code] ? t(ERRORS[e.code]!) : describeError(t, e)),
    [t],
  );
  const load = useCallback(async () => {
    try {
      const s = await updateApi.status();
      setStatus(s);
      setLive(s.state);
    } catch (e) {
      setError(errorText(e));
    }
  }, [errorText]);
  useEffect(() => {
    if (isAdmin) void load();
  }, [isAdmin, load]);
  useLiveMessages((m) => {
    if (m.type === 'update.progress') setLive(m.data);
  });

  if (!isAdmin) {
    return (
      <div class="page">
        <PageHeader title={t('update.title')} />
        <Alert kind="info">{t('system.adminOnly')}</Alert>
      </div>
    );
  }

  const doUpload = async () => {
    if (!file) return;
    setError(null);
    setVerified(null);
    setBusy(true);
    setUpload({ sent: 0, total: file.size });
    try {
      const r = await updateApi.upload(file, (sent, total) => setUpload({ sent, total }));
      setVerified(r);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
      setUpload(null);
      void load();
    }
  };
  const doInstall = async () => {
    setError(null);
    setBusy(true);
    try {
      setLive(await updateApi.install(true));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const phase = live?.phase ?? 'idle';
  const working = phase === 'writing' || phase === 'verifying' || phase === 'rebooting';
  return (
    <div class="page sys-page" data-testid="update-page">
      <PageHeader title={t('update.title')} subtitle={t('update.subtitle')} />
      {status?.rolledBackFrom && <Alert kind="warning">{t('update.rolledBack', { slot: status.rolledBackFrom.toUpperCase() })}</Alert>}
      {status && !status.slot && <Alert kind="info">{t('update.error.noSlots')}</Alert>}
      {error && (
        <Alert kind="error" testId="update-error">
          {error}
        </Alert>
      )}
      <div class="grid-2">
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">{t('update.current')}</h2>
          </div>
          <div class="card-body">
            <dl class="kv">
              <dt>{t('update.version')}</dt>
              <dd class="mono">{status?.version ?? t('status.notAvailable')}</dd>
              <dt>{t('update.slot')}</dt>
              <dd data-testid="update-slot">{status?.slot ? status.slot.toUpperCase() : t('status.notAvailable')}</dd>
              <dt>{t('update.slotState')}</dt>
              <dd>{status?.onTrial ? t('update.onTrial') : status?.pendingSlot ? t('update.pending', { slot: status.pendingSlot.toUpperCase() }) : t('update.confirmed')}</dd>
            </dl>
          </div>
        </div>
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">{t('update.upload')}</h2>
          </div>
          <div class="card-body">
            <p class="muted small">{t('update.uploadHint')}</p>
            <div class="sys-row">
              <input type="file" accept=".bundle,application/octet-stream" data-testid="update-file" disabled={busy || working} onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
              <button type="button" class="btn btn-primary" disabled={!file || busy || working} onClick={() => void doUpload()} data-testid="update-upload">
                <Icon name="package" size={16} />
                {t('update.uploadButton')}
              </button>
            </div>
            {upload && (
              <div class="sys-progress-block">
                <span class="muted small">{t('update.uploading', { sent: formatMegabytes(t, lang, upload.sent), total: formatMegabytes(t, lang, upload.total) })}</span>
                <ProgressBar done={upload.sent} total={upload.total} testId="update-upload-progress" />
              </div>
            )}
            {verified && phase === 'verified' && (
              <div class="sys-progress-block">
                <Alert kind="success" testId="update-verified">
                  {t('update.verified', { version: verified.version })}
                </Alert>
                <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void doInstall()} data-testid="update-install">
                  <Icon name="refresh" size={16} />
                  {t('update.installButton')}
                </button>
              </div>
            )}
            {live && phase !== 'idle' && phase !== 'verified' && (
              <div class="sys-progress-block" data-testid="update-state" data-phase={phase}>
                <span class="muted small">{t(PHASES[phase])}</span>
                {(phase === 'writing' || phase === 'verifying' || phase === 'receiving') && <ProgressBar done={live.bytesDone} total={live.bytesTotal} />}
              </div>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
