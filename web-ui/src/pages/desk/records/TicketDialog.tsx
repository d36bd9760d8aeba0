// Complaint ticket (投诉) from the desk: category, severity, what the customer complains about
// and what they ask for. The caller number comes from the server's call record.
import { useState } from 'preact/hooks';
import { Alert } from '../../../components/Alert.js';
import { describeError } from '../../../errors.js';
import { useI18n, type MessageKey } from '../../../i18n/index.js';
import { TICKET_CATEGORIES, recordsApi, type Ticket, type TicketCategory, type TicketSeverity } from './records-api.js';
import './records.css';

export function TicketDialog(props: { leadId: number | null; linkedid: string | null; onClose: () => void }) {
  const { t } = useI18n();
  const [category, setCategory] = useState<TicketCategory>('service');
  const [severity, setSeverity] = useState<TicketSeverity>('normal');
  const [description, setDescription] = useState('');
  const [request, setRequest] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [saved, setSaved] = useState<Ticket | null>(null);
  const save = async () => {
    setBusy(true);
    setErr(null);
    try {
      setSaved(await recordsApi.createTicket({ leadId: props.leadId, linkedid: props.linkedid, category, severity, description, ...(request.trim() ? { request } : {}) }));
    } catch (x) {
      setErr(describeError(t, x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="rec-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="rec-ticket-title" class="rec-dialog" data-testid="ticket-dialog">
        <h3 id="rec-ticket-title">{t('records.ticket.title')}</h3>
        {saved ? (
          <>
            <Alert kind="success" testId="ticket-saved">
              {t('records.ticket.saved', { id: saved.id, due: new Date(saved.dueAt).toLocaleString() })}
            </Alert>
            <div class="rec-actions">
              <button type="button" class="btn btn-primary" onClick={props.onClose} data-testid="ticket-close">
                {t('records.ticket.close')}
              </button>
            </div>
          </>
        ) : (
          <>
            <div class="rec-row">
              <label class="field">
                <span>{t('records.ticket.category')}</span>
                <select value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value as TicketCategory)} data-testid="ticket-category">
                  {TICKET_CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {t(`records.ticket.category.${c}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </label>
              <fieldset class="rec-radios">
                <legend>{t('records.ticket.severity')}</legend>
                {(['normal', 'urgent'] as const).map((s) => (
                  <label key={s}>
                    <input type="radio" name="rec-severity" checked={severity === s} onChange={() => setSeverity(s)} data-testid={`ticket-severity-${s}`} />
                    {t(`records.ticket.severity.${s}`)}
                  </label>
                ))}
              </fieldset>
            </div>
            <label class="field">
              <span>{t('records.ticket.description')}</span>
              <textarea rows={4} maxLength={4000} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} data-testid="ticket-description" />
            </label>
            <label class="field">
              <span>{t('records.ticket.request')}</span>
              <textarea rows={2} maxLength={2000} value={request} onInput={(e) => setRequest((e.target as HTMLTextAreaElement).value)} data-testid="ticket-request" />
            </label>
            {err && <Alert kind="error">{err}</Alert>}
            <div class="rec-actions">
              <button type="button" class="btn btn-ghost" onClick={props.onClose}>
                {t('records.ticket.cancel')}
              </button>
              <button type="button" class="btn btn-primary" disabled={busy || !description.trim()} onClick={() => void save()} data-testid="ticket-save">
                {t('records.ticket.save')}
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
