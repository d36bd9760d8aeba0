// SMS module (docs/sms.md): templates per campaign, bulk sends and send-after-call through a
// GSM modem (SmsModem adapter), a rate-limited send queue with retries, delivery reports,
// the inbox and opt-out replies (→ do-not-call). In demo mode the modem is the simulator on a
// socat pty pair. Dependencies through the constructor; start()/stop() own the modem.
import type { AuditLog } from '../audit/audit-log.js';
import { hoursState } from '../campaigns/calling-hours.js';
import type { Campaign } from '../campaigns/campaign-store.js';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { renderScript } from '../campaigns/settings.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { AfterCallSms } from '../desk/contract.js';
import { normalizePhone } from '../dnc/dnc-store.js';
import type { LiveFeed } from '../http/live.js';
import type { Logger } from '../logging.js';
import { SettingsStore } from '../settings/settings-store.js';
import { AtModem, openSerialPort } from './at-modem.js';
import { ModemSimulator } from './modem-sim.js';
import { SmsSendError, type ModemStatus, type SmsModem } from './modem.js';
import { encodeSubmit, PduError, smsInfo, type DecodedDeliver, type DecodedStatusReport, type SmsInfo } from './pdu.js';
import { createPtyPair, socatAvailable, type PtyPair } from './pty-pair.js';
import { defaultSmsSettings, normalizeKeyword, validateSmsSettings, type SmsSettings } from './sms-settings.js';

export interface SmsActor {
  userId: number | null;
  username: string | null;
  ip?: string | null;
}

export class SmsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const MESSAGE_STATES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'skipped'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];
export const TRIGGERS = ['manual', 'after_call'] as const;

export interface SmsTemplate {
  id: number;
  campaignId: number;
  name: string;
  body: string;
  trigger: (typeof TRIGGERS)[number];
  dispositions: string[];
  enabled: boolean;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  info: SmsInfo;
}

export interface SmsMessage {
  id: number;
  batchId: number | null;
  templateId: number | null;
  campaignId: number | null;
  leadId: number | null;
  phone: string | null;
  body: string;
  encoding: 'gsm7' | 'ucs2';
  parts: number;
  source: 'bulk' | 'after_call' | 'manual';
  state: MessageState;
  reason: string | null;
  cmsCode: number | null;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  createdBy: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  updatedAt: string;
}

export interface SmsInboxItem {
  id: number;
  phone: string;
  body: string;
  receivedAt: string;
  storedAt: string;
  parts: number;
  optOut: boolean;
  leadId: number | null;
  campaignId: number | null;
}

export interface SmsBatch {
  id: number;
  campaignId: number;
  templateId: number | null;
  filter: BulkFilter;
  state: 'running' | 'done' | 'cancelled';
  total: number;
  createdAt: string;
  createdBy: string | null;
  finishedAt: string | null;
  counts: Record<MessageState, number>;
}

export interface BulkFilter {
  dispositions?: string[];
  statuses?: string[];
  listIds?: number[];
  leadIds?: number[];
  /** at most this many leads (by id) */
  limit?: number;
}

export interface BulkPreview {
  leads: number;
  eligible: number;
  parts: number;
  skipped: Record<string, number>;
  sample: { leadId: number; phone: string; text: string; info: SmsInfo } | null;
  hours: { open: boolean; opensAt: string | null };
  /** minutes the queue needs at the configured rate */
  minutes: number;
}

interface MessageRow {
  id: number;
  batch_id: number | null;
  template_id: number | null;
  campaign_id: number | null;
  lead_id: number | null;
  phone: string | null;
  body: string;
  encoding: 'gsm7' | 'ucs2';
  parts: number;
  source: 'bulk' | 'after_call' | 'manual';
  state: MessageState;
  reason: string | null;
  cms_code: number | null;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  created_by: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  updated_at: string;
}

interface TemplateRow {
  id: number;
  campaign_id: number;
  name: string;
  body: string;
  trigger: 'manual' | 'after_call';
  dispositions_json: string;
  enabled: number;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

interface LeadRow {
  id: number;
  campaign_id: number;
  phone: string | null;
  phone_kind: string | null;
  extension: string | null;
  name: string | null;
  fields_json: string;
  destroyed_at: string | null;
}

const toMessage = (r: MessageRow): SmsMessage => ({
  id: r.id,
  batchId: r.batch_id,
  templateId: r.template_id,
  campaignId: r.campaign_id,
  leadId: r.lead_id,
  phone: r.phone,
  body: r.body,
  encoding: r.encoding,
  parts: r.parts,
  source: r.source,
  state: r.state,
  reason: r.reason,
  cmsCode: r.cms_code,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  createdBy: r.created_by,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  updatedAt: r.updated_at,
});

const toTemplate = (r: TemplateRow): SmsTemplate => ({
  id: r.id,
  campaignId: r.campaign_id,
  name: r.name,
  body: r.body,
  trigger: r.trigger,
  dispositions: JSON.parse(r.dispositions_json) as string[],
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  info: smsInfo(r.body),
});

const PLACEHOLDER = /^(name|phone|fields\.[\p{L}\p{N}_ -]{1,40})$/u;
/** Chinese mobile numbers (national form): landlines cannot receive SMS. */
const MOBILE = /^1[3-9][0-9]{9}$/;
const MAX_BATCH = 50_000;

export interface SmsModuleDeps {
  db: Db;
  audit: AuditLog;
  live: LiveFeed;
  logger: Logger;
  campaigns: CampaignsModule;
  /** Demo mode: the simulated modem on a socat pty pair. */
  demo?: boolean;
  /** Builds the modem for the settings (tests); default: AtModem on settings.device. */
  modemFactory?: (s: SmsSettings) => SmsModem | null;
  /** Clock of calling hours, rate and timestamps (tests). */
  now?: () => Date;
  /** ms between queue runs (default 1000). */
  tickMs?: number;
}

export class SmsModule implements Module, AfterCallSms {
  readonly name = 'sms';
  private readonly db: Db;
  private readonly settingsStore: SettingsStore;
  private modem: SmsModem | null = null;
  private timer?: NodeJS.Timeout;
  private current: Promise<number> | null = null;
  private again = false;
  private stopped = true;
  /** send times (ms) of the parts of the last minute: the rate limit */
  private window: number[] = [];
  private concatRef = Math.floor(Math.random() * 256);
  private pty: PtyPair | null = null;
  /** the demo's simulated modem (null outside demo mode) */
  simulator: ModemSimulator | null = null;
  private lastError: string | null = null;
  /** status reports that came before their send was recorded (tried again after each send) */
  private earlyReports: Array<{ r: DecodedStatusReport; at: number }> = [];

  constructor(private readonly deps: SmsModuleDeps) {
    this.db = deps.db;
    this.settingsStore = new SettingsStore(deps.db);
  }

  now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  settings(): SmsSettings {
    const base = defaultSmsSettings(this.deps.demo);
    const stored = this.settingsStore.get<Partial<SmsSettings>>('sms.settings');
    try {
      return validateSmsSettings(stored ?? {}, base);
    } catch {
      return base;
    }
  }

  async saveSettings(input: SmsSettings, actor: SmsActor): Promise<SmsSettings> {
    const s = validateSmsSettings(input, this.settings());
    const before = this.settings();
    this.settingsStore.set('sms.settings', s);
    this.deps.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'sms.settings_changed', target: 'sms', detail: s });
    if (!this.stopped && (before.enabled !== s.enabled || before.device !== s.device || before.baudRate !== s.baudRate)) await this.restartModem();
    return s;
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(): Promise<void> {
    this.stopped = false;
    // Messages caught in 'sending' by a stop: the modem's answer is unknown; send again.
    this.db.prepare(`UPDATE sms_messages SET state = 'queued', updated_at = ? WHERE state = 'sending'`).run(this.now().toISOString());
    if (this.deps.demo) this.seedDemo();
    await this.openModem();
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Closing the modem fails a send in flight (requeued as transient); then the run ends.
    await this.closeModem();
    await this.current?.catch(() => 0);
  }

  modemStatus(): ModemStatus {
    const s = this.settings();
    return (
      this.modem?.status() ?? {
        state: 'closed',
        operator: null,
        signal: null,
        registration: null,
        model: null,
        imei: null,
        error: this.lastError ?? (s.enabled ? (s.device ? null : 'no device configured') : 'SMS is switched off'),
        path: s.device || null,
        since: new Date().toISOString(),
      }
    );
  }

  private publishModem(st: ModemStatus): void {
    this.deps.live.publish({ type: 'sms.modem', data: { state: st.state, operator: st.operator, signal: st.signal, error: st.error, at: new Date().toISOString() } });
  }

  private async openModem(): Promise<void> {
    const s = this.settings();
    this.lastError = null;
    if (this.deps.modemFactory) {
      this.modem = this.deps.modemFactory(s);
    } else if (s.enabled && s.device === 'demo') {
      if (!socatAvailable()) {
        this.lastError = 'demo modem needs /usr/bin/socat, which is not installed';
        this.deps.logger.warn(this.lastError);
        return;
      }
      try {
        this.pty = await createPtyPair();
        const simPort = await openSerialPort(this.pty.a, s.baudRate);
        this.simulator = new ModemSimulator(simPort, { faults: { deliveryDelayMs: 2000 } });
        this.modem = new AtModem({ path: this.pty.b, baudRate: s.baudRate, logger: this.deps.logger.child({ part: 'modem' }) });
        this.deps.logger.info({ sim: this.pty.a, modem: this.pty.b }, 'demo: simulated EC25 modem on a socat pty pair');
      } catch (err) {
        this.lastError = `demo modem failed: ${(err as Error).message}`;
        this.deps.logger.error({ err }, 'demo modem failed');
        await this.closeModem();
        return;
      }
    } else if (s.enabled && s.device) {
      this.modem = new AtModem({ path: s.device, baudRate: s.baudRate, logger: this.deps.logger.child({ part: 'modem' }) });
    }
    const m = this.modem;
    if (!m) {
      this.publishModem(this.modemStatus());
      return;
    }
    m.on('state', (st: ModemStatus) => {
      this.publishModem(st);
      if (st.state === 'ready') void this.tick();
    });
    m.on('sms', (d: DecodedDeliver) => this.onIncoming(d));
    m.on('status-report', (r: DecodedStatusReport) => this.onStatusReport(r));
    await m.open();
  }

  private async closeModem(): Promise<void> {
    const m = this.modem;
    this.modem = null;
    if (m) {
      m.removeAllListeners();
      await m.close().catch(() => undefined);
    }
    if (this.simulator) await this.simulator.close().catch(() => undefined);
    this.simulator = null;
    if (this.pty) await this.pty.close();
    this.pty = null;
  }

  async restartModem(): Promise<void> {
    await this.closeModem();
    if (!this.stopped) await this.openModem();
  }

  // ---- templates -------------------------------------------------------------------------------

  templates(campaignId?: number): SmsTemplate[] {
    const rows = campaignId
      ? (this.db.prepare('SELECT * FROM sms_templates WHERE campaign_id = ? ORDER BY id').all(campaignId) as TemplateRow[])
      : (this.db.prepare('SELECT * FROM sms_templates ORDER BY campaign_id, id').all() as TemplateRow[]);
    return rows.map(toTemplate);
  }

  template(id: number): SmsTemplate {
    const r = this.db.prepare<[number], TemplateRow>('SELECT * FROM sms_templates WHERE id = ?').get(id);
    if (!r) throw new SmsError('not_found', `no SMS template ${id}`, 404);
    return toTemplate(r);
  }

  private checkTemplate(campaign: Campaign, t: { name: string; body: string; trigger: string; dispositions: string[] }): void {
    if (!t.name.trim() || t.name.length > 64) throw new SmsError('invalid_name', 'name: 1–64 characters', 400, 'name');
    if (!t.body.trim()) throw new SmsError('invalid_body', 'body: the text is empty', 400, 'body');
    for (const m of t.body.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      if (!PLACEHOLDER.test(m[1]!)) throw new SmsError('invalid_placeholder', `body: unknown placeholder {{${m[1]}}}: use {{name}}, {{phone}} or {{fields.<column>}}`, 400, 'body');
    }
    const info = smsInfo(t.body);
    if (info.parts > 10) throw new SmsError('too_long', `body: ${info.parts} SMS parts; at most 10`, 400, 'body');
    const codes = new Set(campaign.settings.dispositions.map((d) => d.code));
    t.dispositions.forEach((d, i) => {
      if (!codes.has(d)) throw new SmsError('unknown_disposition', `dispositions.${i}: "${d}" is not a disposition of campaign "${campaign.name}"`, 400, `dispositions.${i}`);
    });
    if (t.trigger === 'after_call' && !t.dispositions.length) throw new SmsError('no_dispositions', 'dispositions: an after-call template needs at least one disposition', 400, 'dispositions');
  }

  createTemplate(input: { campaignId: number; name: string; body: string; trigger: 'manual' | 'after_call'; dispositions: string[]; enabled: boolean }, actor: SmsActor): SmsTemplate {
    const c = this.deps.campaigns.campaigns.get(input.campaignId);
    if (!c) throw new SmsError('unknown_campaign', `campaignId: no campaign ${input.campaignId}`, 400, 'campaignId');
    this.checkTemplate(c, input);
    if (this.db.prepare('SELECT 1 FROM sms_templates WHERE campaign_id = ? AND name = ?').get(c.id, input.name.trim())) throw new SmsError('name_taken', `name: campaign "${c.name}" has a template "${input.name.trim()}"`, 409, 'name');
    const now = this.now().toISOString();
    const id = Number(
      this.db
        .prepare('INSERT INTO sms_templates (campaign_id, name, body, trigger, dispositions_json, enabled, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(c.id, input.name.trim(), input.body, input.trigger, JSON.stringify(input.dispositions), input.enabled ? 1 : 0, now, actor.username, now).lastInsertRowid,
    );
    this.deps.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'sms.template_created', target: `sms-template:${id}`, detail: { campaignId: c.id, name: input.name, trigger: input.trigger } });
    return this.template(id);
  }

  updateTemplate(id: number, input: { name: string; body: string; trigger: 'manual' | 'after_call'; dispositions: string[]; enabled: boolean }, actor: SmsActor): SmsTemplate {
    const t = this.template(id);
    const c = this.deps.campaigns.campaigns.require(t.campaignId);
    this.checkTemplate(c, input);
    if (this.db.prepare('SELECT 1 FROM sms_templates WHERE campaign_id = ? AND name = ? AND id <> ?').get(c.id, input.name.trim(), id)) throw new SmsError('name_taken', `name: campaign "${c.name}" has a template "${input.name.trim()}"`, 409, 'name');
    this.db
      .prepare('UPDATE sms_templates SET name = ?, body = ?, trigger = ?, dispositions_json = ?, enabled = ?, updated_at = ? WHERE id = ?')
      .run(input.name.trim(), input.body, input.trigger, JSON.stringify(input.dispositions), input.enabled ? 1 : 0, this.now().toISOString(), id);
    this.deps.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'sms.template_changed', target: `sms-template:${id}`, detail: { name: input.name, trigger: input.trigger, enabled: input.enabled } });
    return this.template(id);
  }

  deleteTemplate(id: number, actor: SmsActor): void {
    this.template(id);
    this.db.prepare('DELETE FROM sms_templates WHERE id = ?').run(id);
    this.deps.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'sms.template_deleted', target: `sms-template:${id}` });
  }

  // ---- recipients ------------------------------------------------------------------------------

  private leadOf(id: number): LeadRow | undefined {
    return this.db.prepare<[number], LeadRow>('SELECT id, campaign_id, phone, phone_kind, extension, name, fields_json, destroyed_at FROM leads WHERE id = ?').get(id);
  }

  /** Why a lead cannot get this SMS now (null: it can), and the rendered text. */
  private evaluate(lead: LeadRow, body: string): { text: string; skip: string | null } {
    let fields: Record<string, unknown> = {};
    try {
      fields = JSON.parse(lead.fields_json) as Record<string, unknown>;
    } catch {
      fields = {};
    }
    const r = renderScript(body, { name: lead.name, phone: lead.phone, extension: lead.extension, fields });
    if (lead.destroyed_at || !lead.phone) return { text: r.text, skip: 'no_phone' };
    if (lead.phone_kind === 'landline' || !MOBILE.test(lead.phone)) return { text: r.text, skip: 'landline' };
    if (this.deps.campaigns.dnc.active(lead.phone, this.now())) return { text: r.text, skip: 'dnc' };
    if (r.missing.length) return { text: r.text, skip: `missing:${r.missing[0]}` };
    return { text: r.text, skip: null };
  }

  private filteredLeads(campaignId: number, f: BulkFilter): LeadRow[] {
    const where = ['campaign_id = ?', 'destroyed_at IS NULL'];
    const args: unknown[] = [campaignId];
    const inList = (col: string, vals: unknown[] | undefined) => {
      if (vals && vals.length) {
        where.push(`${col} IN (${vals.map(() => '?').join(',')})`);
        args.push(...vals);
      }
    };
    inList('disposition', f.dispositions);
    inList('status', f.statuses);
    inList('list_id', f.listIds);
    inList('id', f.leadIds);
    const limit = Math.min(f.limit ?? MAX_BATCH, MAX_BATCH);
    return this.db.prepare(`SELECT id, campaign_id, phone, phone_kind, extension, name, fields_json, destroyed_at FROM leads WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...args, limit) as LeadRow[];
  }

  private bulkPlan(campaignId: number, templateId: number, filter: BulkFilter) {
    const c = this.deps.campaigns.campaigns.get(campaignId);
    if (!c) throw new SmsError('unknown_campaign', `campaignId: no campaign ${campaignId}`, 400, 'campaignId');
    if (c.status === 'ended' || c.status === 'destroyed') throw new SmsError('campaign_closed', `campaignId: campaign "${c.name}" is ${c.status}`, 409, 'campaignId');
    const t = this.template(templateId);
    if (t.campaignId !== campaignId) throw new SmsError('template_mismatch', `templateId: template ${templateId} belongs to another campaign`, 400, 'templateId');
    const leads = this.filteredLeads(campaignId, filter);
    const seen = new Set<string>();
    const rows = leads.map((l) => {
      const e = this.evaluate(l, t.body);
      let skip = e.skip;
      if (!skip && seen.has(l.phone!)) skip = 'duplicate';
      if (!skip) seen.add(l.phone!);
      return { lead: l, text: e.text, skip };
    });
    return { campaign: c, template: t, rows };
  }

  previewBulk(input: { campaignId: number; templateId: number; filter: BulkFilter }): BulkPreview {
    const { campaign, rows } = this.bulkPlan(input.campaignId, input.templateId, input.filter);
    const skipped: Record<string, number> = {};
    let parts = 0;
    let sample: BulkPreview['sample'] = null;
    for (const r of rows) {
      if (r.skip) {
        const k = r.skip.startsWith('missing:') ? 'missing_field' : r.skip;
        skipped[k] = (skipped[k] ?? 0) + 1;
        continue;
      }
      const info = smsInfo(r.text);
      parts += info.parts;
      if (!sample) sample = { leadId: r.lead.id, phone: r.lead.phone!, text: r.text, info };
    }
    const h = hoursState(campaign.settings.hours, this.now());
    const eligible = rows.length - Object.values(skipped).reduce((a, b) => a + b, 0);
    return { leads: rows.length, eligible, parts, skipped, sample, hours: { open: h.open, opensAt: h.open ? null : (h.opensAt?.toISOString() ?? null) }, minutes: Math.ceil(parts / this.settings().ratePerMinute) };
  }

  startBulk(input: { campaignId: number; templateId: number; filter: BulkFilter }, actor: SmsActor): SmsBatch {
    const { campaign, template, rows } = this.bulkPlan(input.campaignId, input.templateId, input.filter);
    if (!rows.some((r) => !r.skip)) throw new SmsError('no_recipients', 'filter: no lead of this selection can get the SMS', 400, 'filter');
    const now = this.now().toISOString();
    let batchId = 0;
    this.db.transaction(() => {
      batchId = Number(
        this.db
          .prepare(`INSERT INTO sms_batches (campaign_id, template_id, filter_json, state, total, created_at, created_by) VALUES (?, ?, ?, 'running', ?, ?, ?)`)
          .run(campaign.id, template.id, JSON.stringify(input.filter), rows.length, now, actor.username).lastInsertRowid,
      );
      for (const r of rows) this.insertMessage({ batchId, templateId: template.id, campaignId: campaign.id, lead: r.lead, text: r.text, source: 'bulk', skip: r.skip, createdBy: actor.username, now });
    })();
    this.deps.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'sms.bulk_started', target: `sms-batch:${batchId}`, detail: { campaignId: campaign.id, templateId: template.id, filter: input.filter, leads: rows.length } });
    this.publishProgress(batchId);
    void this.tick();
    return this.batch(batchId);
  }

  private insertMessage(m: { batchId: number | null; templateId: number | null; campaignId: number | null; lead: LeadRow | null; phone?: string; text: string; source: 'bulk' | 'after_call' | 'manual'; skip: string | null; createdBy: string | null; now: string }): number {
    const info = smsInfo(m.text);
    return Number(
      this.db
        .prepare(
          `INSERT INTO sms_messages (batch_id, template_id, campaign_id, lead_id, phone, body, encoding, parts, source, state, reason, created_at, created_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(m.batchId, m.templateId, m.campaignId, m.lead?.id ?? null, m.lead?.phone ?? m.phone ?? null, m.text, info.encoding, info.parts, m.source, m.skip ? 'skipped' : 'queued', m.skip, m.now, m.createdBy, m.now).lastInsertRowid,
    );
  }

  cancelBatch(id: number, actor: SmsActor): SmsBatch {
    const b = this.batch(id);
    if (b.state !== 'running') throw new SmsError('not_running', `batch ${id} is ${b.state}`, 409);
    const now = this.now().toISOString();
    const n = this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE sms_messages SET state = 'skipped', reason = 'cancelled', updated_at = ? WHERE batch_id = ? AND state = 'queued'`).run(now, id).changes;
      this.db.prepare(`UPDATE sms_batches SET state = 'cancelled', finished_at = ? WHERE id = ?`).run(now, id);
      return changed;
    })();
    this.deps.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'sms.bulk_cancelled', target: `sms-batch:${id}`, detail: { cancelled: n } });
    this.publishProgress(id);
    return this.batch(id);
  }

  batch(id: number): SmsBatch {
    const r = this.db.prepare('SELECT * FROM sms_batches WHERE id = ?').get(id) as
      | { id: number; campaign_id: number; template_id: number | null; filter_json: string; state: SmsBatch['state']; total: number; created_at: string; created_by: string | null; finished_at: string | null }
      | undefined;
    if (!r) throw new SmsError('not_found', `no SMS batch ${id}`, 404);
    const counts = Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0])) as Record<MessageState, number>;
    for (const c of this.db.prepare('SELECT state, count(*) AS n FROM sms_messages WHERE batch_id = ? GROUP BY state').all(id) as Array<{ state: MessageState; n: number }>) counts[c.state] = c.n;
    return { id: r.id, campaignId: r.campaign_id, templateId: r.template_id, filter: JSON.parse(r.filter_json) as BulkFilter, state: r.state, total: r.total, createdAt: r.created_at, createdBy: r.created_by, finishedAt: r.finished_at, counts };
  }

  batches(limit = 50): SmsBatch[] {
    return (this.db.prepare('SELECT id FROM sms_batches ORDER BY id DESC LIMIT ?').all(limit) as Array<{ id: number }>).map((r) => this.batch(r.id));
  }

  private publishProgress(batchId: number | null): void {
    if (batchId === null) return;
    const b = this.batch(batchId);
    if (b.state === 'running' && b.counts.queued === 0 && b.counts.sending === 0) {
      this.db.prepare(`UPDATE sms_batches SET state = 'done', finished_at = ? WHERE id = ? AND state = 'running'`).run(this.now().toISOString(), batchId);
      b.state = 'done';
    }
    this.deps.live.publish(
      {
        type: 'sms.progress',
        data: { batchId, campaignId: b.campaignId, total: b.total, sent: b.counts.sent + b.counts.delivered, failed: b.counts.failed, skipped: b.counts.skipped, state: b.state },
      },
      { roles: ['admin', 'manager', 'team_lead'] },
    );
  }

  // ---- send after a call (desk contract) -------------------------------------------------------

  afterDisposition(e: { leadId: number; campaignId: number; disposition: string | null; agentId: number | null; at: Date }): void {
    if (!e.disposition) return;
    try {
      const templates = this.templates(e.campaignId).filter((t) => t.enabled && t.trigger === 'after_call' && t.dispositions.includes(e.disposition!));
      if (!templates.length) return;
      const lead = this.leadOf(e.leadId);
      if (!lead || lead.campaign_id !== e.campaignId) return;
      const now = this.now().toISOString();
      const since = new Date(this.now().getTime() - 86400_000).toISOString();
      for (const t of templates) {
        // The same text once a day per lead, whatever number of dispositions the agent enters.
        const dup = this.db.prepare(`SELECT 1 FROM sms_messages WHERE lead_id = ? AND template_id = ? AND created_at > ? AND state <> 'skipped'`).get(lead.id, t.id, since);
        const ev = this.evaluate(lead, t.body);
        const id = this.insertMessage({ batchId: null, templateId: t.id, campaignId: e.campaignId, lead, text: ev.text, source: 'after_call', skip: dup ? 'duplicate' : ev.skip, createdBy: e.agentId !== null ? `agent:${e.agentId}` : null, now });
        this.deps.logger.info({ messageId: id, leadId: lead.id, templateId: t.id, skipped: dup ? 'duplicate' : ev.skip }, 'after-call SMS queued');
      }
      void this.tick();
    } catch (err) {
      // The desk's disposition must never fail because of SMS.
      this.deps.logger.error({ err, leadId: e.leadId }, 'after-call SMS failed');
    }
  }

  // ---- outbox / inbox --------------------------------------------------------------------------

  outbox(f: { state?: MessageState; campaignId?: number; batchId?: number; limit?: number; offset?: number } = {}): { total: number; items: SmsMessage[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.state) where.push('state = ?') && args.push(f.state);
    if (f.campaignId) where.push('campaign_id = ?') && args.push(f.campaignId);
    if (f.batchId) where.push('batch_id = ?') && args.push(f.batchId);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM sms_messages ${w}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM sms_messages ${w} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, f.limit ?? 100, f.offset ?? 0) as MessageRow[];
    return { total, items: rows.map(toMessage) };
  }

  message(id: number): SmsMessage {
    const r = this.db.prepare<[number], MessageRow>('SELECT * FROM sms_messages WHERE id = ?').get(id);
    if (!r) throw new SmsError('not_found', `no SMS ${id}`, 404);
    return toMessage(r);
  }

  inbox(f: { optOut?: boolean; limit?: number; offset?: number } = {}): { total: number; items: SmsInboxItem[] } {
    const w = f.optOut === undefined ? '' : `WHERE opt_out = ${f.optOut ? 1 : 0}`;
    const total = (this.db.prepare(`SELECT count(*) AS n FROM sms_inbox ${w}`).get() as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM sms_inbox ${w} ORDER BY id DESC LIMIT ? OFFSET ?`).all(f.limit ?? 100, f.offset ?? 0) as Array<{
      id: number;
      phone: string;
      body: string;
      received_at: string;
      stored_at: string;
      parts: number;
      opt_out: number;
      lead_id: number | null;
      campaign_id: number | null;
    }>;
    return {
      total,
      items: rows.map((r) => ({ id: r.id, phone: r.phone, body: r.body, receivedAt: r.received_at, storedAt: r.stored_at, parts: r.parts, optOut: r.opt_out === 1, leadId: r.lead_id, campaignId: r.campaign_id })),
    };
  }

  // ---- the send queue --------------------------------------------------------------------------

  /** International form for the modem: national 138… → +86138…; '+…' kept. */
  private dialString(phone: string): string {
    return phone.startsWith('+') ? phone : `+${this.settings().countryCode}${phone.replace(/^0+/, '')}`;
  }

  /**
   * Sends what is due while the rate allows; resolves with the number of messages handled. A call
   * while a run is under way waits for it (and asks for one more pass).
   */
  tick(): Promise<number> {
    if (this.stopped || !this.db.open) return Promise.resolve(0);
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = (async () => {
      let n = 0;
      do {
        this.again = false;
        n += await this.runQueue();
      } while (this.again && !this.stopped);
      return n;
    })().finally(() => (this.current = null));
    return this.current;
  }

  private async runQueue(): Promise<number> {
    let handled = 0;
    {
      for (let guard = 0; guard < 200; guard++) {
        const m = this.modem;
        if (!m || m.status().state !== 'ready' || !this.db.open) break;
        const now = this.now();
        const row = this.db
          .prepare<[string], MessageRow>(`SELECT * FROM sms_messages WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT 1`)
          .get(now.toISOString());
        if (!row) break;
        const s = this.settings();
        this.window = this.window.filter((t) => t > now.getTime() - 60_000);
        if (this.window.length > 0 && this.window.length + row.parts > s.ratePerMinute) break;
        if (!this.checkBeforeSend(row, now)) {
          handled++;
          continue;
        }
        await this.sendOne(m, row, s);
        handled++;
      }
    }
    return handled;
  }

  /** DNC, opt-out and calling hours right before the send (they change while a batch waits). */
  private checkBeforeSend(row: MessageRow, now: Date): boolean {
    const iso = now.toISOString();
    const skip = (reason: string) => {
      this.db.prepare(`UPDATE sms_messages SET state = 'skipped', reason = ?, updated_at = ? WHERE id = ?`).run(reason, iso, row.id);
      this.publishProgress(row.batch_id);
      return false;
    };
    if (!row.phone) return skip('no_phone');
    const dnc = this.deps.campaigns.dnc.active(row.phone, now);
    if (dnc) return skip(dnc.reason === 'opt_out' ? 'opt_out' : 'dnc');
    if (row.campaign_id !== null && row.source !== 'manual') {
      const c = this.deps.campaigns.campaigns.get(row.campaign_id);
      if (!c || c.status === 'destroyed' || c.status === 'ended') return skip('campaign_closed');
      if (c.status !== 'active') {
        // A paused (or draft) campaign holds its SMS like its calls; looked at again in a minute.
        this.db.prepare(`UPDATE sms_messages SET next_attempt_at = ?, reason = 'campaign_paused', updated_at = ? WHERE id = ?`).run(new Date(now.getTime() + 60_000).toISOString(), iso, row.id);
        return false;
      }
      const h = hoursState(c.settings.hours, now);
      if (!h.open) {
        if (!h.opensAt) return skip('outside_hours');
        // Bulk and after-call SMS wait for the campaign's calling hours.
        this.db.prepare(`UPDATE sms_messages SET next_attempt_at = ?, reason = 'waiting_hours', updated_at = ? WHERE id = ?`).run(h.opensAt.toISOString(), iso, row.id);
        return false;
      }
    }
    return true;
  }

  private async sendOne(m: SmsModem, row: MessageRow, s: SmsSettings): Promise<void> {
    const now = this.now();
    this.db.prepare(`UPDATE sms_messages SET state = 'sending', attempts = attempts + 1, reason = NULL, updated_at = ? WHERE id = ?`).run(now.toISOString(), row.id);
    let parts;
    try {
      parts = encodeSubmit({ to: this.dialString(row.phone!), text: row.body, statusReport: s.statusReports, validityMinutes: s.validityHours * 60, concatRef: this.concatRef });
      this.concatRef = (this.concatRef + 1) & 0xff;
    } catch (err) {
      this.db.prepare(`UPDATE sms_messages SET state = 'failed', reason = ?, updated_at = ? WHERE id = ?`).run(`encode:${(err as PduError).message}`.slice(0, 200), now.toISOString(), row.id);
      this.publishProgress(row.batch_id);
      return;
    }
    for (let i = 0; i < parts.length; i++) this.window.push(now.getTime());
    try {
      const refs = await m.send(parts);
      const at = this.now().toISOString();
      this.db.transaction(() => {
        this.db.prepare(`UPDATE sms_messages SET state = 'sent', sent_at = ?, cms_code = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?`).run(at, at, row.id);
        this.db.prepare('DELETE FROM sms_parts WHERE message_id = ?').run(row.id);
        const ins = this.db.prepare(`INSERT INTO sms_parts (message_id, seq, ref, sent_at, state) VALUES (?, ?, ?, ?, 'sent')`);
        refs.forEach((ref, i) => ins.run(row.id, i + 1, ref, at));
      })();
      const early = this.earlyReports.splice(0).filter((x) => x.at > Date.now() - 60_000);
      for (const x of early) this.onStatusReport(x.r);
    } catch (err) {
      const e = err instanceof SmsSendError ? err : new SmsSendError((err as Error).message, null, true);
      const attempts = row.attempts + 1;
      const at = this.now();
      if (e.transient && attempts < s.maxAttempts) {
        const next = new Date(at.getTime() + s.retrySeconds * 1000 * 2 ** (attempts - 1));
        this.db.prepare(`UPDATE sms_messages SET state = 'queued', reason = ?, cms_code = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`).run(`retry:${e.message}`.slice(0, 200), e.code, next.toISOString(), at.toISOString(), row.id);
        this.deps.logger.warn({ messageId: row.id, attempts, code: e.code, next }, 'SMS send failed; will retry');
      } else {
        const reason = e.code !== null ? `cms:${e.code}` : `error:${e.message}`.slice(0, 200);
        this.db.prepare(`UPDATE sms_messages SET state = 'failed', reason = ?, cms_code = ?, updated_at = ? WHERE id = ?`).run(reason, e.code, at.toISOString(), row.id);
        this.deps.logger.warn({ messageId: row.id, attempts, code: e.code }, 'SMS send failed for good');
      }
    }
    this.publishProgress(row.batch_id);
  }

  // ---- reports and replies ---------------------------------------------------------------------

  onStatusReport(r: DecodedStatusReport): void {
    if (!this.db.open) return;
    const phone = normalizePhone(r.recipient);
    // TP-MR wraps at 256: the newest part with this reference to this number.
    const part = this.db
      .prepare(
        `SELECT p.message_id, p.seq FROM sms_parts p JOIN sms_messages m ON m.id = p.message_id
         WHERE p.ref = ? AND p.state IN ('sent', 'pending') AND (? IS NULL OR m.phone = ?) ORDER BY p.sent_at DESC LIMIT 1`,
      )
      .get(r.ref, phone, phone) as { message_id: number; seq: number } | undefined;
    if (!part) {
      // A report may overtake the +CMGS answer of a slow modem: kept a minute for the next send.
      if (this.earlyReports.length < 50) this.earlyReports.push({ r, at: Date.now() });
      this.deps.logger.debug({ ref: r.ref }, 'status report for an unknown message kept for later');
      return;
    }
    const at = this.now().toISOString();
    this.db.prepare('UPDATE sms_parts SET state = ?, status_code = ?, report_at = ? WHERE message_id = ? AND seq = ?').run(r.state, r.status, at, part.message_id, part.seq);
    const states = (this.db.prepare('SELECT state FROM sms_parts WHERE message_id = ?').all(part.message_id) as Array<{ state: string }>).map((x) => x.state);
    const msg = this.message(part.message_id);
    if (states.includes('failed')) {
      this.db.prepare(`UPDATE sms_messages SET state = 'failed', reason = ?, updated_at = ? WHERE id = ?`).run(`report:${r.status.toString(16).padStart(2, '0')}`, at, msg.id);
    } else if (states.every((s) => s === 'delivered') && states.length === msg.parts) {
      this.db.prepare(`UPDATE sms_messages SET state = 'delivered', delivered_at = ?, updated_at = ? WHERE id = ?`).run(at, at, msg.id);
    }
    this.publishProgress(msg.batchId);
  }

  onIncoming(d: DecodedDeliver): void {
    if (!this.db.open) return;
    const phone = normalizePhone(d.from) ?? d.from.replace(/[^0-9]/g, '');
    const now = this.now().toISOString();
    if (!phone) return;
    if (d.concat && d.concat.total > 1) {
      this.db
        .prepare('INSERT OR REPLACE INTO sms_incoming_parts (phone, ref, total, seq, body, received_at, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(phone, d.concat.ref, d.concat.total, d.concat.seq, d.text, d.at.toISOString(), now);
      const parts = this.db.prepare('SELECT seq, body, received_at FROM sms_incoming_parts WHERE phone = ? AND ref = ? AND total = ? ORDER BY seq').all(phone, d.concat.ref, d.concat.total) as Array<{
        seq: number;
        body: string;
        received_at: string;
      }>;
      if (parts.length < d.concat.total) return;
      this.db.prepare('DELETE FROM sms_incoming_parts WHERE phone = ? AND ref = ? AND total = ?').run(phone, d.concat.ref, d.concat.total);
      // Parts older than a day whose siblings never came are kept in the inbox as they are.
      this.storeIncoming(phone, parts.map((p) => p.body).join(''), parts[0]!.received_at, d.concat.total);
      return;
    }
    this.storeIncoming(phone, d.text, d.at.toISOString(), 1);
  }

  private storeIncoming(phone: string, body: string, receivedAt: string, parts: number): number {
    const now = this.now();
    const lead = this.db.prepare<[string], { id: number; campaign_id: number }>('SELECT id, campaign_id FROM leads WHERE phone = ? AND destroyed_at IS NULL ORDER BY id DESC LIMIT 1').get(phone);
    const keywords = new Set(this.settings().optOutKeywords.map(normalizeKeyword));
    const optOut = keywords.has(normalizeKeyword(body));
    const id = Number(
      this.db
        .prepare('INSERT INTO sms_inbox (phone, body, received_at, stored_at, parts, opt_out, lead_id, campaign_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(phone, body, receivedAt, now.toISOString(), parts, optOut ? 1 : 0, lead?.id ?? null, lead?.campaign_id ?? null).lastInsertRowid,
    );
    if (optOut) {
      try {
        this.deps.campaigns.dnc.add({ phone, reason: 'opt_out', campaignId: lead?.campaign_id ?? null, note: `SMS reply "${body.slice(0, 20)}"`, createdBy: 'sms', now });
        const stopped = this.db.prepare(`UPDATE sms_messages SET state = 'skipped', reason = 'opt_out', updated_at = ? WHERE phone = ? AND state = 'queued'`).run(now.toISOString(), phone).changes;
        // The inbox id, not the number: the audit log keeps no personal data.
        this.deps.audit.write({ username: 'sms', action: 'sms.opt_out', target: `sms-in:${id}`, detail: { campaignId: lead?.campaign_id ?? null, leadId: lead?.id ?? null, stoppedMessages: stopped } });
        this.deps.logger.info({ inboxId: id, stopped }, 'SMS opt-out: number added to do-not-call');
      } catch (err) {
        this.deps.logger.error({ err, inboxId: id }, 'opt-out could not be recorded');
      }
    }
    return id;
  }

  // ---- demo ------------------------------------------------------------------------------------

  /** Demo: the simulated customer answers (e.g. "退订") from a number. */
  demoIncoming(from: string, text: string, actor: SmsActor): void {
    if (!this.simulator) throw new SmsError('no_simulator', 'the simulated modem runs only in demo mode', 409);
    if (!/^\+?[0-9]{5,20}$/.test(from)) throw new SmsError('invalid_phone', `from: "${from}" is not a phone number`, 400, 'from');
    this.simulator.injectIncoming(from, text);
    this.deps.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'sms.demo_incoming', target: 'sms' });
  }

  private seedDemo(): void {
    try {
      const c = this.db.prepare(`SELECT id FROM campaigns WHERE status IN ('active', 'paused', 'draft') ORDER BY id LIMIT 1`).get() as { id: number } | undefined;
      if (!c || this.db.prepare('SELECT 1 FROM sms_templates LIMIT 1').get()) return;
      const actor = { userId: null, username: 'demo' };
      const campaign = this.deps.campaigns.campaigns.require(c.id);
      this.createTemplate({ campaignId: c.id, name: '活动通知', body: '{{name}}您好，{{fields.company}}本周会员活动开始了，详询400-800-1234。回复TD退订', trigger: 'manual', dispositions: [], enabled: true }, actor);
      const follow = campaign.settings.dispositions.filter((d) => d.code === 'thinking' || d.code === 'callback').map((d) => d.code);
      if (follow.length) this.createTemplate({ campaignId: c.id, name: '通话后跟进', body: '{{name}}您好，感谢您刚才接听我们的电话，资料已发送，如有疑问请回电。回复TD退订', trigger: 'after_call', dispositions: follow, enabled: true }, actor);
    } catch (err) {
      this.deps.logger.warn({ err }, 'demo SMS templates not seeded');
    }
  }
}
