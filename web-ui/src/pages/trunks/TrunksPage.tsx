// System → Trunks & Routes: trunks (SIP carrier, analog FXO lines, E1 spans) with live status
// dots, outbound routes (Chinese number presets, strip/prepend, failover order, tried top to
// bottom) and inbound routes (called number → seat, queue or hang up). Admins change;
// managers and technicians read.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { hardwareApi, type HardwareView } from '../hardware/hardware-api.js';
import { isAdmin } from '../seats/SeatsPage.js';
import { ConfirmDialog, FieldError, Modal, Segmented, StatusDot, UiIcon, refusalText, useFormErrors, type DotTone } from '../seats/ui.js';
import { trunksApi, type InboundRoute, type InboundRouteList, type OutboundRoute, type OutboundRouteList, type Trunk, type TrunkLive } from './trunks-api.js';
import '../seats/seats.css';
import { EmptyRow } from '../../components/EmptyRow.js';

type TrunkKind = Trunk['kind'];
const KIND_LABEL: Record<TrunkKind, MessageKey> = { sip: 'trunks.kind.sip', fxo: 'trunks.kind.fxo', e1: 'trunks.kind.e1' };
const STATUS: Record<string, { key: MessageKey; tone: DotTone }> = {
  registered: { key: 'trunks.status.registered', tone: 'green' },
  unregistered: { key: 'trunks.status.unregistered', tone: 'amber' },
  rejected: { key: 'trunks.status.rejected', tone: 'red' },
  reachable: { key: 'trunks.status.reachable', tone: 'green' },
  unreachable: { key: 'trunks.status.unreachable', tone: 'red' },
  up: { key: 'trunks.status.up', tone: 'green' },
  alarm: { key: 'trunks.status.alarm', tone: 'red' },
  unknown: { key: 'trunks.status.unknown', tone: 'slate' },
};
/** Codec names as carriers' documents write them. */
const TRUNK_CODEC: Record<string, string> = { alaw: 'PCMA (G.711a)', ulaw: 'PCMU (G.711u)', g722: 'G.722' };
const PRESET_LABEL: Record<string, MessageKey> = {
  mobile: 'routes.preset.mobile',
  landline: 'routes.preset.landline',
  local: 'routes.preset.local',
  service: 'routes.preset.service',
  international: 'routes.preset.international',
};

export function statusOf(t: TFunction, live: TrunkLive | undefined): { label: string; tone: DotTone; state: string } {
  if (!live) return { label: t('trunks.status.unknown'), tone: 'slate', state: 'unknown' };
  if (live.detail === 'disabled') return { label: t('trunks.status.disabled'), tone: 'slate', state: 'disabled' };
  const s = STATUS[live.status] ?? STATUS['unknown']!;
  return { label: t(s.key), tone: s.tone, state: live.status };
}

/** Asterisk dial pattern → RegExp (X 0-9, Z 1-9, N 2-9, [..], final . or !). */
export function patternRegExp(p: string): RegExp | null {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === 'X') out += '[0-9]';
    else if (c === 'Z') out += '[1-9]';
    else if (c === 'N') out += '[2-9]';
    else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) return null;
      out += p.slice(i, end + 1);
      i = end;
    } else if (c === '.' && i === p.length - 1) out += '.+';
    else if (c === '!' && i === p.length - 1) out += '.*';
    else if (/[0-9*#+]/.test(c)) out += c === '*' || c === '+' ? `\\${c}` : c;
    else return null;
  }
  try {
    return new RegExp(`^${out}$`);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// Trunk dialog

type TrunkField = 'name' | 'host' | 'port' | 'username' | 'secret' | 'fromUser' | 'fromDomain' | 'codecs' | 'maxChannels' | 'callerIdNumber' | 'callerIdName' | 'channels' | 'spans' | 'match' | 'qualifySeconds';
const TRUNK_FIELDS: TrunkField[] = ['name', 'host', 'port', 'username', 'secret', 'fromUser', 'fromDomain', 'codecs', 'maxChannels', 'callerIdNumber', 'callerIdName', 'channels', 'spans', 'match', 'qualifySeconds'];

function TrunkDialog({ trunk, hw, onClose, onSaved }: { trunk: Trunk | null; hw: HardwareView | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<TrunkKind>(trunk?.kind ?? 'sip');
  const [name, setName] = useState(trunk?.name ?? '');
  const [host, setHost] = useState(trunk?.sip?.host ?? '');
  const [port, setPort] = useState(String(trunk?.sip?.port ?? 5060));
  const [register, setRegister] = useState(trunk?.sip?.register ?? true);
  const [username, setUsername] = useState(trunk?.sip?.username ?? '');
  const [secret, setSecret] = useState('');
  const [fromUser, setFromUser] = useState(trunk?.sip?.fromUser ?? '');
  const [fromDomain, setFromDomain] = useState(trunk?.sip?.fromDomain ?? '');
  const [codecs, setCodecs] = useState<string[]>(trunk?.sip?.codecs ?? ['alaw', 'ulaw']);
  const [maxChannels, setMaxChannels] = useState(String(trunk?.maxChannels ?? 30));
  const [cidNumber, setCidNumber] = useState(trunk?.callerIdNumber ?? '');
  const [cidName, setCidName] = useState(trunk?.callerIdName ?? '');
  const [presentation, setPresentation] = useState(trunk?.presentation ?? 'allowed');
  const [faxLine, setFaxLine] = useState(trunk?.faxLine === true);
  const [qualify, setQualify] = useState(String(trunk?.sip?.qualifySeconds ?? 60));
  const [match, setMatch] = useState((trunk?.sip?.match ?? []).join(', '));
  const [channels, setChannels] = useState<number[]>(trunk?.channels ?? []);
  const [spans, setSpans] = useState<number[]>(trunk?.spans ?? []);
  const [e1Signalling, setE1Signalling] = useState<'pri_cpe' | 'pri_net' | 'r2'>('pri_cpe');
  const [busy, setBusy] = useState(false);
  const fe = useFormErrors<TrunkField>();

  const fxoPorts = (hw?.ports ?? []).filter((p) => p.kind === 'FXO' && (!p.trunk || p.trunk.id === trunk?.id));
  const e1Spans = (hw?.spans ?? []).filter((s) => (s.kind === 'E1' || s.kind === 'T1') && (!s.trunk || s.trunk.id === trunk?.id));

  const submit = async () => {
    const errs: Partial<Record<TrunkField | '_form', string>> = {};
    if (!name.trim()) errs.name = t('st.error.required');
    if (kind === 'sip') {
      if (!host.trim()) errs.host = t('st.error.required');
      if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) errs.port = t('trunks.error.port');
      if (register && !username.trim()) errs.username = t('trunks.error.username');
      if (register && !secret && !trunk?.sip?.hasSecret) errs.secret = t('trunks.error.secret');
      if (codecs.length === 0) errs.codecs = t('seats.error.codecs');
    }
    if (kind === 'fxo' && channels.length === 0) errs.channels = t('trunks.error.channels');
    if (kind === 'e1' && spans.length === 0) errs.spans = t('trunks.error.spans');
    if (cidNumber.trim() && !/^\+?[0-9]{1,20}$/.test(cidNumber.trim())) errs.callerIdNumber = t('trunks.error.number');
    fe.set(errs);
    if (Object.keys(errs).length) return;
    const common = {
      name: name.trim(),
      callerIdNumber: cidNumber.trim() || null,
      callerIdName: cidName.trim() || null,
      presentation,
      faxLine,
    };
    const sip =
      kind === 'sip'
        ? {
            host: host.trim(),
            port: Number(port),
            register,
            username: username.trim() || null,
            ...(secret ? { secret } : !register && !username.trim() ? { secret: null } : {}),
            fromUser: fromUser.trim() || null,
            fromDomain: fromDomain.trim() || null,
            codecs: codecs as Array<'alaw' | 'ulaw' | 'g722' | 'gsm'>,
            maxChannels: Number(maxChannels) || 30,
            qualifySeconds: Number(qualify) || 0,
            match: match
              .split(/[\s,]+/)
              .map((m) => m.trim())
              .filter(Boolean),
          }
        : {};
    setBusy(true);
    try {
      if (trunk) {
        await trunksApi.update(trunk.id, { ...common, ...sip, ...(kind === 'fxo' ? { channels } : {}), ...(kind === 'e1' ? { spans, e1Signalling } : {}) });
      } else {
        await trunksApi.create({ ...common, kind, ...sip, ...(kind === 'fxo' ? { channels } : {}), ...(kind === 'e1' ? { spans, e1Signalling } : {}) });
      }
      onSaved();
    } catch (e) {
      fe.fromApi(t, e, TRUNK_FIELDS, { register: 'username', trunkIds: 'name' });
    } finally {
      setBusy(false);
    }
  };

  const input = (id: TrunkField, label: string, value: string, set: (v: string) => void, extra: { hint?: string; type?: string; placeholder?: string } = {}) => (
    <div class="field">
      <label for={`trunk-${id}`}>{label}</label>
      <input id={`trunk-${id}`} type={extra.type ?? 'text'} value={value} placeholder={extra.placeholder} onInput={(e) => set(e.currentTarget.value)} aria-invalid={fe.errors[id] ? true : undefined} />
      {extra.hint && <span class="field-hint">{extra.hint}</span>}
      <FieldError text={fe.errors[id]} id={`trunk-${id}`} />
    </div>
  );

  return (
    <Modal
      title={trunk ? t('trunks.edit.title', { name: trunk.name }) : t('trunks.create.title')}
      onClose={onClose}
      wide
      testId="trunk-dialog"
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('st.cancel')}
          </button>
          <button type="button" class="btn btn-primary" onClick={() => void submit()} disabled={busy} data-testid="trunk-submit">
            {busy ? t('st.working') : t('st.save')}
          </button>
        </>
      }
    >
      {fe.errors._form && (
        <Alert kind="error" testId="trunk-error">
          {fe.errors._form}
        </Alert>
      )}
      {!trunk && (
        <div class="field">
          <label>{t('trunks.col.kind')}</label>
          <Segmented value={kind} onChange={setKind} options={(['sip', 'fxo', 'e1'] as const).map((k) => ({ value: k, label: t(KIND_LABEL[k]) }))} testId="trunk-kind" />
        </div>
      )}
      <div class="form">
        {input('name', t('trunks.col.name'), name, setName, { placeholder: t('trunks.namePlaceholder') })}
        {kind === 'sip' && (
          <>
            <div class="form-row">
              {input('host', t('trunks.host'), host, setHost, { hint: t('trunks.hostHint'), placeholder: 'sip.carrier.cn' })}
              {input('port', t('trunks.port'), port, setPort)}
            </div>
            <div class="field">
              <label>{t('trunks.auth')}</label>
              <Segmented
                value={register ? 'register' : 'ip'}
                onChange={(v) => setRegister(v === 'register')}
                options={[
                  { value: 'register', label: t('trunks.auth.register') },
                  { value: 'ip', label: t('trunks.auth.ip') },
                ]}
                testId="trunk-auth"
              />
              <span class="field-hint">{register ? t('trunks.auth.registerHint') : t('trunks.auth.ipHint')}</span>
            </div>
            <div class="form-row">
              {input('username', t('trunks.username'), username, setUsername)}
              {input('secret', t('trunks.secret'), secret, setSecret, { type: 'password', placeholder: trunk?.sip?.hasSecret ? t('trunks.secretKeep') : '' })}
            </div>
            <div class="form-row">
              {input('fromUser', t('trunks.fromUser'), fromUser, setFromUser, { hint: t('trunks.fromUserHint') })}
              {input('fromDomain', t('trunks.fromDomain'), fromDomain, setFromDomain)}
            </div>
            <div class="field">
              <label>{t('seats.codecs')}</label>
              <div class="st-checks">
                {(['alaw', 'ulaw', 'g722'] as const).map((c) => (
                  <label class="st-check" key={c}>
                    <input type="checkbox" checked={codecs.includes(c)} onChange={(e) => setCodecs(e.currentTarget.checked ? [...codecs, c] : codecs.filter((x) => x !== c))} />
                    {TRUNK_CODEC[c]}
                  </label>
                ))}
              </div>
              <FieldError text={fe.errors.codecs} id="trunk-codecs" />
            </div>
            <div class="form-row">
              {input('maxChannels', t('trunks.maxChannels'), maxChannels, setMaxChannels, { hint: t('trunks.maxChannelsHint') })}
              {input('qualifySeconds', t('trunks.qualify'), qualify, setQualify, { hint: t('trunks.qualifyHint') })}
            </div>
            {!register && input('match', t('trunks.match'), match, setMatch, { hint: t('trunks.matchHint') })}
          </>
        )}
        {kind === 'fxo' && (
          <div class="field">
            <label>{t('trunks.fxoPorts')}</label>
            {fxoPorts.length === 0 ? (
              <span class="field-hint">{t('trunks.noFxoPorts')}</span>
            ) : (
              <div class="st-checks" data-testid="trunk-fxo-ports">
                {fxoPorts.map((p) => (
                  <label class="st-check" key={p.channel}>
                    <input type="checkbox" checked={channels.includes(p.channel)} onChange={(e) => setChannels(e.currentTarget.checked ? [...channels, p.channel].sort((a, b) => a - b) : channels.filter((c) => c !== p.channel))} />
                    {t('seats.portOption', { span: p.span, port: p.port, channel: p.channel })}
                  </label>
                ))}
              </div>
            )}
            <FieldError text={fe.errors.channels} id="trunk-channels" />
          </div>
        )}
        {kind === 'e1' && (
          <>
            <div class="field">
              <label>{t('trunks.e1Spans')}</label>
              {e1Spans.length === 0 ? (
                <span class="field-hint">{t('trunks.noE1Spans')}</span>
              ) : (
                <div class="st-checks">
                  {e1Spans.map((s) => (
                    <label class="st-check" key={s.span}>
                      <input type="checkbox" checked={spans.includes(s.span)} onChange={(e) => setSpans(e.currentTarget.checked ? [...spans, s.span].sort((a, b) => a - b) : spans.filter((x) => x !== s.span))} />
                      {t('trunks.spanOption', { span: s.span, name: s.name })}
                    </label>
                  ))}
                </div>
              )}
              <FieldError text={fe.errors.spans} id="trunk-spans" />
            </div>
            <div class="field">
              <label>{t('hw.signalling')}</label>
              <Segmented
                value={e1Signalling}
                onChange={setE1Signalling}
                options={[
                  { value: 'pri_cpe', label: t('hw.sig.pri_cpe') },
                  { value: 'pri_net', label: t('hw.sig.pri_net') },
                  { value: 'r2', label: t('hw.sig.r2') },
                ]}
              />
              <span class="field-hint">{t('trunks.e1Hint')}</span>
            </div>
          </>
        )}
        <div class="form-row">
          {input('callerIdNumber', t('trunks.callerIdNumber'), cidNumber, setCidNumber, { hint: t('trunks.callerIdNumberHint') })}
          {input('callerIdName', t('trunks.callerIdName'), cidName, setCidName)}
        </div>
        <div class="field">
          <label>{t('trunks.presentation')}</label>
          <Segmented
            value={presentation}
            onChange={setPresentation}
            options={[
              { value: 'allowed', label: t('trunks.presentation.allowed') },
              { value: 'restricted', label: t('trunks.presentation.restricted') },
            ]}
          />
        </div>
        <label class="field">
          <span>
            <input type="checkbox" checked={faxLine} onChange={(e) => setFaxLine(e.currentTarget.checked)} data-testid="trunk-fax-line" /> {t('fax.trunk.faxLine')}
          </span>
          <span class="field-hint">{t('fax.trunk.faxLineHint')}</span>
        </label>
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------
// Outbound route dialog

function RouteDialog({ route, data, trunks, onClose, onSaved }: { route: OutboundRoute | null; data: OutboundRouteList; trunks: Trunk[]; onClose: () => void; onSaved: (d: OutboundRouteList) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(route?.name ?? '');
  const [patterns, setPatterns] = useState((route?.patterns ?? []).join('\n'));
  const [strip, setStrip] = useState(String(route?.stripDigits ?? 0));
  const [prepend, setPrepend] = useState(route?.prepend ?? '');
  const [chain, setChain] = useState<number[]>(route?.trunks.map((x) => x.id) ?? []);
  const [enabled, setEnabled] = useState(route?.enabled ?? true);
  const [pick, setPick] = useState('');
  const [testNumber, setTestNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const fe = useFormErrors<'name' | 'patterns' | 'stripDigits' | 'prepend' | 'trunkIds'>();
  const list = patterns
    .split(/[\s,]+/)
    .map((p) => p.trim().replace(/^_/, ''))
    .filter(Boolean);
  const addPreset = (ps: string[]) => setPatterns([...new Set([...list, ...ps])].join('\n'));
  const available = trunks.filter((x) => !chain.includes(x.id));
  const move = (i: number, d: -1 | 1) => {
    const next = [...chain];
    const j = i + d;
    if (j < 0 || j >= next.length) return;
    [next[i], next[j]] = [next[j]!, next[i]!];
    setChain(next);
  };
  const tested = testNumber.trim() ? list.find((p) => patternRegExp(p)?.test(testNumber.trim())) : undefined;
  const dialled = tested !== undefined ? prepend + testNumber.trim().slice(Number(strip) || 0) : '';

  const submit = async () => {
    const errs: Partial<Record<'name' | 'patterns' | 'stripDigits' | 'prepend' | 'trunkIds' | '_form', string>> = {};
    if (!name.trim()) errs.name = t('st.error.required');
    if (list.length === 0) errs.patterns = t('routes.error.patterns');
    const bad = list.find((p) => !patternRegExp(p));
    if (bad) errs.patterns = t('routes.error.pattern', { pattern: bad });
    if (!/^\d+$/.test(strip) || Number(strip) > 20) errs.stripDigits = t('routes.error.strip');
    if (!/^[0-9+*#]{0,20}$/.test(prepend)) errs.prepend = t('routes.error.prepend');
    if (chain.length === 0) errs.trunkIds = t('routes.error.trunks');
    fe.set(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const req = { name: name.trim(), patterns: list, stripDigits: Number(strip), prepend, trunkIds: chain, enabled };
      onSaved(route ? await trunksApi.updateOutbound(route.id, req) : await trunksApi.createOutbound(req));
    } catch (e) {
      fe.fromApi(t, e, ['name', 'patterns', 'stripDigits', 'prepend', 'trunkIds'], { trunks: 'trunkIds' });
    } finally {
      setBusy(false);
    }
  };
  const trunkName = (id: number) => trunks.find((x) => x.id === id)?.name ?? `#${id}`;
  return (
    <Modal
      title={route ? t('routes.edit.title', { name: route.name }) : t('routes.create.title')}
      onClose={onClose}
      wide
      testId="route-dialog"
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('st.cancel')}
          </button>
          <button type="button" class="btn btn-primary" onClick={() => void submit()} disabled={busy} data-testid="route-submit">
            {busy ? t('st.working') : t('st.save')}
          </button>
        </>
      }
    >
      {fe.errors._form && (
        <Alert kind="error" testId="route-error">
          {fe.errors._form}
        </Alert>
      )}
      <div class="form">
        <div class="field">
          <label for="route-name">{t('routes.col.name')}</label>
          <input id="route-name" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={t('routes.namePlaceholder')} aria-invalid={fe.errors.name ? true : undefined} />
          <FieldError text={fe.errors.name} id="route-name" />
        </div>
        <div class="field">
          <label for="route-patterns">{t('routes.patterns')}</label>
          <div class="st-presets">
            <span class="muted small">{t('routes.presets')}</span>
            {data.presets.map((p) => (
              <button type="button" class="btn btn-small btn-secondary" key={p.key} onClick={() => addPreset(p.patterns)} data-testid={`preset-${p.key}`} title={p.examples.join(', ')}>
                {t(PRESET_LABEL[p.key] ?? 'routes.preset.custom')}
              </button>
            ))}
          </div>
          <textarea id="route-patterns" rows={4} value={patterns} onInput={(e) => setPatterns(e.currentTarget.value)} aria-invalid={fe.errors.patterns ? true : undefined} data-testid="route-patterns" />
          <span class="field-hint">{t('routes.patternsHint', { prefix: data.outsidePrefix || '—' })}</span>
          <FieldError text={fe.errors.patterns} id="route-patterns" />
        </div>
        <div class="form-row">
          <div class="field">
            <label for="route-strip">{t('routes.strip')}</label>
            <input id="route-strip" inputMode="numeric" value={strip} onInput={(e) => setStrip(e.currentTarget.value.trim())} aria-invalid={fe.errors.stripDigits ? true : undefined} />
            <span class="field-hint">{t('routes.stripHint')}</span>
            <FieldError text={fe.errors.stripDigits} id="route-strip" />
          </div>
          <div class="field">
            <label for="route-prepend">{t('routes.prepend')}</label>
            <input id="route-prepend" value={prepend} onInput={(e) => setPrepend(e.currentTarget.value.trim())} aria-invalid={fe.errors.prepend ? true : undefined} />
            <span class="field-hint">{t('routes.prependHint')}</span>
            <FieldError text={fe.errors.prepend} id="route-prepend" />
          </div>
        </div>
        <div class="field">
          <label>{t('routes.trunks')}</label>
          <span class="field-hint">{t('routes.trunksHint')}</span>
          <div class="st-list" data-testid="route-chain">
            {chain.map((id, i) => (
              <div class="st-list-item" key={id}>
                <span class="st-order">{i + 1}</span>
                <span class="st-grow">{trunkName(id)}</span>
                <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => move(i, -1)} disabled={i === 0} title={t('routes.moveUp')}>
                  <UiIcon name="up" size={14} />
                </button>
                <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => move(i, 1)} disabled={i === chain.length - 1} title={t('routes.moveDown')}>
                  <UiIcon name="down" size={14} />
                </button>
                <button type="button" class="btn btn-small btn-ghost st-act st-act-danger" onClick={() => setChain(chain.filter((x) => x !== id))} title={t('st.remove')}>
                  <UiIcon name="close" size={14} />
                </button>
              </div>
            ))}
          </div>
          {available.length > 0 && (
            <div class="st-inline">
              <select value={pick} onChange={(e) => setPick(e.currentTarget.value)} aria-label={t('routes.addTrunk')} data-testid="route-trunk-pick" class="st-select">
                <option value="">{t('routes.chooseTrunk')}</option>
                {available.map((x) => (
                  <option value={String(x.id)} key={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
              <button
                type="button"
                class="btn btn-small btn-secondary"
                disabled={!pick}
                onClick={() => {
                  setChain([...chain, Number(pick)]);
                  setPick('');
                }}
                data-testid="route-trunk-add"
              >
                <UiIcon name="plus" size={14} />
                {t('routes.addTrunk')}
              </button>
            </div>
          )}
          {trunks.length === 0 && <span class="field-hint">{t('routes.noTrunks')}</span>}
          <FieldError text={fe.errors.trunkIds} id="route-trunks" />
        </div>
        <div class="field">
          <label for="route-test">{t('routes.test')}</label>
          <input id="route-test" inputMode="tel" value={testNumber} onInput={(e) => setTestNumber(e.currentTarget.value)} placeholder="13800138000" />
          {testNumber.trim() && (
            <span class={`st-test-result ${tested !== undefined ? 'text-ok' : 'text-danger'}`} data-testid="route-test-result">
              {tested !== undefined ? t('routes.test.match', { pattern: tested, dialled }) : t('routes.test.noMatch')}
            </span>
          )}
        </div>
        <label class="st-check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          {t('routes.enabled')}
        </label>
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------
// Inbound route dialog

function InboundDialog({ route, data, onClose, onSaved }: { route: InboundRoute | null; data: InboundRouteList; onClose: () => void; onSaved: (d: InboundRouteList) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(route?.name ?? '');
  const [did, setDid] = useState(route && route.did !== 'any' ? route.did : '');
  const [dest, setDest] = useState<InboundRoute['destination']>(route?.destination ?? 'seat');
  const [seat, setSeat] = useState(route?.seat ?? data.seats[0]?.extension ?? '');
  const [queue, setQueue] = useState(route?.queue ?? data.queues[0] ?? '');
  const [enabled, setEnabled] = useState(route?.enabled ?? true);
  const [busy, setBusy] = useState(false);
  const fe = useFormErrors<'name' | 'did' | 'seat' | 'queue'>();
  const submit = async () => {
    const errs: Partial<Record<'name' | 'did' | 'seat' | 'queue' | '_form', string>> = {};
    if (!name.trim()) errs.name = t('st.error.required');
    if (did.trim() && !/^\+?[0-9]{1,20}$/.test(did.trim())) errs.did = t('trunks.error.number');
    if (dest === 'seat' && !seat) errs.seat = t('st.error.required');
    if (dest === 'queue' && !queue) errs.queue = t('inbound.error.noQueue');
    fe.set(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const req = { name: name.trim(), did: did.trim(), destination: dest, seat: dest === 'seat' ? seat : null, queue: dest === 'queue' ? queue : null, enabled };
      onSaved(route ? await trunksApi.updateInbound(route.id, req) : await trunksApi.createInbound(req));
    } catch (e) {
      fe.fromApi(t, e, ['name', 'did', 'seat', 'queue']);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={route ? t('inbound.edit.title', { name: route.name }) : t('inbound.create.title')}
      onClose={onClose}
      testId="inbound-dialog"
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('st.cancel')}
          </button>
          <button type="button" class="btn btn-primary" onClick={() => void submit()} disabled={busy} data-testid="inbound-submit">
            {busy ? t('st.working') : t('st.save')}
          </button>
        </>
      }
    >
      {fe.errors._form && (
        <Alert kind="error" testId="inbound-error">
          {fe.errors._form}
        </Alert>
      )}
      <div class="form">
        <div class="field">
          <label for="inbound-name">{t('inbound.col.name')}</label>
          <input id="inbound-name" value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={fe.errors.name ? true : undefined} />
          <FieldError text={fe.errors.name} id="inbound-name" />
        </div>
        <div class="field">
          <label for="inbound-did">{t('inbound.col.did')}</label>
          <input id="inbound-did" inputMode="tel" value={did} onInput={(e) => setDid(e.currentTarget.value)} placeholder={t('inbound.anyNumber')} aria-invalid={fe.errors.did ? true : undefined} />
          <span class="field-hint">{t('inbound.didHint')}</span>
          <FieldError text={fe.errors.did} id="inbound-did" />
        </div>
        <div class="field">
          <label>{t('inbound.col.destination')}</label>
          <Segmented
            value={dest}
            onChange={setDest}
            options={[
              { value: 'seat', label: t('inbound.dest.seat') },
              { value: 'queue', label: t('inbound.dest.queue') },
              { value: 'hangup', label: t('inbound.dest.hangup') },
              { value: 'fax', label: t('fax.dest') },
            ]}
          />
        </div>
        {dest === 'seat' && (
          <div class="field">
            <label for="inbound-seat">{t('inbound.dest.seat')}</label>
            <select id="inbound-seat" value={seat} onChange={(e) => setSeat(e.currentTarget.value)}>
              {data.seats.map((s) => (
                <option value={s.extension} key={s.extension}>
                  {s.extension} · {s.name}
                </option>
              ))}
            </select>
            <FieldError text={fe.errors.seat} id="inbound-seat" />
          </div>
        )}
        {dest === 'queue' && (
          <div class="field">
            <label for="inbound-queue">{t('inbound.dest.queue')}</label>
            {data.queues.length === 0 ? (
              <span class="field-hint">{t('inbound.error.noQueue')}</span>
            ) : (
              <select id="inbound-queue" value={queue} onChange={(e) => setQueue(e.currentTarget.value)}>
                {data.queues.map((q) => (
                  <option value={q} key={q}>
                    {q}
                  </option>
                ))}
              </select>
            )}
            <FieldError text={fe.errors.queue} id="inbound-queue" />
          </div>
        )}
        <label class="st-check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          {t('routes.enabled')}
        </label>
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------

type Tab = 'trunks' | 'outbound' | 'inbound';
type Dialog =
  | { kind: 'trunk'; trunk: Trunk | null }
  | { kind: 'deleteTrunk'; trunk: Trunk }
  | { kind: 'route'; route: OutboundRoute | null }
  | { kind: 'deleteRoute'; route: OutboundRoute }
  | { kind: 'inbound'; route: InboundRoute | null }
  | { kind: 'deleteInbound'; route: InboundRoute };

export function TrunksPage({ user }: { user: User }) {
  const { t } = useI18n();
  const admin = isAdmin(user);
  const [tab, setTab] = useState<Tab>('trunks');
  const [trunks, setTrunks] = useState<Trunk[] | null>(null);
  const [live, setLive] = useState<Record<string, TrunkLive>>({});
  const [outbound, setOutbound] = useState<OutboundRouteList | null>(null);
  const [inbound, setInbound] = useState<InboundRouteList | null>(null);
  const [hw, setHw] = useState<HardwareView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);

  const load = useCallback(async () => {
    try {
      const [tr, lv, ob, ib] = await Promise.all([trunksApi.list(), trunksApi.live(), trunksApi.outbound(), trunksApi.inbound()]);
      setTrunks(tr);
      setLive(Object.fromEntries(lv.map((l) => [l.id, l])));
      setOutbound(ob);
      setInbound(ib);
      setError(null);
    } catch (e) {
      setError(refusalText(t, e));
    }
  }, [t]);
  useEffect(() => {
    void load();
    void hardwareApi.get().then(setHw, () => setHw(null));
  }, [load]);

  useLiveMessages((msg) => {
    if (msg.type === 'trunk.updated') setLive((l) => ({ ...l, [msg.data.id]: msg.data }));
  });

  const reorder = async (i: number, d: -1 | 1) => {
    if (!outbound) return;
    const ids = outbound.routes.map((r) => r.id);
    const j = i + d;
    if (j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    try {
      setOutbound(await trunksApi.reorder(ids));
    } catch (e) {
      setError(refusalText(t, e));
    }
  };

  const counts = { trunks: trunks?.length ?? 0, outbound: outbound?.routes.length ?? 0, inbound: inbound?.routes.length ?? 0 };
  const trunkWhere = (x: Trunk) =>
    x.sip
      ? `${x.sip.host}:${x.sip.port} · ${x.sip.register ? t('trunks.auth.register') : t('trunks.auth.ip')}${x.sip.username ? ` · ${x.sip.username}` : ''}`
      : x.kind === 'fxo'
        ? t('trunks.fxoWhere', { count: x.channels.length, channels: x.channels.join(', ') || '—' })
        : t('trunks.e1Where', { spans: x.spans.join(', ') || '—' });

  return (
    <div class="page st-page" data-testid="trunks-page">
      <PageHeader
        title={t('trunks.title')}
        subtitle={t('trunks.subtitle')}
        actions={
          admin && (
            <>
              {tab === 'trunks' && (
                <button type="button" class="btn btn-primary" onClick={() => setDialog({ kind: 'trunk', trunk: null })} data-testid="trunk-create">
                  <UiIcon name="plus" />
                  {t('trunks.create.button')}
                </button>
              )}
              {tab === 'outbound' && (
                <button type="button" class="btn btn-primary" onClick={() => setDialog({ kind: 'route', route: null })} data-testid="route-create">
                  <UiIcon name="plus" />
                  {t('routes.create.button')}
                </button>
              )}
              {tab === 'inbound' && (
                <button type="button" class="btn btn-primary" onClick={() => setDialog({ kind: 'inbound', route: null })} data-testid="inbound-create">
                  <UiIcon name="plus" />
                  {t('inbound.create.button')}
                </button>
              )}
            </>
          )
        }
      />
      {error && (
        <Alert kind="error" testId="trunks-error">
          {error}
        </Alert>
      )}
      {!admin && (
        <Alert kind="info" testId="read-only">
          {t('st.readOnly')}
        </Alert>
      )}
      <div class="st-tabs" role="tablist">
        {(['trunks', 'outbound', 'inbound'] as const).map((k) => (
          <button type="button" role="tab" class="st-tab" aria-selected={tab === k} onClick={() => setTab(k)} data-testid={`tab-${k}`} key={k}>
            {t(k === 'trunks' ? 'trunks.tab.trunks' : k === 'outbound' ? 'trunks.tab.outbound' : 'trunks.tab.inbound')}
            <span class="count-pill">{counts[k]}</span>
          </button>
        ))}
      </div>

      {tab === 'trunks' && (
        <div class="card">
          <div class="table-wrap">
            <table class="table st-table" data-testid="trunks-table">
              <thead>
                <tr>
                  <th>{t('trunks.col.status')}</th>
                  <th>{t('trunks.col.name')}</th>
                  <th>{t('trunks.col.kind')}</th>
                  <th>{t('trunks.col.where')}</th>
                  <th class="num">{t('trunks.col.channels')}</th>
                  <th>{t('trunks.col.callerId')}</th>
                  {admin && <th class="st-col-actions">{t('st.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {!trunks ? (
                  <EmptyRow cols={7}>
                    <span class="spinner" aria-hidden="true" />
                  </EmptyRow>
                ) : trunks.length === 0 ? (
                  <EmptyRow cols={7} testId="trunks-empty">
                    {t('trunks.empty')}
                  </EmptyRow>
                ) : (
                  trunks.map((x) => {
                    const l = live[String(x.id)];
                    const st = statusOf(t, x.enabled ? l : { ...(l ?? { id: String(x.id), name: x.name, kind: x.kind, status: 'unknown', channelsInUse: 0, maxChannels: x.maxChannels }), detail: 'disabled' });
                    return (
                      <tr key={x.id} data-testid="trunk-row" data-trunk={x.name}>
                        <td>
                          <span title={l?.detail ?? undefined}>
                            <StatusDot tone={st.tone} label={st.label} testId="trunk-status" state={st.state} />
                          </span>
                        </td>
                        <td class="st-strong">{x.name}</td>
                        <td>{t(KIND_LABEL[x.kind])}</td>
                        <td class="small">{trunkWhere(x)}</td>
                        <td class="num tnum">
                          {l?.channelsInUse ?? 0} / {x.maxChannels}
                        </td>
                        <td class="tnum">{x.callerIdNumber ?? (x.presentation === 'restricted' ? t('trunks.presentation.restricted') : t('status.notAvailable'))}</td>
                        {admin && (
                          <td class="st-col-actions">
                            <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => setDialog({ kind: 'trunk', trunk: x })} title={t('st.edit')} data-testid="trunk-edit">
                              <UiIcon name="edit" size={14} />
                            </button>
                            <button type="button" class="btn btn-small btn-ghost st-act st-act-danger" onClick={() => setDialog({ kind: 'deleteTrunk', trunk: x })} title={t('st.delete')} data-testid="trunk-delete">
                              <UiIcon name="trash" size={14} />
                            </button>
                          </td>
                        )}
                      </tr>
                    );
                  })
                )}
              </tbody>
            </table>
          </div>
        </div>
      )}

      {tab === 'outbound' && outbound && (
        <div class="card">
          <div class="st-note" data-testid="emergency-note">
            <span>
              <Icon name="info" size={14} /> {t('routes.emergency', { numbers: outbound.emergencyNumbers.join(' / ') })}
            </span>
            <span>{t('routes.prefix', { prefix: outbound.outsidePrefix || '—' })}</span>
            <span>{t('routes.order')}</span>
          </div>
          <div class="table-wrap">
            <table class="table st-table" data-testid="routes-table">
              <thead>
                <tr>
                  <th>{t('routes.col.order')}</th>
                  <th>{t('routes.col.name')}</th>
                  <th>{t('routes.patterns')}</th>
                  <th>{t('routes.col.rewrite')}</th>
                  <th>{t('routes.trunks')}</th>
                  {admin && <th class="st-col-actions">{t('st.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {outbound.routes.length === 0 ? (
                  <EmptyRow cols={6}>
                    {t('routes.empty')}
                  </EmptyRow>
                ) : (
                  outbound.routes.map((r, i) => (
                    <tr key={r.id} data-testid="route-row" data-route={r.name} class={r.active ? undefined : 'st-row-disabled'}>
                      <td>
                        <span class="st-order">{i + 1}</span>
                      </td>
                      <td class="st-strong">
                        {r.name}
                        {!r.enabled && <span class="badge badge-slate st-badge-gap">{t('routes.disabled')}</span>}
                        {r.enabled && !r.active && <span class="badge badge-amber st-badge-gap">{t('routes.inactive')}</span>}
                      </td>
                      <td>
                        <div class="st-chips">
                          {r.patterns.map((p) => (
                            <span class="st-chip" key={p}>
                              {p}
                            </span>
                          ))}
                        </div>
                      </td>
                      <td class="small">{r.stripDigits || r.prepend ? t('routes.rewrite', { strip: r.stripDigits, prepend: r.prepend || '—' }) : t('routes.noRewrite')}</td>
                      <td>
                        <span class="st-chain">
                          {r.trunks.map((x, j) => (
                            <span class="st-chain" key={x.id}>
                              {j > 0 && <UiIcon name="arrow" size={12} />}
                              <span class={x.enabled ? undefined : 'muted'}>{x.name}</span>
                            </span>
                          ))}
                        </span>
                      </td>
                      {admin && (
                        <td class="st-col-actions">
                          <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => void reorder(i, -1)} disabled={i === 0} title={t('routes.moveUp')} data-testid="route-up">
                            <UiIcon name="up" size={14} />
                          </button>
                          <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => void reorder(i, 1)} disabled={i === outbound.routes.length - 1} title={t('routes.moveDown')} data-testid="route-down">
                            <UiIcon name="down" size={14} />
                          </button>
                          <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => setDialog({ kind: 'route', route: r })} title={t('st.edit')}>
                            <UiIcon name="edit" size={14} />
                          </button>
                          <button type="button" class="btn btn-small btn-ghost st-act st-act-danger" onClick={() => setDialog({ kind: 'deleteRoute', route: r })} title={t('st.delete')}>
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
      )}

      {tab === 'inbound' && inbound && (
        <div class="card">
          <div class="table-wrap">
            <table class="table st-table" data-testid="inbound-table">
              <thead>
                <tr>
                  <th>{t('inbound.col.did')}</th>
                  <th>{t('inbound.col.name')}</th>
                  <th>{t('inbound.col.destination')}</th>
                  <th>{t('trunks.col.status')}</th>
                  {admin && <th class="st-col-actions">{t('st.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {inbound.routes.length === 0 ? (
                  <EmptyRow cols={5}>
                    {t('inbound.empty')}
                  </EmptyRow>
                ) : (
                  inbound.routes.map((r) => (
                    <tr key={r.id} data-testid="inbound-row">
                      <td class="tnum st-strong">{r.did === 'any' ? t('inbound.anyNumber') : r.did}</td>
                      <td>{r.name}</td>
                      <td>{r.destination === 'seat' ? t('inbound.toSeat', { seat: r.seat ?? '' }) : r.destination === 'queue' ? t('inbound.toQueue', { queue: r.queue ?? '' }) : r.destination === 'fax' ? t('fax.dest') : t('inbound.dest.hangup')}</td>
                      <td>{r.enabled ? <StatusDot tone="green" label={t('routes.enabledShort')} /> : <StatusDot tone="slate" label={t('routes.disabled')} />}</td>
                      {admin && (
                        <td class="st-col-actions">
                          <button type="button" class="btn btn-small btn-ghost st-act" onClick={() => setDialog({ kind: 'inbound', route: r })} title={t('st.edit')}>
                            <UiIcon name="edit" size={14} />
                          </button>
                          <button type="button" class="btn btn-small btn-ghost st-act st-act-danger" onClick={() => setDialog({ kind: 'deleteInbound', route: r })} title={t('st.delete')}>
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
      )}

      {dialog?.kind === 'trunk' && (
        <TrunkDialog
          trunk={dialog.trunk}
          hw={hw}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            void load();
            void hardwareApi.get().then(setHw, () => undefined);
          }}
        />
      )}
      {dialog?.kind === 'deleteTrunk' && (
        <ConfirmDialog
          danger
          title={t('trunks.delete.title', { name: dialog.trunk.name })}
          body={t('trunks.delete.body')}
          confirmLabel={t('st.delete')}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await trunksApi.remove(dialog.trunk.id);
            await load();
          }}
        />
      )}
      {dialog?.kind === 'route' && outbound && trunks && (
        <RouteDialog
          route={dialog.route}
          data={outbound}
          trunks={trunks}
          onClose={() => setDialog(null)}
          onSaved={(d) => {
            setOutbound(d);
            setDialog(null);
            void load();
          }}
        />
      )}
      {dialog?.kind === 'deleteRoute' && (
        <ConfirmDialog
          danger
          title={t('routes.delete.title', { name: dialog.route.name })}
          body={t('routes.delete.body')}
          confirmLabel={t('st.delete')}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            setOutbound(await trunksApi.removeOutbound(dialog.route.id));
            await load();
          }}
        />
      )}
      {dialog?.kind === 'inbound' && inbound && (
        <InboundDialog
          route={dialog.route}
          data={inbound}
          onClose={() => setDialog(null)}
          onSaved={(d) => {
            setInbound(d);
            setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'deleteInbound' && (
        <ConfirmDialog
          danger
          title={t('inbound.delete.title', { name: dialog.route.name })}
          body={t('routes.delete.body')}
          confirmLabel={t('st.delete')}
          onClose={() => setDialog(null)}
          onConfirm={async () => setInbound(await trunksApi.removeInbound(dialog.route.id))}
        />
      )}
    </div>
  );
}
