// App-wide threat alert for team leads, managers and admins: a `desk.threat` frame pops an
// alert (seat, agent, caller, notes, time) that stays until acknowledged — here or by another
// lead (the acknowledged frame closes it everywhere). Unacknowledged threats are loaded on
// start, so a lead who signs in late still sees them.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { Link } from '../../router.js';
import { recordsApi, type ThreatAlert } from '../desk/records/records-api.js';
import '../desk/records/records.css';

export const THREATS_PATH = '/tickets/threats';
const LEADS = ['team_lead', 'manager', 'admin'];

export function ThreatNotifier({ user }: { user: User }) {
  const { t } = useI18n();
  const allowed = user.roles.some((r) => LEADS.includes(r));
  const [open, setOpen] = useState<ThreatAlert[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const merge = (a: ThreatAlert) =>
    setOpen((cur) => {
      const rest = cur.filter((x) => x.id !== a.id);
      if (a.acknowledgedAt) return rest;
      // Managers get the full number, team leads the masked one: keep the fuller of the two.
      const prev = cur.find((x) => x.id === a.id);
      const best = prev && prev.callerNumber && !prev.callerNumber.includes('*') ? prev : a;
      return [best, ...rest];
    });
  useEffect(() => {
    if (!allowed) return;
    recordsApi.threats({ unacknowledged: true }).then(
      (r) => setOpen(r.threats.slice(0, 5)),
      () => undefined,
    );
  }, [allowed]);
  useLiveMessages((m) => {
    if (allowed && m.type === 'desk.threat') merge(m.data);
  });
  if (!allowed || open.length === 0) return null;
  const a = open[0]!;
  return (
    <div class="threat-alert" role="alertdialog" aria-labelledby="threat-alert-title" data-testid="threat-alert">
      <h3 id="threat-alert-title">
        {t('threats.alert.title')}
        {open.length > 1 && ` (${open.length})`}
      </h3>
      <p data-testid="threat-alert-body">
        {t('threats.alert.body', { seat: a.seat ?? t('threats.unknown'), agent: a.agentName ?? t('threats.unknown'), caller: a.callerNumber ?? t('threats.unknown'), at: new Date(a.at).toLocaleTimeString() })}
      </p>
      {a.notes && <p class="tk-pre">{t('threats.alert.notes', { notes: a.notes })}</p>}
      {err && <p class="text-danger">{err}</p>}
      <div class="rec-actions">
        <Link href={THREATS_PATH} class="btn btn-ghost btn-small">
          {t('threats.alert.open')}
        </Link>
        <button
          type="button"
          class="btn btn-primary rec-danger"
          data-testid="threat-alert-ack"
          onClick={() =>
            void recordsApi.ackThreat(a.id).then(
              (r) => (merge(r), setErr(null)),
              (e) => setErr(describeError(t, e)),
            )
          }
        >
          {t('threats.alert.ack')}
        </button>
      </div>
    </div>
  );
}
