import argon2 from 'argon2';
import type { Db } from '../db/database.js';
import { ROLES, type Role, type Language, type User } from '../http/schemas.js';

// OWASP's argon2id baseline (19 MiB, t=2, p=1): strong, yet a login costs ~30 ms on the box.
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// Passwords people type first; refused even when long enough.
const COMMON = new Set(['1234567890', '0123456789', 'password123', 'qwertyuiop', 'admin12345', 'administrator', 'passw0rd123', '1qaz2wsx3edc', 'aaaaaaaaaa', '11111111111', 'seatbox123', 'seatbox1234']);

export class UserInputError extends Error {
  constructor(message: string, readonly field: string, readonly code = 'invalid_input') {
    super(message);
  }
}

export function checkPasswordStrength(password: string, username: string): void {
  if (password.length < 10) throw new UserInputError('password must have at least 10 characters', 'password', 'weak_password');
  if (COMMON.has(password.toLowerCase())) throw new UserInputError('password is too common', 'password', 'weak_password');
  if (password.toLowerCase().includes(username.toLowerCase())) throw new UserInputError('password must not contain the username', 'password', 'weak_password');
  if (new Set(password).size < 4) throw new UserInputError('password must use at least 4 different characters', 'password', 'weak_password');
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  language: Language;
  disabled: number;
}

export class UserStore {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  private rolesOf(id: number): Role[] {
    return this.db
      .prepare<[number], { role: Role }>('SELECT role FROM user_roles WHERE user_id = ? ORDER BY role')
      .all(id)
      .map((r) => r.role);
  }

  private toUser(row: UserRow): User {
    return { id: row.id, username: row.username, displayName: row.display_name, language: row.language, roles: this.rolesOf(row.id) };
  }

  byId(id: number): User | undefined {
    const row = this.db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ? AND disabled = 0').get(id);
    return row ? this.toUser(row) : undefined;
  }

  async create(input: { username: string; password: string; displayName?: string; language?: Language; roles: Role[] }): Promise<User> {
    checkPasswordStrength(input.password, input.username);
    for (const r of input.roles) if (!ROLES.includes(r)) throw new UserInputError(`unknown role ${r}`, 'roles');
    const hash = await argon2.hash(input.password, HASH_OPTIONS);
    const id = this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM users WHERE username = ?').get(input.username);
      if (exists) throw new UserInputError(`username ${input.username} is taken`, 'username', 'username_taken');
      const res = this.db
        .prepare('INSERT INTO users (username, display_name, password_hash, language) VALUES (?, ?, ?, ?)')
        .run(input.username, input.displayName?.trim() || input.username, hash, input.language ?? 'zh-CN');
      const uid = Number(res.lastInsertRowid);
      const addRole = this.db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)');
      for (const r of input.roles) addRole.run(uid, r);
      return uid;
    })();
    return this.byId(id)!;
  }

  updateProfile(id: number, change: { language?: Language; displayName?: string }): User | undefined {
    if (change.language) this.db.prepare('UPDATE users SET language = ? WHERE id = ?').run(change.language, id);
    if (change.displayName !== undefined) {
      const name = change.displayName.trim();
      if (!name) throw new UserInputError('display name must not be blank', 'displayName');
      this.db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(name, id);
    }
    return this.byId(id);
  }

  /** The first admin, created only while there are no users at all (first-run setup). */
  async createFirstAdmin(input: { username: string; password: string; displayName?: string; language?: Language }): Promise<User> {
    if (this.count() > 0) throw new UserInputError('setup is already done', 'username', 'setup_done');
    return this.create({ ...input, roles: ['admin'] });
  }

  /** Verifies a login; always spends one argon2 verification so timing does not reveal usernames. */
  async verify(username: string, password: string): Promise<User | undefined> {
    const row = this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?').get(username);
    const hash = row?.password_hash ?? DUMMY_HASH.value ?? (DUMMY_HASH.value = await argon2.hash('not-a-password-x', HASH_OPTIONS));
    const ok = await argon2.verify(hash, password);
    if (!row || !ok || row.disabled) return undefined;
    return this.toUser(row);
  }
}

const DUMMY_HASH: { value?: string } = {};
