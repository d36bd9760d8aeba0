// Complaint tickets for team leads and managers: filters (status, team, mine, overdue),
// overdue rows highlighted and listed first, CSV/XLSX export, and the detail with the
// follow-up timeline and the follow-up form (note, contact made, new status). Agents see
// their own tickets read-only. Live `ticket.updated` frames refresh the list.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { TICKET_STATUSES, recordsApi, type FollowUp, type Ticket, type TicketFilter, type TicketStatus } from '../desk/records/records-api.js';
import '../desk/records/records.css';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }) : '');
const statusText = (t: TFunction, s: string) => t(`tickets.status.${s}` as MessageKey);
const TONE: Record<string, string> = { open: 'amber', in_progress: 'blue', resolved: 'green', closed: 'slate' };

export function TicketsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<TicketFilter>({ status: '', team: '', mine: false, overdue: false });
  const [rows, setRows] = useState<Ticket[]>([]);
  const [total, setTotal] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const lead = user.roles.some((r) => r === 'team_lead' || r === 'manager' || r === 'admin');

  const load = useCallback(() => {
    recordsApi.tickets(filter).then(
      (r) => {
        setRows(r.tickets);
        setTotal(r.total);
        setErr(null);
      },
      (e) => setErr(describeError(t, e)),
    );
  }, [filter, t]);
  useEffect(load, [load]);
  useLiveMessages((m) => {
    if (m.type === 'ticket.updated') load();
  });

  if (open !== null) return <TicketDetail id={open} onBack={() => (setOpen(null), load())} />;
  const teams = [...new Set(rows.map((r) => r.team).filter((x): x is string => !!x))];
  return (
    <div data-testid="tickets-page">
      <PageHeader
        title={t('tickets.title')}
        subtitle={t('tickets.subtitle')}
        actions={
          lead && (
            <>
              <a class="btn btn-secondary btn-small" href={recordsApi.ticketsExportUrl(filter, 'csv')} data-testid="tickets-export-csv">
                {t('tickets.export.csv')}
              </a>
              <a class="btn btn-secondary btn-small" href={recordsApi.ticketsExportUrl(filter, 'xlsx')} data-testid="tickets-export-xlsx">
                {t('tickets.export.xlsx')}
              </a>
            </>
          )
        }
      />
      <div class="tk-filters">
        <label class="field">
          <span>{t('tickets.filter.status')}</span>
          <select value={filter.status ?? ''} onChange={(e) => setFilter({ ...filter, status: (e.target as HTMLSelectElement).value as TicketStatus | '' })} data-testid="tickets-status">
            <option value="">{t('tickets.filter.all')}</option>
            {TICKET_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusText(t, s)}
              </option>
            ))}
          </select>
        </label>
        {lead && (
          <label class="field">
            <span>{t('tickets.filter.team')}</span>
            <input list="tk-teams" value={filter.team ?? ''} onInput={(e) => setFilter({ ...filter, team: (e.target as HTMLInputElement).value })} data-testid="tickets-team" />
            <datalist id="tk-teams">
              {teams.map((x) => (
                <option key={x} value={x} />
              ))}
            </datalist>
          </label>
        )}
        {lead && (
          <label>
            <input type="checkbox" checked={!!filter.mine} onChange={(e) => setFilter({ ...filter, mine: (e.target as HTMLInputElement).checked })} data-testid="tickets-mine" /> {t('tickets.filter.mine')}
          </label>
        )}
        <label>
          <input type="checkbox" checked={!!filter.overdue} onChange={(e) => setFilter({ ...filter, overdue: (e.target as HTMLInputElement).checked })} data-testid="tickets-overdue" /> {t('tickets.filter.overdue')}
        </label>
        <button type="button" class="btn btn-ghost btn-small" onClick={load}>
          {t('tickets.refresh')}
        </button>
        <span class="count-pill">{total}</span>
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      <div class="card table-wrap">
        <table class="table" data-testid="tickets-table">
          <thead>
            <tr>
              <th>{t('tickets.col.id')}</th>
              <th>{t('tickets.col.created')}</th>
              <th>{t('tickets.col.agent')}</th>
              <th>{t('tickets.col.team')}</th>
              <th>{t('tickets.col.caller')}</th>
              <th>{t('tickets.col.category')}</th>
              <th>{t('tickets.col.severity')}</th>
              <th>{t('tickets.col.status')}</th>
              <th>{t('tickets.col.due')}</th>
              <th>{t('tickets.col.assignee')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <EmptyRow cols={10}>{t('tickets.empty')}</EmptyRow>
            ) : (
              rows.map((r) => (
                <tr key={r.id} class={r.overdue ? 'tk-overdue' : ''} data-testid={`ticket-row-${r.id}`}>
                  <td>
                    <a href="#" onClick={(e) => (e.preventDefault(), setOpen(r.id))}>
                      #{r.id}
                    </a>
                  </td>
                  <td>{when(r.createdAt)}</td>
                  <td>{r.agentName ?? r.createdBy ?? ''}</td>
                  <td>{r.team ?? ''}</td>
                  <td>{r.callerNumber ?? ''}</td>
                  <td>{t(`records.ticket.category.${r.category}` as MessageKey)}</td>
                  <td>{r.severity === 'urgent' ? <span class="badge badge-red">{t('records.ticket.severity.urgent')}</span> : t('records.ticket.severity.normal')}</td>
                  <td>
                    <span class={`badge badge-${TONE[r.status] ?? 'slate'}`}>{statusText(t, r.status)}</span>
                  </td>
                  <td>
                    {when(r.dueAt)} {r.overdue && <span class="badge badge-red" data-testid="ticket-overdue">{t('tickets.overdue')}</span>}
                  </td>
                  <td>{r.assignee ?? ''}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function TicketDetail({ id, onBack }: { id: number; onBack: () => void }) {
  const { t } = useI18n();
  const [data, setData] = useState<{ ticket: Ticket; followUps: FollowUp[]; canFollowUp: boolean } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [contact, setContact] = useState(false);
  const [status, setStatus] = useState<TicketStatus | ''>('');
  const [saved, setSaved] = useState(false);
  const load = useCallback(() => void recordsApi.ticket(id).then(setData, (e) => setErr(describeError(t, e))), [id, t]);
  useEffect(load, [load]);
  const save = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    try {
      const r = await recordsApi.followUp(id, { note, contactMade: contact, ...(status ? { status } : {}) });
      setData((d) => (d ? { ...d, ticket: r.ticket, followUps: r.followUps } : d));
      setNote('');
      setContact(false);
      setStatus('');
      setSaved(true);
    } catch (x) {
      setErr(describeError(t, x));
    }
  };
  if (!data) return err ? <Alert kind="error">{err}</Alert> : null;
  const tk = data.ticket;
  return (
    <div data-testid="ticket-detail">
      <PageHeader
        title={t('tickets.detail.title', { id: tk.id })}
        subtitle={`${t(`records.ticket.category.${tk.category}` as MessageKey)} · ${t(`records.ticket.severity.${tk.severity}` as MessageKey)} · ${statusText(t, tk.status)}`}
        actions={
          <button type="button" class="btn btn-ghost btn-small" onClick={onBack}>
            {t('tickets.detail.back')}
          </button>
        }
      />
      {tk.overdue && <Alert kind="warning">{t('tickets.overdue')}</Alert>}
      <div class="card">
        <div class="card-body">
          <p>
            <strong>{t('tickets.detail.customer')}:</strong> {tk.customerName ?? ''} {tk.callerNumber ?? ''} · {t('tickets.col.agent')}: {tk.agentName ?? tk.createdBy ?? ''} · {t('tickets.col.due')}: {when(tk.dueAt)}
          </p>
          <p>
            <strong>{t('tickets.detail.description')}:</strong>
          </p>
          <p class="tk-pre">{tk.description}</p>
          {tk.request && (
            <>
              <p>
                <strong>{t('tickets.detail.request')}:</strong>
              </p>
              <p class="tk-pre">{tk.request}</p>
            </>
          )}
        </div>
      </div>
      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('tickets.detail.timeline')}</h2>
        </div>
        <div class="card-body">
          {data.followUps.length === 0 ? (
            <p class="muted">{t('tickets.detail.noFollowUps')}</p>
          ) : (
            <ul class="tk-timeline" data-testid="ticket-timeline">
              {data.followUps.map((f) => (
                <li key={f.id}>
                  <div class="muted">
                    {when(f.at)} · {f.username ?? ''} · {f.contactMade ? t('tickets.detail.contactMade') : t('tickets.detail.noContact')}
                    {f.fromStatus !== f.toStatus && ` · ${statusText(t, f.fromStatus)} → ${statusText(t, f.toStatus)}`}
                  </div>
                  <div class="tk-pre">{f.note}</div>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {data.canFollowUp && (
        <form class="card" onSubmit={(e) => void save(e)} data-testid="followup-form">
          <div class="card-head">
            <h2 class="card-title">{t('tickets.follow.title')}</h2>
          </div>
          <div class="card-body">
            <label class="field">
              <span>{t('tickets.follow.note')}</span>
              <textarea rows={3} maxLength={4000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} data-testid="followup-note" />
            </label>
            <div class="rec-row">
              <label>
                <input type="checkbox" checked={contact} onChange={(e) => setContact((e.target as HTMLInputElement).checked)} data-testid="followup-contact" /> {t('tickets.follow.contact')}
              </label>
              <label class="field">
                <span>{t('tickets.follow.status')}</span>
                <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as TicketStatus | '')} data-testid="followup-status">
                  <option value="">{t('tickets.follow.keep')}</option>
                  {TICKET_STATUSES.filter((s) => s !== tk.status).map((s) => (
                    <option key={s} value={s}>
                      {statusText(t, s)}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" class="btn btn-primary" disabled={!note.trim()} data-testid="followup-save">
                {t('tickets.follow.save')}
              </button>
            </div>
            {saved && <Alert kind="success">{t('tickets.follow.saved')}</Alert>}
          </div>
        </form>
      )}
      {err && <Alert kind="error">{err}</Alert>}
    </div>
  );
}
