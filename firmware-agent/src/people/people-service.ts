import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import { checkPasswordStrength, UserInputError, type UserStore } from '../auth/users.js';
import type { Db } from '../db/database.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { ROLES, type Role } from '../http/schemas.js';

export const STAGES = ['trainee', 'agent', 'senior', 'supervisor', 'team_lead', 'manager', 'qa', 'trainer'] as const;
export type Stage = (typeof STAGES)[number];
export const GRADES = ['junior', 'intermediate', 'senior'] as const;
export type Grade = (typeof GRADES)[number];
export const LINES = ['service', 'telesales'] as const;
export type Line = (typeof LINES)[number];

/** The career path: trainee → agent → senior/supervisor → team lead → manager; QA ↔ trainer. */
export const ALLOWED_MOVES: Record<Stage, Stage[]> = {
  trainee: ['agent'],
  agent: ['senior', 'supervisor'],
  senior: ['team_lead'],
  supervisor: ['team_lead'],
  team_lead: ['manager'],
  manager: [],
  qa: ['trainer'],
  trainer: ['qa'],
};

/** Roles only an admin may grant or take away (a manager manages everyone else). */
export const ADMIN_ONLY_ROLES: Role[] = ['admin', 'technician'];

export interface Actor {
  userId: number | null;
  username: string | null;
  roles: Role[];
  ip?: string;
}

export interface ManagedUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
  stage: Stage | null;
}

export interface PersonRecord {
  agentId: number;
  number: string;
  name: string;
  userId: number | null;
  team: string | null;
  grade: Grade;
  line: Line;
  joinedAt: string | null;
  active: boolean;
  stage: Stage | null;
}

export interface Promotion {
  id: number;
  userId: number;
  from: string;
  to: string;
  at: string;
  byUsername: string | null;
  note: string | null;
}

export interface RatioLimits {
  /** Agents per team lead (service line). */
  leadToService: number;
  leadToTelesales: number;
  /** Team leads per QA / per trainer. */
  qaToLeads: number;
  trainerToLeads: number;
}
export const DEFAULT_RATIO_LIMITS: RatioLimits = { leadToService: 10, leadToTelesales: 5, qaToLeads: 2, trainerToLeads: 4 };
const RATIO_KEY = 'people.ratioLimits';

export interface Ratio {
  key: keyof RatioLimits;
  /** "1 : limit" — at most `limit` of `counted` per one `per`. */
  per: number;
  counted: number;
  limit: number;
  /** counted / per (null when per is 0 and counted > 0: nobody covers them). */
  actual: number | null;
  warning: boolean;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  disabled: number;
  must_change_password: number;
  created_at: string;
}

const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class NotFoundError extends Error {}
export class ForbiddenError extends Error {}

/** Users administration, people records (grades, joining date, career), promotions, ratios. */
export class PeopleService {
  constructor(private readonly deps: { db: Db; users: UserStore; audit: AuditLog; settings: SettingsStore; now?: () => Date }) {}

  private get db(): Db {
    return this.deps.db;
  }
  private today(): string {
    return (this.deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  }
  private audit(actor: Actor, action: string, target: string, detail?: unknown): void {
    this.deps.audit.write({ userId: actor.userId, username: actor.username, action, target, detail, ip: actor.ip });
  }

  // ---------- users ----------

  private rolesOf(id: number): Role[] {
    return this.db.prepare<[number], { role: Role }>('SELECT role FROM user_roles WHERE user_id = ? ORDER BY role').all(id).map((r) => r.role);
  }
  private toManaged(r: UserRow): ManagedUser {
    const stage = this.db.prepare<[number], { stage: Stage }>('SELECT stage FROM career_stages WHERE user_id = ?').get(r.id)?.stage ?? null;
    return { id: r.id, username: r.username, displayName: r.display_name, roles: this.rolesOf(r.id), disabled: r.disabled === 1, mustChangePassword: r.must_change_password === 1, createdAt: r.created_at, stage };
  }
  listUsers(): ManagedUser[] {
    return this.db.prepare<[], UserRow>('SELECT id, username, display_name, disabled, must_change_password, created_at FROM users ORDER BY username').all().map((r) => this.toManaged(r));
  }
  user(id: number): ManagedUser {
    const r = this.db.prepare<[number], UserRow>('SELECT id, username, display_name, disabled, must_change_password, created_at FROM users WHERE id = ?').get(id);
    if (!r) throw new NotFoundError(`no user ${id}`);
    return this.toManaged(r);
  }

  /** Managers may manage non-admin users but never grant/remove admin or technician. */
  private assertMayManage(actor: Actor, target: Role[], change: Role[] = []): void {
    if (actor.roles.includes('admin')) return;
    if (!actor.roles.includes('manager')) throw new ForbiddenError('needs the admin or manager role');
    const touched = [...target, ...change].filter((r) => ADMIN_ONLY_ROLES.includes(r));
    if (touched.length) throw new ForbiddenError(`only an admin may manage users with the roles ${[...new Set(touched)].join(', ')}`);
  }
  private activeAdmins(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'admin' WHERE u.disabled = 0`).get() as { n: number }).n;
  }
  private assertNotLastAdmin(id: number): void {
    if (this.rolesOf(id).includes('admin') && !this.user(id).disabled && this.activeAdmins() <= 1) {
      throw new UserInputError('this is the last admin; make another admin first', 'roles', 'last_admin');
    }
  }
  private checkRoles(roles: Role[]): void {
    if (roles.length === 0) throw new UserInputError('a user needs at least one role', 'roles');
    for (const r of roles) if (!ROLES.includes(r)) throw new UserInputError(`unknown role ${r}`, 'roles');
  }

  async createUser(input: { username: string; displayName?: string; roles: Role[]; password: string }, actor: Actor): Promise<ManagedUser> {
    this.checkRoles(input.roles);
    this.assertMayManage(actor, [], input.roles);
    const u = await this.deps.users.create({ username: input.username, password: input.password, displayName: input.displayName, roles: input.roles });
    this.audit(actor, 'user.created', `user:${u.id}`, { username: u.username, roles: u.roles });
    return this.user(u.id);
  }

  setRoles(id: number, roles: Role[], actor: Actor): ManagedUser {
    this.checkRoles(roles);
    const before = this.user(id).roles;
    const changed = [...before.filter((r) => !roles.includes(r)), ...roles.filter((r) => !before.includes(r))];
    this.assertMayManage(actor, before, changed);
    if (before.includes('admin') && !roles.includes('admin')) this.assertNotLastAdmin(id);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM user_roles WHERE user_id = ?').run(id);
      const add = this.db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)');
      for (const r of new Set(roles)) add.run(id, r);
    })();
    this.audit(actor, 'user.roles_changed', `user:${id}`, { from: before, to: roles });
    return this.user(id);
  }

  setDisabled(id: number, disabled: boolean, actor: Actor): ManagedUser {
    const u = this.user(id);
    this.assertMayManage(actor, u.roles);
    if (disabled && actor.userId === id) throw new UserInputError('you cannot disable yourself', 'disabled', 'self');
    if (disabled) this.assertNotLastAdmin(id);
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
      // A disabled account's sessions end now, not at expiry.
      if (disabled) this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
    })();
    this.audit(actor, disabled ? 'user.disabled' : 'user.enabled', `user:${id}`);
    return this.user(id);
  }

  /** A generated password, returned once; the user is flagged must_change_password. */
  async resetPassword(id: number, actor: Actor): Promise<{ user: ManagedUser; password: string }> {
    const u = this.user(id);
    this.assertMayManage(actor, u.roles);
    let password = '';
    do password = randomBytes(12).toString('base64url').slice(0, 14);
    while (!safeStrength(password, u.username));
    const hash = await argon2.hash(password, HASH_OPTIONS);
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET password_hash = ?, must_change_password = 1 WHERE id = ?').run(hash, id);
      this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
    })();
    this.audit(actor, 'user.password_reset', `user:${id}`);
    return { user: this.user(id), password };
  }

  /** Whether anything refers to the user: audit rows of their own, promotions, an agent with sessions. */
  hasHistory(id: number): boolean {
    const q = (sql: string) => this.db.prepare(sql).get(id) !== undefined;
    return (
      q('SELECT 1 FROM audit_log WHERE user_id = ? LIMIT 1') ||
      q('SELECT 1 FROM promotions WHERE user_id = ? LIMIT 1') ||
      q('SELECT 1 FROM agents a JOIN agent_sessions s ON s.agent_id = a.id WHERE a.user_id = ? LIMIT 1')
    );
  }

  deleteUser(id: number, actor: Actor): void {
    const u = this.user(id);
    this.assertMayManage(actor, u.roles);
    if (actor.userId === id) throw new UserInputError('you cannot delete yourself', 'id', 'self');
    this.assertNotLastAdmin(id);
    if (this.hasHistory(id)) throw new UserInputError(`user ${u.username} has history (logins, actions or promotions); disable the account instead`, 'id', 'has_history');
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
    this.audit(actor, 'user.deleted', `user:${id}`, { username: u.username });
  }

  // ---------- people records ----------

  listPeople(): PersonRecord[] {
    return this.db
      .prepare<[], { id: number; number: string; name: string; user_id: number | null; team: string | null; grade: Grade; line: Line; joined_at: string | null; active: number; stage: Stage | null }>(
        `SELECT a.id, a.number, a.name, a.user_id, a.team, a.grade, a.line, a.joined_at, a.active, c.stage
           FROM agents a LEFT JOIN career_stages c ON c.user_id = a.user_id ORDER BY a.number`,
      )
      .all()
      .map((r) => ({ agentId: r.id, number: r.number, name: r.name, userId: r.user_id, team: r.team, grade: r.grade, line: r.line, joinedAt: r.joined_at, active: r.active === 1, stage: r.stage }));
  }
  person(agentId: number): PersonRecord {
    const p = this.listPeople().find((x) => x.agentId === agentId);
    if (!p) throw new NotFoundError(`no agent ${agentId}`);
    return p;
  }

  updatePerson(agentId: number, change: { grade?: Grade; line?: Line; joinedAt?: string }, actor: Actor): PersonRecord {
    const before = this.person(agentId);
    if (change.grade !== undefined && !GRADES.includes(change.grade)) throw new UserInputError(`grade must be one of ${GRADES.join(', ')}`, 'grade');
    if (change.line !== undefined && !LINES.includes(change.line)) throw new UserInputError(`line must be one of ${LINES.join(', ')}`, 'line');
    if (change.joinedAt !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(change.joinedAt) || Number.isNaN(Date.parse(`${change.joinedAt}T00:00:00Z`)) || new Date(`${change.joinedAt}T00:00:00Z`).toISOString().slice(0, 10) !== change.joinedAt) {
        throw new UserInputError('joinedAt must be a date YYYY-MM-DD', 'joinedAt');
      }
      if (change.joinedAt > this.today()) throw new UserInputError('joinedAt must not be in the future', 'joinedAt');
    }
    this.db
      .prepare(`UPDATE agents SET grade = COALESCE(?, grade), line = COALESCE(?, line), joined_at = COALESCE(?, joined_at), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`)
      .run(change.grade ?? null, change.line ?? null, change.joinedAt ?? null, agentId);
    this.audit(actor, 'people.record_changed', `agent:${agentId}`, { before: { grade: before.grade, line: before.line, joinedAt: before.joinedAt }, change });
    return this.person(agentId);
  }

  // ---------- career ----------

  stageOf(userId: number): Stage | null {
    return this.db.prepare<[number], { stage: Stage }>('SELECT stage FROM career_stages WHERE user_id = ?').get(userId)?.stage ?? null;
  }

  /** Sets the starting stage of someone who has none yet (hiring); later changes go through promote(). */
  setInitialStage(userId: number, stage: Stage, actor: Actor, at = this.today()): void {
    this.user(userId);
    if (!STAGES.includes(stage)) throw new UserInputError(`stage must be one of ${STAGES.join(', ')}`, 'stage');
    const current = this.stageOf(userId);
    if (current) throw new UserInputError(`user already has the stage ${current}; use a promotion to change it`, 'stage', 'has_stage');
    this.db.prepare('INSERT INTO career_stages (user_id, stage, since) VALUES (?, ?, ?)').run(userId, stage, at);
    this.audit(actor, 'people.stage_set', `user:${userId}`, { stage });
  }

  promote(userId: number, input: { to: Stage; at?: string; note?: string }, actor: Actor): Promotion {
    this.user(userId);
    if (!STAGES.includes(input.to)) throw new UserInputError(`stage must be one of ${STAGES.join(', ')}`, 'to');
    const from = this.stageOf(userId);
    if (!from) throw new UserInputError('this user has no career stage yet; set the starting stage first', 'to', 'no_stage');
    const allowed = ALLOWED_MOVES[from];
    if (!allowed.includes(input.to)) {
      throw new UserInputError(
        `a move from ${from} to ${input.to} is not on the career path (${from} may move to: ${allowed.length ? allowed.join(', ') : 'nothing further'})`,
        'to',
        'move_not_allowed',
      );
    }
    const at = input.at ?? this.today();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(at)) throw new UserInputError('at must be a date YYYY-MM-DD', 'at');
    const id = this.db.transaction(() => {
      this.db.prepare('UPDATE career_stages SET stage = ?, since = ? WHERE user_id = ?').run(input.to, at, userId);
      return Number(
        this.db
          .prepare('INSERT INTO promotions (user_id, from_stage, to_stage, at, by_user_id, by_username, note) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(userId, from, input.to, at, actor.userId, actor.username, input.note?.trim() || null).lastInsertRowid,
      );
    })();
    this.audit(actor, 'people.promoted', `user:${userId}`, { from, to: input.to, at });
    return this.promotions(userId).find((p) => p.id === id)!;
  }

  promotions(userId: number): Promotion[] {
    return this.db
      .prepare<[number], { id: number; user_id: number; from_stage: string; to_stage: string; at: string; by_username: string | null; note: string | null }>('SELECT * FROM promotions WHERE user_id = ? ORDER BY at, id')
      .all(userId)
      .map((r) => ({ id: r.id, userId: r.user_id, from: r.from_stage, to: r.to_stage, at: r.at, byUsername: r.by_username, note: r.note }));
  }

  // ---------- ratios ----------

  ratioLimits(): RatioLimits {
    return { ...DEFAULT_RATIO_LIMITS, ...(this.deps.settings.get<Partial<RatioLimits>>(RATIO_KEY) ?? {}) };
  }
  setRatioLimits(change: Partial<RatioLimits>, actor: Actor): RatioLimits {
    for (const [k, v] of Object.entries(change)) {
      if (!(k in DEFAULT_RATIO_LIMITS)) throw new UserInputError(`unknown ratio ${k}`, k);
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 100) throw new UserInputError(`${k} must be an integer 1-100`, k);
    }
    const next = { ...this.ratioLimits(), ...change };
    this.deps.settings.set(RATIO_KEY, next);
    this.audit(actor, 'people.ratio_limits_changed', 'settings:people.ratioLimits', next);
    return next;
  }

  /** Counts active (not disabled) users by role and active agents by line. */
  ratios(): Ratio[] {
    const limits = this.ratioLimits();
    const roleCount = (role: Role) =>
      (this.db.prepare(`SELECT COUNT(*) AS n FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.disabled = 0 AND r.role = ?`).get(role) as { n: number }).n;
    const agentCount = (line: Line) => (this.db.prepare('SELECT COUNT(*) AS n FROM agents WHERE active = 1 AND line = ?').get(line) as { n: number }).n;
    const leads = roleCount('team_lead');
    const make = (key: keyof RatioLimits, per: number, counted: number): Ratio => {
      const limit = limits[key];
      const actual = per === 0 ? (counted === 0 ? 0 : null) : Math.round((counted / per) * 100) / 100;
      return { key, per, counted, limit, actual, warning: actual === null || actual > limit };
    };
    return [
      make('leadToService', leads, agentCount('service')),
      make('leadToTelesales', leads, agentCount('telesales')),
      make('qaToLeads', roleCount('qa'), leads),
      make('trainerToLeads', roleCount('trainer'), leads),
    ];
  }
}

function safeStrength(password: string, username: string): boolean {
  try {
    checkPasswordStrength(password, username);
    return true;
  } catch {
    return false;
  }
}
