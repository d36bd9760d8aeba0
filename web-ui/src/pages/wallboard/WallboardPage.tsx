// Wallboard (/wallboard): a full-screen board for a 1920×1080 TV, rendered without the console
// shell. Queues (waiting, longest wait, SL, answer rate, average talk against targets),
// campaigns (dials, drop rate against the cap), agents by state per team. Durations tick in the
// page from server timestamps (corrected by the server's clock); figures arrive as frames.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import type { TargetCheck } from '../../../../firmware-agent/src/reports/targets.js';
import type { WallboardCampaign, WallboardKpis, WallboardTeam } from '../../../../firmware-agent/src/reports/wallboard.js';
import { LanguageSwitch } from '../../components/LanguageSwitch.js';
import { formatDuration } from '../../format.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLive, useNow } from '../../live.js';
import { Link } from '../../router.js';
import { useWallboard } from './useWallboard.js';
import './wallboard.css';

const STATES = ['ready', 'ringing', 'talking', 'wrap_up', 'paused'] as const;

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const secs = (v: number | null) => (v === null ? '—' : formatDuration(v));

/** 'met' | 'missed' | 'none' for a metric's target check. */
function toneOf(checks: TargetCheck[], metric: string): 'met' | 'missed' | 'none' {
  const c = checks.find((x) => x.metric === metric);
  return !c || c.met === null ? 'none' : c.met ? 'met' : 'missed';
}

function targetText(t: TFunction, checks: TargetCheck[], metric: string, fmt: (v: number) => string): string | null {
  const c = checks.find((x) => x.metric === metric);
  return c ? t('wb.target', { op: c.op === 'min' ? '≥' : '≤', value: fmt(c.target) }) : null;
}

function Figure(props: { testid: string; label: string; value: string; tone?: 'met' | 'missed' | 'none' | 'warn'; sub?: string | null; data?: Record<string, string | number> }) {
  const data = Object.fromEntries(Object.entries(props.data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <div class={`wb-fig wb-tone-${props.tone ?? 'none'}`} data-testid={props.testid} data-tone={props.tone ?? 'none'} {...data}>
      <div class="wb-fig-value">{props.value}</div>
      <div class="wb-fig-label">{props.label}</div>
      {props.sub && <div class="wb-fig-sub">{props.sub}</div>}
    </div>
  );
}

function QueueTile({ name, label, waiting, oldestSince, today, targets, now, slSec }: { name: string; label: string; waiting: number; oldestSince: string | null; today: WallboardKpis; targets: TargetCheck[]; now: number; slSec: number }) {
  const { t } = useI18n();
  const longest = oldestSince ? Math.max(0, Math.floor((now - Date.parse(oldestSince)) / 1000)) : 0;
  return (
    <section class="wb-tile wb-queue" data-testid="wb-queue" data-queue={name}>
      <h3 class="wb-tile-title">{label}</h3>
      <div class="wb-figs wb-figs-big">
        <Figure testid="wb-waiting" label={t('wb.waiting')} value={String(waiting)} tone={waiting > 0 ? 'warn' : 'none'} data={{ count: waiting }} />
        <Figure testid="wb-longest" label={t('wb.longest')} value={oldestSince ? formatDuration(longest) : '—'} tone={oldestSince ? (longest > slSec ? 'missed' : 'warn') : 'none'} data={{ seconds: oldestSince ? longest : -1 }} />
      </div>
      <div class="wb-figs wb-figs-6">
        <Figure testid="wb-offered" label={t('wb.offered')} value={String(today.offered)} data={{ count: today.offered }} />
        <Figure testid="wb-answered" label={t('wb.answered')} value={String(today.answered)} data={{ count: today.answered }} />
        <Figure testid="wb-abandoned" label={t('wb.abandoned')} value={String(today.abandoned - today.shortAbandoned)} data={{ count: today.abandoned - today.shortAbandoned }} />
        <Figure testid="wb-sl" label={t('wb.sl', { sec: slSec })} value={pct(today.serviceLevel)} tone={toneOf(targets, 'serviceLevel')} sub={targetText(t, targets, 'serviceLevel', (v) => pct(v))} data={{ value: today.serviceLevel ?? '' }} />
        <Figure testid="wb-answer-rate" label={t('wb.answerRate')} value={pct(today.answerRate)} tone={toneOf(targets, 'answerRate')} sub={targetText(t, targets, 'answerRate', (v) => pct(v))} data={{ value: today.answerRate ?? '' }} />
        <Figure testid="wb-avg-talk" label={t('wb.avgTalk')} value={secs(today.avgTalkSeconds)} tone={toneOf(targets, 'avgTalkSeconds')} sub={targetText(t, targets, 'avgTalkSeconds', (v) => formatDuration(v))} data={{ value: today.avgTalkSeconds ?? '' }} />
      </div>
    </section>
  );
}

function CampaignTile({ c }: { c: WallboardCampaign }) {
  const { t } = useI18n();
  return (
    <section class="wb-tile wb-campaign" data-testid="wb-campaign" data-campaign={c.id}>
      <h3 class="wb-tile-title">{c.name}</h3>
      <div class="wb-figs">
        <Figure testid="wb-dials" label={t('wb.dials')} value={String(c.dials)} data={{ count: c.dials }} />
        <Figure testid="wb-live-answers" label={t('wb.liveAnswers')} value={String(c.liveAnswers)} data={{ count: c.liveAnswers }} />
        <Figure
          testid="wb-drop-rate"
          label={t('wb.dropRate')}
          value={pct(c.dropRate)}
          tone={c.dropMet === null ? 'none' : c.dropMet ? 'met' : 'missed'}
          sub={t('wb.dropCap', { value: pct(c.dropCap) })}
          data={{ value: c.dropRate ?? '' }}
        />
        <Figure testid="wb-camp-talk" label={t('wb.avgTalk')} value={secs(c.avgTalkSeconds)} tone={toneOf(c.targets, 'avgTalkSeconds')} />
      </div>
    </section>
  );
}

function TeamTile({ team, now }: { team: WallboardTeam; now: number }) {
  const { t } = useI18n();
  return (
    <section class="wb-tile wb-team" data-testid="wb-team" data-team={team.team}>
      <h3 class="wb-tile-title">
        {team.team || t('wb.noTeam')}
        <span class="wb-tile-aside">{t('wb.agentsCount', { n: team.agents.length })}</span>
      </h3>
      <div class="wb-counts">
        {STATES.map((s) => (
          <span key={s} class={`wb-count wb-st-${s}`} data-testid={`wb-count-${s}`} data-count={team.counts[s] ?? 0}>
            <b>{team.counts[s] ?? 0}</b> {t(`agentState.${s}` as MessageKey)}
          </span>
        ))}
      </div>
      <ul class="wb-agents">
        {team.agents.map((a) => {
          const d = Math.max(0, Math.floor((now - Date.parse(a.since)) / 1000));
          return (
            <li key={a.id} class={`wb-agent wb-st-${a.state}`} data-testid="wb-agent" data-agent={a.number} data-state={a.state}>
              <span class="wb-agent-name">{a.name}</span>
              <span class="wb-agent-state">{t(`agentState.${a.state}` as MessageKey)}</span>
              <span class="wb-agent-dur" data-testid="wb-agent-duration" data-seconds={d}>
                {formatDuration(d)}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function WallboardPage(_props: { user: User }) {
  const { t, lang } = useI18n();
  const live = useLive();
  const { snap, error, skewMs } = useWallboard();
  const now = useNow(1000) + skewMs;
  const [full, setFull] = useState(false);

  useEffect(() => {
    const on = () => setFull(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, []);

  const toggleFull = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void document.documentElement.requestFullscreen?.().catch(() => undefined);
  };

  if (!snap) {
    return (
      <div class="wb wb-empty" data-testid="wallboard-loading">
        {error ? t('wb.error') : t('wb.loading')}
      </div>
    );
  }
  const clock = new Date(now).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: snap.timeZone });
  return (
    <div class="wb" data-testid="wallboard" data-seq={snap.seq}>
      <header class="wb-head">
        <h1 class="wb-title">{t('wb.title')}</h1>
        <span class="wb-day">{t('wb.today', { day: snap.day })}</span>
        <span class="wb-clock" data-testid="wb-clock">{clock}</span>
        <span class={live.conn === 'open' ? 'wb-conn wb-conn-open' : 'wb-conn wb-conn-lost'} data-testid="wb-conn" data-conn={live.conn}>
          {live.conn === 'open' ? t('wb.conn.open') : t('wb.conn.lost')}
        </span>
        <div class="wb-head-tools">
          <LanguageSwitch />
          <button type="button" class="wb-btn" data-testid="wb-fullscreen" onClick={toggleFull}>
            {full ? t('wb.exitFullscreen') : t('wb.fullscreen')}
          </button>
          {!full && (
            <Link href="/" class="wb-btn wb-btn-quiet" data-testid="wb-back">
              {t('wb.back')}
            </Link>
          )}
        </div>
      </header>
      <main class="wb-body">
        <div class="wb-col wb-col-queues">
          <h2 class="wb-section">{t('wb.section.queues')}</h2>
          {/* The all-queues tile only when there is more than one queue (else it repeats the queue). */}
          {snap.queues.length > 1 && <QueueTile name="" label={t('wb.center')} {...snap.center} now={now} slSec={snap.serviceLevelSeconds} />}
          {snap.queues.length === 0 && <p class="wb-none">{t('wb.noQueues')}</p>}
          {snap.queues.map((q) => (
            <QueueTile key={q.name} {...q} now={now} slSec={snap.serviceLevelSeconds} />
          ))}
          <h2 class="wb-section">{t('wb.section.campaigns')}</h2>
          {snap.campaigns.length === 0 && <p class="wb-none" data-testid="wb-no-campaigns">{t('wb.noCampaigns')}</p>}
          <div class="wb-campaigns">
            {snap.campaigns.map((c) => (
              <CampaignTile key={c.id} c={c} />
            ))}
          </div>
        </div>
        <div class="wb-col wb-col-agents">
          <h2 class="wb-section">{t('wb.section.agents')}</h2>
          {snap.teams.length === 0 && <p class="wb-none">{t('wb.noAgents')}</p>}
          <div class="wb-teams">
            {snap.teams.map((tm) => (
              <TeamTile key={tm.team} team={tm} now={now} />
            ))}
          </div>
        </div>
      </main>
    </div>
  );
}
