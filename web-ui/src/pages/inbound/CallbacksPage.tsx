// Inbound → Callbacks: callback requests from the IVR / queue and entered by hand, as team
// tasks. "Call" rings the agent's own seat and dials the number through the outbound routes;
// the outcome is recorded (no answer / busy keep the task open).
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { inboundApi, type Callback } from './inbound-api.js';
import { str } from './shared.js';
import './inbound.css';
import { EmptyRow } from '../../components/EmptyRow.js';

const OUTCOMES: Array<{ value: string; key: MessageKey }> = [
  { value: 'reached', key: 'inbound.cb.outcome.reached' },
  { value: 'no_answer', key: 'inbound.cb.outcome.no_answer' },
  { value: 'busy', key: 'inbound.cb.outcome.busy' },
  { value: 'wrong_number', key: 'inbound.cb.outcome.wrong_number' },
  { value: 'cancelled', key: 'inbound.cb.outcome.cancelled' },
];
const formatDateTime = (lang: string, iso: string): string => new Date(iso).toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const outcomeKey = (o: string | null): MessageKey | null => OUTCOMES.find((x) => x.value === o)?.key ?? null;

export function CallbacksPage({ user: _user }: { user: User }) {
  const { t, lang } = useI18n();
  const [list, setList] = useState<Callback[]>([]);
  const [mySeat, setMySeat] = useState<string | null>(null);
  const [seat, setSeat] = useState('');
  const [status, setStatus] = useState<'open' | 'done'>('open');
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [number, setNumber] = useState('');
  const [when, setWhen] = useState('');
  const [text, setText] = useState('');
  const load = useCallback(
    () =>
      void inboundApi.callbacks(status).then(
        (r) => {
          setList(r.callbacks);
          setMySeat(r.mySeat);
        },
        (e) => setErr(describeError(t, e)),
      ),
    [status, t],
  );
  useEffect(() => {
    load();
    const timer = setInterval(load, 10_000);
    return () => clearInterval(timer);
  }, [load]);
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setErr(null);
    setNote(null);
    try {
      await fn();
      setNote(ok);
      load();
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const useSeat = seat.trim() || mySeat || '';
  return (
    <div class="page ib-page" data-testid="callbacks-page">
      <PageHeader title={t('inbound.cb.title')} subtitle={t('inbound.cb.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="cb-note">{note}</span>
        </Alert>
      )}
      <div class="card">
        <div class="card-body">
          <div class="ib-row">
          <span>{mySeat ? t('inbound.cb.mySeat', { seat: mySeat }) : t('inbound.cb.noSeat')}</span>
          <input class="ib-short mono" value={seat} onInput={(e) => setSeat(str(e).trim())} placeholder={t('inbound.cb.seat')} aria-label={t('inbound.cb.seat')} data-testid="cb-seat" />
          <span class="st-grow" />
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as 'open' | 'done')} aria-label={t('inbound.cb.status')} data-testid="cb-filter">
            <option value="open">{t('inbound.cb.open')}</option>
            <option value="done">{t('inbound.cb.done')}</option>
          </select>
          </div>
        </div>
      </div>
      <div class="card">
        <div class="table-wrap">
          <table class="table" data-testid="cb-table">
            <thead>
              <tr>
                <th>{t('inbound.cb.number')}</th>
                <th>{t('inbound.cb.when')}</th>
                <th>{t('inbound.cb.source')}</th>
                <th>{t('inbound.cb.attempts')}</th>
                <th>{t('inbound.cb.note')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.length === 0 && <EmptyRow cols={6}>{t('inbound.cb.empty')}</EmptyRow>}
              {list.map((c) => (
                <tr key={c.id} data-testid="cb-row" data-id={c.id} data-status={c.status}>
                  <td class="mono">{c.number}</td>
                  <td class="tnum">{c.requestedFor ? formatDateTime(lang, c.requestedFor) : t('inbound.cb.asap')}</td>
                  <td>{c.source === 'ivr' ? t('inbound.cb.fromIvr', { queue: c.queue ?? '' }) : t('inbound.cb.manual')}</td>
                  <td class="tnum">{c.attempts}</td>
                  <td>{c.outcome ? t(outcomeKey(c.outcome)!) : (c.note ?? '')}</td>
                  <td class="ib-actions">
                    {c.status !== 'done' && (
                      <>
                        <button type="button" class="btn btn-small btn-primary" disabled={!useSeat} title={useSeat ? undefined : t('inbound.cb.noSeat')} onClick={() => void act(() => inboundApi.dial(c.id, useSeat), t('inbound.cb.dialing', { seat: useSeat, number: c.number }))} data-testid="cb-dial">
                          {t('inbound.cb.dial')}
                        </button>
                        <select value="" onChange={(e) => void act(() => inboundApi.outcome(c.id, (e.target as HTMLSelectElement).value), t('inbound.cb.recorded'))} aria-label={t('inbound.cb.outcome')} data-testid="cb-outcome">
                          <option value="">{t('inbound.cb.outcome')}</option>
                          {OUTCOMES.map((o) => (
                            <option value={o.value} key={o.value}>
                              {t(o.key)}
                            </option>
                          ))}
                        </select>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('inbound.cb.add')}</h2>
        </div>
        <div class="card-body">
          <div class="ib-row">
          <input class="mono" value={number} onInput={(e) => setNumber(str(e))} placeholder={t('inbound.cb.number')} aria-label={t('inbound.cb.number')} data-testid="cb-new-number" />
          <input type="datetime-local" value={when} onInput={(e) => setWhen(str(e))} aria-label={t('inbound.cb.when')} data-testid="cb-new-when" />
          <input class="st-grow" value={text} onInput={(e) => setText(str(e))} placeholder={t('inbound.cb.note')} aria-label={t('inbound.cb.note')} />
          <button
            type="button"
            class="btn btn-secondary"
            disabled={!number.trim()}
            data-testid="cb-new-add"
            onClick={() =>
              void act(async () => {
                await inboundApi.addCallback({ number: number.trim(), requestedFor: when ? new Date(when).toISOString() : null, ...(text.trim() ? { note: text.trim() } : {}) });
                setNumber('');
                setWhen('');
                setText('');
              }, t('inbound.cb.added'))
            }
          >
            {t('inbound.cb.addButton')}
          </button>
          </div>
        </div>
      </div>
    </div>
  );
}
