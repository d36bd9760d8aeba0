// Pieces shared by the outbound pages: campaign picker, "why" text, role checks.
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import type { CampaignInfo, Why } from './outbound-api.js';

export const val = (e: Event): string => (e.target as HTMLInputElement).value;
export const checked = (e: Event): boolean => (e.target as HTMLInputElement).checked;
export const hasRole = (user: User, ...roles: string[]): boolean => user.roles.some((r) => r === 'admin' || roles.includes(r));

const OUTCOME_KEYS: Record<string, MessageKey> = {
  connected: 'outbound.outcome.connected',
  busy: 'outbound.outcome.busy',
  no_answer: 'outbound.outcome.no_answer',
  unreachable: 'outbound.outcome.unreachable',
  failed: 'outbound.outcome.failed',
  machine: 'outbound.outcome.machine',
  dropped: 'outbound.outcome.dropped',
};
export const outcomeLabel = (t: TFunction, o: string): string => (OUTCOME_KEYS[o] ? t(OUTCOME_KEYS[o]!) : o);

const WHY_KEYS: Record<string, MessageKey> = {
  due: 'outbound.why.due',
  callback_due: 'outbound.why.callback_due',
  destroyed: 'outbound.why.destroyed',
  campaign_not_active: 'outbound.why.campaign_not_active',
  final: 'outbound.why.final',
  exhausted: 'outbound.why.exhausted',
  dnc_status: 'outbound.why.dnc_status',
  not_handed_over: 'outbound.why.not_handed_over',
  other_agent: 'outbound.why.other_agent',
  other_team: 'outbound.why.other_team',
  claimed: 'outbound.why.claimed',
  dnc: 'outbound.why.dnc',
  no_consent: 'outbound.why.no_consent',
  daily_cap: 'outbound.why.daily_cap',
  callback_scheduled: 'outbound.why.callback_scheduled',
  retry_wait: 'outbound.why.retry_wait',
  recontact_wait: 'outbound.why.recontact_wait',
  outside_hours: 'outbound.why.outside_hours',
};
const NOT_DIALING: Record<string, MessageKey> = {
  campaign_not_active: 'outbound.idle.campaign_not_active',
  outside_calling_hours: 'outbound.idle.outside_calling_hours',
  no_leads_due: 'outbound.idle.no_leads_due',
};

/** The explanation in the user's language (the server's English text when a code is unknown). */
export function whyText(t: TFunction, w: Why): string {
  const key = WHY_KEYS[w.code];
  if (!key) return w.message;
  const p = { ...w.params };
  if (typeof p.outcome === 'string') p.outcome = outcomeLabel(t, p.outcome);
  if (typeof p.reason === 'string') p.reason = t(`outbound.dnc.reason.${p.reason}` as MessageKey);
  if (w.code === 'not_handed_over') return t(p.custody === 'imported' ? 'outbound.why.not_received' : p.custody === 'received' ? 'outbound.why.not_handed_over' : 'outbound.why.in_pool');
  if (w.code === 'dnc' && !p.until) return t('outbound.why.dnc_forever', p);
  if (w.code === 'claimed') return t(p.by === 'dialer' ? 'outbound.why.dialing' : 'outbound.why.claimed', { by: String(p.by ?? '').replace('agent:', '') });
  if (w.code === 'outside_hours' && !p.opens) return t('outbound.why.no_hours');
  return t(key, p);
}

export const notDialingText = (t: TFunction, r: string | null | undefined): string => (r ? (NOT_DIALING[r] ? t(NOT_DIALING[r]!) : r) : t('outbound.idle.none'));

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const tone = status === 'active' ? 'green' : status === 'paused' ? 'amber' : status === 'draft' ? 'blue' : 'slate';
  return (
    <span class={`badge badge-${tone}`} data-testid="campaign-status">
      {t(`outbound.status.${status}` as MessageKey)}
    </span>
  );
}

export function CampaignPicker({ campaigns, value, onChange }: { campaigns: CampaignInfo[]; value: number | null; onChange: (id: number) => void }) {
  const { t } = useI18n();
  return (
    <select value={value ?? ''} onChange={(e) => onChange(Number(val(e)))} aria-label={t('outbound.campaign')} data-testid="campaign-picker">
      {campaigns.map((c) => (
        <option value={c.id} key={c.id}>
          {c.name} · {t(`outbound.status.${c.status}` as MessageKey)}
        </option>
      ))}
    </select>
  );
}
