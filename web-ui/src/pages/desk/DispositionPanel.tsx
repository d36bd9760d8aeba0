// After-call work: the wrap-up timer (from wrapUp.endsAt, red once overdue), the campaign's
// dispositions in the UI language, notes, and a callback time + owner when the chosen
// disposition schedules one. The server refuses Ready until this is submitted.
import { useState } from 'preact/hooks';
import { Alert } from '../../components/Alert.js';
import { Icon } from '../../components/Icon.js';
import { describeError } from '../../errors.js';
import { formatDuration } from '../../format.js';
import { useI18n } from '../../i18n/index.js';
import { deskApi, type DeskWrapUp, type Disposition } from './desk-api.js';

const str = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;

export function WrapTimer({ wrapUp, now }: { wrapUp: DeskWrapUp; now: number }) {
  const { t } = useI18n();
  if (!wrapUp.endsAt) {
    return (
      <div class="desk-wrap" data-testid="desk-wrap-timer" data-overdue="false">
        {t('desk.wrap.noTimer')}
      </div>
    );
  }
  const left = (Date.parse(wrapUp.endsAt) - now) / 1000;
  const overdue = wrapUp.overdue || left <= 0;
  return (
    <div class={overdue ? 'desk-wrap desk-wrap-overdue' : 'desk-wrap'} data-testid="desk-wrap-timer" data-overdue={String(overdue)} data-seconds={Math.ceil(left)}>
      <Icon name="clock" size={16} />
      <span class="tnum">{overdue ? t('desk.wrap.overdue', { time: formatDuration(-left) }) : t('desk.wrap.left', { time: formatDuration(Math.ceil(left)) })}</span>
    </div>
  );
}

/** A datetime-local value (browser time) one hour from now, rounded to the next 5 minutes. */
function defaultCallback(now: number): string {
  const d = new Date(Math.ceil((now + 3_600_000) / 300_000) * 300_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function DispositionPanel({
  active,
  wrapUp,
  dispositions,
  now,
  onSaved,
}: {
  /** a call or its wrap-up is there to dispose of */
  active: boolean;
  wrapUp: DeskWrapUp | null;
  /** null: the call belongs to no campaign */
  dispositions: Disposition[] | null;
  now: number;
  onSaved: () => void;
}) {
  const { t, lang } = useI18n();
  const [code, setCode] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  const [at, setAt] = useState('');
  const [scope, setScope] = useState<'personal' | 'team'>('personal');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const chosen = dispositions?.find((d) => d.code === code) ?? null;

  const submit = async () => {
    setErr(null);
    if (!chosen) return setErr(t('desk.dispo.pick'));
    let callbackAt: string | undefined;
    if (chosen.callback) {
      const ms = Date.parse(at);
      if (!at || !Number.isFinite(ms)) return setErr(t('desk.dispo.needTime'));
      if (ms <= Date.now()) return setErr(t('desk.dispo.pastTime'));
      callbackAt = new Date(ms).toISOString();
    }
    setBusy(true);
    try {
      await deskApi.disposition({ disposition: chosen.code, ...(notes.trim() ? { notes: notes.trim() } : {}), ...(callbackAt ? { callbackAt, callbackScope: scope } : {}) });
      setCode(null);
      setNotes('');
      setAt('');
      onSaved();
    } catch (e) {
      setErr(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class={wrapUp?.dispositionRequired ? 'card desk-dispo desk-dispo-required' : 'card desk-dispo'} data-testid="desk-dispo">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="check" size={18} />
          {t('desk.dispo.title')}
        </h2>
        {wrapUp && <span class="badge badge-amber">{t('desk.wrap.title')}</span>}
      </div>
      <div class="card-body">
        {wrapUp && <WrapTimer wrapUp={wrapUp} now={now} />}
        {!active ? (
          <div class="muted">{t('desk.dispo.none')}</div>
        ) : dispositions === null ? (
          <div class="muted" data-testid="desk-dispo-nocampaign">
            {t('desk.dispo.noCampaign')}
          </div>
        ) : (
          <div class="desk-dispo-form">
            <div class="desk-dispo-list" role="radiogroup" aria-label={t('desk.dispo.title')}>
              {dispositions.map((d) => (
                <button
                  type="button"
                  key={d.code}
                  role="radio"
                  aria-checked={d.code === code}
                  class={d.code === code ? 'desk-dispo-btn desk-dispo-on' : 'desk-dispo-btn'}
                  onClick={() => {
                    setCode(d.code);
                    if (d.callback && !at) setAt(defaultCallback(Date.now()));
                  }}
                  data-testid={`dispo-${d.code}`}
                >
                  {lang === 'zh-CN' ? d.labelZh : d.labelEn}
                </button>
              ))}
            </div>
            {chosen?.callback && (
              <div class="desk-row">
                <label class="desk-field">
                  <span>{t('desk.dispo.callbackAt')}</span>
                  <input type="datetime-local" value={at} onInput={(e) => setAt(str(e))} data-testid="desk-callback-at" />
                </label>
                <label class="desk-field">
                  <span>{t('desk.dispo.scope')}</span>
                  <select value={scope} onChange={(e) => setScope(str(e) as 'personal' | 'team')} data-testid="desk-callback-scope">
                    <option value="personal">{t('desk.dispo.scope.personal')}</option>
                    <option value="team">{t('desk.dispo.scope.team')}</option>
                  </select>
                </label>
              </div>
            )}
            <label class="desk-field">
              <span>{t('desk.dispo.notes')}</span>
              <textarea rows={3} value={notes} onInput={(e) => setNotes(str(e))} maxLength={2000} data-testid="desk-dispo-notes" />
            </label>
            {err && <Alert kind="error" testId="desk-dispo-error">{err}</Alert>}
            <button type="button" class="btn btn-primary" disabled={busy || !chosen} onClick={() => void submit()} data-testid="desk-dispo-submit">
              {t('desk.dispo.submit')}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
