// The threat-call button: one click opens a short notes dialog with a prominent confirm; the
// server takes seat, number and recording from its own state, keeps the recording as evidence
// and alerts the duty lead. Shows "lead alerted" once sent.
import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../../../components/Alert.js';
import { describeError } from '../../../errors.js';
import { useI18n } from '../../../i18n/index.js';
import { recordsApi } from './records-api.js';
import './records.css';

export function ThreatButton(props: { linkedid: string | null; disabled?: boolean }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [sentAt, setSentAt] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  // "Lead alerted" belongs to the call it was sent for.
  useEffect(() => {
    setSentAt(null);
    setErr(null);
  }, [props.linkedid]);
  const send = async () => {
    setBusy(true);
    setErr(null);
    try {
      const r = await recordsApi.reportThreat({ ...(props.linkedid ? { linkedid: props.linkedid } : {}), notes });
      setSentAt(new Date(r.at).toLocaleTimeString());
      setOpen(false);
      setNotes('');
    } catch (x) {
      setErr(describeError(t, x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="rec-threat">
      <button type="button" class="btn btn-secondary rec-danger-outline" disabled={props.disabled || busy || !!sentAt} onClick={() => setOpen(true)} data-testid="threat-button">
        {t('records.threat.button')}
      </button>
      {sentAt && (
        <span class="rec-sent" role="status" data-testid="threat-sent">
          {t('records.threat.sent', { at: sentAt })}
        </span>
      )}
      {open && (
        <div class="rec-backdrop">
          <div role="dialog" aria-modal="true" aria-labelledby="rec-threat-title" class="rec-dialog" data-testid="threat-dialog">
            <h3 id="rec-threat-title">{t('records.threat.title')}</h3>
            <p>{t('records.threat.body')}</p>
            <label class="field">
              <span>{t('records.threat.notes')}</span>
              <textarea rows={3} maxLength={2000} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} data-testid="threat-notes" />
            </label>
            {err && <Alert kind="error">{err}</Alert>}
            <div class="rec-actions">
              <button type="button" class="btn btn-ghost" onClick={() => setOpen(false)}>
                {t('records.threat.cancel')}
              </button>
              <button type="button" class="btn btn-primary rec-danger" disabled={busy} onClick={() => void send()} data-testid="threat-confirm">
                {t('records.threat.confirm')}
              </button>
            </div>
          </div>
        </div>
      )}
    </span>
  );
}
