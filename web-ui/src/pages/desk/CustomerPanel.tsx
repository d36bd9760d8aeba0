// The screen pop: the campaign script with the lead's values (plain text, missing values
// marked; first, since the agent reads it as the call connects), the customer (sensitive fields
// withheld until the identity check passes, server-side) and the contact history.
import { Icon } from '../../components/Icon.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import type { DeskCampaign, DeskCustomer, DeskHistoryItem } from './desk-api.js';
import { IdentityPanel } from './records/IdentityPanel.js';

const MISSING = '【?】';
const HISTORY_KIND: Record<DeskHistoryItem['kind'], MessageKey> = {
  attempt: 'desk.history.kind.attempt',
  call: 'desk.history.kind.call',
  ticket: 'desk.history.kind.ticket',
  registration: 'desk.history.kind.registration',
  sms: 'desk.history.kind.sms',
};
const OUTCOMES = new Set(['connected', 'busy', 'no_answer', 'unreachable', 'failed', 'machine', 'dropped']);

function fieldValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** An outcome or disposition code in the UI language when it is a known one. */
function outcomeLabel(t: TFunction, lang: string, campaigns: DeskCampaign[], item: DeskHistoryItem): string {
  const parts: string[] = [];
  if (item.outcome) parts.push(OUTCOMES.has(item.outcome) ? t(`outbound.outcome.${item.outcome}` as MessageKey) : item.outcome);
  if (item.disposition) {
    const d = campaigns.flatMap((c) => c.settings.dispositions).find((x) => x.code === item.disposition);
    parts.push(d ? (lang === 'zh-CN' ? d.labelZh : d.labelEn) : item.disposition);
  }
  return parts.join(' · ');
}

export function ScriptText({ text }: { text: string }) {
  const parts = text.split(MISSING);
  return (
    <div class="desk-script" data-testid="desk-script">
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 && (
            <mark class="desk-missing" data-testid="script-missing">
              {MISSING}
            </mark>
          )}
        </span>
      ))}
    </div>
  );
}

export function CustomerPanel({
  customer,
  linkedid,
  campaigns,
  onIdentityChanged,
}: {
  customer: DeskCustomer | null;
  /** the call of this screen pop (null: a preview, not dialled yet) */
  linkedid: string | null;
  campaigns: DeskCampaign[];
  onIdentityChanged: () => void;
}) {
  const { t, lang } = useI18n();
  if (!customer) {
    return (
      <div class="card desk-pop" data-testid="desk-pop-empty">
        <div class="card-head">
          <h2 class="card-title">
            <Icon name="users" size={18} />
            {t('desk.pop.title')}
          </h2>
        </div>
        <div class="card-body muted">{t('desk.pop.none')}</div>
      </div>
    );
  }
  const fields = Object.entries(customer.fields);
  return (
    <>
      <div class="card" data-testid="desk-script-card">
        <div class="card-head">
          <h2 class="card-title">
            <Icon name="info" size={18} />
            {t('desk.script.title')}
          </h2>
        </div>
        <div class="card-body">
          {customer.script.text.trim() === '' ? <div class="muted">{t('desk.script.none')}</div> : <ScriptText text={customer.script.text} />}
          {customer.script.missing.length > 0 && (
            <div class="desk-missing-list small" data-testid="desk-script-missing">
              {t('desk.script.missing', { fields: customer.script.missing.join('、') })}
            </div>
          )}
        </div>
      </div>

      <div class="card desk-pop" data-testid="desk-pop" data-lead={customer.leadId ?? ''}>
        <div class="card-head">
          <h2 class="card-title">
            <Icon name="users" size={18} />
            {t('desk.pop.title')}
          </h2>
          {customer.campaignName && <span class="badge badge-slate">{customer.campaignName}</span>}
        </div>
        <div class="card-body">
          <div class="desk-pop-head">
            <span class="desk-pop-name" data-testid="desk-pop-name">
              {customer.name ?? t('desk.pop.unknownCaller')}
            </span>
            {customer.phone && (
              <span class="tnum muted" data-testid="desk-pop-phone">
                {customer.phone}
              </span>
            )}
            {customer.leadId !== null && <span class="muted small">{t('desk.pop.attempts', { n: customer.attempts })}</span>}
          </div>
          {(fields.length > 0 || customer.hiddenFields.length > 0) && (
            <div class="desk-fields">
              {fields.map(([k, v]) => (
                <div class="desk-field-pair" key={k} data-testid="pop-field" data-field={k}>
                  <span class="desk-fk">{k}</span>
                  <span class="desk-fv">{fieldValue(v)}</span>
                </div>
              ))}
              {customer.hiddenFields
                .filter((k) => !(k in customer.fields))
                .map((k) => (
                  <div class="desk-field-pair" key={k} data-testid="pop-hidden-field" data-field={k}>
                    <span class="desk-fk">{k}</span>
                    <span class="desk-fv muted desk-hidden">
                      <Icon name="lock" size={14} />
                      {t('desk.pop.hidden')}
                    </span>
                  </div>
                ))}
            </div>
          )}
          {linkedid && customer.identity.status !== 'not_required' && (
            <IdentityPanel linkedid={linkedid} leadId={customer.leadId} identity={customer.identity} hiddenFields={customer.hiddenFields} onChanged={onIdentityChanged} />
          )}
        </div>
      </div>

      <div class="card" data-testid="desk-history">
        <div class="card-head">
          <h2 class="card-title">
            <Icon name="clock" size={18} />
            {t('desk.history.title')}
            <span class="count-pill">{customer.history.length}</span>
          </h2>
        </div>
        {customer.history.length === 0 ? (
          <div class="card-body muted" data-testid="desk-history-none">
            {t('desk.history.none')}
          </div>
        ) : (
          <div class="table-wrap desk-history-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>{t('desk.history.at')}</th>
                  <th>{t('desk.history.kind')}</th>
                  <th>{t('desk.history.campaign')}</th>
                  <th>{t('desk.history.agent')}</th>
                  <th>{t('desk.history.outcome')}</th>
                  <th>{t('desk.history.note')}</th>
                </tr>
              </thead>
              <tbody>
                {customer.history.map((h, i) => (
                  <tr key={`${h.at}-${i}`} data-testid="history-row" data-kind={h.kind}>
                    <td class="tnum">{new Date(h.at).toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })}</td>
                    <td>{t(HISTORY_KIND[h.kind])}</td>
                    <td>{h.campaignName ?? ''}</td>
                    <td>{h.agentName ?? ''}</td>
                    <td>{outcomeLabel(t, lang, campaigns, h)}</td>
                    <td class="desk-note">{h.note ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}
