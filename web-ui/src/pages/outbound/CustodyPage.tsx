// Outbound → Custody: the data manager receives lists, checks a random sample and hands
// batches to teams; team leads hand leads to their agents (counts or even split); every
// hand-over listed; the fairness report per agent with CSV/XLSX export.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { outboundApi, type CampaignInfo, type CustodyInfo, type FairnessRow, type Handover, type Lead } from './outbound-api.js';
import { CampaignPicker, checked, hasRole, val } from './shared.js';
import './outbound.css';
import { EmptyRow } from '../../components/EmptyRow.js';

export function CustodyPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const [campaigns, setCampaigns] = useState<CampaignInfo[]>([]);
  const [sel, setSel] = useState<number | null>(null);
  const [info, setInfo] = useState<CustodyInfo | null>(null);
  const [history, setHistory] = useState<Handover[]>([]);
  const [fair, setFair] = useState<FairnessRow[]>([]);
  const [sample, setSample] = useState<{ listId: number; leads: Lead[] } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [team, setTeam] = useState('');
  const [teamCount, setTeamCount] = useState('');
  const [agentTeam, setAgentTeam] = useState('');
  const [picked, setPicked] = useState<Record<number, string>>({});
  const [splitTotal, setSplitTotal] = useState('');
  const [shown, setShown] = useState<{ id: number; leads: Lead[] } | null>(null);
  const isData = hasRole(user, 'manager', 'data_manager');
  const isLead = hasRole(user, 'manager', 'team_lead');

  useEffect(() => {
    void outboundApi.campaigns().then(
      (list) => {
        setCampaigns(list);
        setSel((s) => s ?? list.find((c) => c.status !== 'destroyed')?.id ?? list[0]?.id ?? null);
      },
      (e) => setErr(describeError(t, e)),
    );
  }, [t]);
  const load = useCallback(async () => {
    if (sel === null) return;
    try {
      const [i, h, f] = await Promise.all([outboundApi.custody(sel), outboundApi.handovers(sel), outboundApi.fairness(sel)]);
      setInfo(i);
      setHistory(h);
      setFair(f);
      setTeam((x) => x || i.teams[0] || '');
      setAgentTeam((x) => x || i.myTeams[0] || '');
    } catch (e) {
      setErr(describeError(t, e));
    }
  }, [sel, t]);
  useEffect(() => {
    void load();
  }, [load]);
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setErr(null);
    setNote(null);
    try {
      await fn();
      setNote(ok);
      await load();
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const fmt = (iso: string | null) => (iso ? new Date(iso).toLocaleString(lang, { hour12: false }) : '');
  const teamAgents = info?.agents.filter((a) => a.team === agentTeam) ?? [];
  const pool = info?.summary.byTeam.find((x) => x.team === agentTeam)?.pool ?? 0;
  const chosenIds = Object.keys(picked).map(Number);
  /** 'agent:3' / 'team:一组' / 'list:1' / 'data_manager' in words. */
  const refLabel = (ref: string | null): string => {
    if (!ref) return '';
    const [kind, id] = [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)];
    if (ref === 'data_manager') return t('outbound.ref.dm');
    if (kind === 'team') return t('outbound.ref.team', { name: id });
    if (kind === 'agent') {
      const a = info?.agents.find((x) => x.id === Number(id));
      return t('outbound.ref.agent', { name: a ? `${a.number} ${a.name}` : id });
    }
    if (kind === 'list') return t('outbound.ref.list', { name: info?.lists.find((l) => l.listId === Number(id))?.fileName ?? id });
    return ref;
  };

  return (
    <div class="page ob-page" data-testid="custody-page">
      <PageHeader title={t('outbound.custody.title')} subtitle={t('outbound.custody.subtitle')} actions={<CampaignPicker campaigns={campaigns} value={sel} onChange={setSel} />} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="custody-note">{note}</span>
        </Alert>
      )}
      {info && (
        <div class="ob-stats" data-testid="custody-stats">
          {(['imported', 'received', 'team', 'agent'] as const).map((k) => (
            <div class="card ob-stat" key={k}>
              <div class="ob-stat-n" data-testid={`custody-${k}`}>
                {info.summary.byCustody[k] ?? 0}
              </div>
              <div>{t(`outbound.custody.${k}`)}</div>
            </div>
          ))}
        </div>
      )}

      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('outbound.custody.lists')}</h2>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="lists-table">
            <thead>
              <tr>
                <th>{t('outbound.custody.file')}</th>
                <th>{t('outbound.custody.source')}</th>
                <th>{t('outbound.leads.total')}</th>
                <th>{t('outbound.custody.receivedBy')}</th>
                <th>{t('outbound.custody.sample')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {info?.lists.length === 0 && <EmptyRow cols={6}>{t('outbound.custody.noLists')}</EmptyRow>}
              {info?.lists.map((l) => (
                <tr key={l.listId} data-testid="list-row">
                  <td>{l.fileName}</td>
                  <td>{l.source}</td>
                  <td class="tnum">{l.rowsImported}</td>
                  <td>{l.receivedAt ? `${l.receivedBy ?? ''} · ${fmt(l.receivedAt)}` : t('outbound.custody.notReceived')}</td>
                  <td>{l.sampleResult ? t(l.sampleResult === 'pass' ? 'outbound.custody.samplePass' : 'outbound.custody.sampleFail', { bad: l.sampleBad ?? 0, n: l.sampleSize }) : l.sampleSize ? t('outbound.custody.sampleOpen', { n: l.sampleSize }) : '—'}</td>
                  <td class="ob-actions">
                    {isData && !l.receivedAt && (
                      <button type="button" class="btn btn-primary btn-small" data-testid="list-receive" onClick={() => void act(() => outboundApi.receive(l.listId), t('outbound.custody.receivedOk'))}>
                        {t('outbound.custody.receive')}
                      </button>
                    )}
                    {isData && l.receivedAt && !l.sampleResult && (
                      <button
                        type="button"
                        class="btn btn-secondary btn-small"
                        data-testid="list-sample"
                        onClick={() =>
                          void act(async () => {
                            const r = await outboundApi.sample(l.listId, 20);
                            setSample({ listId: l.listId, leads: r.leads });
                          }, t('outbound.custody.sampleDrawn'))
                        }
                      >
                        {t('outbound.custody.drawSample')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {sample && <SampleCheck sample={sample} onDone={(ok, bad, text) => void act(async () => (await outboundApi.sampleResult(sample.listId, ok, bad, text), setSample(null)), t('outbound.custody.sampleRecorded'))} />}
      </div>

      {isData && info && (
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">{t('outbound.custody.toTeam')}</h2>
          </div>
          <div class="card-body ob-row">
            <select value={team} onChange={(e) => setTeam(val(e))} aria-label={t('outbound.custody.team')} data-testid="to-team-team">
              {info.teams.map((x) => (
                <option value={x} key={x}>
                  {x}
                </option>
              ))}
            </select>
            <input type="number" min={1} value={teamCount} onInput={(e) => setTeamCount(val(e))} placeholder={t('outbound.custody.countAll', { n: info.summary.byCustody.received ?? 0 })} aria-label={t('outbound.custody.count')} data-testid="to-team-count" />
            <button type="button" class="btn btn-primary" disabled={!team} data-testid="to-team-go" onClick={() => void act(() => outboundApi.toTeam(sel!, team, teamCount ? Number(teamCount) : undefined), t('outbound.custody.handedOver'))}>
              {t('outbound.custody.handOver')}
            </button>
          </div>
        </div>
      )}

      {isLead && info && info.myTeams.length > 0 && (
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">{t('outbound.custody.toAgents')}</h2>
          </div>
          <div class="card-body">
            <div class="ob-row">
              <select value={agentTeam} onChange={(e) => (setAgentTeam(val(e)), setPicked({}))} aria-label={t('outbound.custody.team')} data-testid="to-agents-team">
                {info.myTeams.map((x) => (
                  <option value={x} key={x}>
                    {x}
                  </option>
                ))}
              </select>
              <span data-testid="team-pool">{t('outbound.custody.pool', { n: pool })}</span>
            </div>
            <table class="table ob-compact">
              <tbody>
                {teamAgents.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <label class="ob-check">
                        <input type="checkbox" checked={a.id in picked} onChange={(e) => setPicked((p) => { const n = { ...p }; if (checked(e)) n[a.id] = ''; else delete n[a.id]; return n; })} data-testid={`agent-pick-${a.number}`} />
                        {a.number} {a.name}
                      </label>
                    </td>
                    <td>
                      {a.id in picked && <input type="number" min={0} value={picked[a.id]} onInput={(e) => setPicked((p) => ({ ...p, [a.id]: val(e) }))} placeholder={t('outbound.custody.evenShare')} aria-label={t('outbound.custody.count')} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="ob-row">
              <input type="number" min={1} value={splitTotal} onInput={(e) => setSplitTotal(val(e))} placeholder={t('outbound.custody.splitTotal', { n: pool })} aria-label={t('outbound.custody.splitTotalLabel')} data-testid="split-total" />
              <button
                type="button"
                class="btn btn-primary"
                disabled={chosenIds.length === 0}
                data-testid="to-agents-go"
                onClick={() => {
                  const explicit = chosenIds.every((id) => picked[id] !== '');
                  const body = explicit ? { assignments: chosenIds.map((id) => ({ agentId: id, count: Number(picked[id]) })) } : { split: { agentIds: chosenIds, ...(splitTotal ? { total: Number(splitTotal) } : {}) } };
                  void act(() => outboundApi.toAgents(sel!, agentTeam, body), t('outbound.custody.handedOver'));
                }}
              >
                {t('outbound.custody.handOver')}
              </button>
            </div>
          </div>
        </div>
      )}

      {hasRole(user, 'manager') && <TeamsCard />}

      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('outbound.custody.history')}</h2>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="history-table">
            <thead>
              <tr>
                <th>{t('outbound.custody.when')}</th>
                <th>{t('outbound.custody.who')}</th>
                <th>{t('outbound.custody.kind')}</th>
                <th>{t('outbound.custody.from')}</th>
                <th>{t('outbound.custody.to')}</th>
                <th>{t('outbound.custody.count')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id} data-testid="history-row" data-kind={h.kind}>
                  <td class="tnum">{fmt(h.at)}</td>
                  <td>{h.byUsername}</td>
                  <td>{t(`outbound.handover.${h.kind}` as MessageKey)}</td>
                  <td>{refLabel(h.fromRef)}</td>
                  <td>{refLabel(h.toRef)}</td>
                  <td class="tnum">{h.count}</td>
                  <td>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="history-leads" onClick={() => void outboundApi.handoverLeads(h.id).then((leads) => setShown({ id: h.id, leads }), (e) => setErr(describeError(t, e)))}>
                      {t('outbound.custody.showLeads')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {shown && (
          <div class="card-body" data-testid="handover-leads">
            <div class="ob-row">
              <strong>{t('outbound.custody.leadsOf', { n: shown.leads.length, id: shown.id })}</strong>
              <span class="ob-grow" />
              <button type="button" class="btn btn-ghost btn-small" onClick={() => setShown(null)}>
                {t('outbound.cancel')}
              </button>
            </div>
            <div class="table-wrap">
              <table class="table ob-compact">
                <tbody>
                  {shown.leads.slice(0, 500).map((l) => (
                    <tr key={l.id}>
                      <td class="tnum">{l.id}</td>
                      <td class="mono">{l.phone}</td>
                      <td>{l.name}</td>
                      <td>{t(`outbound.lead.${l.status}` as MessageKey)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </div>

      <div class="card">
        <div class="card-head ob-row">
          <h2 class="card-title">{t('outbound.fair.title')}</h2>
          <span class="ob-grow" />
          {sel !== null && (
            <>
              <a class="btn btn-secondary btn-small" href={outboundApi.fairnessUrl(sel, 'csv')} download data-testid="fair-csv">
                {t('outbound.fair.csv')}
              </a>
              <a class="btn btn-secondary btn-small" href={outboundApi.fairnessUrl(sel, 'xlsx')} download data-testid="fair-xlsx">
                {t('outbound.fair.xlsx')}
              </a>
            </>
          )}
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="fair-table">
            <thead>
              <tr>
                <th>{t('outbound.fair.agent')}</th>
                <th>{t('outbound.custody.team')}</th>
                <th>{t('outbound.fair.received')}</th>
                <th>{t('outbound.fair.held')}</th>
                <th>{t('outbound.fair.worked')}</th>
                <th>{t('outbound.fair.attempts')}</th>
                <th>{t('outbound.fair.contacts')}</th>
                <th>{t('outbound.fair.sales')}</th>
                <th>{t('outbound.fair.conversion')}</th>
              </tr>
            </thead>
            <tbody>
              {fair.map((r) => (
                <tr key={r.agentId} data-testid="fair-row">
                  <td>
                    {r.agentNumber} {r.agentName}
                  </td>
                  <td>{r.team}</td>
                  <td class="tnum">{r.received}</td>
                  <td class="tnum">{r.held}</td>
                  <td class="tnum">{r.worked}</td>
                  <td class="tnum">{r.attempts}</td>
                  <td class="tnum">{r.contacts}</td>
                  <td class="tnum">{r.sales}</td>
                  <td class="tnum">{(r.conversion * 100).toFixed(1)} %</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

function SampleCheck({ sample, onDone }: { sample: { listId: number; leads: Lead[] }; onDone: (ok: boolean, bad: number, note: string) => void }) {
  const { t } = useI18n();
  const [bad, setBad] = useState<Set<number>>(new Set());
  const [text, setText] = useState('');
  return (
    <div class="card-body" data-testid="sample-check">
      <p>{t('outbound.custody.sampleHint', { n: sample.leads.length })}</p>
      <table class="table ob-compact">
        <tbody>
          {sample.leads.map((l) => (
            <tr key={l.id}>
              <td>
                <input type="checkbox" checked={bad.has(l.id)} onChange={(e) => setBad((b) => { const n = new Set(b); if (checked(e)) n.add(l.id); else n.delete(l.id); return n; })} aria-label={t('outbound.custody.markBad')} />
              </td>
              <td class="tnum">{l.sourceLine}</td>
              <td class="mono">{l.phone}</td>
              <td>{l.name}</td>
              <td>{Object.values(l.fields).join(' · ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="ob-row">
        <input value={text} onInput={(e) => setText(val(e))} placeholder={t('outbound.custody.sampleNote')} aria-label={t('outbound.custody.sampleNote')} />
        <button type="button" class="btn btn-primary btn-small" onClick={() => onDone(true, bad.size, text)} data-testid="sample-pass">
          {t('outbound.custody.pass', { bad: bad.size })}
        </button>
        <button type="button" class="btn btn-secondary btn-small" onClick={() => onDone(false, bad.size, text)}>
          {t('outbound.custody.fail')}
        </button>
      </div>
    </div>
  );
}

/** Managers name each team's lead (the user who hands the team's leads to its agents). */
function TeamsCard() {
  const { t } = useI18n();
  const [teams, setTeams] = useState<Array<{ name: string; leadUsername: string | null; agents: number }>>([]);
  const [edit, setEdit] = useState<Record<string, string>>({});
  const [err, setErr] = useState<string | null>(null);
  const load = useCallback(() => void outboundApi.teams().then(setTeams, (e) => setErr(describeError(t, e))), [t]);
  useEffect(load, [load]);
  return (
    <div class="card" data-testid="teams-card">
      <div class="card-head">
        <h2 class="card-title">{t('outbound.teams.title')}</h2>
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      <div class="table-wrap">
        <table class="table ob-compact">
          <thead>
            <tr>
              <th>{t('outbound.custody.team')}</th>
              <th>{t('outbound.teams.agents')}</th>
              <th>{t('outbound.teams.lead')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {teams.map((x) => (
              <tr key={x.name} data-testid="team-row">
                <td>{x.name}</td>
                <td class="tnum">{x.agents}</td>
                <td>
                  <input value={edit[x.name] ?? x.leadUsername ?? ''} onInput={(e) => setEdit((m) => ({ ...m, [x.name]: val(e) }))} placeholder={t('outbound.teams.username')} aria-label={t('outbound.teams.lead')} />
                </td>
                <td>
                  <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    onClick={() => {
                      setErr(null);
                      void outboundApi.setTeamLead(x.name, (edit[x.name] ?? x.leadUsername ?? '').trim() || null).then(load, (e) => setErr(describeError(t, e)));
                    }}
                  >
                    {t('outbound.teams.save')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
