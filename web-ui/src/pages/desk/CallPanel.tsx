// The call panel: number, kind, state and a call timer computed from the call's timestamps;
// hang up, hold, transfer (blind / attended with complete and cancel), conference, threat
// button and complaint ticket.
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { formatDuration } from '../../format.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { deskApi, type DeskCall, type DeskWrapUp } from './desk-api.js';
import { ThreatButton } from './records/ThreatButton.js';
import { TicketDialog } from './records/TicketDialog.js';

const str = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;

export function callSeconds(call: DeskCall, now: number): number {
  const from = Date.parse(call.answeredAt ?? call.startedAt);
  const to = call.endedAt ? Date.parse(call.endedAt) : now;
  return Math.max(0, (to - from) / 1000);
}

export function CallPanel({
  call,
  wrapUp,
  now,
  act,
}: {
  call: DeskCall | null;
  wrapUp: DeskWrapUp | null;
  now: number;
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [target, setTarget] = useState('');
  const [mode, setMode] = useState<'blind' | 'attended'>('blind');
  const [ticketOpen, setTicketOpen] = useState(false);
  const live = call !== null && call.state !== 'ended';
  const linkedid = call?.linkedid ?? wrapUp?.linkedid ?? null;
  const leadId = call?.customer?.leadId ?? wrapUp?.leadId ?? null;
  const secs = call ? callSeconds(call, now) : 0;

  return (
    <div class="card desk-call" data-testid="desk-call" data-linkedid={call?.linkedid ?? ''}>
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="phone" size={18} />
          {t('desk.call.title')}
        </h2>
        {call && (
          <span class={`badge ${live ? 'badge-blue' : 'badge-slate'}`} data-testid="desk-call-state" data-state={call.state}>
            {t(`desk.call.state.${call.state}` as MessageKey)}
          </span>
        )}
      </div>
      <div class="card-body">
        {!call ? (
          <div class="muted" data-testid="desk-call-none">
            {t('desk.call.none')}
          </div>
        ) : (
          <>
            <div class="desk-call-head">
              <span class="desk-call-number tnum" data-testid="desk-call-number">
                {call.number ?? t('desk.call.unknownNumber')}
              </span>
              {call.customer?.name && (
                <span class="desk-call-customer" data-testid="desk-call-customer">
                  {call.customer.name}
                </span>
              )}
              <span class="badge badge-slate" data-testid="desk-call-kind" data-kind={call.kind}>
                {t(`desk.call.kind.${call.kind}` as MessageKey)}
              </span>
              <span class="desk-call-timer tnum" data-testid="desk-call-timer" data-seconds={Math.floor(secs)}>
                {formatDuration(secs)}
              </span>
              {call.threat && (
                <span class="badge badge-red" data-testid="desk-call-threat">
                  {t('desk.call.threat')}
                </span>
              )}
              {call.recordingId !== null && <span class="muted small">{t('desk.call.recording', { id: call.recordingId })}</span>}
            </div>
            {call.consult && (
              <div class="desk-consult" data-testid="desk-consult">
                {t('desk.call.consult', { target: call.consult.target, state: t(call.consult.state === 'ringing' ? 'desk.call.consult.ringing' : 'desk.call.consult.talking') })}
                <button type="button" class="btn btn-small btn-primary" onClick={() => void act(() => deskApi.transferComplete())} data-testid="desk-transfer-complete">
                  {t('desk.call.complete')}
                </button>
                {call.consult.state === 'talking' && (
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => void act(() => deskApi.conference())} data-testid="desk-conference-join">
                    {t('desk.call.join')}
                  </button>
                )}
                <button type="button" class="btn btn-small btn-secondary" onClick={() => void act(() => deskApi.transferCancel())} data-testid="desk-transfer-cancel">
                  {t('desk.call.cancel')}
                </button>
              </div>
            )}
          </>
        )}
        {(live || linkedid) && (
          <div class="desk-row">
            {call && live && (
              <>
                <button type="button" class="btn btn-small desk-btn-danger" onClick={() => void act(() => deskApi.hangup())} data-testid="desk-hangup">
                  {t('desk.call.hangup')}
                </button>
                {call.state === 'held' ? (
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => void act(() => deskApi.unhold())} data-testid="desk-unhold">
                    {t('desk.call.unhold')}
                  </button>
                ) : (
                  <button type="button" class="btn btn-small btn-secondary" disabled={call.state !== 'talking'} onClick={() => void act(() => deskApi.hold())} data-testid="desk-hold">
                    {t('desk.call.hold')}
                  </button>
                )}
              </>
            )}
            {linkedid && (
              <span class="desk-row-end">
                <ThreatButton linkedid={linkedid} disabled={call?.threat === true} />
                <button type="button" class="btn btn-small btn-secondary" onClick={() => setTicketOpen(true)} data-testid="desk-ticket">
                  {t('desk.call.ticket')}
                </button>
              </span>
            )}
          </div>
        )}
        {call && (
          <>
            {live && !call.consult && (
              <div class="desk-row">
                <input
                  class="desk-input"
                  value={target}
                  onInput={(e) => setTarget(str(e))}
                  placeholder={t('desk.call.target')}
                  aria-label={t('desk.call.target')}
                  inputMode="tel"
                  data-testid="desk-transfer-target"
                />
                <select value={mode} onChange={(e) => setMode(str(e) as 'blind' | 'attended')} aria-label={t('desk.call.mode')} data-testid="desk-transfer-mode">
                  <option value="blind">{t('desk.call.mode.blind')}</option>
                  <option value="attended">{t('desk.call.mode.attended')}</option>
                </select>
                <button type="button" class="btn btn-small btn-secondary" disabled={!target.trim()} onClick={() => void act(() => deskApi.transfer(target.trim(), mode))} data-testid="desk-transfer">
                  {t('desk.call.transfer')}
                </button>
                <button type="button" class="btn btn-small btn-secondary" disabled={!target.trim()} onClick={() => void act(() => deskApi.conference(target.trim()))} data-testid="desk-conference">
                  {t('desk.call.conference')}
                </button>
              </div>
            )}
          </>
        )}
      </div>
      {ticketOpen && linkedid && <TicketDialog leadId={leadId} linkedid={linkedid} onClose={() => setTicketOpen(false)} />}
    </div>
  );
}
