// The apply flow of every seat/trunk/route/card change:
//
//   1. dry run: in a transaction, change the tables and build the PBX model from them, then
//      roll the transaction back (a change may not stay open across the await below: the
//      call store and the audit log write on the same connection meanwhile);
//   2. validate the model (and the card configuration against the detected cards); a problem
//      is mapped back to the user's item: "seat 8004: extension …" (422);
//   3. apply it to Asterisk (write, reload, verify, roll back on failure) (409 when refused);
//   4. only then run the same change again and commit it, with its audit entry.
//
// Changes are serialized, and the change functions are deterministic (generated secrets are
// made before run()), so the committed tables are exactly the ones the model came from.
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { validateDahdiConfig, type TelephonyInventory } from '../hardware/index.js';
import type { Logger } from '../logging.js';
import { validateModel, type PbxModel } from '../pbx-config/model.js';
import { buildPbxModelWithSources, type BuiltModel } from './build.js';
import { ConfigChangeError, mapIssue, refusedByModel } from './errors.js';

export interface Actor {
  userId?: number;
  username?: string;
  ip?: string;
}

export interface ChangeRunnerOptions {
  db: Db;
  /** The model without the stored seats/trunks (settings, paths, queues…), fresh revision. */
  baseModel: () => PbxModel;
  inventory: () => TelephonyInventory | undefined;
  apply: (model: PbxModel, actor: Actor) => Promise<{ ok: boolean; error?: string }>;
  audit: AuditLog;
  logger: Logger;
  /** Called after a committed change (status monitors re-poll). */
  onApplied?: () => void;
}

export interface Change<T> {
  actor: Actor;
  /** Audit action, e.g. "seat.created". */
  action: string;
  target: string;
  detail?: unknown;
  /** Changes the tables; throws ConfigChangeError for bad input. Runs twice: keep it deterministic. */
  mutate: (db: Db) => T;
}

const DRY_RUN = Symbol('dry run');

/** SQLite constraint failures that slipped past the friendly checks. */
function fromSqlite(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
    return new ConfigChangeError(409, 'conflict', `the change conflicts with stored data (${e.message ?? e.code})`);
  }
  return err;
}

export class ConfigChangeRunner {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ChangeRunnerOptions) {}

  /** The model the stored data gives now (also what a restart renders). */
  build(): BuiltModel {
    return buildPbxModelWithSources(this.opts.db, this.opts.baseModel(), { inventory: this.opts.inventory() });
  }

  run<T>(change: Change<T>): Promise<T> {
    const next = this.tail.then(() => this.runNow(change));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async runNow<T>(change: Change<T>): Promise<T> {
    const { db } = this.opts;
    const inventory = this.opts.inventory();
    let built: BuiltModel | undefined;
    try {
      db.transaction(() => {
        change.mutate(db);
        built = buildPbxModelWithSources(db, this.opts.baseModel(), { inventory });
        throw DRY_RUN;
      })();
    } catch (err) {
      if (err !== DRY_RUN) throw fromSqlite(err);
    }
    const { model, sources } = built!;

    const v = validateModel(model);
    if (!v.ok) {
      this.refused(change, v.errors.map((i) => mapIssue(i, sources).message));
      throw refusedByModel(v.errors, sources);
    }
    if (model.dahdi) {
      const d = validateDahdiConfig(model.dahdi, inventory);
      if (!d.ok) {
        const issues = d.errors.map((i) => ({ path: i.path ? `dahdi.${i.path}` : 'dahdi', message: i.message }));
        this.refused(change, issues.map((i) => mapIssue(i, sources).message));
        throw refusedByModel(issues, sources);
      }
    }

    const res = await this.opts.apply(model, change.actor);
    if (!res.ok) {
      const why = res.error ?? 'unknown error';
      throw new ConfigChangeError(
        409,
        'apply_failed',
        /AMI is not connected|not connected|disconnected/i.test(why) ? `Asterisk is not reachable; nothing was changed (${why})` : `Asterisk did not accept the new configuration; nothing was changed: ${why}`,
      );
    }

    let result!: T;
    try {
      db.transaction(() => {
        result = change.mutate(db);
        this.opts.audit.write({ ...change.actor, action: change.action, target: change.target, detail: change.detail });
      })();
    } catch (err) {
      // Cannot happen after an identical dry run; if it does, put Asterisk back in line with the tables.
      this.opts.logger.error({ err, action: change.action }, 'change failed on commit after a successful apply; re-applying the stored configuration');
      await this.opts.apply(this.build().model, change.actor).catch(() => undefined);
      throw fromSqlite(err);
    }
    this.opts.onApplied?.();
    return result;
  }

  private refused(change: Change<unknown>, messages: string[]): void {
    this.opts.audit.write({ ...change.actor, action: `${change.action.split('.')[0]}.change_refused`, target: change.target, detail: { attempted: change.action, errors: messages.slice(0, 10) } });
  }
}
