// People (docs/people.md): user accounts and roles, agent grades / line / joining date, career
// stages with promotion records, staffing ratio warnings. Every action is checked by the API.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type TFunction } from '../../i18n/index.js';
import '../desk/records/records.css';
import { MOVES, ROLE_LIST, STAGE_LIST, peopleApi, type Grade, type Line, type ManagedUser, type Person, type Promotion, type Ratio, type RatioLimits, type RoleName, type Stage } from './people-api.js';

type Tab = 'users' | 'people' | 'ratios';
const val = (e: Event) => (e.target as HTMLInputElement).value;

export function PeoplePage({ user }: { user: User }) {
  const { t } = useI18n();
  const manage = user.roles.includes('admin') || user.roles.includes('manager');
  const [tab, setTab] = useState<Tab>(manage ? 'users' : 'people');
  const [err, setErr] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const tabs: Tab[] = manage ? ['users', 'people', 'ratios'] : ['people'];
  return (
    <div data-testid="people-page">
      <PageHeader title={t('pp.title')} subtitle={t('pp.subtitle')} />
      <div class="tk-filters" role="tablist">
        {tabs.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} class={`btn ${tab === x ? 'btn-primary' : 'btn-ghost'} btn-small`} onClick={() => (setTab(x), setErr(null), setInfo(null))} data-testid={`people-tab-${x}`}>
            {t(`pp.tab.${x}`)}
          </button>
        ))}
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      {info && <Alert kind="info">{info}</Alert>}
      {tab === 'users' && <Users t={t} me={user} fail={fail} info={setInfo} />}
      {tab === 'people' && <People t={t} manage={manage} fail={fail} />}
      {tab === 'ratios' && <Ratios t={t} fail={fail} />}
    </div>
  );
}

interface Common {
  t: TFunction;
  fail: (e: unknown) => void;
}

function RolePicker({ t, value, onChange, allowed }: { t: TFunction; value: RoleName[]; onChange: (r: RoleName[]) => void; allowed: (r: RoleName) => boolean }) {
  return (
    <span class="rec-row">
      {ROLE_LIST.map((r) => (
        <label key={r}>
          <input type="checkbox" disabled={!allowed(r)} checked={value.includes(r)} onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...value, r] : value.filter((x) => x !== r))} data-testid={`people-role-${r}`} />
          {t(`role.${r}`)}
        </label>
      ))}
    </span>
  );
}

function Users({ t, me, fail, info }: Common & { me: User; info: (s: string | null) => void }) {
  const [rows, setRows] = useState<ManagedUser[]>([]);
  const [form, setForm] = useState({ username: '', displayName: '', password: '', roles: ['agent'] as RoleName[] });
  const [editing, setEditing] = useState<{ id: number; roles: RoleName[] } | null>(null);
  const [history, setHistory] = useState<{ id: number; items: Promotion[] } | null>(null);
  const [move, setMove] = useState<{ id: number; to: Stage | ''; at: string; note: string } | null>(null);
  const isAdmin = me.roles.includes('admin');
  // Managers cannot grant or touch admin / technician (the API refuses it too).
  const allowed = (r: RoleName) => isAdmin || (r !== 'admin' && r !== 'technician');
  const load = useCallback(() => void peopleApi.users().then((r) => setRows(r.users), fail), [fail]);
  useEffect(load, [load]);
  const act = (p: Promise<unknown>) => void p.then(load, fail);
  const showHistory = (id: number) => void peopleApi.promotions(id).then((r) => setHistory({ id, items: r.promotions }), fail);
  return (
    <div class="card table-wrap">
      <form
        class="rec-row"
        onSubmit={(e) => {
          e.preventDefault();
          act(peopleApi.createUser({ ...form, displayName: form.displayName || undefined }).then(() => setForm({ username: '', displayName: '', password: '', roles: ['agent'] })));
        }}
        data-testid="people-user-form"
      >
        <strong>{t('pp.user.new')}</strong>
        <input placeholder={t('pp.user.username')} value={form.username} onInput={(e) => setForm({ ...form, username: val(e) })} data-testid="people-user-username" />
        <input placeholder={t('pp.user.displayName')} value={form.displayName} onInput={(e) => setForm({ ...form, displayName: val(e) })} />
        <input type="password" autoComplete="new-password" placeholder={t('pp.user.password')} value={form.password} onInput={(e) => setForm({ ...form, password: val(e) })} data-testid="people-user-password" />
        <RolePicker t={t} value={form.roles} onChange={(roles) => setForm({ ...form, roles })} allowed={allowed} />
        <button type="submit" class="btn btn-primary btn-small" disabled={!form.username || !form.password || form.roles.length === 0} data-testid="people-user-create">
          {t('pp.user.create')}
        </button>
      </form>
      <table class="table" data-testid="people-users">
        <thead>
          <tr>
            <th>{t('pp.user.username')}</th>
            <th>{t('pp.user.displayName')}</th>
            <th>{t('pp.user.roles')}</th>
            <th>{t('pp.user.stage')}</th>
            <th>{t('pp.user.status')}</th>
            <th>{t('pp.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && <EmptyRow cols={6}>{t('pp.empty.users')}</EmptyRow>}
          {rows.map((u) => (
            <tr key={u.id} data-testid={`people-user-${u.username}`}>
              <td>{u.username}</td>
              <td>{u.displayName}</td>
              <td>
                {editing?.id === u.id ? (
                  <RolePicker t={t} value={editing.roles} onChange={(roles) => setEditing({ id: u.id, roles })} allowed={allowed} />
                ) : (
                  u.roles.map((r) => t(`role.${r}`)).join('、')
                )}
              </td>
              <td>
                {u.stage ? (
                  t(`pp.stage.${u.stage}`)
                ) : (
                  <select value="" onChange={(e) => val(e) && act(peopleApi.setStage(u.id, val(e) as Stage))} aria-label={t('pp.user.setStage')}>
                    <option value="">{t('pp.stage.none')}</option>
                    {STAGE_LIST.map((s) => (
                      <option key={s} value={s}>
                        {t(`pp.stage.${s}`)}
                      </option>
                    ))}
                  </select>
                )}
              </td>
              <td>
                {u.disabled ? t('pp.user.disabled') : t('pp.user.active')}
                {u.mustChangePassword && ` · ${t('pp.user.mustChange')}`}
              </td>
              <td class="rec-row">
                {editing?.id === u.id ? (
                  <>
                    <button type="button" class="btn btn-primary btn-small" onClick={() => (act(peopleApi.setRoles(u.id, editing.roles)), setEditing(null))}>
                      {t('pp.user.saveRoles')}
                    </button>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => setEditing(null)}>
                      {t('pp.cancel')}
                    </button>
                  </>
                ) : (
                  <button type="button" class="btn btn-ghost btn-small" onClick={() => setEditing({ id: u.id, roles: u.roles })}>
                    {t('pp.user.editRoles')}
                  </button>
                )}
                <button type="button" class="btn btn-ghost btn-small" onClick={() => act(peopleApi.setDisabled(u.id, !u.disabled))}>
                  {u.disabled ? t('pp.user.enable') : t('pp.user.disable')}
                </button>
                <button type="button" class="btn btn-ghost btn-small" onClick={() => void peopleApi.resetPassword(u.id).then((r) => (info(t('pp.user.newPassword', { name: u.username, password: r.password })), load()), fail)}>
                  {t('pp.user.reset')}
                </button>
                <button type="button" class="btn btn-ghost btn-small" onClick={() => confirm(t('pp.user.deleteConfirm', { name: u.username })) && act(peopleApi.deleteUser(u.id))}>
                  {t('pp.user.delete')}
                </button>
                {u.stage && (
                  <button type="button" class="btn btn-ghost btn-small" onClick={() => setMove({ id: u.id, to: '', at: new Date().toISOString().slice(0, 10), note: '' })}>
                    {t('pp.promote')}
                  </button>
                )}
                <button type="button" class="btn btn-ghost btn-small" onClick={() => showHistory(u.id)}>
                  {t('pp.history')}
                </button>
                {move?.id === u.id && u.stage && (
                  <span class="rec-row">
                    <select value={move.to} onChange={(e) => setMove({ ...move, to: val(e) as Stage })} aria-label={t('pp.promote.to')}>
                      <option value="">{t('pp.promote.to')}</option>
                      {MOVES[u.stage].map((s) => (
                        <option key={s} value={s}>
                          {t(`pp.stage.${s}`)}
                        </option>
                      ))}
                    </select>
                    <input type="date" value={move.at} onInput={(e) => setMove({ ...move, at: val(e) })} aria-label={t('pp.promote.at')} />
                    <input placeholder={t('pp.promote.note')} value={move.note} onInput={(e) => setMove({ ...move, note: val(e) })} />
                    <button type="button" class="btn btn-primary btn-small" disabled={!move.to} onClick={() => (act(peopleApi.promote(u.id, { to: move.to as Stage, at: move.at, note: move.note || undefined })), setMove(null))}>
                      {t('pp.save')}
                    </button>
                  </span>
                )}
                {history?.id === u.id && <PromotionList t={t} items={history.items} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PromotionList({ t, items }: { t: TFunction; items: Promotion[] }) {
  if (items.length === 0) return <span>{t('pp.history.empty')}</span>;
  return (
    <ul data-testid="people-promotions">
      {items.map((p) => (
        <li key={p.id}>
          {p.at}: {t(`pp.stage.${p.from as Stage}`)} → {t(`pp.stage.${p.to as Stage}`)} ({t('pp.history.by')} {p.byUsername ?? '—'}){p.note ? ` — ${p.note}` : ''}
        </li>
      ))}
    </ul>
  );
}

function People({ t, manage, fail }: Common & { manage: boolean }) {
  const [rows, setRows] = useState<Person[]>([]);
  const load = useCallback(() => void peopleApi.people().then((r) => setRows(r.people), fail), [fail]);
  useEffect(load, [load]);
  const update = (id: number, change: { grade?: Grade; line?: Line; joinedAt?: string }) => void peopleApi.updatePerson(id, change).then(load, fail);
  return (
    <div class="card table-wrap">
      <table class="table" data-testid="people-agents">
        <thead>
          <tr>
            <th>{t('pp.col.number')}</th>
            <th>{t('pp.col.name')}</th>
            <th>{t('pp.col.team')}</th>
            <th>{t('pp.col.grade')}</th>
            <th>{t('pp.col.line')}</th>
            <th>{t('pp.col.joinedAt')}</th>
            <th>{t('pp.col.stage')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && <EmptyRow cols={7}>{t('pp.empty.people')}</EmptyRow>}
          {rows.map((p) => (
            <tr key={p.agentId} data-testid={`people-agent-${p.number}`}>
              <td>{p.number}</td>
              <td>{p.name}</td>
              <td>{p.team ?? '—'}</td>
              <td>
                <select disabled={!manage} value={p.grade} onChange={(e) => update(p.agentId, { grade: val(e) as Grade })} aria-label={t('pp.col.grade')}>
                  {(['junior', 'intermediate', 'senior'] as Grade[]).map((g) => (
                    <option key={g} value={g}>
                      {t(`pp.grade.${g}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <select disabled={!manage} value={p.line} onChange={(e) => update(p.agentId, { line: val(e) as Line })} aria-label={t('pp.col.line')}>
                  {(['telesales', 'service'] as Line[]).map((l) => (
                    <option key={l} value={l}>
                      {t(`pp.line.${l}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input type="date" disabled={!manage} value={p.joinedAt ?? ''} onChange={(e) => val(e) && update(p.agentId, { joinedAt: val(e) })} aria-label={t('pp.col.joinedAt')} />
              </td>
              <td>{p.stage ? t(`pp.stage.${p.stage}`) : t('pp.stage.none')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Ratios({ t, fail }: Common) {
  const [rows, setRows] = useState<Ratio[]>([]);
  const [limits, setLimits] = useState<RatioLimits | null>(null);
  const load = useCallback(() => void peopleApi.ratios().then((r) => (setRows(r.ratios), setLimits(r.limits)), fail), [fail]);
  useEffect(load, [load]);
  return (
    <div class="card table-wrap">
      <table class="table" data-testid="people-ratios">
        <thead>
          <tr>
            <th>{t('pp.ratio.name')}</th>
            <th>{t('pp.ratio.per')}</th>
            <th>{t('pp.ratio.counted')}</th>
            <th>{t('pp.ratio.actual')}</th>
            <th>{t('pp.ratio.limit')}</th>
            <th>{t('pp.ratio.state')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid={`people-ratio-${r.key}`} class={r.warning ? 'row-warning' : ''}>
              <td>{t(`pp.ratio.${r.key}`)}</td>
              <td>{r.per}</td>
              <td>{r.counted}</td>
              <td>{r.actual === null ? '—' : `1 : ${r.actual}`}</td>
              <td>
                {limits && (
                  <input type="number" min={1} max={100} value={limits[r.key]} onInput={(e) => setLimits({ ...limits, [r.key]: Number(val(e)) })} aria-label={t('pp.ratio.limit')} />
                )}
              </td>
              <td>{r.warning ? <strong>{r.actual === null ? t('pp.ratio.uncovered') : t('pp.ratio.warning')}</strong> : t('pp.ratio.ok')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {limits && (
        <button type="button" class="btn btn-primary btn-small" onClick={() => void peopleApi.setLimits(limits).then(load, fail)} data-testid="people-save-limits">
          {t('pp.ratio.saveLimits')}
        </button>
      )}
    </div>
  );
}
