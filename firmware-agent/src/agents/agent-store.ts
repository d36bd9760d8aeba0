// Agents (people), their phone PINs, pause reasons and the wrap-up setting, in SQLite.
import argon2 from 'argon2';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { UserInputError } from '../auth/users.js';
import type { Db } from '../db/database.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { AgentActionError } from './engine.js';

// Same argon2id parameters as user passwords (auth/users.ts).
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const DEFAULT_WRAP_UP_SECONDS = 15;
export const WRAP_UP_SETTING = 'agents.wrapUpSeconds';
export const MAX_WRAP_UP_SECONDS = 3600;

export interface AgentRecord {
  id: number;
  number: string;
  name: string;
  userId: number | null;
  level: number;
  team: string | null;
  hasPin: boolean;
  pinSetAt: string | null;
  /** Own wrap-up time; null = the box-wide setting. */
  wrapUpSeconds: number | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What the dialplan checks a PIN against (AstDB family seatbox-agent). */
export interface PhonePin {
  number: string;
  salt: string;
  sha1: string;
}

export interface PauseReason {
  code: string;
  labelZh: string;
  labelEn: string;
  productive: boolean;
  active: boolean;
}

export interface AgentInput {
  number: string;
  name: string;
  userId?: number | null;
  level?: number;
  team?: string | null;
  pin?: string;
  wrapUpSeconds?: number | null;
  active?: boolean;
}

export type AgentPatch = Partial<Omit<AgentInput, 'pin'>>;

interface AgentRow {
  id: number;
  number: string;
  name: string;
  user_id: number | null;
  level: number;
  team: string | null;
  pin_hash: string | null;
  pin_salt: string | null;
  pin_sha1: string | null;
  pin_set_at: string | null;
  wrap_up_seconds: number | null;
  active: number;
  created_at: string;
  updated_at: string;
}

interface ReasonRow {
  code: string;
  label_zh: string;
  label_en: string;
  productive: number;
  active: number;
}

const toAgent = (r: AgentRow): AgentRecord => ({
  id: r.id,
  number: r.number,
  name: r.name,
  userId: r.user_id,
  level: r.level,
  team: r.team,
  hasPin: r.pin_sha1 !== null,
  pinSetAt: r.pin_set_at,
  wrapUpSeconds: r.wrap_up_seconds,
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toReason = (r: ReasonRow): PauseReason => ({ code: r.code, labelZh: r.label_zh, labelEn: r.label_en, productive: r.productive === 1, active: r.active === 1 });

/** The hash the dialplan computes: lowercase hex SHA1 of the salt text followed by the PIN. */
export function phonePinHash(salt: string, pin: string): string {
  return createHash('sha1').update(salt + pin, 'utf8').digest('hex');
}

export function checkPin(pin: unknown, field = 'pin'): string {
  if (typeof pin !== 'string' || !/^[0-9]{4,8}$/.test(pin)) throw new UserInputError('PIN must be 4-8 digits (0-9)', field, 'invalid_pin');
  return pin;
}

const LABEL = /^[^\u0000-\u001f\u007f]{1,32}$/;

function checkText(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') throw new UserInputError(`${field} must be text`, field);
  const s = v.trim();
  if (s.length < 1 || s.length > max) throw new UserInputError(`${field} must be 1-${max} characters`, field);
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new UserInputError(`${field} must not contain control characters`, field);
  return s;
}

export class AgentStore {
  constructor(
    private readonly db: Db,
    private readonly settings: SettingsStore,
  ) {}

  // ---- agents --------------------------------------------------------------------------

  list(): AgentRecord[] {
    return this.db.prepare<[], AgentRow>('SELECT * FROM agents ORDER BY CAST(number AS INTEGER), number').all().map(toAgent);
  }

  get(id: number): AgentRecord | undefined {
    const r = this.db.prepare<[number], AgentRow>('SELECT * FROM agents WHERE id = ?').get(id);
    return r ? toAgent(r) : undefined;
  }

  mustGet(id: number): AgentRecord {
    const a = this.get(id);
    if (!a) throw new AgentActionError('agent_not_found', `no agent with id ${id}`, 404);
    return a;
  }

  byNumber(number: string): AgentRecord | undefined {
    const r = this.db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE number = ?').get(number);
    return r ? toAgent(r) : undefined;
  }

  byUser(userId: number): AgentRecord | undefined {
    const r = this.db.prepare<[number], AgentRow>('SELECT * FROM agents WHERE user_id = ?').get(userId);
    return r ? toAgent(r) : undefined;
  }

  private checkFields(input: AgentPatch, selfId: number | null): void {
    if (input.number !== undefined) {
      if (typeof input.number !== 'string' || !/^[0-9]{3,8}$/.test(input.number)) throw new UserInputError('agent number must be 3-8 digits', 'number', 'invalid_number');
      const other = this.byNumber(input.number);
      if (other && other.id !== selfId) throw new UserInputError(`agent number ${input.number} is taken by ${other.name}`, 'number', 'number_taken');
    }
    if (input.name !== undefined) input.name = checkText(input.name, 'name', 64);
    if (input.team !== undefined && input.team !== null) input.team = checkText(input.team, 'team', 64);
    if (input.level !== undefined && (!Number.isInteger(input.level) || input.level < 1 || input.level > 10)) throw new UserInputError('level must be an integer 1-10', 'level');
    if (input.wrapUpSeconds !== undefined && input.wrapUpSeconds !== null && (!Number.isInteger(input.wrapUpSeconds) || input.wrapUpSeconds < 0 || input.wrapUpSeconds > MAX_WRAP_UP_SECONDS)) {
      throw new UserInputError(`wrapUpSeconds must be an integer 0-${MAX_WRAP_UP_SECONDS} (or null for the default)`, 'wrapUpSeconds');
    }
    if (input.userId !== undefined && input.userId !== null) {
      const u = this.db.prepare<[number], { id: number }>('SELECT id FROM users WHERE id = ?').get(input.userId);
      if (!u) throw new UserInputError(`no user account with id ${input.userId}`, 'userId', 'unknown_user');
      const other = this.byUser(input.userId);
      if (other && other.id !== selfId) throw new UserInputError(`user account ${input.userId} is already linked to agent ${other.number}`, 'userId', 'user_taken');
    }
  }

  async create(input: AgentInput): Promise<AgentRecord> {
    const fields: AgentInput = { ...input };
    this.checkFields(fields, null);
    const pin = fields.pin !== undefined ? await this.pinColumns(checkPin(fields.pin)) : null;
    const id = this.db.transaction(() => {
      this.checkFields({ number: fields.number, userId: fields.userId }, null); // again, inside the write
      const r = this.db
        .prepare(
          `INSERT INTO agents (number, name, user_id, level, team, pin_hash, pin_salt, pin_sha1, pin_set_at, wrap_up_seconds, active)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          fields.number,
          fields.name,
          fields.userId ?? null,
          fields.level ?? 1,
          fields.team ?? null,
          pin?.hash ?? null,
          pin?.salt ?? null,
          pin?.sha1 ?? null,
          pin ? new Date().toISOString() : null,
          fields.wrapUpSeconds ?? null,
          fields.active === false ? 0 : 1,
        );
      return Number(r.lastInsertRowid);
    })();
    return this.get(id)!;
  }

  update(id: number, patch: AgentPatch): { before: AgentRecord; after: AgentRecord } {
    const before = this.mustGet(id);
    const p: AgentPatch = { ...patch };
    this.checkFields(p, id);
    const cols: string[] = [];
    const vals: unknown[] = [];
    const set = (col: string, v: unknown) => {
      cols.push(`${col} = ?`);
      vals.push(v);
    };
    if (p.number !== undefined) set('number', p.number);
    if (p.name !== undefined) set('name', p.name);
    if (p.userId !== undefined) set('user_id', p.userId);
    if (p.level !== undefined) set('level', p.level);
    if (p.team !== undefined) set('team', p.team);
    if (p.wrapUpSeconds !== undefined) set('wrap_up_seconds', p.wrapUpSeconds);
    if (p.active !== undefined) set('active', p.active ? 1 : 0);
    if (cols.length > 0) {
      set('updated_at', new Date().toISOString());
      this.db.prepare(`UPDATE agents SET ${cols.join(', ')} WHERE id = ?`).run(...vals, id);
    }
    return { before, after: this.get(id)! };
  }

  /** Deletes an agent who never logged in; one with history must be deactivated instead. */
  delete(id: number): AgentRecord {
    const a = this.mustGet(id);
    const used = this.db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM agent_sessions WHERE agent_id = ?').get(id)!.n;
    if (used > 0) {
      throw new AgentActionError('agent_has_history', `agent ${a.number} has ${used} login session(s) on record; deactivate the agent instead of deleting (reports need the history)`, 409);
    }
    this.db.prepare('DELETE FROM agents WHERE id = ?').run(id);
    return a;
  }

  private async pinColumns(pin: string): Promise<{ hash: string; salt: string; sha1: string }> {
    const salt = randomBytes(8).toString('hex');
    return { hash: await argon2.hash(pin, HASH_OPTIONS), salt, sha1: phonePinHash(salt, pin) };
  }

  async setPin(id: number, pin: string): Promise<AgentRecord> {
    this.mustGet(id);
    const c = await this.pinColumns(checkPin(pin));
    this.db
      .prepare('UPDATE agents SET pin_hash = ?, pin_salt = ?, pin_sha1 = ?, pin_set_at = ?, updated_at = ? WHERE id = ?')
      .run(c.hash, c.salt, c.sha1, new Date().toISOString(), new Date().toISOString(), id);
    return this.get(id)!;
  }

  /** A new random 6-digit PIN (shown once to whoever reset it). */
  async resetPin(id: number): Promise<{ agent: AgentRecord; pin: string }> {
    const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
    return { agent: await this.setPin(id, pin), pin };
  }

  clearPin(id: number): AgentRecord {
    this.mustGet(id);
    this.db.prepare('UPDATE agents SET pin_hash = NULL, pin_salt = NULL, pin_sha1 = NULL, pin_set_at = NULL, updated_at = ? WHERE id = ?').run(new Date().toISOString(), id);
    return this.get(id)!;
  }

  async verifyPin(id: number, pin: string): Promise<boolean> {
    const r = this.db.prepare<[number], { pin_hash: string | null }>('SELECT pin_hash FROM agents WHERE id = ?').get(id);
    if (!r?.pin_hash || !/^[0-9]{4,8}$/.test(pin)) return false;
    return argon2.verify(r.pin_hash, pin);
  }

  /** Salt + SHA1 of every active agent with a PIN: exactly what AstDB must hold. */
  phonePins(): PhonePin[] {
    return this.db
      .prepare<[], PhonePin>('SELECT number, pin_salt AS salt, pin_sha1 AS sha1 FROM agents WHERE active = 1 AND pin_sha1 IS NOT NULL ORDER BY number')
      .all();
  }

  phonePin(number: string): PhonePin | undefined {
    return this.db.prepare<[string], PhonePin>('SELECT number, pin_salt AS salt, pin_sha1 AS sha1 FROM agents WHERE number = ? AND active = 1 AND pin_sha1 IS NOT NULL').get(number);
  }

  // ---- wrap-up -------------------------------------------------------------------------

  defaultWrapUpSeconds(): number {
    return this.settings.get<number>(WRAP_UP_SETTING) ?? DEFAULT_WRAP_UP_SECONDS;
  }

  setDefaultWrapUpSeconds(seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_WRAP_UP_SECONDS) throw new UserInputError(`wrapUpSeconds must be an integer 0-${MAX_WRAP_UP_SECONDS}`, 'wrapUpSeconds');
    this.settings.set(WRAP_UP_SETTING, seconds);
  }

  wrapUpSecondsFor(agentId: number): number {
    const r = this.db.prepare<[number], { s: number | null }>('SELECT wrap_up_seconds AS s FROM agents WHERE id = ?').get(agentId);
    return r?.s ?? this.defaultWrapUpSeconds();
  }

  // ---- pause reasons -------------------------------------------------------------------

  reasons(): PauseReason[] {
    return this.db.prepare<[], ReasonRow>('SELECT * FROM pause_reasons ORDER BY code').all().map(toReason);
  }

  reason(code: string): PauseReason | undefined {
    const r = this.db.prepare<[string], ReasonRow>('SELECT * FROM pause_reasons WHERE code = ?').get(code);
    return r ? toReason(r) : undefined;
  }

  private checkReasonFields(input: Partial<PauseReason>): void {
    if (input.labelZh !== undefined) {
      input.labelZh = checkText(input.labelZh, 'labelZh', 32);
      if (!LABEL.test(input.labelZh)) throw new UserInputError('labelZh must be 1-32 characters', 'labelZh');
    }
    if (input.labelEn !== undefined) input.labelEn = checkText(input.labelEn, 'labelEn', 32);
  }

  createReason(input: PauseReason | (Omit<PauseReason, 'active' | 'productive'> & { active?: boolean; productive?: boolean })): PauseReason {
    if (typeof input.code !== 'string' || !/^[0-9]$/.test(input.code)) throw new UserInputError('code must be one digit 0-9 (dialled after *23)', 'code', 'invalid_code');
    const fields = { ...input };
    this.checkReasonFields(fields);
    if (this.reason(input.code)) throw new UserInputError(`pause reason code ${input.code} exists already`, 'code', 'code_taken');
    this.db
      .prepare('INSERT INTO pause_reasons (code, label_zh, label_en, productive, active) VALUES (?, ?, ?, ?, ?)')
      .run(fields.code, fields.labelZh, fields.labelEn, fields.productive ? 1 : 0, fields.active === false ? 0 : 1);
    return this.reason(input.code)!;
  }

  updateReason(code: string, patch: Partial<Omit<PauseReason, 'code'>>): { before: PauseReason; after: PauseReason } {
    const before = this.reason(code);
    if (!before) throw new AgentActionError('reason_not_found', `no pause reason with code ${code}`, 404);
    const p = { ...patch };
    this.checkReasonFields(p);
    const next = { ...before, ...p };
    this.db
      .prepare('UPDATE pause_reasons SET label_zh = ?, label_en = ?, productive = ?, active = ? WHERE code = ?')
      .run(next.labelZh, next.labelEn, next.productive ? 1 : 0, next.active ? 1 : 0, code);
    return { before, after: this.reason(code)! };
  }

  /** History keeps the code; a code in use should rather be deactivated (it then keeps its label). */
  deleteReason(code: string): PauseReason {
    const before = this.reason(code);
    if (!before) throw new AgentActionError('reason_not_found', `no pause reason with code ${code}`, 404);
    const used = this.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM agent_state_history WHERE state = 'paused' AND reason = ?").get(code)!.n;
    if (used > 0) throw new AgentActionError('reason_in_use', `pause reason ${code} is used by ${used} recorded pause(s); deactivate it instead so reports keep its label`, 409);
    this.db.prepare('DELETE FROM pause_reasons WHERE code = ?').run(code);
    return before;
  }
}
