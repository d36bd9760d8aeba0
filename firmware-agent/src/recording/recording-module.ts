// Recording module (docs/recording.md): learns of every MixMonitor recording from the
// dialplan's UserEvent SeatBoxRecording, finishes the row when the recorded channel hangs
// up (duration measured from the file, size, sha256, the agent at the seat), reconciles
// files and rows on start, drives the dialplan switch (AstDB seatbox-recording/stopped) and
// owns the storage lifecycle (lifecycle.ts).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { LiveFeed } from '../http/live.js';
import type { Logger } from '../logging.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { ffmpegDecoder, ffmpegEncoder, sha256File, wavFacts, type Decoder, type Encoder } from './audio.js';
import { statfsDisk, type DiskStatsFn } from './disk.js';
import { DEFAULT_LIFECYCLE, RecordingLifecycle, lifecycleIssues, type LifecycleSettings } from './lifecycle.js';
import { RecordingStore, type RecordingRow } from './recording-store.js';

/** AstDB family/key of the dialplan switch (1 = no new recordings). */
export const SWITCH_FAMILY = 'seatbox-recording';
export const SWITCH_KEY = 'stopped';
/**
 * Where the files are, inside the instance's spool dir (Asterisk: <paths.spool>/monitor, its
 * standard recording dir; the backup's "include recordings" takes the same directory).
 */
export const RECORDINGS_SUBDIR = 'monitor';
export const SETTINGS_KEY = 'recording.lifecycle';

export interface RecordingModuleDeps {
  db: Db;
  ami: AmiClient;
  live: LiveFeed;
  audit: AuditLog;
  settings: SettingsStore;
  logger: Logger;
  /** Host directory of the recordings (<instance>/spool/monitor). */
  root: string;
  /** The sid root holding ffmpeg. */
  rootDir: string;
  encoder?: Encoder;
  decoder?: Decoder;
  disk?: DiskStatsFn;
  diskPollMs?: number;
  /** How long a finished recording's file may take to appear / settle (default 5 s). */
  settleMs?: number;
  now?: () => Date;
}

const RECORDING_NAME = /^(\d{4})\/(\d{2})\/(\d{2})\/([0-9.]+)-([0-9.]+)\.(wav|opus)$/;

export class RecordingModule implements Module {
  readonly name = 'recording';
  readonly store: RecordingStore;
  readonly lifecycle: RecordingLifecycle;
  private readonly pending = new Map<string, Promise<void>>();
  private switchWanted: boolean | null = null;

  constructor(private readonly d: RecordingModuleDeps) {
    this.store = new RecordingStore(d.db);
    mkdirSync(d.root, { recursive: true });
    this.lifecycle = new RecordingLifecycle({
      store: this.store,
      root: d.root,
      encoder: d.encoder ?? ffmpegEncoder(d.rootDir),
      decoder: d.decoder ?? ffmpegDecoder(d.rootDir),
      disk: d.disk ?? statfsDisk(d.root),
      settings: () => this.settings(),
      setStopped: (s) => this.setSwitch(s),
      publishJob: (p) => d.live.publish({ type: 'recording.job', data: p }),
      publishStorage: (s) => d.live.publish({ type: 'recording.storage', data: s }),
      publishAlarm: (a) => d.live.publish({ type: 'alarm', data: { source: 'recording.disk', severity: a.severity, message: a.message, at: a.at } }),
      logger: d.logger,
      ...(d.now ? { now: d.now } : {}),
      ...(d.diskPollMs !== undefined ? { diskPollMs: d.diskPollMs } : {}),
    });
  }

  settings(): LifecycleSettings {
    const s = this.d.settings.get<Partial<LifecycleSettings>>(SETTINGS_KEY) ?? {};
    return { ...DEFAULT_LIFECYCLE, ...s, thresholds: { ...DEFAULT_LIFECYCLE.thresholds, ...s.thresholds } };
  }

  /** Saves lifecycle settings (validated); returns the message of the first problem, or null. */
  saveSettings(s: LifecycleSettings): string | null {
    const issue = lifecycleIssues(s);
    if (issue) return issue;
    this.d.settings.set(SETTINGS_KEY, s);
    this.lifecycle.reschedule();
    return null;
  }

  async start(): Promise<void> {
    this.d.ami.on('event', this.onEvent);
    this.d.ami.on('connect', this.onConnect);
    await this.reconcile();
    await this.lifecycle.start();
  }

  async stop(): Promise<void> {
    this.d.ami.off('event', this.onEvent as never);
    this.d.ami.off('connect', this.onConnect as never);
    await this.lifecycle.stop();
    await Promise.all(this.pending.values());
  }

  /** Host path of a row's file. */
  fileOf(row: RecordingRow): string {
    return join(this.d.root, row.path);
  }

  /** Turns the dialplan switch; remembered and written again on every AMI (re)connect. */
  private async setSwitch(stopped: boolean): Promise<void> {
    this.switchWanted = stopped;
    if (!this.d.ami.connected) return;
    try {
      if (stopped) await this.d.ami.action('DBPut', { Family: SWITCH_FAMILY, Key: SWITCH_KEY, Val: '1' });
      else await this.d.ami.action('DBDel', { Family: SWITCH_FAMILY, Key: SWITCH_KEY }).catch(() => undefined); // absent already: fine
    } catch (err) {
      this.d.logger.error({ err, stopped }, 'could not set the recording switch');
    }
  }

  private readonly onConnect = (): void => {
    if (this.switchWanted !== null) void this.setSwitch(this.switchWanted);
    // Channels that hung up while we were away: finish what has no live channel any more.
    void this.finishOrphans();
  };

  private readonly onEvent = (m: AmiMessage): void => {
    const ev = m.event;
    if (ev === 'UserEvent' && m.get('UserEvent') === 'SeatBoxRecording') {
      const phase = m.get('Phase');
      if (phase === 'start') this.onStart(m);
      else if (phase === 'skipped') this.d.logger.warn({ linkedid: m.get('Linkedid'), reason: m.get('Reason') }, 'call not recorded: recording is stopped');
    } else if (ev === 'Hangup' || ev === 'MixMonitorStop') {
      const uid = m.get('Uniqueid');
      if (uid && !this.pending.has(uid)) {
        const row = this.store.byUniqueid(uid);
        if (row && row.state === 'recording') this.finishLater(row);
      }
    }
  };

  private onStart(m: AmiMessage): void {
    const file = m.get('File') ?? '';
    const uniqueid = m.get('Uniqueid') ?? '';
    const linkedid = m.get('Linkedid') ?? uniqueid;
    if (!RECORDING_NAME.test(file) || !uniqueid) {
      this.d.logger.error({ file, uniqueid }, 'SeatBoxRecording event with an unexpected file name; ignored');
      return;
    }
    const row = this.store.begin({ linkedid, uniqueid, channel: m.get('Channel') ?? null, seat: m.get('Seat') || null, path: file });
    this.d.live.publish({ type: 'recording.started', data: { id: row.id, linkedid, seat: row.seat, startedAt: row.started_at } });
  }

  private finishLater(row: RecordingRow): void {
    const p = this.finish(row)
      .catch((err: unknown) => this.d.logger.error({ err, recording: row.id }, 'could not finish the recording'))
      .finally(() => this.pending.delete(row.uniqueid));
    this.pending.set(row.uniqueid, p);
  }

  /** Waits until the file has settled (MixMonitor closes it after the hang-up), then measures it. */
  async finish(row: RecordingRow): Promise<void> {
    const path = this.fileOf(row);
    const deadline = Date.now() + (this.d.settleMs ?? 5000);
    let last = -1;
    for (;;) {
      const size = existsSync(path) ? statSync(path).size : -1;
      if (size >= 0 && size === last) break;
      if (Date.now() > deadline) break;
      last = size;
      await new Promise((r) => setTimeout(r, 300));
    }
    // With MixMonitor's "b" option a call that never reached a bridge leaves no file, or only a
    // bare WAV header (an IVR caller who hung up, a fax, an unanswered trunk call): no
    // conversation, nothing lost, no row. A bridged call without its file is a loss: kept as missing.
    const facts = existsSync(path) ? wavFacts(path) : null;
    if (!facts || facts.durationMs === 0) {
      const call = this.d.db.prepare<[string], { bridged_at: string | null }>('SELECT bridged_at FROM calls WHERE linkedid = ?').get(row.linkedid);
      if (!call?.bridged_at) {
        rmSync(path, { force: true });
        this.d.db.prepare("DELETE FROM recordings WHERE id = ? AND state = 'recording'").run(row.id);
        return;
      }
      if (!facts) {
        this.store.markMissing(row.id);
        this.d.logger.error({ recording: row.id, path }, 'recording file missing for a bridged call');
        return;
      }
    }
    const sha = await sha256File(path);
    const who = this.agentAt(row);
    this.store.finish(row.id, { endedAt: (this.d.now?.() ?? new Date()).toISOString(), durationMs: facts.durationMs, sizeBytes: statSync(path).size, sha256: sha, ...who });
    // Ids only: the live feed goes to every signed-in user, agents included; details come
    // from the role-checked API.
    this.d.live.publish({ type: 'recording.finished', data: { id: row.id, linkedid: row.linkedid, durationMs: facts.durationMs } });
  }

  /** The agent of a recording: who talked on the call (agent state history), else who was logged in at the seat. */
  private agentAt(row: RecordingRow): { seat: string | null; agentId: number | null; agentSessionId: number | null } {
    const talk = this.d.db
      .prepare<[string], { agent_id: number; session_id: number; seat: string }>("SELECT agent_id, session_id, seat FROM agent_state_history WHERE linkedid = ? ORDER BY (state = 'talking') DESC, start_at LIMIT 1")
      .get(row.linkedid);
    if (talk) return { seat: talk.seat, agentId: talk.agent_id, agentSessionId: talk.session_id };
    let seat = row.seat;
    if (!seat) {
      // Inbound calls are recorded on the trunk's channel: the seat is the other leg.
      const leg = this.d.db
        .prepare<[string], { ext: string }>("SELECT s.extension AS ext FROM call_legs l JOIN seats s ON l.endpoint = 'PJSIP/' || s.extension WHERE l.linkedid = ? ORDER BY l.created_at LIMIT 1")
        .get(row.linkedid);
      seat = leg?.ext ?? null;
    }
    if (!seat) return { seat: null, agentId: null, agentSessionId: null };
    const s = this.d.db
      .prepare<[string, string, string], { id: number; agent_id: number }>('SELECT id, agent_id FROM agent_sessions WHERE seat = ? AND login_at <= ? AND (logout_at IS NULL OR logout_at >= ?) ORDER BY login_at DESC LIMIT 1')
      .get(seat, row.started_at, row.started_at);
    return { seat, agentId: s?.agent_id ?? null, agentSessionId: s?.id ?? null };
  }

  /** Open rows whose channel is gone (hung up while the agent was down or disconnected). */
  private async finishOrphans(): Promise<void> {
    const open = this.store.open();
    if (open.length === 0 || !this.d.ami.connected) return;
    let live: Set<string>;
    try {
      const res = await this.d.ami.listAction('CoreShowChannels');
      live = new Set(res.events.map((e) => e.get('Uniqueid') ?? ''));
    } catch {
      return;
    }
    for (const row of open) if (!live.has(row.uniqueid) && !this.pending.has(row.uniqueid)) this.finishLater(row);
  }

  /**
   * Start-up reconciliation: rows whose file is gone become missing (their size known),
   * files without a row (written while the agent was down) get one, measured from the file.
   */
  async reconcile(): Promise<{ added: number; missing: number }> {
    let added = 0;
    let missing = 0;
    for (const row of this.store.present()) {
      if (row.state === 'complete' && !existsSync(this.fileOf(row))) {
        this.store.markMissing(row.id);
        missing++;
      }
    }
    for (const rel of listFiles(this.d.root)) {
      const m = RECORDING_NAME.exec(rel);
      if (!m || this.store.byPath(rel)) continue;
      // A compressed file of a row that still points at the WAV (crash between rename and update) is handled by the row.
      if (m[6] === 'opus' && this.store.byPath(rel.replace(/\.opus$/, '.wav'))) continue;
      if (m[6] !== 'wav') continue;
      const startedAt = statSync(join(this.d.root, rel)).birthtime.toISOString();
      const row = this.store.begin({ linkedid: m[4]!, uniqueid: m[5]!, channel: null, seat: null, path: rel, startedAt });
      if (row.path === rel) added++;
    }
    // Open rows: finished now if their channel is gone (checked again once AMI connects).
    if (this.d.ami.connected) await this.finishOrphans();
    return { added, missing };
  }
}

/** Every file under `root`, as paths relative to it with "/" separators. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}
