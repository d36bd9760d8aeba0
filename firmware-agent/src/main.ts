// The orchestrator: opens the store, wires feature modules through their constructors and
// starts/stops them in order. Each module owns its own lifecycle (start/stop).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AgentsModule } from './agents/agents-module.js';
import { HotlineModule } from './hotline/hotline-module.js';
import { CampaignsModule } from './campaigns/campaigns-module.js';
import { DialerModule } from './dialer/dialer-module.js';
import { AsteriskDialerPort } from './dialer/asterisk-port.js';
import { DropMessage } from './dialer/drop-message.js';
import { SimulatedAgents, seedDemoDialerCampaign } from './dialer/demo.js';
import { LeadsImportService } from './leads/import/import-service.js';
import { FaxModule, faxModelPart } from './fax/fax-module.js';
import { SmsModule } from './sms/sms-module.js';
import { DeskRecords } from './desk/desk-records.js';
import { DeskModule } from './desk/desk-module.js';
import { WrapHolds } from './desk/wrap-holds.js';
import { seedDemoDeskAgent, seedDemoSeats } from './desk/demo.js';
import { RECORDINGS_SUBDIR, RecordingModule, type RecordingModuleDeps } from './recording/recording-module.js';
import { ReportsModule } from './reports/reports-module.js';
import { WallboardModule } from './reports/wallboard.js';
import { QaModule } from './qa/qa-module.js';
import { QaSamplingModule } from './qa/qa-sampling-module.js';
import { setTrainingService, TrainingService } from './training/training-service.js';
import { PeopleService } from './people/people-service.js';
import { tableSeatDirectory } from './agents/seat-directory.js';
import { AsteriskAmiClient } from './ami/client.js';
import { AuditLog } from './audit/audit-log.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { SessionStore } from './auth/sessions.js';
import { UserStore } from './auth/users.js';
import type { Module } from './core/module.js';
import { dbInfo, openDatabase, type Db } from './db/database.js';
import { DemoTraffic } from './demo/demo-traffic.js';
import { LiveFeed } from './http/live.js';
import type { Health, SystemMetrics, SystemStatus } from './http/schemas.js';
import { buildServer, type App } from './http/server.js';
import { createLogger, type Logger } from './logging.js';
import { demoHostRoot } from './hardware-inventory/probe.js';
import { PbxConfigurator } from './pbx-config/apply.js';
import { SeatsTrunksModule } from './pbx-model/seats-trunks-module.js';
import { CONTEXTS, CUSTOM_PROMPT_SUBDIR, DEFAULT_DIALING, SANDBOX_PATHS, defaultModel, type PbxModel } from './pbx-config/model.js';
import { ChrootAsterisk, defaultRootDir, moduleDir } from './pbx-runtime/index.js';
import { SettingsStore } from './settings/settings-store.js';
import { createSystemServices, prepareDataDir } from './system/backup/wiring.js';
import { assertPortsFree } from './system/ports.js';
import { SystemAsterisk } from './system/update/system-asterisk.js';
import type { SlotLayout } from './system/update/slots.js';
import { CallModel } from './telephony/call-model.js';
import { CallStore } from './telephony/call-store.js';
import { Telephony } from './telephony/telephony.js';
import { projectRoot, version } from './version.js';

export interface AgentOptions {
  dataDir: string;
  /** HTTP listen address and port. */
  host: string;
  port: number;
  demo: boolean;
  /** Asterisk runs chrooted in the cached sid root (demo, tests). */
  asterisk: { rootDir?: string; amiPort: number; sipPort: number; sipBind: string; rtpStart?: number; rtpEnd?: number; mode?: 'chroot' | 'system' };
  /** Appliance: A/B update slots (default the image's partitions) and where backups go. */
  system?: { updateLayout?: SlotLayout; backupTarget?: string };
  /** Asked to restart (a restore was staged): stop this agent and start a new one. */
  onRestartRequested?: () => void;
  /** Seconds between demo calls (demo mode). */
  demoCallIntervalSeconds?: number;
  /** Demo mode without the periodic call (tests place their own calls). Default true. */
  demoCalls?: boolean;
  uiDir?: string;
  logger?: Logger;
  /** Where the telephony-card outputs are read (hardware-inventory/probe.ts); default: setting hardware.hostRoot, the demo's fixture box in demo mode. */
  hostRoot?: string;
  /** ms between telephony-card polls (default 10 s). */
  hardwarePollMs?: number;
  /** Recording test seams: disk stats, encoder/decoder, disk poll and file settle times. */
  recording?: Partial<Pick<RecordingModuleDeps, 'disk' | 'encoder' | 'decoder' | 'diskPollMs' | 'settleMs'>>;
}

/** Random secret made of characters every config format accepts as-is. */
export function generateSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export class SeatBoxAgent {
  readonly log: Logger;
  readonly startedAt = Date.now();
  db!: Db;
  settings!: SettingsStore;
  /** On the appliance a SystemAsterisk stands in (same instance layout; ensureLayout/start/stop/onExit). */
  asterisk!: ChrootAsterisk;
  system?: ReturnType<typeof createSystemServices>;
  ami!: AsteriskAmiClient;
  model!: CallModel;
  store!: CallStore;
  telephony!: Telephony;
  configurator!: PbxConfigurator;
  agents!: AgentsModule;
  seatsTrunks?: SeatsTrunksModule;
  hotline!: HotlineModule;
  /** Campaigns, custody, lead queue (the dialer's LeadSource: campaigns.queue), DNC. */
  campaigns!: CampaignsModule;
  /** Predictive dialer (docs/dialer.md): paces the predictive/progressive campaigns. */
  dialer!: DialerModule;
  leadsImport!: LeadsImportService;
  recording!: RecordingModule;
  fax!: FaxModule;
  /** SMS through a GSM modem (docs/sms.md); the desk's AfterCallSms. */
  sms!: SmsModule;
  /** Desk records: identity checks, threat calls, complaint tickets, registrations (docs/desk-records.md). */
  deskRecords!: DeskRecords;
  /** Agent desktop core (docs/agent-desktop.md): desk.state pushes, disposition hold, click-to-dial, hold/transfer. */
  desk!: DeskModule;
  /** KPIs: queue-entry records, rollups folded every minute, reports (docs/reports.md). */
  reports!: ReportsModule;
  /** Wallboard (docs/wallboard.md): today's live figures pushed as wallboard.update. */
  wallboard!: WallboardModule;
  /** QA (docs/qa.md): forms, scoring, appeals, outlier re-checks, calibration. */
  qa!: QaModule;
  /** QA sampling plans, QA reports, monthly assessment (docs/qa-sampling.md). */
  qaSampling!: QaSamplingModule;
  /** Train before work (docs/training.md): the login gate every agent login passes. */
  training!: TrainingService;
  live = new LiveFeed();
  audit!: AuditLog;
  app?: App;
  private readonly started: Module[] = [];
  private lastReloadError: string | null = null;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelayMs = 1000;
  /** Settles when our Asterisk is fully booted; replaced while a restart is under way. */
  private pbxBooted: Promise<void> = Promise.resolve();
  private markBooted: () => void = () => undefined;
  private restarting = false;
  private statusTimer?: NodeJS.Timeout;
  private statusSoon?: NodeJS.Timeout;

  constructor(readonly opts: AgentOptions) {
    this.log = opts.logger ?? createLogger();
  }

  get instanceDir(): string {
    return join(this.opts.dataDir, 'asterisk');
  }

  /** The PBX model: stored settings plus the stored seats, trunks, routes and card settings. */
  buildModel(): PbxModel {
    const base = this.baseModel();
    return this.seatsTrunks ? this.seatsTrunks.buildModel(base) : base;
  }

  /** The PBX model from stored settings alone (paths, ports, demo…), with a fresh revision. */
  baseModel(): PbxModel {
    const a = this.opts.asterisk;
    const revision = `r${Date.now().toString(36)}`;
    const model = defaultModel({
      revision,
      amiSecret: this.settings.getOrCreate('ami.secret', () => generateSecret()),
      amiUsername: 'seatbox',
      amiPort: a.amiPort,
      paths: { mod: moduleDir(a.rootDir ?? defaultRootDir()) },
      sip: { bind: a.sipBind, port: a.sipPort, ...(a.rtpStart ? { rtpStart: a.rtpStart } : {}), ...(a.rtpEnd ? { rtpEnd: a.rtpEnd } : {}) },
      demo: { enabled: this.opts.demo, ...this.settings.get<Partial<PbxModel['demo']>>('demo.odds') },
    });
    return { ...model, ...faxModelPart(this.settings) };
  }

  async start(): Promise<void> {
    const log = this.log;
    // A staged restore is swapped in, and the database copied before pending migrations.
    await prepareDataDir({ dataDir: this.opts.dataDir, instanceDir: this.instanceDir, logger: log });
    this.db = openDatabase(this.opts.dataDir);
    this.settings = new SettingsStore(this.db);
    const audit = (this.audit = new AuditLog(this.db));
    // Demo (with its traffic): a few seats, so the demo agent can use the desktop at once.
    if (this.opts.demo && this.opts.demoCalls !== false) seedDemoSeats(this.db, log.child({ module: 'desk' }));
    // Seats, trunks, routes and cards. The cards are probed before the first config is
    // written: analog seats and lines need them.
    this.seatsTrunks = new SeatsTrunksModule({
      db: this.db,
      settings: this.settings,
      audit,
      live: this.live,
      logger: log.child({ module: 'seats-trunks' }),
      ami: () => this.ami,
      calls: () => this.model?.liveCalls() ?? [],
      callEvents: () => this.model,
      baseModel: () => this.baseModel(),
      apply: (m, actor) => this.applyModel(m, actor),
      sip: () => ({ bind: this.opts.asterisk.sipBind, port: this.opts.asterisk.sipPort }),
      hostRoot: this.opts.hostRoot ?? this.settings.get<string>('hardware.hostRoot') ?? (this.opts.demo ? demoHostRoot() : undefined),
      ...(this.opts.hardwarePollMs ? { hardwarePollMs: this.opts.hardwarePollMs } : {}),
    });
    await this.seatsTrunks.probeHardware();

    // Asterisk: generated config first (validated, atomic), then the chrooted process.
    // On the appliance (--asterisk system) Asterisk is the systemd service instead.
    this.asterisk =
      this.opts.asterisk.mode === 'system'
        ? (new SystemAsterisk({ instanceDir: this.instanceDir, logger: log.child({ module: 'asterisk' }) }) as unknown as ChrootAsterisk)
        : new ChrootAsterisk({ rootDir: this.opts.asterisk.rootDir, instanceDir: this.instanceDir, logger: log.child({ module: 'asterisk' }) });
    this.asterisk.ensureLayout();
    const model = this.buildModel();
    this.ami = new AsteriskAmiClient({
      host: '127.0.0.1',
      port: model.ami.port,
      username: model.ami.username,
      secret: model.ami.secret,
      logger: log.child({ module: 'ami' }),
    });
    this.configurator = new PbxConfigurator({ etcDir: this.asterisk.paths.etc, ami: this.ami, logger: log.child({ module: 'pbx-config' }) });
    // A port held by another process (often another Asterisk) would otherwise surface later
    // as a baffling AMI login failure against the wrong PBX.
    // (The system Asterisk of an agent restart holds them legitimately.)
    const asterisk = this.asterisk as ChrootAsterisk | SystemAsterisk;
    if (!(asterisk instanceof SystemAsterisk) || !(await asterisk.active())) await assertPortsFree([
      { proto: 'tcp', host: '127.0.0.1', port: model.ami.port, what: 'AMI (--ami-port)' },
      { proto: 'udp', host: model.sip.bind, port: model.sip.port, what: 'SIP (--sip-port)' },
    ]);
    await this.configurator.writeInitial(model);
    await this.asterisk.start();
    this.asterisk.onExit((code, signal) => this.onAsteriskExit(code, signal));

    this.store = new CallStore(this.db);
    this.model = new CallModel({ sink: this.store, logger: log.child({ module: 'calls' }) });
    this.model.on('call.updated', (c) => {
      this.live.publish({ type: 'call.updated', data: c });
      this.publishStatusSoon();
    });
    this.model.on('call.ended', (c) => {
      this.live.publish({ type: 'call.ended', data: c });
      this.publishStatusSoon();
    });
    this.telephony = new Telephony(this.ami, this.model, this.store, this.settings, log.child({ module: 'telephony' }));
    this.telephony.on('status', () => this.publishStatus());
    await this.telephony.start();
    this.started.push(this.telephony);
    // Agents subscribe before the first connect: its 'connect' writes the AstDB PINs and resyncs.
    // The seats table serves as seat directory until the seats module's registry is set below.
    this.agents = new AgentsModule({ db: this.db, ami: this.ami, settings: this.settings, audit, live: this.live, seats: tableSeatDirectory(this.db), logger: log.child({ module: 'agents' }) });
    // The desktop's disposition hold, before the agents' sessions are restored (a restart keeps it).
    const wrapHolds = new WrapHolds(this.db);
    this.agents.engine.setWrapUpHold((id) => wrapHolds.held(id));
    // The training gate: trainees and agents with open retraining cannot log in (UI, desk, phone).
    this.training = new TrainingService({
      db: this.db,
      audit,
      // A logged-in agent who becomes gated (retraining assigned, marked trainee) leaves the seat now.
      onChange: (id) => {
        if (this.agents.liveOf(id) && !this.training.gate(id).ok) this.agents.logout(id, true, { username: 'training-gate' });
      },
    });
    this.agents.engine.setLoginGate((id) => this.training.gate(id));
    setTrainingService(this.training);
    await this.agents.start();
    // Sessions restored from before a restart skip the gate: end those of agents gated meanwhile.
    for (const a of this.agents.engine.agents()) if (!this.training.gate(a.agent.id).ok) this.agents.logout(a.agent.id, true, { username: 'training-gate' });
    this.started.push(this.agents);
    await this.seatsTrunks.start();
    this.started.push(this.seatsTrunks);
    this.agents.setSeatDirectory(this.seatsTrunks.seats);
    this.seatsTrunks.seats.on('seat', (ext: string) => this.agents.publishSeat(ext));
    // Inbound hotline: IVR/queue documents through the same config-change flow, callbacks,
    // surveys, monitoring sessions, transfers (docs/hotline.md). Prompts land in this
    // instance's <astvarlibdir>/sounds/custom (<dataDir>/asterisk/lib/sounds/custom, seen by
    // Asterisk as /seatbox/lib/sounds/custom): per instance and inside the data dir.
    const rootDir = this.opts.asterisk.rootDir ?? defaultRootDir();
    this.hotline = new HotlineModule({
      db: this.db,
      ami: this.ami,
      audit,
      logger: log.child({ module: 'hotline' }),
      promptDir: join(this.instanceDir, 'lib', CUSTOM_PROMPT_SUBDIR),
      promptVarlib: SANDBOX_PATHS.varlib,
      convert: { rootDir },
      seats: () => this.seatsTrunks?.seats?.list().map((s) => s.extension) ?? [],
      changes: () => this.seatsTrunks?.changes,
      outsidePrefix: () => this.buildModel().dialing?.outsidePrefix ?? DEFAULT_DIALING.outsidePrefix,
    });
    await this.hotline.start();
    this.started.push(this.hotline);
    // Lead file import (docs/leads-import.md): uploads wait in <dataDir>/leads-import until imported.
    this.leadsImport = new LeadsImportService({ db: this.db, dataDir: this.opts.dataDir, audit, live: this.live });
    await this.leadsImport.start();
    this.started.push(this.leadsImport);
    // Campaigns, chain of custody, lead queue and do-not-call (docs/leads.md).
    this.campaigns = new CampaignsModule({ db: this.db, audit, live: this.live, logger: log.child({ module: 'campaigns' }), demo: this.opts.demo });
    await this.campaigns.start();
    this.started.push(this.campaigns);
    // Predictive dialer (docs/dialer.md): leads from the campaigns' lead queue, agents from the
    // agents module, calls through AMI (Local/<n>@seatbox-dialer-out).
    const dropMessage = new DropMessage({
      settings: this.settings,
      soundsDir: join(this.instanceDir, 'lib', CUSTOM_PROMPT_SUBDIR),
      asteriskSoundsDir: `${SANDBOX_PATHS.varlib}/${CUSTOM_PROMPT_SUBDIR}`,
      rootDir,
      logger: log.child({ module: 'dialer' }),
    });
    void dropMessage.prepare();
    // Demo: a predictive campaign and simulated agents on it, so the Dialer page has live numbers.
    const simAgents = this.opts.demo && this.opts.demoCalls !== false ? new SimulatedAgents(6, () => Date.now()) : null;
    if (simAgents) {
      try {
        seedDemoDialerCampaign(this.db, this.campaigns, new Date());
      } catch (err) {
        log.error({ err }, 'demo dialer campaign seed failed');
      }
    }
    this.dialer = new DialerModule({
      db: this.db,
      live: this.live,
      logger: log.child({ module: 'dialer' }),
      leads: this.campaigns.queue,
      ready: () => this.ami?.connected ?? false,
      campaigns: () =>
        this.campaigns.campaigns.list().map((c) => ({
          id: c.id,
          name: c.name,
          status: c.status,
          dialMode: c.dialMode,
          dropCapPercent: c.settings.dropCapPercent,
          channelLimit: c.settings.channelLimit,
          trunk: c.settings.trunk,
          callerId: c.settings.callerId,
        })),
      agents: () => [
        ...this.agents.engine.agents().map((a) => ({ agentId: a.agent.id, seat: a.seat, state: a.state, since: a.since })),
        ...(simAgents?.list() ?? []),
      ],
      ...(simAgents ? { onSeatCall: (seat: string, what: 'connected' | 'ended') => (what === 'connected' ? simAgents.connected(seat) : simAgents.ended(seat)) } : {}),
      port: new AsteriskDialerPort({
        ami: this.ami,
        logger: log.child({ module: 'dialer' }),
        // Demo: the simulated PSTN; else the outbound routes pick the trunk, as a seat's call would.
        destination: (phone) =>
          this.opts.demo ? { number: phone, context: CONTEXTS.pstnSim } : { number: `${this.buildModel().dialing?.outsidePrefix ?? DEFAULT_DIALING.outsidePrefix}${phone}`, context: CONTEXTS.outbound },
        // A dialer gives up ringing after 26 s (VICIdial's default dial_timeout too): long rings
        // seldom answer and hold a trunk channel and an agent's expected capacity.
        noAnswerSeconds: () => Math.min(26, this.buildModel().dialing?.trunkRingSeconds ?? DEFAULT_DIALING.trunkRingSeconds),
        dropSound: () => dropMessage.sound(),
      }),
    });
    await this.dialer.start();
    this.started.push(this.dialer);
    // Call recording: files in <instance>/spool/monitor (Asterisk: <paths.spool>/monitor),
    // on the data volume with the database; lifecycle job and disk watch (docs/recording.md).
    this.recording = new RecordingModule({
      db: this.db,
      ami: this.ami,
      live: this.live,
      audit,
      settings: this.settings,
      logger: log.child({ module: 'recording' }),
      root: join(this.instanceDir, 'spool', RECORDINGS_SUBDIR),
      rootDir,
      ...this.opts.recording,
    });
    await this.recording.start();
    this.started.push(this.recording);
    // Fax inbox/outbox (docs/fax.md): TIFFs in <instance>/spool/fax-*, PDFs in <dataDir>/fax.
    this.fax = new FaxModule({
      db: this.db,
      ami: this.ami,
      settings: this.settings,
      audit,
      live: this.live,
      logger: log.child({ module: 'fax' }),
      instanceDir: this.instanceDir,
      faxDir: join(this.opts.dataDir, 'fax'),
      asteriskSpool: SANDBOX_PATHS.spool,
      convert: { rootDir },
      demo: this.opts.demo,
      demoTraffic: this.opts.demoCalls !== false,
      trunks: () => (this.buildModel().trunks ?? []).map((t) => t.id),
      ringSeconds: () => this.buildModel().dialing?.trunkRingSeconds ?? DEFAULT_DIALING.trunkRingSeconds,
    });
    await this.fax.start();
    this.started.push(this.fax);
    // SMS (docs/sms.md): a GSM modem on a serial port; demo mode runs the simulated EC25 on a
    // socat pty pair. A missing modem or socat leaves SMS unavailable, never stops the agent.
    this.sms = new SmsModule({ db: this.db, audit, live: this.live, logger: log.child({ module: 'sms' }), campaigns: this.campaigns, demo: this.opts.demo });
    await this.sms.start().catch((err: unknown) => log.error({ err }, 'SMS module failed to start'));
    this.started.push(this.sms);
    // Desk records (docs/desk-records.md): after recording, so threat calls' recordings are kept as evidence.
    this.deskRecords = new DeskRecords({ db: this.db, audit, live: this.live, logger: log.child({ module: 'desk-records' }), campaigns: this.campaigns, recordings: this.recording.store, agents: this.agents, settings: this.settings });
    await this.deskRecords.start();
    this.started.push(this.deskRecords);
    // Agent desktop core (docs/agent-desktop.md): follows seat/call frames and the desk dialplan's events.
    this.desk = new DeskModule({
      db: this.db,
      ami: this.ami,
      agents: this.agents,
      campaigns: this.campaigns,
      live: this.live,
      audit,
      logger: log.child({ module: 'desk' }),
      holds: wrapHolds,
      identity: this.deskRecords.identity,
      sms: this.sms,
      calls: () => this.model?.liveCalls() ?? [],
      // Like the dialer: the demo's simulated PSTN, else the outbound routes.
      destination: (phone) =>
        this.opts.demo ? { number: phone, context: CONTEXTS.pstnSim } : { number: `${this.buildModel().dialing?.outsidePrefix ?? DEFAULT_DIALING.outsidePrefix}${phone}`, context: CONTEXTS.outbound },
    });
    await this.desk.start();
    this.started.push(this.desk);
    // An identity check opens the sensitive fields: push the agent's screen pop again.
    this.deskRecords.onIdentityChanged = (agentId) => this.desk.refreshAgent(agentId);
    // Demo (with its traffic; tests place their own calls): an agent desktop account, once the first admin exists.
    if (this.opts.demo && this.opts.demoCalls !== false) this.desk.seedDemoAccount(() => seedDemoDeskAgent(this.db, new UserStore(this.db), log.child({ module: 'desk' })));
    // Reports (docs/kpis.md): queue entries from AMI (subscribed before the first connect), rollups.
    this.reports = new ReportsModule({ db: this.db, settings: this.settings, audit, ami: this.ami, logger: log.child({ module: 'reports' }), archiveDir: join(this.opts.dataDir, 'reports-archive') });
    await this.reports.start();
    this.started.push(this.reports);
    // After the reports module: its queue recorder writes queue_calls before our (deferred) recompute reads them.
    this.wallboard = new WallboardModule({
      db: this.db, live: this.live, ami: this.ami, params: () => this.reports.params(), seats: () => this.agents.seatsLive(),
      queues: () => this.hotline.queues().queues.map((q) => ({ name: q.name, label: q.label })), logger: log.child({ module: 'wallboard' }),
    });
    await this.wallboard.start();
    this.started.push(this.wallboard);
    this.qa = new QaModule({ db: this.db, logger: log.child({ module: 'qa' }), demo: this.opts.demo });
    await this.qa.start();
    this.started.push(this.qa);
    // Sampling plans, QA reports and the monthly assessment; flagged agents go to retraining.
    this.qaSampling = new QaSamplingModule({
      db: this.db, settings: this.settings, audit, logger: log.child({ module: 'qa-sampling' }), reportParams: () => this.reports.params(),
      retraining: (agentId, reason) => `retraining #${this.training.assignRetraining(agentId, reason, 'assessment', { username: 'assessment' }).id}`,
    });
    await this.qaSampling.start();
    this.started.push(this.qaSampling);
    await this.ami.connect();

    this.system = createSystemServices(
      { dataDir: this.opts.dataDir, instanceDir: this.instanceDir, version: version(), update: { layout: this.opts.system?.updateLayout }, backupTarget: this.opts.system?.backupTarget, requestRestart: this.opts.onRestartRequested, logger: log },
      this.db, this.settings, audit, this.live,
    );
    await this.system.scheduler.start();
    this.started.push(this.system.scheduler);

    this.app = await buildServer({
      users: new UserStore(this.db),
      sessions: new SessionStore(this.db),
      audit,
      throttle: new LoginThrottle(),
      health: () => this.health(),
      status: () => this.status(),
      calls: () => this.model.liveCalls(),
      metrics: (sinceMs) => this.metrics(sinceMs),
      agents: this.agents,
      seatsTrunks: this.seatsTrunks,
      hotline: this.hotline,
      leadsImport: this.leadsImport,
      campaigns: this.campaigns,
      dialer: this.dialer,
      recording: this.recording,
      deskRecords: this.deskRecords,
      desk: this.desk,
      fax: this.fax,
      sms: this.sms,
      reports: this.reports,
      wallboard: this.wallboard,
      qa: this.qa,
      qaSampling: this.qaSampling,
      training: this.training,
      people: new PeopleService({ db: this.db, users: new UserStore(this.db), audit, settings: this.settings }),
      applyFaxIdentity: (actor) => this.applyModel(this.buildModel(), { ...(actor.userId ? { userId: actor.userId } : {}), ...(actor.username ? { username: actor.username } : {}), ...(actor.ip ? { ip: actor.ip } : {}) }),
      live: this.live,
      update: this.system.routes.update,
      backup: this.system.routes.backup,
      cookieSecret: this.settings.getOrCreate('http.cookieSecret', () => generateSecret(32)),
      uiDir: this.opts.uiDir ?? join(projectRoot(), 'dist', 'web-ui'),
      logger: log,
    });
    await this.app.listen({ host: this.opts.host, port: this.opts.port });

    if (this.opts.demo && this.opts.demoCalls !== false) {
      const demo = new DemoTraffic(this.ami, { intervalSeconds: this.opts.demoCallIntervalSeconds ?? 20, logger: log.child({ module: 'demo' }) });
      await demo.start();
      this.started.push(demo);
    }
    this.statusTimer = setInterval(() => this.publishStatus(), 5000);
    this.statusTimer.unref();
    log.info({ url: `http://${this.opts.host}:${this.address().port}`, demo: this.opts.demo }, 'SeatBox is up');
  }

  address(): { port: number } {
    const addr = this.app?.server.address();
    return { port: typeof addr === 'object' && addr ? addr.port : this.opts.port };
  }

  /** Apply a new PBX model (validated, atomic, rolled back on a failed reload). */
  async applyModel(model: PbxModel = this.buildModel(), actor: { userId?: number; username?: string; ip?: string } = {}): Promise<{ ok: boolean; error?: string }> {
    // AMI answers before Asterisk has loaded its modules (pbx_config, res_pjsip …): a reload
    // sent in that window fails with "No such command"; wait for the restart to finish.
    await this.pbxBooted;
    const res = await this.configurator.apply(model);
    this.audit.write({
      ...actor,
      action: res.ok ? 'pbx.config_applied' : 'pbx.config_refused',
      target: `revision:${model.revision}`,
      detail: res.ok ? { changed: res.changed } : { error: res.error, rolledBack: res.rolledBack },
    });
    this.db.prepare('INSERT INTO config_applies (revision, ok, changed, error, rolled_back) VALUES (?, ?, ?, ?, ?)').run(
      model.revision, res.ok ? 1 : 0, res.ok ? JSON.stringify(res.changed) : null, res.ok ? null : res.error, res.ok ? 0 : res.rolledBack ? 1 : 0,
    );
    this.lastReloadError = res.ok ? null : res.error;
    this.publishStatus();
    return res.ok ? { ok: true } : { ok: false, error: res.error };
  }

  private onAsteriskExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    // Supervise our own Asterisk: restart with backoff; AMI reconnect + resync do the rest.
    this.log.error({ code, signal, retryInMs: this.restartDelayMs }, 'Asterisk died; restarting it');
    this.publishStatus();
    if (!this.restarting) {
      this.restarting = true;
      this.pbxBooted = new Promise((resolve) => (this.markBooted = resolve));
    }
    this.restartTimer = setTimeout(() => {
      this.asterisk
        .start()
        .then(() => {
          this.restartDelayMs = 1000;
          this.restarting = false;
          this.markBooted();
        })
        .catch((err: unknown) => {
          this.log.error({ err }, 'Asterisk restart failed');
          this.restartDelayMs = Math.min(this.restartDelayMs * 2, 30_000);
          this.onAsteriskExit(null, null);
        });
    }, this.restartDelayMs);
  }

  status(): SystemStatus {
    const startedAt = this.telephony?.info.startedAt;
    const connected = this.ami?.connected ?? false;
    return {
      product: 'SeatBox',
      version: version(),
      agentUptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      rssBytes: process.memoryUsage.rss(),
      demo: this.opts.demo,
      asterisk: {
        connected,
        version: connected ? (this.telephony?.info.version ?? null) : null,
        channels: this.model?.channelCount ?? 0,
        calls: this.model?.callCount ?? 0,
        uptimeSeconds: connected && startedAt ? Math.max(0, Math.round((Date.now() - startedAt.getTime()) / 1000)) : null,
        lastReloadError: this.lastReloadError,
      },
    };
  }

  metrics(sinceMs: number): SystemMetrics {
    const cpu = process.cpuUsage();
    return {
      sinceMs,
      eventLagMs: this.ami.eventLag.summary(sinceMs),
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: process.memoryUsage.rss(),
      pid: process.pid,
      asteriskPid: this.asterisk?.pid ?? null,
    };
  }

  health(): Health {
    const db = dbInfo(this.db);
    const connected = this.ami?.connected ?? false;
    return {
      status: db.ok && connected ? 'ok' : 'degraded',
      version: version(),
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      db,
      asterisk: { connected, version: connected ? (this.telephony?.info.version ?? null) : null, channels: this.model?.channelCount ?? 0 },
    };
  }

  /** Status figures follow call changes, coalesced so a burst of events sends one frame. */
  private publishStatusSoon(): void {
    if (this.statusSoon) return;
    this.statusSoon = setTimeout(() => {
      this.statusSoon = undefined;
      this.publishStatus();
    }, 200);
  }

  private publishStatus(): void {
    if (this.db?.open) this.live.publish({ type: 'system.status', data: this.status() });
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.markBooted(); // nothing may wait for a PBX that will not come back
    clearInterval(this.statusTimer);
    clearTimeout(this.statusSoon);
    for (const m of this.started.reverse()) {
      await m.stop().catch((err: unknown) => this.log.error({ err, module: m.name }, 'module stop failed'));
    }
    await this.app?.close();
    await this.ami?.close().catch(() => undefined);
    await this.asterisk?.stop().catch((err: unknown) => this.log.error({ err }, 'Asterisk stop failed'));
    this.store?.flush();
    this.db?.close();
    this.log.info('SeatBox stopped');
  }
}
