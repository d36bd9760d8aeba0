// Campaigns: name, status (draft → active ⇄ paused → ended → destroyed), dial mode and the
// settings document (validated by settings.ts).
import type { Db } from '../db/database.js';
import { CampaignSettingsError, validateSettings, type CampaignSettings } from './settings.js';

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'ended', 'destroyed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const DIAL_MODES = ['preview', 'progressive', 'predictive'] as const;
export type DialMode = (typeof DIAL_MODES)[number];

export interface Campaign {
  id: number;
  name: string;
  status: CampaignStatus;
  dialMode: DialMode;
  settings: CampaignSettings;
  createdAt: string;
  createdBy: string | null;
  endedAt: string | null;
  destroyedAt: string | null;
  destroyedBy: string | null;
}

interface Row {
  id: number;
  name: string;
  status: CampaignStatus;
  dial_mode: DialMode;
  settings_json: string;
  created_at: string;
  created_by: string | null;
  ended_at: string | null;
  destroyed_at: string | null;
  destroyed_by: string | null;
}

export class CampaignError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400, readonly field?: string) {
    super(message);
  }
}

/** Allowed status moves (destroyed only through destruction). */
const MOVES: Record<CampaignStatus, CampaignStatus[]> = {
  draft: ['active', 'ended'],
  active: ['paused', 'ended'],
  paused: ['active', 'ended'],
  ended: [],
  destroyed: [],
};

export class CampaignStore {
  constructor(private readonly db: Db) {}

  /** Validated settings by their JSON text: the queue reads a campaign on every claim. */
  private readonly parsed = new Map<string, CampaignSettings>();

  private toCampaign(r: Row): Campaign {
    let settings = this.parsed.get(r.settings_json);
    if (!settings) {
      try {
        settings = validateSettings(JSON.parse(r.settings_json));
      } catch {
        // A document written by an older version: fall back to defaults rather than break the queue.
        settings = validateSettings({});
      }
      if (this.parsed.size > 100) this.parsed.clear();
      this.parsed.set(r.settings_json, settings);
    }
    // Callers may modify their copy; the cached one stays intact.
    settings = structuredClone(settings);
    return { id: r.id, name: r.name, status: r.status, dialMode: r.dial_mode, settings, createdAt: r.created_at, createdBy: r.created_by, endedAt: r.ended_at, destroyedAt: r.destroyed_at, destroyedBy: r.destroyed_by };
  }

  list(): Campaign[] {
    return (this.db.prepare('SELECT * FROM campaigns ORDER BY id').all() as Row[]).map((r) => this.toCampaign(r));
  }

  get(id: number): Campaign | null {
    const r = this.db.prepare<[number], Row>('SELECT * FROM campaigns WHERE id = ?').get(id);
    return r ? this.toCampaign(r) : null;
  }

  require(id: number): Campaign {
    const c = this.get(id);
    if (!c) throw new CampaignError('not_found', `no campaign ${id}`, 404);
    return c;
  }

  create(input: { name: string; dialMode?: DialMode; settings?: unknown; createdBy?: string | null }): Campaign {
    const name = input.name.trim();
    if (!name || name.length > 64) throw new CampaignError('invalid_name', 'name: 1–64 characters', 400, 'name');
    const settings = this.check(input.settings);
    if (this.db.prepare('SELECT 1 FROM campaigns WHERE name = ?').get(name)) throw new CampaignError('name_taken', `a campaign named "${name}" exists`, 409, 'name');
    const id = Number(
      this.db.prepare('INSERT INTO campaigns (name, dial_mode, settings_json, created_by) VALUES (?, ?, ?, ?)').run(name, input.dialMode ?? 'preview', JSON.stringify(settings), input.createdBy ?? null).lastInsertRowid,
    );
    return this.require(id);
  }

  update(id: number, input: { name?: string; dialMode?: DialMode; settings?: unknown }): Campaign {
    const c = this.require(id);
    if (c.status === 'ended' || c.status === 'destroyed') throw new CampaignError('campaign_closed', `campaign "${c.name}" is ${c.status}; it cannot be changed`, 409);
    const settings = input.settings === undefined ? c.settings : this.check(input.settings, c.settings);
    const name = input.name?.trim() ?? c.name;
    if (!name || name.length > 64) throw new CampaignError('invalid_name', 'name: 1–64 characters', 400, 'name');
    if (name !== c.name && this.db.prepare('SELECT 1 FROM campaigns WHERE name = ? AND id <> ?').get(name, id)) throw new CampaignError('name_taken', `a campaign named "${name}" exists`, 409, 'name');
    this.db.prepare('UPDATE campaigns SET name = ?, dial_mode = ?, settings_json = ? WHERE id = ?').run(name, input.dialMode ?? c.dialMode, JSON.stringify(settings), id);
    return this.require(id);
  }

  setStatus(id: number, status: CampaignStatus, now: Date): Campaign {
    const c = this.require(id);
    if (c.status === status) return c;
    if (!MOVES[c.status].includes(status)) throw new CampaignError('bad_transition', `campaign "${c.name}" cannot go from ${c.status} to ${status}`, 409, 'status');
    this.db.prepare('UPDATE campaigns SET status = ?, ended_at = CASE WHEN ? = \'ended\' THEN ? ELSE ended_at END WHERE id = ?').run(status, status, now.toISOString(), id);
    return this.require(id);
  }

  private check(settings: unknown, base?: CampaignSettings): CampaignSettings {
    try {
      return validateSettings(settings, base);
    } catch (e) {
      if (e instanceof CampaignSettingsError) throw e;
      throw e;
    }
  }
}
