// Agents & Seats → Seats: every phone position (SIP desk phone or analog phone on a card
// port) with its live registration; bulk creation (e.g. 8001–8048), one-time secrets with
// provisioning details per phone brand, a printable sheet; edit, disable, delete.
// Admins change; managers, technicians and team leads read.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { hardwareApi, type HwPort } from '../hardware/hardware-api.js';
import { seatsApi, type Provisioning, type Seat, type SeatList } from './seats-api.js';
import { ConfirmDialog, FieldError, Modal, Segmented, StatusDot, UiIcon, refusalText, useFormErrors } from './ui.js';
import { ProvisioningDialog } from './Provisioning.js';
import './seats.css';
import { EmptyRow } from '../../components/EmptyRow.js';

type Kind = Seat['kind'];
type Tech = Seat['tech'];
const KINDS: Kind[] = ['agent', 'team_lead', 'manager'];
const KIND_LABEL: Record<Kind, MessageKey> = { agent: 'seats.kind.agent', team_lead: 'seats.kind.team_lead', manager: 'seats.kind.manager' };
const KIND_TONE: Record<Kind, string> = { agent: 'badge-blue', team_lead: 'badge-amber', manager: 'badge-green' };
const CODECS = ['alaw', 'ulaw', 'g722'] as const;
const CODEC_LABEL: Record<string, string> = { alaw: 'G.711 A-law (PCMA)', ulaw: 'G.711 μ-law (PCMU)', g722: 'G.722', gsm: 'GSM' };
export const EXTENSION_RE = /^[2-8][0-9]{2,5}$/;

export function isAdmin(u: User): boolean {
  return u.roles.includes('admin');
}

function extensionProblem(t: TFunction, ext: string): string | undefined {
  if (!ext) return t('st.error.required');
  if (!EXTENSION_RE.test(ext)) return t('seats.error.extension');
  return undefined;
}

function portText(t: TFunction, s: Seat): string {
  if (!s.port) return t('seats.noPort');
  return s.port.port !== null ? t('seats.portOf', { span: s.port.span, port: s.port.port }) : t('seats.channel', { channel: s.port.channel });
}

// ---------------------------------------------------------------------------------------

function BulkDialog({ onClose, onCreated, freeFxs }: { onClose: () => void; onCreated: (p: Provisioning[], count: number) => void; freeFxs: number }) {
  const { t } = useI18n();
  const [from, setFrom] = useState('8001');
  const [to, setTo] = useState('8048');
  const [pattern, setPattern] = useState(t('seats.bulk.defaultPattern'));
  const [kind, setKind] = useState<Kind>('agent');
  const [tech, setTech] = useState<Tech>('sip');
  const [busy, setBusy] = useState(false);
  const fe = useFormErrors<'from' | 'to' | 'namePattern'>();
  const count = EXTENSION_RE.test(from) && EXTENSION_RE.test(to) ? Number(to) - Number(from) + 1 : 0;
  const preset = (f: string, tt: string, k: Kind, p: MessageKey) => {
    setFrom(f);
    setTo(tt);
    setKind(k);
    setPattern(t(p));
    fe.clear();
  };
  const submit = async () => {
    const errs: Partial<Record<'from' | 'to' | 'namePattern' | '_form', string>> = {};
    const a = extensionProblem(t, from);
    const b = extensionProblem(t, to);
    if (a) errs.from = a;
    if (b) errs.to = b;
    if (!a && !b && (count < 1 || from.length !== to.length)) errs.to = t('seats.error.range');
    else if (count > 256) errs.to = t('seats.error.tooMany');
    if (!pattern.trim()) errs.namePattern = t('st.error.required');
    if (tech === 'fxs' && count > freeFxs) errs.to = t('seats.error.notEnoughPorts', { count, free: freeFxs });
    fe.set(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const res = await seatsApi.bulk({ from, to, namePattern: pattern.trim(), kind, tech });
      onCreated(res.provisioning, res.seats.length);
    } catch (e) {
      fe.fromApi(t, e, ['from', 'to', 'namePattern']);
    } finally {
      setBusy(false);
    }
  };
  const example = EXTENSION_RE.test(from) ? pattern.replaceAll('{n}', from).replaceAll('{i}', '1') : '';
  return (
    <Modal
      title={t('seats.bulk.title')}
      onClose={onClose}
      testId="bulk-dialog"
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('st.cancel')}
          </button>
          <button type="button" class="btn btn-primary" onClick={() => void submit()} disabled={busy} data-testid="bulk-submit">
            {busy ? t('seats.bulk.creating', { count: Math.max(count, 0) }) : t('seats.bulk.submit', { count: Math.max(count, 0) })}
          </button>
        </>
      }
    >
      <p class="st-lead">{t('seats.bulk.intro')}</p>
      <div class="st-presets">
        <span class="muted small">{t('seats.bulk.presets')}</span>
        <button type="button" class="btn btn-small btn-secondary" onClick={() => preset('8001', '8048', 'agent', 'seats.bulk.defaultPattern')} data-testid="preset-agents">
          {t('seats.bulk.presetAgents')}
        </button>
        <button type="button" class="btn btn-small btn-secondary" onClick={() => preset('8101', '8106', 'team_lead', 'seats.bulk.leadPattern')}>
          {t('seats.bulk.presetLeads')}
        </button>
        <button type="button" class="btn btn-small btn-secondary" onClick={() => preset('8201', '8203', 'manager', 'seats.bulk.managerPattern')}>
          {t('seats.bulk.presetManagers')}
        </button>
      </div>
      {fe.errors._form && (
        <Alert kind="error" testId="bulk-error">
          {fe.errors._form}
        </Alert>
      )}
      <div class="form">
        <div class="form-row">
          <div class="field">
            <label for="bulk-from">{t('seats.bulk.from')}</label>
            <input id="bulk-from" inputMode="numeric" value={from} onInput={(e) => setFrom(e.currentTarget.value.trim())} aria-invalid={fe.errors.from ? true : undefined} />
            <FieldError text={fe.errors.from} id="bulk-from" />
          </div>
          <div class="field">
            <label for="bulk-to">{t('seats.bulk.to')}</label>
            <input id="bulk-to" inputMode="numeric" value={to} onInput={(e) => setTo(e.currentTarget.value.trim())} aria-invalid={fe.errors.to ? true : undefined} />
            <FieldError text={fe.errors.to} id="bulk-to" />
          </div>
        </div>
        <div class="field">
          <label for="bulk-pattern">{t('seats.bulk.pattern')}</label>
          <input id="bulk-pattern" value={pattern} onInput={(e) => setPattern(e.currentTarget.value)} aria-invalid={fe.errors.namePattern ? true : undefined} />
          <span class="field-hint">{t('seats.bulk.patternHint')}</span>
          <FieldError text={fe.errors.namePattern} id="bulk-pattern" />
        </div>
        <div class="form-row">
          <div class="field">
            <label>{t('seats.col.kind')}</label>
            <Segmented value={kind} onChange={setKind} options={KINDS.map((k) => ({ value: k, label: t(KIND_LABEL[k]) }))} testId="bulk-kind" />
          </div>
          <div class="field">
            <label>{t('seats.col.tech')}</label>
            <Segmented
              value={tech}
              onChange={setTech}
              options={[
                { value: 'sip', label: t('seats.tech.sip') },
                { value: 'fxs', label: t('seats.tech.fxs') },
              ]}
              testId="bulk-tech"
            />
            {tech === 'fxs' && <span class="field-hint">{t('seats.bulk.fxsHint', { free: freeFxs })}</span>}
          </div>
        </div>
        {count > 0 && from.length === to.length && (
          <div class="st-preview" data-testid="bulk-preview">
            <UiIcon name="eye" />
            {t('seats.bulk.preview', { count, from, to, example })}
          </div>
        )}
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------

function SeatDialog({
  seat,
  freePorts,
  onClose,
  onSaved,
}: {
  seat: Seat | null;
  freePorts: HwPort[];
  onClose: () => void;
  onSaved: (p: Provisioning | null) => void;
}) {
  const { t } = useI18n();
  const [ext, setExt] = useState(seat?.extension ?? '');
  const [name, setName] = useState(seat?.name ?? '');
  const [kind, setKind] = useState<Kind>(seat?.kind ?? 'agent');
  const [tech, setTech] = useState<Tech>(seat?.tech ?? 'sip');
  const [channel, setChannel] = useState<string>(seat?.port ? String(seat.port.channel) : freePorts[0] ? String(freePorts[0].channel) : '');
  const [codecs, setCodecs] = useState<string[]>(seat?.codecs ?? ['alaw', 'ulaw']);
  const [enabled, setEnabled] = useState(seat?.enabled ?? true);
  const [busy, setBusy] = useState(false);
  const fe = useFormErrors<'extension' | 'name' | 'channel' | 'codecs'>();
  const ports = seat?.port && !freePorts.some((p) => p.channel === seat.port!.channel) ? [{ channel: seat.port.channel, span: seat.port.span, port: seat.port.port ?? 0 } as HwPort, ...freePorts] : freePorts;

  const submit = async () => {
    const errs: Partial<Record<'extension' | 'name' | 'channel' | 'codecs' | '_form', string>> = {};
    if (!seat) {
      const p = extensionProblem(t, ext);
      if (p) errs.extension = p;
    }
    if (!name.trim()) errs.name = t('st.error.required');
    if (tech === 'fxs' && !channel) errs.channel = t('seats.error.noFreePort');
    if (codecs.length === 0) errs.codecs = t('seats.error.codecs');
    fe.set(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      if (seat) {
        await seatsApi.update(seat.extension, {
          name: name.trim(),
          kind,
          enabled,
          codecs: codecs as Array<'alaw' | 'ulaw' | 'g722' | 'gsm'>,
          ...(seat.tech === 'fxs' ? { channel: channel ? Number(channel) : null } : {}),
        });
        onSaved(null);
      } else {
        const res = await seatsApi.create({ extension: ext, name: name.trim(), kind, tech, codecs: codecs as Array<'alaw' | 'ulaw' | 'g722' | 'gsm'>, ...(tech === 'fxs' ? { channel: Number(channel) } : {}) });
        onSaved(res.provisioning);
      }
    } catch (e) {
      fe.fromApi(t, e, ['extension', 'name', 'channel', 'codecs']);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={seat ? t('seats.edit.title', { extension: seat.extension }) : t('seats.create.title')}
      onClose={onClose}
      testId="seat-dialog"
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('st.cancel')}
          </button>
          <button type="button" class="btn btn-primary" onClick={() => void submit()} disabled={busy} data-testid="seat-submit">
            {busy ? t('st.working') : seat ? t('st.save') : t('seats.create.submit')}
          </button>
        </>
      }
    >
      {fe.errors._form && (
        <Alert kind="error" testId="seat-error">
          {fe.errors._form}
        </Alert>
      )}
      <div class="form">
        <div class="form-row">
          <div class="field">
            <label for="seat-ext">{t('seats.col.extension')}</label>
            <input id="seat-ext" inputMode="numeric" value={ext} disabled={!!seat} onInput={(e) => setExt(e.currentTarget.value.trim())} aria-invalid={fe.errors.extension ? true : undefined} />
            {!seat && <span class="field-hint">{t('seats.extensionHint')}</span>}
            <FieldError text={fe.errors.extension} id="seat-ext" />
          </div>
          <div class="field">
            <label for="seat-name">{t('seats.col.name')}</label>
            <input id="seat-name" value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={fe.errors.name ? true : undefined} />
            <FieldError text={fe.errors.name} id="seat-name" />
          </div>
        </div>
        <div class="field">
          <label>{t('seats.col.kind')}</label>
          <Segmented value={kind} onChange={setKind} options={KINDS.map((k) => ({ value: k, label: t(KIND_LABEL[k]) }))} />
        </div>
        {!seat && (
          <div class="field">
            <label>{t('seats.col.tech')}</label>
            <Segmented
              value={tech}
              onChange={setTech}
              options={[
                { value: 'sip', label: t('seats.tech.sip') },
                { value: 'fxs', label: t('seats.tech.fxs') },
              ]}
            />
          </div>
        )}
        {tech === 'fxs' && (
          <div class="field">
            <label for="seat-port">{t('seats.port')}</label>
            <select id="seat-port" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
              {seat && <option value="">{t('seats.noPort')}</option>}
              {ports.map((p) => (
                <option value={String(p.channel)} key={p.channel}>
                  {t('seats.portOption', { span: p.span, port: p.port, channel: p.channel })}
                </option>
              ))}
            </select>
            {ports.length === 0 && <span class="field-hint">{t('seats.error.noFreePort')}</span>}
            <FieldError text={fe.errors.channel} id="seat-port" />
          </div>
        )}
        {tech === 'sip' && (
          <div class="field">
            <label>{t('seats.codecs')}</label>
            <div class="st-checks">
              {CODECS.map((c) => (
                <label class="st-check" key={c}>
                  <input type="checkbox" checked={codecs.includes(c)} onChange={(e) => setCodecs(e.currentTarget.checked ? [...codecs, c] : codecs.filter((x) => x !== c))} />
                  {CODEC_LABEL[c]}
                </label>
              ))}
            </div>
            <span class="field-hint">{t('seats.codecsHint')}</span>
            <FieldError text={fe.errors.codecs} id="seat-codecs" />
          </div>
        )}
        {seat && (
          <label class="st-check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="seat-enabled" />
            {t('seats.enabled')}
          </label>
        )}
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------

type Dialog =
  | { kind: 'bulk' }
  | { kind: 'create' }
  | { kind: 'edit'; seat: Seat }
  | { kind: 'provisioning'; items: Provisioning[]; title: string }
  | { kind: 'regenerate'; seat: Seat }
  | { kind: 'delete'; extensions: string[] };

export function SeatsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const admin = isAdmin(user);
  const [data, setData] = useState<SeatList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [freeFxs, setFreeFxs] = useState<HwPort[]>([]);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [query, setQuery] = useState('');
  const [kindFilter, setKindFilter] = useState<'all' | Kind>('all');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const refetch = useRef<ReturnType<typeof setTimeout>>();

  const load = useCallback(async () => {
    try {
      setData(await seatsApi.list());
      setError(null);
    } catch (e) {
      setError(refusalText(t, e));
    }
  }, [t]);
  const loadPorts = useCallback(async () => {
    try {
      const hw = await hardwareApi.get();
      setFreeFxs(hw.ports.filter((p) => p.kind === 'FXS' && !p.seat));
    } catch {
      setFreeFxs([]);
    }
  }, []);

  useEffect(() => {
    void load();
    if (admin) void loadPorts();
    return () => clearTimeout(refetch.current);
  }, [load, loadPorts, admin]);

  // Registration changes arrive as seat.updated; the phone details come with the next list.
  useLiveMessages((msg) => {
    if (msg.type !== 'seat.updated') return;
    setData((d) => (d ? { ...d, seats: d.seats.map((s) => (s.extension === msg.data.extension && s.enabled ? { ...s, registered: msg.data.registered } : s)) } : d));
    clearTimeout(refetch.current);
    refetch.current = setTimeout(() => void load(), 800);
  });

  const seats = data?.seats ?? [];
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return seats.filter((s) => (kindFilter === 'all' || s.kind === kindFilter) && (!q || s.extension.includes(q) || s.name.toLowerCase().includes(q)));
  }, [seats, query, kindFilter]);
  const registered = seats.filter((s) => s.registered).length;
  const analog = seats.filter((s) => s.tech === 'fxs').length;

  const afterChange = async (msg?: string) => {
    setSelected(new Set());
    await load();
    if (admin) await loadPorts();
    setNotice(msg ?? null);
  };

  const toggleAll = (on: boolean) => setSelected(on ? new Set(shown.map((s) => s.extension)) : new Set());

  return (
    <div class="page st-page" data-testid="seats-page">
      <PageHeader
        title={t('seats.title')}
        subtitle={t('seats.subtitle')}
        actions={
          admin && (
            <>
              <button type="button" class="btn btn-secondary" onClick={() => setDialog({ kind: 'create' })} data-testid="seat-create">
                <UiIcon name="plus" />
                {t('seats.create.button')}
              </button>
              <button type="button" class="btn btn-primary" onClick={() => setDialog({ kind: 'bulk' })} data-testid="bulk-create">
                <UiIcon name="plus" />
                {t('seats.bulk.button')}
              </button>
            </>
          )
        }
      />
      {error && (
        <Alert kind="error" testId="seats-load-error">
          {error}
        </Alert>
      )}
      {notice && (
        <Alert kind="success" testId="seats-notice">
          {notice}
        </Alert>
      )}
      {!admin && (
        <Alert kind="info" testId="read-only">
          {t('st.readOnly')}
        </Alert>
      )}

      <div class="tiles">
        <div class="tile">
          <div class="tile-icon tone-blue">
            <Icon name="phone" size={20} />
          </div>
          <div class="tile-body">
            <div class="tile-label">{t('seats.tile.total')}</div>
            <div class="tile-value" data-testid="seats-total">
              {seats.length}
            </div>
          </div>
        </div>
        <div class="tile">
          <div class="tile-icon tone-green">
            <Icon name="check" size={20} />
          </div>
          <div class="tile-body">
            <div class="tile-label">{t('seats.tile.registered')}</div>
            <div class="tile-value" data-testid="seats-registered">
              {t('seats.tile.registeredOf', { n: registered, total: seats.length })}
            </div>
          </div>
        </div>
        <div class="tile">
          <div class="tile-icon tone-violet">
            <Icon name="headset" size={20} />
          </div>
          <div class="tile-body">
            <div class="tile-label">{t('seats.tile.analog')}</div>
            <div class="tile-value">{analog}</div>
          </div>
        </div>
        <div class="tile">
          <div class="tile-icon tone-amber">
            <Icon name="server" size={20} />
          </div>
          <div class="tile-body">
            <div class="tile-label">{t('seats.tile.server')}</div>
            <div class="tile-value st-tile-text mono" data-testid="sip-server">
              {data ? `${data.server.address}:${data.server.port}` : t('status.notAvailable')}
            </div>
          </div>
        </div>
      </div>

      <div class="card">
        <div class="card-head st-toolbar">
          <div class="st-search">
            <UiIcon name="search" />
            <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} placeholder={t('seats.search')} aria-label={t('seats.search')} data-testid="seat-search" />
          </div>
          <select value={kindFilter} onChange={(e) => setKindFilter(e.currentTarget.value as 'all' | Kind)} aria-label={t('seats.col.kind')} class="st-select">
            <option value="all">{t('seats.kind.all')}</option>
            {KINDS.map((k) => (
              <option value={k} key={k}>
                {t(KIND_LABEL[k])}
              </option>
            ))}
          </select>
          <span class="st-grow" />
          {admin && selected.size > 0 && (
            <button type="button" class="btn btn-small btn-danger" onClick={() => setDialog({ kind: 'delete', extensions: [...selected] })} data-testid="delete-selected">
              <UiIcon name="trash" size={14} />
              {t('seats.deleteSelected', { count: selected.size })}
            </button>
          )}
          <span class="count-pill" data-testid="seats-count">
            {t('seats.count', { count: shown.length })}
          </span>
        </div>
        <div class="table-wrap">
          <table class="table st-table" data-testid="seats-table">
            <thead>
              <tr>
                {admin && (
                  <th class="st-col-check">
                    <input type="checkbox" aria-label={t('seats.selectAll')} checked={shown.length > 0 && shown.every((s) => selected.has(s.extension))} onChange={(e) => toggleAll(e.currentTarget.checked)} />
                  </th>
                )}
                <th>{t('seats.col.extension')}</th>
                <th>{t('seats.col.name')}</th>
                <th>{t('seats.col.kind')}</th>
                <th>{t('seats.col.tech')}</th>
                <th>{t('seats.col.status')}</th>
                <th>{t('seats.col.phone')}</th>
                {admin && <th class="st-col-actions">{t('st.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {!data ? (
                <EmptyRow cols={8}>
                  <span class="spinner" aria-hidden="true" />
                </EmptyRow>
              ) : shown.length === 0 ? (
                <EmptyRow cols={8} testId="seats-empty">
                  {seats.length === 0 ? t('seats.empty') : t('seats.noMatch')}
                </EmptyRow>
              ) : (
                shown.map((s) => (
                  <tr key={s.extension} data-testid="seat-row" data-extension={s.extension} class={s.enabled ? undefined : 'st-row-disabled'}>
                    {admin && (
                      <td class="st-col-check">
                        <input
                          type="checkbox"
                          aria-label={t('seats.select', { extension: s.extension })}
                          checked={selected.has(s.extension)}
                          onChange={(e) => {
                            const next = new Set(selected);
                            if (e.currentTarget.checked) next.add(s.extension);
                            else next.delete(s.extension);
                            setSelected(next);
                          }}
                        />
                      </td>
                    )}
                    <td class="tnum st-strong">{s.extension}</td>
                    <td>{s.name}</td>
                    <td>
                      <span class={`badge ${KIND_TONE[s.kind]}`}>{t(KIND_LABEL[s.kind])}</span>
                    </td>
                    <td>{s.tech === 'sip' ? t('seats.tech.sip') : `${t('seats.tech.fxs')} · ${portText(t, s)}`}</td>
                    <td>
                      {!s.enabled ? (
                        <StatusDot tone="amber" label={t('seats.disabled')} testId="seat-status" state="disabled" />
                      ) : s.registered ? (
                        <StatusDot tone="green" label={t('seats.registered')} testId="seat-status" state="registered" />
                      ) : (
                        <StatusDot tone="slate" label={t('seats.unregistered')} testId="seat-status" state="unregistered" />
                      )}
                    </td>
                    <td class="small muted st-phone">{s.contact ? (s.contact.userAgent ?? s.contact.uri) : t('status.notAvailable')}</td>
                    {admin && (
                      <td class="st-col-actions">
                        {s.tech === 'sip' && (
                          <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => setDialog({ kind: 'regenerate', seat: s })} title={t('seats.regenerate')} data-testid="seat-regenerate">
                            <UiIcon name="key" size={14} />
                          </button>
                        )}
                        <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => setDialog({ kind: 'edit', seat: s })} title={t('st.edit')} data-testid="seat-edit">
                          <UiIcon name="edit" size={14} />
                        </button>
                        <button type="button" class="btn btn-small btn-ghost st-act st-act-danger" onClick={() => setDialog({ kind: 'delete', extensions: [s.extension] })} title={t('st.delete')} data-testid="seat-delete">
                          <UiIcon name="trash" size={14} />
                        </button>
                      </td>
                    )}
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </div>

      {dialog?.kind === 'bulk' && (
        <BulkDialog
          freeFxs={freeFxs.length}
          onClose={() => setDialog(null)}
          onCreated={(items, count) => {
            void afterChange(t('seats.notice.created', { count }));
            setDialog(items.length > 0 ? { kind: 'provisioning', items, title: t('seats.provisioning.titleMany', { count: items.length }) } : null);
          }}
        />
      )}
      {(dialog?.kind === 'create' || dialog?.kind === 'edit') && (
        <SeatDialog
          seat={dialog.kind === 'edit' ? dialog.seat : null}
          freePorts={freeFxs}
          onClose={() => setDialog(null)}
          onSaved={(p) => {
            void afterChange(dialog.kind === 'edit' ? t('seats.notice.saved', { extension: dialog.seat.extension }) : undefined);
            setDialog(p ? { kind: 'provisioning', items: [p], title: t('seats.provisioning.titleOne', { extension: p.extension }) } : null);
          }}
        />
      )}
      {dialog?.kind === 'provisioning' && <ProvisioningDialog items={dialog.items} title={dialog.title} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'regenerate' && (
        <ConfirmDialog
          title={t('seats.regenerate.title', { extension: dialog.seat.extension })}
          body={t('seats.regenerate.body')}
          confirmLabel={t('seats.regenerate')}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const p = await seatsApi.regenerate(dialog.seat.extension);
            setTimeout(() => setDialog({ kind: 'provisioning', items: [p], title: t('seats.provisioning.titleOne', { extension: p.extension }) }), 0);
          }}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          danger
          title={dialog.extensions.length === 1 ? t('seats.delete.titleOne', { extension: dialog.extensions[0]! }) : t('seats.delete.titleMany', { count: dialog.extensions.length })}
          body={t('seats.delete.body')}
          confirmLabel={t('st.delete')}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await seatsApi.remove(dialog.extensions);
            await afterChange(t('seats.notice.deleted', { count: dialog.extensions.length }));
          }}
        />
      )}
    </div>
  );
}
