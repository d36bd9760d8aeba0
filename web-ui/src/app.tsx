// The app: boot (CSRF token, setup status, session), then setup / sign in / console.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../../firmware-agent/src/http/schemas.js';
import { api, refreshCsrf } from './api.js';
import { Icon } from './components/Icon.js';
import { Layout } from './components/Layout.js';
import { I18nProvider, useI18n, type MessageKey } from './i18n/index.js';
import { LiveProvider } from './live.js';
import { matchRoute } from './nav.js';
import { AgentsPage } from './pages/agents/AgentsPage.js';
import { DashboardPage } from './pages/Dashboard.js';
import { LiveBoardPage } from './pages/live-board/LiveBoard.js';
import { LoginPage } from './pages/Login.js';
import { NotFoundPage } from './pages/NotFound.js';
import { PlaceholderPage } from './pages/Placeholder.js';
import { SetupPage } from './pages/Setup.js';
import { SystemStatusPage } from './pages/SystemStatus.js';
import { HardwarePage } from './pages/hardware/HardwarePage.js';
import { SeatsPage } from './pages/seats/SeatsPage.js';
import { TrunksPage } from './pages/trunks/TrunksPage.js';
import { CallbacksPage } from './pages/inbound/CallbacksPage.js';
import { FaxNotifier } from './pages/fax/FaxNotifier.js';
import { TicketsPage } from './pages/tickets/TicketsPage.js';
import { ThreatsPage } from './pages/tickets/ThreatsPage.js';
import { RegistrationsPage } from './pages/tickets/RegistrationsPage.js';
import { ThreatNotifier } from './pages/tickets/ThreatNotifier.js';
import { FaxPage } from './pages/fax/FaxPage.js';
import { SmsPage } from './pages/sms/SmsPage.js';
import { IvrPage } from './pages/inbound/IvrPage.js';
import { QueuesPage } from './pages/inbound/QueuesPage.js';
import { RecordingsPage } from './pages/recordings/RecordingsPage.js';
import { BackupPage } from './pages/system/backup/BackupPage.js';
import { LeadsImportPage } from './pages/leads-import/LeadsImportPage.js';
import { CampaignsPage } from './pages/outbound/CampaignsPage.js';
import { CustodyPage } from './pages/outbound/CustodyPage.js';
import { DncPage } from './pages/outbound/DncPage.js';
import { DialerPage } from './pages/dialer/DialerPage.js';
import { AgentDeskPage } from './pages/desk/AgentDesk.js';
import { ReportsPage } from './pages/reports/ReportsPage.js';
import { WallboardPage } from './pages/wallboard/WallboardPage.js';
import { TrainingPage } from './pages/training/TrainingPage.js';
import { PeoplePage } from './pages/people/PeoplePage.js';
import { QaScorePage } from './pages/qa/QaScorePage.js';
import { QaEvaluationsPage } from './pages/qa/QaEvaluationsPage.js';
import { QaAppealsPage } from './pages/qa/QaAppealsPage.js';
import { QaCalibrationPage } from './pages/qa/QaCalibrationPage.js';
import { QaFormsPage } from './pages/qa/QaFormsPage.js';
import { SamplingPage } from './pages/qa/SamplingPage.js';
import { QaReportsPage } from './pages/qa/QaReportsPage.js';
import { AssessmentPage } from './pages/qa/AssessmentPage.js';
import { UpdatePage } from './pages/system/update/UpdatePage.js';
import { homePath, navigate, usePath } from './router.js';

type Phase =
  | { kind: 'loading' }
  | { kind: 'unreachable' }
  | { kind: 'setup' }
  | { kind: 'login'; notice: MessageKey | null }
  | { kind: 'app'; user: User };

const AUTH_PATHS = new Set(['/login', '/setup']);

function Shell() {
  const { t, adoptLang } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const path = usePath();
  /** where a signed-out visitor wanted to go, restored after sign-in */
  const returnTo = useRef<string | null>(null);

  const boot = useCallback(async (notice: MessageKey | null = null) => {
    setPhase({ kind: 'loading' });
    try {
      await refreshCsrf();
      const { needsSetup } = await api.setupStatus();
      if (needsSetup) {
        setPhase({ kind: 'setup' });
        return;
      }
      const user = await api.me();
      if (user) {
        adoptLang(user.language);
        setPhase({ kind: 'app', user });
      } else {
        setPhase({ kind: 'login', notice });
      }
    } catch {
      setPhase({ kind: 'unreachable' });
    }
  }, [adoptLang]);

  useEffect(() => {
    void boot();
  }, [boot]);

  // Keep the address bar in line with the phase.
  useEffect(() => {
    if (phase.kind === 'setup' && path !== '/setup') navigate('/setup', { replace: true });
    else if (phase.kind === 'login' && path !== '/login') {
      returnTo.current = AUTH_PATHS.has(path) || phase.notice === 'login.loggedOut' ? null : path;
      navigate('/login', { replace: true });
    } else if (phase.kind === 'app' && AUTH_PATHS.has(path)) {
      navigate(returnTo.current ?? homePath(phase.user.roles), { replace: true });
      returnTo.current = null;
    }
  }, [phase, path]);

  // Opening the console at "/" with a session: agents start on their desktop (once per sign-in,
  // so the dashboard stays reachable).
  const landed = useRef(false);
  useEffect(() => {
    if (phase.kind !== 'app') {
      landed.current = false;
      return;
    }
    if (landed.current || AUTH_PATHS.has(path)) return;
    landed.current = true;
    if (path === '/' && homePath(phase.user.roles) !== '/') navigate(homePath(phase.user.roles), { replace: true });
  }, [phase, path]);

  const signedIn = useCallback(
    async (user: User) => {
      // The session changed: the server may bind the CSRF token to it.
      await refreshCsrf().catch(() => undefined);
      adoptLang(user.language);
      setPhase({ kind: 'app', user });
    },
    [adoptLang],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      /* the session is dropped locally either way */
    }
    await refreshCsrf().catch(() => undefined);
    setPhase({ kind: 'login', notice: 'login.loggedOut' });
  }, []);

  // The live feed found the session gone: start over (setup state, session), saying why.
  const authLost = useCallback(() => {
    void boot('login.sessionExpired');
  }, [boot]);

  const route = phase.kind === 'app' ? matchRoute(path) : null;
  // A section path ('/system') shows its first page: put that page's path in the address bar.
  useEffect(() => {
    if (route && route.item.path !== path && !AUTH_PATHS.has(path)) navigate(route.item.path, { replace: true });
  }, [route, path]);
  useEffect(() => {
    const page =
      phase.kind === 'setup'
        ? t('setup.title')
        : phase.kind === 'login'
          ? t('login.title')
          : route
            ? t(route.item.label)
            : phase.kind === 'app'
              ? t('notFound.title')
              : null;
    document.title = page ? `${page} · ${t('app.name')}` : t('app.name');
  }, [phase, route, t]);

  switch (phase.kind) {
    case 'loading':
      return (
        <div class="boot" data-testid="boot">
          <span class="spinner" aria-hidden="true" />
          <span>{t('app.loading')}</span>
        </div>
      );
    case 'unreachable':
      return (
        <div class="boot">
          <div class="card placeholder">
            <div class="placeholder-icon tone-red">
              <Icon name="warning" size={30} />
            </div>
            <h2 class="placeholder-title">{t('app.unreachable.title')}</h2>
            <p class="placeholder-text">{t('app.unreachable.body')}</p>
            <button type="button" class="btn btn-primary" onClick={() => void boot(null)}>
              <Icon name="refresh" size={16} />
              {t('app.retry')}
            </button>
          </div>
        </div>
      );
    case 'setup':
      return <SetupPage onDone={signedIn} />;
    case 'login':
      return <LoginPage notice={phase.notice} onDone={signedIn} />;
    case 'app': {
      const item = route?.item;
      // The wallboard fills a TV: no nav, no header.
      if (item?.page === 'wallboard')
        return (
          <LiveProvider onAuthLost={authLost}>
            <WallboardPage user={phase.user} />
          </LiveProvider>
        );
      return (
        <LiveProvider onAuthLost={authLost}>
          <Layout user={phase.user} route={route} onLogout={logout}>
            {!item ? (
              <NotFoundPage />
            ) : item.page === 'dashboard' ? (
              <DashboardPage user={phase.user} />
            ) : item.page === 'seats' ? (
              <SeatsPage user={phase.user} />
            ) : item.page === 'trunks' ? (
              <TrunksPage user={phase.user} />
            ) : item.page === 'inboundIvr' ? (
              <IvrPage user={phase.user} />
            ) : item.page === 'inboundQueues' ? (
              <QueuesPage user={phase.user} />
            ) : item.page === 'inboundCallbacks' ? (
              <CallbacksPage user={phase.user} />
            ) : item.page === 'recordings' ? (
              <RecordingsPage user={phase.user} />
            ) : item.page === 'fax' ? (
              <FaxPage user={phase.user} />
            ) : item.page === 'sms' ? (
              <SmsPage user={phase.user} />
            ) : item.page === 'hardware' ? (
              <HardwarePage user={phase.user} />
            ) : item.page === 'systemStatus' ? (
              <SystemStatusPage />
            ) : item.page === 'liveBoard' ? (
              <LiveBoardPage user={phase.user} />
            ) : item.page === 'agents' ? (
              <AgentsPage user={phase.user} />
            ) : item.page === 'systemUpdate' ? (
              <UpdatePage user={phase.user} />
            ) : item.page === 'systemBackup' ? (
              <BackupPage user={phase.user} />
            ) : item.page === 'leadsImport' ? (
              <LeadsImportPage user={phase.user} />
            ) : item.page === 'outboundCampaigns' ? (
              <CampaignsPage user={phase.user} />
            ) : item.page === 'outboundCustody' ? (
              <CustodyPage user={phase.user} />
            ) : item.page === 'outboundDnc' ? (
              <DncPage user={phase.user} />
            ) : item.page === 'tickets' ? (
              <TicketsPage user={phase.user} />
            ) : item.page === 'threats' ? (
              <ThreatsPage user={phase.user} />
            ) : item.page === 'registrations' ? (
              <RegistrationsPage user={phase.user} />
            ) : item.page === 'outboundDialer' ? (
              <DialerPage user={phase.user} />
            ) : item.page === 'agentDesk' ? (
              <AgentDeskPage user={phase.user} />
            ) : item.page === 'qaScore' ? (
              <QaScorePage user={phase.user} />
            ) : item.page === 'qaEvaluations' ? (
              <QaEvaluationsPage user={phase.user} />
            ) : item.page === 'qaAppeals' ? (
              <QaAppealsPage user={phase.user} />
            ) : item.page === 'qaCalibration' ? (
              <QaCalibrationPage user={phase.user} />
            ) : item.page === 'qaForms' ? (
              <QaFormsPage user={phase.user} />
            ) : item.page === 'qaSampling' ? (
              <SamplingPage user={phase.user} />
            ) : item.page === 'qaReports' ? (
              <QaReportsPage user={phase.user} />
            ) : item.page === 'qaAssessments' ? (
              <AssessmentPage user={phase.user} />
            ) : item.page === 'training' ? (
              <TrainingPage user={phase.user} />
            ) : item.page === 'people' ? (
              <PeoplePage user={phase.user} />
            ) : item.page === 'reports' ? (
              <ReportsPage user={phase.user} />
            ) : (
              <PlaceholderPage key={item.path} label={item.label} desc={item.desc} icon={item.icon} />
            )}
          </Layout>
          <FaxNotifier user={phase.user} />
          <ThreatNotifier user={phase.user} />
        </LiveProvider>
      );
    }
  }
}

export function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  );
}
