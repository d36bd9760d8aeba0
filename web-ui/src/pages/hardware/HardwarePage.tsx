// System → Telephony cards: the detected cards, their spans with live alarm badges, E1/T1 span
// settings (PRI / MFC/R2, framing, coding, CRC-4, clock source), analog ports with their seat
// (FXS) or trunk (FXO), and the card event log. Admins change; managers and technicians read.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { formatTime } from '../../format.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { isAdmin } from '../seats/SeatsPage.js';
import { seatsApi, type Seat } from '../seats/seats-api.js';
import { FieldError, Modal, Segmented, StatusDot, UiIcon, refusalText, useFormErrors, type DotTone } from '../seats/ui.js';
import { trunksApi, type Trunk } from '../trunks/trunks-api.js';
import { hardwareApi, type HardwareView, type HwPort, type HwSpan, type SpanSettingsRequest } from './hardware-api.js';
import '../seats/seats.css';
import { EmptyRow } from '../../components/EmptyRow.js';

const ALARM_LABEL: Record<string, MessageKey> = {
  RED: 'hw.alarm.RED',
  YELLOW: 'hw.alarm.YELLOW',
  BLUE: 'hw.alarm.BLUE',
  LFA: 'hw.alarm.LFA',
  LMFA: 'hw.alarm.LMFA',
  LOOPBACK: 'hw.alarm.LOOPBACK',
  RECOVERING: 'hw.alarm.RECOVERING',
  NOTOPEN: 'hw.alarm.NOTOPEN',
  UNKNOWN: 'hw.alarm.UNKNOWN',
  UNCONFIGURED: 'hw.alarm.UNCONFIGURED',
};
const PORT_KIND: Record<string, MessageKey> = { FXS: 'hw.port.FXS', FXO: 'hw.port.FXO', empty: 'hw.port.empty', failed: 'hw.port.failed', unknown: 'hw.port.unknown' };
const SIG_LABEL: Record<string, MessageKey> = { pri_cpe: 'hw.sig.pri_cpe', pri_net: 'hw.sig.pri_net', r2: 'hw.sig.r2' };
const SEVERITY_TONE: Record<string, string> = { critical: 'badge-red', warning: 'badge-amber', info: 'badge-green' };
const SEVERITY_LABEL: Record<string, MessageKey> = { critical: 'hw.sev.critical', warning: 'hw.sev.warning', info: 'hw.sev.info' };

function AlarmBadges({ alarms, testId }: { alarms: { ok: boolean; severity: string; alarms: string[] }; testId?: string }) {
  const { t } = useI18n();
  if (alarms.ok) {
    return (
      <span class="badge badge-green" data-testid={testId} data-alarms="OK">
        {t('hw.alarm.OK')}
      </span>
    );
  }
  return (
    <span class="st-alarm" data-testid={testId} data-alarms={alarms.alarms.join('/')}>
      {alarms.alarms.map((a) => (
        <span class={`badge ${alarms.severity === 'critical' ? 'badge-red' : 'badge-amber'}`} key={a}>
          {ALARM_LABEL[a] ? t(ALARM_LABEL[a]!) : a}
        </span>
      ))}
    </span>
  );
}

function settingsText(t: TFunction, s: HwSpan): string {
  const c = s.settings;
  if (!c) return t('hw.notConfigured');
  const parts = [t(SIG_LABEL[c.signalling] ?? 'hw.sig.pri_cpe'), `${c.framing.toUpperCase()}/${c.coding.toUpperCase()}${c.crc4 ? '/CRC4' : ''}`];
  parts.push(c.timing > 0 ? t('hw.timing.n', { n: c.timing }) : t('hw.timing.never'));
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------

type SpanField = 'signalling' | 'framing' | 'coding' | 'crc4' | 'timing' | 'switchtype' | 'variant' | 'maxAni' | 'maxDnis';

function SpanDialog({ span, onClose, onSaved }: { span: HwSpan; onClose: () => void; onSaved: (v: HardwareView) => void }) {
  const { t } = useI18n();
  const c = span.settings;
  const e1 = span.kind !== 'T1';
  const [sig, setSig] = useState<'pri_cpe' | 'pri_net' | 'r2'>(c?.signalling ?? 'pri_cpe');
  const [framing, setFraming] = useState(c?.framing ?? (e1 ? 'ccs' : 'esf'));
  const [coding, setCoding] = useState(c?.coding ?? (e1 ? 'hdb3' : 'b8zs'));
  const [crc4, setCrc4] = useState(c?.crc4 ?? e1);
  const [timing, setTiming] = useState(String(c?.timing ?? 1));
  const [switchtype, setSwitchtype] = useState(c?.switchtype ?? 'euroisdn');
  const [variant, setVariant] = useState(c?.variant ?? 'cn');
  const [maxAni, setMaxAni] = useState(String(c?.maxAni ?? 20));
  const [maxDnis, setMaxDnis] = useState(String(c?.maxDnis ?? 4));
  const [busy, setBusy] = useState(false);
  const fe = useFormErrors<SpanField>();
  const r2 = sig === 'r2';
  const submit = async () => {
    const errs: Partial<Record<SpanField | '_form', string>> = {};
    if (!/^\d+$/.test(timing) || Number(timing) > 128) errs.timing = t('hw.error.timing');
    if (r2 && (!/^\d+$/.test(maxAni) || Number(maxAni) < 1 || Number(maxAni) > 20)) errs.maxAni = t('hw.error.digits');
    if (r2 && (!/^\d+$/.test(maxDnis) || Number(maxDnis) < 1 || Number(maxDnis) > 20)) errs.maxDnis = t('hw.error.digits');
    fe.set(errs);
    if (Object.keys(errs).length) return;
    const req: SpanSettingsRequest = r2
      ? { signalling: 'r2', timing: Number(timing), variant, maxAni: Number(maxAni), maxDnis: Number(maxDnis), crc4 }
      : { signalling: sig, framing, coding, crc4, timing: Number(timing), switchtype };
    setBusy(true);
    try {
      onSaved(await hardwareApi.configureSpan(span.span, req));
    } catch (e) {
      fe.fromApi(t, e, ['signalling', 'framing', 'coding', 'crc4', 'timing', 'switchtype', 'variant', 'maxAni', 'maxDnis']);
    } finally {
      setBusy(false);
    }
  };
  const select = (id: SpanField, label: string, value: string, set: (v: string) => void, options: string[], hint?: string) => (
    <div class="field">
      <label for={`span-${id}`}>{label}</label>
      <select id={`span-${id}`} value={value} onChange={(e) => set(e.currentTarget.value)} aria-invalid={fe.errors[id] ? true : undefined}>
        {options.map((o) => (
          <option value={o} key={o}>
            {o}
          </option>
        ))}
      </select>
      {hint && <span class="field-hint">{hint}</span>}
      <FieldError text={fe.errors[id]} id={`span-${id}`} />
    </div>
  );
  return (
    <Modal
      title={t('hw.span.title', { span: span.span, name: span.name })}
      onClose={onClose}
      testId="span-dialog"
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('st.cancel')}
          </button>
          <button type="button" class="btn btn-primary" onClick={() => void submit()} disabled={busy} data-testid="span-submit">
            {busy ? t('st.working') : t('st.save')}
          </button>
        </>
      }
    >
      {fe.errors._form && (
        <Alert kind="error" testId="span-error">
          {fe.errors._form}
        </Alert>
      )}
      <div class="form">
        <div class="field">
          <label>{t('hw.signalling')}</label>
          <Segmented
            value={sig}
            onChange={setSig}
            options={(['pri_cpe', 'pri_net', 'r2'] as const).map((v) => ({ value: v, label: t(SIG_LABEL[v]!) }))}
            testId="span-signalling"
          />
          <span class="field-hint">{r2 ? t('hw.sig.r2Hint') : t('hw.sig.priHint')}</span>
        </div>
        {!r2 && (
          <div class="form-row">
            {select('framing', t('hw.framing'), framing, setFraming, ['ccs', 'cas', 'esf', 'd4'], e1 ? t('hw.framingHintE1') : t('hw.framingHintT1'))}
            {select('coding', t('hw.coding'), coding, setCoding, ['hdb3', 'ami', 'b8zs'])}
          </div>
        )}
        {!r2 && select('switchtype', t('hw.switchtype'), switchtype, setSwitchtype, ['euroisdn', 'national', 'qsig', 'ni1', 'dms100', '4ess', '5ess'])}
        {r2 && (
          <div class="form-row">
            {select('variant', t('hw.variant'), variant, setVariant, ['cn', 'itu', 'ar', 'br', 'co', 'cz', 'ec', 'mx', 'ph', 've'])}
            <div class="field">
              <label for="span-maxAni">{t('hw.maxAni')}</label>
              <input id="span-maxAni" inputMode="numeric" value={maxAni} onInput={(e) => setMaxAni(e.currentTarget.value.trim())} />
              <FieldError text={fe.errors.maxAni} id="span-maxAni" />
            </div>
          </div>
        )}
        {r2 && (
          <div class="field field-narrow">
            <label for="span-maxDnis">{t('hw.maxDnis')}</label>
            <input id="span-maxDnis" inputMode="numeric" value={maxDnis} onInput={(e) => setMaxDnis(e.currentTarget.value.trim())} />
            <FieldError text={fe.errors.maxDnis} id="span-maxDnis" />
          </div>
        )}
        <div class="form-row">
          <div class="field">
            <label for="span-timing">{t('hw.timing')}</label>
            <input id="span-timing" inputMode="numeric" value={timing} onInput={(e) => setTiming(e.currentTarget.value.trim())} aria-invalid={fe.errors.timing ? true : undefined} />
            <span class="field-hint">{t('hw.timingHint')}</span>
            <FieldError text={fe.errors.timing} id="span-timing" />
          </div>
          <div class="field">
            <label>{t('hw.crc4')}</label>
            <label class="st-check">
              <input type="checkbox" checked={crc4} onChange={(e) => setCrc4(e.currentTarget.checked)} />
              {t('hw.crc4On')}
            </label>
            <FieldError text={fe.errors.crc4} id="span-crc4" />
          </div>
        </div>
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------

function PortTile({ p, admin, seats, trunks, onAssign }: { p: HwPort; admin: boolean; seats: Seat[]; trunks: Trunk[]; onAssign: (p: HwPort, value: string) => void }) {
  const { t } = useI18n();
  const assigned = p.seat ? t('hw.port.seat', { extension: p.seat.extension, name: p.seat.name }) : p.trunk ? t('hw.port.trunk', { name: p.trunk.name }) : t('hw.port.free');
  const current = p.seat ? `seat:${p.seat.extension}` : p.trunk ? `trunk:${p.trunk.id}` : '';
  const choices =
    p.kind === 'FXS'
      ? seats.filter((s) => s.tech === 'fxs' && (!s.port || s.port.channel === p.channel)).map((s) => ({ value: `seat:${s.extension}`, label: `${s.extension} · ${s.name}` }))
      : p.kind === 'FXO'
        ? trunks.filter((x) => x.kind === 'fxo').map((x) => ({ value: `trunk:${x.id}`, label: x.name }))
        : [];
  return (
    <div class="st-port" data-kind={p.kind} data-alarm={String(!p.alarms.ok)} data-testid="hw-port" data-channel={p.channel}>
      <div class="st-port-head">
        <span>{t('hw.port.n', { n: p.port })}</span>
        <span class="muted tnum">{t('hw.port.channel', { channel: p.channel })}</span>
      </div>
      <span>{t(PORT_KIND[p.kind] ?? 'hw.port.unknown')}</span>
      {!p.alarms.ok && <AlarmBadges alarms={p.alarms} />}
      {admin && choices.length > 0 ? (
        <select value={current} onChange={(e) => onAssign(p, e.currentTarget.value)} aria-label={t('hw.port.assign', { n: p.port })} data-testid="hw-port-assign">
          <option value="">{t('hw.port.free')}</option>
          {choices.map((c) => (
            <option value={c.value} key={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      ) : (
        (p.kind === 'FXS' || p.kind === 'FXO') && <span class={p.seat || p.trunk ? 'st-strong' : 'muted'}>{assigned}</span>
      )}
    </div>
  );
}

export function HardwarePage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const admin = isAdmin(user);
  const canRescan = admin || user.roles.includes('technician');
  const [view, setView] = useState<HardwareView | null>(null);
  const [seats, setSeats] = useState<Seat[]>([]);
  const [trunks, setTrunks] = useState<Trunk[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<HwSpan | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setView(await hardwareApi.get());
      setError(null);
    } catch (e) {
      setError(refusalText(t, e));
    }
  }, [t]);
  useEffect(() => {
    void load();
    if (admin) {
      void seatsApi.list().then((l) => setSeats(l.seats), () => undefined);
      void trunksApi.list().then(setTrunks, () => undefined);
    }
  }, [load, admin]);

  useLiveMessages((msg) => {
    if (msg.type === 'span.updated') {
      setView((v) =>
        v
          ? {
              ...v,
              spans: v.spans.map((s) =>
                s.span === msg.data.span
                  ? {
                      ...s,
                      channelsInUse: msg.data.channelsInUse,
                      alarms: msg.data.alarms.length === 1 && msg.data.alarms[0] === 'OK' ? { ok: true, severity: 'ok', alarms: [], text: 'OK' } : { ...s.alarms, ok: false, severity: s.alarms.severity === 'ok' ? 'critical' : s.alarms.severity, alarms: msg.data.alarms },
                    }
                  : s,
              ),
            }
          : v,
      );
    }
    // An alarm raised or cleared: the event log and the details (severity, meaning) come with a reload.
    if (msg.type === 'alarm' && msg.data.source.startsWith('span:')) void load();
  });

  const rescan = async () => {
    setBusy(true);
    try {
      setView(await hardwareApi.rescan());
    } catch (e) {
      setError(refusalText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const assign = async (p: HwPort, value: string) => {
    try {
      const req = p.kind === 'FXS' ? { seat: value ? value.slice(5) : null } : { trunkId: value ? Number(value.slice(6)) : null };
      setView(await hardwareApi.assignPort(p.channel, req));
      setError(null);
      void seatsApi.list().then((l) => setSeats(l.seats), () => undefined);
    } catch (e) {
      setError(refusalText(t, e));
      void load();
    }
  };

  const sourceLabel = view ? t(view.source === 'fixture' ? 'hw.source.fixture' : view.source === 'command' ? 'hw.source.command' : 'hw.source.none') : '';
  const analogSpans = (view?.spans ?? []).filter((s) => s.kind === 'analog');
  const digitalSpans = (view?.spans ?? []).filter((s) => s.kind !== 'analog');

  return (
    <div class="page st-page" data-testid="hardware-page">
      <PageHeader
        title={t('hw.title')}
        subtitle={t('hw.subtitle')}
        actions={
          canRescan && (
            <button type="button" class="btn btn-secondary" onClick={() => void rescan()} disabled={busy} data-testid="hw-rescan">
              <Icon name="refresh" size={16} />
              {busy ? t('hw.rescanning') : t('hw.rescan')}
            </button>
          )
        }
      />
      {error && (
        <Alert kind="error" testId="hw-error">
          {error}
        </Alert>
      )}
      {!admin && (
        <Alert kind="info" testId="read-only">
          {t('st.readOnly')}
        </Alert>
      )}
      {view && (
        <div class="st-meta" data-testid="hw-source">
          <span>{t('hw.source', { source: sourceLabel })}</span>
          <span class="mono">{view.probe}</span>
          {view.probedAt && <span>{t('hw.probedAt', { time: formatTime(lang, view.probedAt) })}</span>}
        </div>
      )}
      {view && view.probeErrors.length > 0 && (
        <Alert kind="warning" title={t('hw.probeErrors')}>
          {view.probeErrors.join('; ')}
        </Alert>
      )}
      {view && view.missing.length > 0 && (
        <Alert kind="warning" title={t('hw.missing')} testId="hw-missing">
          {view.missing.join('; ')}
        </Alert>
      )}

      {!view ? (
        <div class="card">
          <div class="card-body empty">
            <span class="spinner" aria-hidden="true" />
          </div>
        </div>
      ) : view.cards.length === 0 && view.spans.length === 0 ? (
        <div class="card">
          <div class="card-body empty" data-testid="hw-none">
            {t('hw.none')}
          </div>
        </div>
      ) : (
        <>
          <div class="st-cards" data-testid="hw-cards">
            {view.cards.map((c) => (
              <div class="card st-hwcard" key={c.id} data-testid="hw-card">
                <div class="st-hwcard-model">
                  <Icon name="cpu" size={16} /> {c.vendor ? `${c.vendor} ${c.model ?? ''}` : c.description}
                </div>
                <div class="st-meta">
                  <span>{t(c.kind === 'analog' ? 'hw.card.analog' : c.kind === 'digital' ? 'hw.card.digital' : c.kind === 'hybrid' ? 'hw.card.hybrid' : 'hw.card.unknown')}</span>
                  <span class="mono">{c.id}</span>
                </div>
                <div class="st-meta">
                  <span>{t('hw.driver', { driver: c.driver })}</span>
                  {c.driverLoaded ? <StatusDot tone="green" label={t('hw.driverLoaded')} /> : <StatusDot tone="red" label={t('hw.driverMissing')} />}
                </div>
                <div class="st-meta">
                  <span>{t('hw.card.spans', { spans: c.spans.join(', ') || '—' })}</span>
                </div>
              </div>
            ))}
          </div>

          <div class="card">
            <div class="card-head">
              <h2 class="card-title">
                <Icon name="layers" size={18} />
                {t('hw.spans')}
              </h2>
            </div>
            <div class="table-wrap">
              <table class="table st-table" data-testid="hw-spans">
                <thead>
                  <tr>
                    <th>{t('hw.col.span')}</th>
                    <th>{t('hw.col.name')}</th>
                    <th>{t('hw.col.kind')}</th>
                    <th>{t('hw.col.alarms')}</th>
                    <th class="num">{t('hw.col.channels')}</th>
                    <th>{t('hw.col.settings')}</th>
                    <th>{t('hw.col.trunk')}</th>
                    {admin && <th class="st-col-actions">{t('st.actions')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {view.spans.map((s) => (
                    <tr key={s.span} data-testid="hw-span" data-span={s.span}>
                      <td class="tnum st-strong">{s.span}</td>
                      <td>
                        <div>{s.name}</div>
                        <div class="small muted">{s.description}</div>
                      </td>
                      <td>
                        {s.kind === 'analog' ? t('hw.kind.analog') : s.kind}
                        {s.clockSource && <span class="badge badge-blue st-badge-gap">{t('hw.clockSource')}</span>}
                      </td>
                      <td>
                        <AlarmBadges alarms={s.alarms} testId="hw-span-alarms" />
                        {s.alarmMeaning.length > 0 && <div class="small muted">{s.alarmMeaning.join('; ')}</div>}
                      </td>
                      <td class="num tnum">
                        {s.channelsInUse} / {s.voiceChannels ?? '—'}
                      </td>
                      <td class="small">{s.kind === 'analog' ? t('hw.analogPorts', { fxs: view.ports.filter((p) => p.span === s.span && p.kind === 'FXS').length, fxo: view.ports.filter((p) => p.span === s.span && p.kind === 'FXO').length }) : settingsText(t, s)}</td>
                      <td>{s.trunk ? s.trunk.name : t('status.notAvailable')}</td>
                      {admin && (
                        <td class="st-col-actions">
                          {s.kind !== 'analog' && (
                            <button type="button" class="btn btn-small btn-secondary" onClick={() => setEditing(s)} data-testid="hw-span-configure">
                              <UiIcon name="edit" size={14} />
                              {t('hw.configure')}
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {digitalSpans.length > 0 && <p class="card-note">{t('hw.spansNote')}</p>}
          </div>

          {analogSpans.map((s) => (
            <div class="card" key={s.span} data-testid="hw-ports" data-span={s.span}>
              <div class="card-head">
                <h2 class="card-title">
                  <Icon name="phone" size={18} />
                  {t('hw.portsOf', { span: s.span, name: s.description || s.name })}
                </h2>
                <span class="muted small">{t('hw.portsLegend')}</span>
              </div>
              <div class="st-ports">
                {view.ports
                  .filter((p) => p.span === s.span)
                  .map((p) => (
                    <PortTile key={p.channel} p={p} admin={admin} seats={seats} trunks={trunks} onAssign={(port, v) => void assign(port, v)} />
                  ))}
              </div>
            </div>
          ))}
        </>
      )}

      {view && (
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">
              <Icon name="activity" size={18} />
              {t('hw.events')}
            </h2>
          </div>
          <div class="table-wrap">
            <table class="table st-table" data-testid="hw-events">
              <thead>
                <tr>
                  <th>{t('hw.col.time')}</th>
                  <th>{t('hw.col.severity')}</th>
                  <th>{t('hw.col.event')}</th>
                </tr>
              </thead>
              <tbody>
                {view.events.length === 0 ? (
                  <EmptyRow cols={3}>
                    {t('hw.noEvents')}
                  </EmptyRow>
                ) : (
                  view.events.map((e) => (
                    <tr key={e.id} data-testid="hw-event" data-kind={e.kind}>
                      <td class="tnum small">{new Date(e.at).toLocaleString(lang, { hour12: false })}</td>
                      <td>
                        <span class={`badge ${SEVERITY_TONE[e.severity] ?? 'badge-slate'}`}>{t(SEVERITY_LABEL[e.severity] ?? 'hw.sev.info')}</span>
                      </td>
                      <td class="small">{e.message}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {view && view.warnings.length > 0 && (
        <details class="card st-hwcard">
          <summary>{t('hw.warnings', { count: view.warnings.length })}</summary>
          <ul class="small">
            {view.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </details>
      )}

      {editing && (
        <SpanDialog
          span={editing}
          onClose={() => setEditing(null)}
          onSaved={(v) => {
            setView(v);
            setEditing(null);
          }}
        />
      )}
    </div>
  );
}

export type { DotTone };
