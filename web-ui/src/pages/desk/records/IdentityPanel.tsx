// Identity check on the desk: the agent types the name and ID number the caller states; the
// server compares (the stored values never come back on a miss), counts misses per call and
// locks after the campaign's limit. onChanged lets the desk reload the screen pop, which then
// carries the sensitive fields.
import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../../../components/Alert.js';
import { describeError } from '../../../errors.js';
import { useI18n, type MessageKey } from '../../../i18n/index.js';
import { recordsApi, type IdentityStatus, type VerifyAnswer } from './records-api.js';
import './records.css';

const val = (e: Event) => (e.target as HTMLInputElement).value;

export function IdentityPanel(props: { linkedid: string; leadId: number | null; identity: IdentityStatus; hiddenFields: string[]; onChanged?: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<VerifyAnswer | null>(null);
  const [err, setErr] = useState<string | null>(null);
  // A new call or customer: start afresh (the count is per call, on the server).
  useEffect(() => {
    setAnswer(null);
    setErr(null);
    setName('');
    setIdNumber('');
  }, [props.linkedid, props.leadId]);
  // The server's answer is newer than the props until the desk reloads.
  const identity = answer && answer.identity.attempts >= props.identity.attempts ? answer.identity : props.identity;

  if (identity.status === 'not_required') return null;
  if (identity.status === 'verified') {
    return (
      <div class="rec-identity rec-ok" data-testid="identity-verified">
        <Alert kind="success">{t('records.identity.verified')}</Alert>
      </div>
    );
  }
  if (identity.status === 'failed') {
    return (
      <div class="rec-identity" data-testid="identity-locked">
        <Alert kind="error">{t('records.identity.locked')}</Alert>
      </div>
    );
  }
  const left = Math.max(0, identity.maxAttempts - identity.attempts);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (props.leadId === null) return;
    setBusy(true);
    setErr(null);
    try {
      const r = await recordsApi.verify({ linkedid: props.linkedid, leadId: props.leadId, name, idNumber });
      setAnswer(r);
      if (r.result !== 'mismatch') setIdNumber('');
      props.onChanged?.();
    } catch (x) {
      setErr(describeError(t, x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="rec-identity" onSubmit={(e) => void submit(e)} data-testid="identity-panel">
      <div class="rec-title">{t('records.identity.title')}</div>
      <p class="rec-hint">{t('records.identity.hint', { fields: props.hiddenFields.join('、') })}</p>
      <div class="rec-row">
        <label class="field">
          <span>{t('records.identity.name')}</span>
          <input value={name} onInput={(e) => setName(val(e))} autocomplete="off" maxLength={64} data-testid="identity-name" />
        </label>
        <label class="field">
          <span>{t('records.identity.idNumber')}</span>
          <input value={idNumber} onInput={(e) => setIdNumber(val(e))} autocomplete="off" maxLength={40} data-testid="identity-id" />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !name.trim() || !idNumber.trim() || props.leadId === null} data-testid="identity-submit">
          {busy ? t('records.identity.checking') : t('records.identity.check')}
        </button>
      </div>
      {answer?.mismatch && answer.result === 'mismatch' && (
        <Alert kind="warning" testId="identity-mismatch">
          {t(`records.identity.mismatch.${answer.mismatch}` as MessageKey)}
        </Alert>
      )}
      {err && <Alert kind="error">{err}</Alert>}
      <div class="rec-hint" data-testid="identity-left">
        {t('records.identity.attemptsLeft', { n: left })}
      </div>
    </form>
  );
}
