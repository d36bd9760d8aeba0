// Threat calls for team leads and managers: newest first, unacknowledged filter, ack, notes.
// The recording (kept as evidence) is linked to the Recordings page.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { recordsApi, type ThreatItem } from '../desk/records/records-api.js';
import '../desk/records/records.css';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }) : '');

export function ThreatsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [onlyOpen, setOnlyOpen] = useState(false);
  const [rows, setRows] = useState<ThreatItem[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const lead = user.roles.some((r) => r === 'team_lead' || r === 'manager' || r === 'admin');
  const load = useCallback(() => void recordsApi.threats({ unacknowledged: onlyOpen }).then((r) => (setRows(r.threats), setErr(null)), (e) => setErr(describeError(t, e))), [onlyOpen, t]);
  useEffect(load, [load]);
  useLiveMessages((m) => {
    if (m.type === 'desk.threat') load();
  });
  const act = (p: Promise<unknown>) => void p.then(load, (e) => setErr(describeError(t, e)));
  return (
    <div data-testid="threats-page">
      <PageHeader title={t('threats.title')} subtitle={t('threats.subtitle')} />
      <div class="tk-filters">
        <label>
          <input type="checkbox" checked={onlyOpen} onChange={(e) => setOnlyOpen((e.target as HTMLInputElement).checked)} data-testid="threats-only-open" /> {t('threats.onlyOpen')}
        </label>
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      <div class="card table-wrap">
        <table class="table" data-testid="threats-table">
          <thead>
            <tr>
              <th>{t('threats.col.at')}</th>
              <th>{t('threats.col.seat')}</th>
              <th>{t('threats.col.agent')}</th>
              <th>{t('threats.col.caller')}</th>
              <th>{t('threats.col.notes')}</th>
              <th>{t('threats.col.recording')}</th>
              <th>{t('threats.col.ack')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <EmptyRow cols={7}>{t('threats.empty')}</EmptyRow>
            ) : (
              rows.map((r) => (
                <tr key={r.id} class={r.acknowledgedAt ? '' : 'tk-overdue'} data-testid={`threat-row-${r.id}`}>
                  <td>{when(r.at)}</td>
                  <td>{r.seat ?? t('threats.unknown')}</td>
                  <td>{r.agentName ?? ''}</td>
                  <td>{r.callerNumber ?? t('threats.unknown')}</td>
                  <td>
                    <div class="tk-pre">{r.notes}</div>
                    {r.notesLog.map((n) => (
                      <div key={n.id} class="muted tk-pre">
                        {when(n.at)} {n.username ?? ''}: {n.note}
                      </div>
                    ))}
                    <div class="rec-row">
                      <input value={notes[r.id] ?? ''} onInput={(e) => setNotes({ ...notes, [r.id]: (e.target as HTMLInputElement).value })} placeholder={t('threats.addNote')} aria-label={t('threats.addNote')} />
                      <button type="button" class="btn btn-ghost btn-small" disabled={!(notes[r.id] ?? '').trim()} onClick={() => (act(recordsApi.threatNote(r.id, notes[r.id]!)), setNotes({ ...notes, [r.id]: '' }))}>
                        {t('threats.noteSave')}
                      </button>
                    </div>
                  </td>
                  <td>{r.recordingId !== null ? <a href={`/recordings?linkedid=${encodeURIComponent(r.linkedid ?? '')}`}>#{r.recordingId}</a> : ''}</td>
                  <td>
                    {r.acknowledgedAt ? (
                      t('threats.acked', { by: r.acknowledgedBy ?? '', at: when(r.acknowledgedAt) })
                    ) : lead ? (
                      <button type="button" class="btn btn-primary btn-small" onClick={() => act(recordsApi.ackThreat(r.id))} data-testid={`threat-ack-${r.id}`}>
                        {t('threats.ack')}
                      </button>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
