// Agents & Seats → Agents: the signed-in agent's own controls (log in to a seat, pause with a
// reason, ready, log out); for team leads the agent list with the same controls on anyone;
// for managers also agents (create, change, PIN), pause reasons and the wrap-up time.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { ApiRequestError } from '../../api.js';
import { Alert } from '../../components/Alert.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { formatDuration } from '../../format.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLiveMessages, useNow } from '../../live.js';
import { agentsApi, type Agent, type PauseReason, type SeatLive } from './agents-api.js';
import { reasonLabel, stateLabel, stateTone } from './states.js';
import './agents.css';
import { EmptyRow } from '../../components/EmptyRow.js';

const ERRORS: Record<string, MessageKey> = {
  seat_taken: 'agents.error.seatTaken',
  seat_busy: 'agents.error.seatBusy',
  unknown_seat: 'agents.error.unknownSeat',
  number_taken: 'agents.error.numberTaken',
  invalid_number: 'agents.error.number',
  user_taken: 'agents.error.userTaken',
  unknown_user: 'agents.error.unknownUser',
  invalid_pin: 'agents.error.pin',
  agent_has_history: 'agents.error.hasHistory',
  agent_logged_in: 'agents.error.loggedIn',
  agent_inactive: 'agents.error.inactive',
  not_logged_in: 'agents.error.notLoggedIn',
  reason_in_use: 'agents.error.reasonInUse',
  code_taken: 'agents.error.codeTaken',
  invalid_code: 'agents.error.code',
};
const FIELD_ERRORS: Record<string, MessageKey> = {
  number: 'agents.error.number',
  pin: 'agents.error.pin',
  name: 'agents.error.name',
  code: 'agents.error.code',
  wrapUpSeconds: 'agents.error.wrapUp',
  level: 'agents.error.level',
};

function agentError(t: TFunction, e: unknown): string {
  if (e instanceof ApiRequestError) {
    const key = ERRORS[e.code] ?? (e.code === 'validation' && e.field ? FIELD_ERRORS[e.field] : undefined);
    if (key) return t(key);
  }
  return describeError(t, e);
}

const isManager = (u: User) => u.roles.includes('admin') || u.roles.includes('manager');
const isLead = (u: User) => isManager(u) || u.roles.includes('team_lead');

function Field({ label, hint, children }: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label>{label}</label>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </div>
  );
}

function StateCell({ agent, reasons, now }: { agent: Agent; reasons: PauseReason[]; now: number }) {
  const { t, lang } = useI18n();
  const l = agent.live;
  if (!l) return <span class="badge badge-slate">{stateLabel(t, 'logged_out')}</span>;
  const secs = Math.max(0, (now - Date.parse(l.since)) / 1000);
  return (
    <span class="ag-state" data-testid="agent-state" data-state={l.state}>
      <span class={`ag-badge ag-tone-${stateTone(l.state)}`}>{stateLabel(t, l.state)}</span>
      <span class="tnum muted">{formatDuration(secs)}</span>
      {l.state === 'paused' && <span class="muted">{reasonLabel(t, lang, reasons, l.pauseReason)}</span>}
      {l.afterCall === 'paused' && l.state !== 'paused' && <span class="ag-pending">{t('agents.pendingPause', { reason: reasonLabel(t, lang, reasons, l.afterCallReason) })}</span>}
    </span>
  );
}

/** Log in / pause / ready / log out for one agent. */
function Controls({ agent, seats, reasons, canForce, onChanged, compact }: { agent: Agent; seats: SeatLive[]; reasons: PauseReason[]; canForce: boolean; onChanged: () => void; compact?: boolean }) {
  const { t, lang } = useI18n();
  const [seat, setSeat] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [offerForce, setOfferForce] = useState(false);
  const active = reasons.filter((r) => r.active);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setOfferForce(false);
      onChanged();
    } catch (e) {
      setError(e);
      setOfferForce(canForce && e instanceof ApiRequestError && e.code === 'seat_taken');
    } finally {
      setBusy(false);
    }
  };
  const l = agent.live;
  const free = seats.filter((s) => !s.agent || s.agent.id === agent.id);
  return (
    <div class={compact ? 'ag-controls ag-controls-compact' : 'ag-controls'} data-testid="agent-controls" data-agent={agent.number}>
      {!l ? (
        <>
          <select value={seat} onChange={(e) => setSeat((e.target as HTMLSelectElement).value)} aria-label={t('agents.seat')} data-testid="login-seat">
            <option value="">{t('agents.chooseSeat')}</option>
            {(canForce ? seats : free).map((s) => (
              <option value={s.extension} key={s.extension}>
                {s.agent ? t('agents.seatTakenBy', { seat: s.extension, name: s.agent.name }) : s.extension}
              </option>
            ))}
          </select>
          <button type="button" class="btn btn-small btn-primary" disabled={busy || !seat || !agent.active} onClick={() => run(() => agentsApi.login(agent.id, seat))} data-testid="btn-login">
            <Icon name="logout" size={14} />
            {t('agents.action.login')}
          </button>
          {offerForce && (
            <button type="button" class="btn btn-small btn-secondary" disabled={busy} onClick={() => run(() => agentsApi.login(agent.id, seat, true))} data-testid="btn-force-login">
              {t('agents.action.forceLogin')}
            </button>
          )}
        </>
      ) : (
        <>
          {!compact && <span class="ag-at-seat">{t('agents.atSeat', { seat: l.seat })}</span>}
          <select value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)} aria-label={t('agents.pauseReason')} data-testid="pause-reason">
            <option value="">{t('agents.reason.none')}</option>
            {active.map((r) => (
              <option value={r.code} key={r.code}>{`${r.code} · ${lang === 'zh-CN' ? r.labelZh : r.labelEn}`}</option>
            ))}
          </select>
          <button type="button" class="btn btn-small btn-secondary" disabled={busy} onClick={() => run(() => agentsApi.pause(agent.id, reason || null))} data-testid="btn-pause">
            <Icon name="circle" size={14} />
            {t('agents.action.pause')}
          </button>
          <button type="button" class="btn btn-small btn-secondary" disabled={busy} onClick={() => run(() => agentsApi.ready(agent.id))} data-testid="btn-ready">
            <Icon name="check" size={14} />
            {t('agents.action.ready')}
          </button>
          <button type="button" class="btn btn-small btn-ghost" disabled={busy} onClick={() => run(() => agentsApi.logout(agent.id))} data-testid="btn-logout">
            <Icon name="logout" size={14} />
            {t('agents.action.logout')}
          </button>
        </>
      )}
      {error !== null && (
        <span class="field-error" role="alert" data-testid="controls-error">
          {agentError(t, error)}
        </span>
      )}
    </div>
  );
}

interface FormState {
  number: string;
  name: string;
  team: string;
  level: string;
  pin: string;
  wrapUp: string;
  active: boolean;
}
const EMPTY_FORM: FormState = { number: '', name: '', team: '', level: '1', pin: '', wrapUp: '', active: true };

function AgentForm({ editing, onDone, onCancel }: { editing: Agent | null; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [f, setF] = useState<FormState>(EMPTY_FORM);
  const [errors, setErrors] = useState<Partial<Record<keyof FormState, string>>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setF(
      editing
        ? { number: editing.number, name: editing.name, team: editing.team ?? '', level: String(editing.level), pin: '', wrapUp: editing.wrapUpSeconds === null ? '' : String(editing.wrapUpSeconds), active: editing.active }
        : EMPTY_FORM,
    );
    setErrors({});
    setServerError(null);
  }, [editing]);
  const set = (k: keyof FormState) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setF((x) => ({ ...x, [k]: el.type === 'checkbox' ? el.checked : el.value }));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: typeof errors = {};
    if (!/^[0-9]{3,8}$/.test(f.number)) errs.number = t('agents.error.number');
    if (!f.name.trim()) errs.name = t('agents.error.name');
    if (!editing && f.pin && !/^[0-9]{4,8}$/.test(f.pin)) errs.pin = t('agents.error.pin');
    if (f.wrapUp && !(/^[0-9]+$/.test(f.wrapUp) && Number(f.wrapUp) <= 3600)) errs.wrapUp = t('agents.error.wrapUp');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setServerError(null);
    const body = { number: f.number, name: f.name.trim(), team: f.team.trim() || null, level: Number(f.level), wrapUpSeconds: f.wrapUp ? Number(f.wrapUp) : null, active: f.active };
    try {
      if (editing) await agentsApi.update(editing.id, body);
      else await agentsApi.create(f.pin ? { ...body, pin: f.pin } : body);
      if (!editing) setF(EMPTY_FORM);
      onDone();
    } catch (err) {
      setServerError(agentError(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} data-testid="agent-form" noValidate>
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="users" size={18} />
          {editing ? t('agents.form.editTitle', { number: editing.number }) : t('agents.form.createTitle')}
        </h2>
      </div>
      <div class="card-body">
        {serverError && (
          <Alert kind="error" testId="agent-form-error">
            {serverError}
          </Alert>
        )}
        <div class="ag-form-grid">
          <Field label={t('agents.field.number')} hint={t('agents.field.numberHint')}>
            <input id="agent-number" value={f.number} onInput={set('number')} inputMode="numeric" aria-invalid={errors.number ? 'true' : undefined} />
            {errors.number && <span class="field-error">{errors.number}</span>}
          </Field>
          <Field label={t('agents.field.name')}>
            <input id="agent-name" value={f.name} onInput={set('name')} maxLength={64} aria-invalid={errors.name ? 'true' : undefined} />
            {errors.name && <span class="field-error">{errors.name}</span>}
          </Field>
          <Field label={t('agents.field.team')} hint={t('agents.field.optional')}>
            <input id="agent-team" value={f.team} onInput={set('team')} maxLength={64} />
          </Field>
          <Field label={t('agents.field.level')}>
            <select id="agent-level" value={f.level} onChange={set('level')}>
              {Array.from({ length: 10 }, (_, i) => String(i + 1)).map((v) => (
                <option value={v} key={v}>
                  {v}
                </option>
              ))}
            </select>
          </Field>
          {!editing && (
            <Field label={t('agents.field.pin')} hint={t('agents.field.pinHint')}>
              <input id="agent-pin" type="password" autocomplete="new-password" value={f.pin} onInput={set('pin')} inputMode="numeric" maxLength={8} aria-invalid={errors.pin ? 'true' : undefined} />
              {errors.pin && <span class="field-error">{errors.pin}</span>}
            </Field>
          )}
          <Field label={t('agents.field.wrapUp')} hint={t('agents.field.wrapUpHint')}>
            <input id="agent-wrapup" value={f.wrapUp} onInput={set('wrapUp')} inputMode="numeric" aria-invalid={errors.wrapUp ? 'true' : undefined} />
            {errors.wrapUp && <span class="field-error">{errors.wrapUp}</span>}
          </Field>
        </div>
        <label class="ag-check">
          <input type="checkbox" checked={f.active} onChange={set('active')} />
          {t('agents.field.active')}
        </label>
        <div class="ag-form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="agent-save">
            {editing ? t('agents.form.save') : t('agents.form.create')}
          </button>
          {editing && (
            <button type="button" class="btn btn-secondary" onClick={onCancel}>
              {t('agents.form.cancel')}
            </button>
          )}
        </div>
      </div>
    </form>
  );
}

function PinPanel({ agent, onDone, onClose }: { agent: Agent; onDone: () => void; onClose: () => void }) {
  const { t } = useI18n();
  const [pin, setPin] = useState('');
  const [msg, setMsg] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const run = async (fn: () => Promise<string>) => {
    try {
      setMsg({ kind: 'success', text: await fn() });
      setPin('');
      onDone();
    } catch (e) {
      setMsg({ kind: 'error', text: agentError(t, e) });
    }
  };
  return (
    <div class="card" data-testid="pin-panel">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="lock" size={18} />
          {t('agents.pin.title', { name: agent.name, number: agent.number })}
        </h2>
        <button type="button" class="btn btn-small btn-ghost" onClick={onClose}>
          {t('agents.form.cancel')}
        </button>
      </div>
      <div class="card-body">
        <p class="muted">{agent.hasPin ? t('agents.pin.isSet') : t('agents.pin.notSet')}</p>
        {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
        <div class="ag-controls">
          <input type="password" autocomplete="new-password" inputMode="numeric" maxLength={8} value={pin} onInput={(e) => setPin((e.target as HTMLInputElement).value)} aria-label={t('agents.field.pin')} data-testid="pin-input" />
          <button
            type="button"
            class="btn btn-small btn-primary"
            onClick={() => (/^[0-9]{4,8}$/.test(pin) ? run(async () => (await agentsApi.setPin(agent.id, pin), t('agents.pin.saved'))) : setMsg({ kind: 'error', text: t('agents.error.pin') }))}
            data-testid="pin-save"
          >
            {t('agents.pin.set')}
          </button>
          <button type="button" class="btn btn-small btn-secondary" onClick={() => run(async () => t('agents.pin.newPin', { pin: (await agentsApi.resetPin(agent.id)).pin }))} data-testid="pin-reset">
            {t('agents.pin.reset')}
          </button>
          {agent.hasPin && (
            <button type="button" class="btn btn-small btn-ghost" onClick={() => run(async () => (await agentsApi.clearPin(agent.id), t('agents.pin.cleared')))}>
              {t('agents.pin.clear')}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function ReasonsCard({ reasons, canEdit, onChanged }: { reasons: PauseReason[]; canEdit: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState({ code: '', labelZh: '', labelEn: '' });
  const [edit, setEdit] = useState<Record<string, { labelZh: string; labelEn: string }>>({});
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      onChanged();
      return true;
    } catch (e) {
      setError(agentError(t, e));
      return false;
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    if (!/^[0-9]$/.test(draft.code)) return setError(t('agents.error.code'));
    if (!draft.labelZh.trim() || !draft.labelEn.trim()) return setError(t('agents.error.label'));
    if (await run(() => agentsApi.createReason({ code: draft.code, labelZh: draft.labelZh.trim(), labelEn: draft.labelEn.trim() }))) setDraft({ code: '', labelZh: '', labelEn: '' });
  };
  return (
    <div class="card" data-testid="reasons-card">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="circle" size={18} />
          {t('agents.reasons.title')}
        </h2>
      </div>
      <p class="card-note ag-note">{t('agents.reasons.hint')}</p>
      {error && (
        <div class="card-body">
          <Alert kind="error">{error}</Alert>
        </div>
      )}
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>{t('agents.reasons.code')}</th>
              <th>{t('agents.reasons.labelZh')}</th>
              <th>{t('agents.reasons.labelEn')}</th>
              <th>{t('agents.reasons.active')}</th>
              {canEdit && <th />}
            </tr>
          </thead>
          <tbody>
            {reasons.map((r) => {
              const e = edit[r.code];
              return (
                <tr key={r.code} data-testid="reason-row" data-code={r.code} class={r.active ? undefined : 'row-ended'}>
                  <td class="mono">{`*23${r.code}`}</td>
                  <td>{e ? <input class="ag-inline" value={e.labelZh} onInput={(ev) => setEdit({ ...edit, [r.code]: { ...e, labelZh: (ev.target as HTMLInputElement).value } })} aria-label={t('agents.reasons.labelZh')} /> : r.labelZh}</td>
                  <td>{e ? <input class="ag-inline" value={e.labelEn} onInput={(ev) => setEdit({ ...edit, [r.code]: { ...e, labelEn: (ev.target as HTMLInputElement).value } })} aria-label={t('agents.reasons.labelEn')} /> : r.labelEn}</td>
                  <td>{r.active ? t('agents.yes') : t('agents.no')}</td>
                  {canEdit && (
                    <td>
                      <div class="ag-row-actions">
                        {e ? (
                          <>
                            <button type="button" class="btn btn-small btn-primary" onClick={async () => (await run(() => agentsApi.updateReason(r.code, e))) && setEdit(({ [r.code]: _, ...rest }) => rest)}>
                              {t('agents.form.save')}
                            </button>
                            <button type="button" class="btn btn-small btn-ghost" onClick={() => setEdit(({ [r.code]: _, ...rest }) => rest)}>
                              {t('agents.form.cancel')}
                            </button>
                          </>
                        ) : (
                          <>
                            <button type="button" class="btn btn-small btn-secondary" onClick={() => setEdit({ ...edit, [r.code]: { labelZh: r.labelZh, labelEn: r.labelEn } })}>
                              {t('agents.action.edit')}
                            </button>
                            <button type="button" class="btn btn-small btn-secondary" onClick={() => run(() => agentsApi.updateReason(r.code, { active: !r.active }))}>
                              {r.active ? t('agents.action.deactivate') : t('agents.action.activate')}
                            </button>
                            <button type="button" class="btn btn-small btn-ghost" onClick={() => run(() => agentsApi.removeReason(r.code))}>
                              {t('agents.action.delete')}
                            </button>
                          </>
                        )}
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canEdit && (
        <form class="ag-controls ag-add" onSubmit={add}>
          <input class="ag-code" value={draft.code} maxLength={1} inputMode="numeric" onInput={(e) => setDraft({ ...draft, code: (e.target as HTMLInputElement).value })} aria-label={t('agents.reasons.code')} placeholder={t('agents.reasons.codePlaceholder')} />
          <input value={draft.labelZh} maxLength={32} onInput={(e) => setDraft({ ...draft, labelZh: (e.target as HTMLInputElement).value })} aria-label={t('agents.reasons.labelZh')} placeholder={t('agents.reasons.labelZh')} />
          <input value={draft.labelEn} maxLength={32} onInput={(e) => setDraft({ ...draft, labelEn: (e.target as HTMLInputElement).value })} aria-label={t('agents.reasons.labelEn')} placeholder={t('agents.reasons.labelEn')} />
          <button type="submit" class="btn btn-small btn-primary">
            {t('agents.reasons.add')}
          </button>
        </form>
      )}
    </div>
  );
}

function WrapUpCard({ canEdit }: { canEdit: boolean }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [msg, setMsg] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  useEffect(() => {
    agentsApi.settings().then((s) => setValue(String(s.wrapUpSeconds)), (e: unknown) => setMsg({ kind: 'error', text: agentError(t, e) }));
  }, [t]);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!/^[0-9]+$/.test(value) || Number(value) > 3600) return setMsg({ kind: 'error', text: t('agents.error.wrapUp') });
    try {
      const s = await agentsApi.saveSettings({ wrapUpSeconds: Number(value) });
      setValue(String(s.wrapUpSeconds));
      setMsg({ kind: 'success', text: t('agents.wrapUp.saved') });
    } catch (err) {
      setMsg({ kind: 'error', text: agentError(t, err) });
    }
  };
  return (
    <form class="card" onSubmit={save} data-testid="wrapup-card">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="clock" size={18} />
          {t('agents.wrapUp.title')}
        </h2>
      </div>
      <div class="card-body">
        <p class="muted">{t('agents.wrapUp.hint')}</p>
        {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
        <div class="ag-controls">
          <input id="wrapup-seconds" class="ag-seconds" value={value} inputMode="numeric" disabled={!canEdit} onInput={(e) => setValue((e.target as HTMLInputElement).value)} aria-label={t('agents.wrapUp.seconds')} />
          <span class="muted">{t('agents.wrapUp.unit')}</span>
          {canEdit && (
            <button type="submit" class="btn btn-small btn-primary">
              {t('agents.form.save')}
            </button>
          )}
        </div>
      </div>
    </form>
  );
}

export function AgentsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const manager = isManager(user);
  const lead = isLead(user);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [me, setMe] = useState<Agent | null>(null);
  const [seats, setSeats] = useState<SeatLive[]>([]);
  const [reasons, setReasons] = useState<PauseReason[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Agent | null>(null);
  const [pinFor, setPinFor] = useState<Agent | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  useNow(1000); // re-render every second
  const now = Date.now();

  const load = useCallback(async () => {
    try {
      const [mine, s, r, list] = await Promise.all([agentsApi.me(), agentsApi.seats(), agentsApi.reasons(), lead ? agentsApi.list() : Promise.resolve([])]);
      setMe(mine);
      setSeats(s);
      setReasons(r);
      setAgents(list);
      setLoadError(null);
    } catch (e) {
      setLoadError(agentError(t, e));
    }
  }, [lead, t]);
  useEffect(() => {
    void load();
  }, [load]);
  // Agents change state by phone and by calls too: follow the seats on the live feed,
  // re-reading at most every half second however busy the floor is.
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(reloadTimer.current), []);
  useLiveMessages((m) => {
    if ((m.type === 'seat.updated' || m.type === 'hello') && reloadTimer.current === undefined) {
      reloadTimer.current = setTimeout(() => {
        reloadTimer.current = undefined;
        void load();
      }, 500);
    }
  });

  const meInList = useMemo(() => (me ? agents.find((a) => a.id === me.id) ?? me : null), [me, agents]);

  const remove = async (a: Agent) => {
    if (!confirm(t('agents.confirmDelete', { name: a.name, number: a.number }))) return;
    setListError(null);
    try {
      await agentsApi.remove(a.id);
      await load();
    } catch (e) {
      setListError(agentError(t, e));
    }
  };

  return (
    <div class="page ag-page" data-testid="agents-page">
      <PageHeader title={t('agents.title')} subtitle={t('agents.subtitle')} />
      {loadError && <Alert kind="error">{loadError}</Alert>}

      {meInList && (
        <div class="card" data-testid="my-agent">
          <div class="card-head">
            <h2 class="card-title">
              <Icon name="headset" size={18} />
              {t('agents.me.title', { name: meInList.name, number: meInList.number })}
            </h2>
            <StateCell agent={meInList} reasons={reasons} now={now} />
          </div>
          <div class="card-body">
            <Controls agent={meInList} seats={seats} reasons={reasons} canForce={lead} onChanged={load} />
            <p class="muted small">{t('agents.me.phoneHint')}</p>
          </div>
        </div>
      )}
      {!meInList && !lead && <Alert kind="info">{t('agents.me.none')}</Alert>}

      {manager && <AgentForm editing={editing} onDone={() => (setEditing(null), void load())} onCancel={() => setEditing(null)} />}
      {manager && pinFor && <PinPanel agent={pinFor} onDone={load} onClose={() => setPinFor(null)} />}

      {lead && (
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">
              <Icon name="users" size={18} />
              {t('agents.list.title')}
              <span class="count-pill">{agents.length}</span>
            </h2>
          </div>
          {listError && (
            <div class="card-body">
              <Alert kind="error">{listError}</Alert>
            </div>
          )}
          <div class="table-wrap">
            <table class="table" data-testid="agents-table">
              <thead>
                <tr>
                  <th>{t('agents.field.number')}</th>
                  <th>{t('agents.field.name')}</th>
                  <th>{t('agents.col.seat')}</th>
                  <th>{t('agents.col.state')}</th>
                  <th>{t('agents.col.control')}</th>
                  {manager && <th />}
                </tr>
              </thead>
              <tbody>
                {agents.length === 0 ? (
                  <EmptyRow cols={manager ? 6 : 5}>
                    {t('agents.list.empty')}
                  </EmptyRow>
                ) : (
                  agents.map((a) => (
                    <tr key={a.id} data-testid="agent-row" data-number={a.number} class={a.active ? undefined : 'row-ended'}>
                      <td class="mono">{a.number}</td>
                      <td>
                        <div class="ag-name">
                          <span>{a.name}</span>
                          {!a.hasPin && <span class="badge badge-amber" title={t('agents.pin.notSet')}>{t('agents.noPin')}</span>}
                          {!a.active && <span class="badge badge-slate">{t('agents.inactive')}</span>}
                        </div>
                        {a.team && <div class="muted small">{a.team}</div>}
                      </td>
                      <td class="mono">{a.live?.seat ?? t('status.notAvailable')}</td>
                      <td>
                        <StateCell agent={a} reasons={reasons} now={now} />
                      </td>
                      <td>
                        <Controls agent={a} seats={seats} reasons={reasons} canForce onChanged={load} compact />
                      </td>
                      {manager && (
                        <td>
                          <div class="ag-row-actions">
                            <button type="button" class="btn btn-small btn-secondary" onClick={() => (setEditing(a), window.scrollTo(0, 0))} data-testid="btn-edit">
                              {t('agents.action.edit')}
                            </button>
                            <button type="button" class="btn btn-small btn-secondary" onClick={() => (setPinFor(a), window.scrollTo(0, 0))} data-testid="btn-pin">
                              {t('agents.action.pin')}
                            </button>
                            <button type="button" class="btn btn-small btn-ghost" onClick={() => void remove(a)}>
                              {t('agents.action.delete')}
                            </button>
                          </div>
                        </td>
                      )}
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        </div>
      )}

      <div class="ag-settings">
        <ReasonsCard reasons={reasons} canEdit={manager} onChanged={load} />
        <WrapUpCard canEdit={manager} />
      </div>
    </div>
  );
}
