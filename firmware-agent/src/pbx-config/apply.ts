// PbxConfigurator: model -> validated files -> atomic write -> targeted reload -> verify,
// and back to the last good set when Asterisk did not take the new one.
//
//   apply(model):
//     1. validate the model, render, check every file (nothing is written on error)
//     2. compare with the files on disk; only changed files are written (tmp + fsync + rename)
//     3. reload only what those files feed (dialplan reload, module reload res_pjsip.so, ...)
//     4. verify through AMI that Asterisk runs on the new files (sentinel revision, endpoints,
//        queues, AMI settings, ...; see reload.ts)
//     5. success: the set becomes the last good set (etc.last-good/ next to etcDir)
//        failure: the last good files are written back, reloaded and verified again
//
// Calls are serialized: a second apply() waits for the first.

import { readdirSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AmiClient } from '../ami/types.js';
import { atomicWriteFile, removeStaleTempFiles } from './atomic.js';
import type { PbxModel } from './model.js';
import { buildVerifyChecks, planReload, runReloadCommand, verifyChecks } from './reload.js';
import { CONFIG_FILES } from './render.js';
import { checkPbxConfig } from './validate.js';

/** What the configurator logs through; a pino Logger fits. */
export interface PbxConfigLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface PbxConfiguratorTestHooks {
  /** Runs after validation, before anything is written; may modify `files` (to simulate a bad set). */
  afterValidate?(files: Map<string, string>): void | Promise<void>;
  /** Runs for each file after its temp file is synced, before the rename. */
  beforeRename?(tmpPath: string, target: string): void | Promise<void>;
}

export interface PbxConfiguratorOptions {
  /** Host directory Asterisk reads its configuration from (astetcdir as seen from the host). */
  etcDir: string;
  ami: AmiClient;
  logger: PbxConfigLogger;
  /** Where the last verified file set is kept; default `<etcDir>/../etc.last-good`. */
  lastGoodDir?: string;
  /** Template directory (default: <project>/asterisk-conf). */
  templateDir?: string;
  /** Host path of Asterisk's module directory: when given, modules.conf is checked against it. */
  hostModuleDir?: string;
  /** How long the post-reload verification may take before the apply counts as failed (default 10 s). */
  verifyTimeoutMs?: number;
  /** Test-only hooks. Never set in production. */
  testHooks?: PbxConfiguratorTestHooks;
}

export type ApplyResult =
  | {
      ok: true;
      /** Files that changed (and were reloaded). */
      changed: string[];
      /** Changed files Asterisk cannot reload (asterisk.conf, module removals ...): they apply at the next restart. */
      restartRequired: string[];
    }
  | { ok: false; error: string; rolledBack: boolean };

export interface WriteInitialResult {
  changed: string[];
}

/** Files carrying secrets are not world-readable. */
const SECRET_FILES = new Set(['manager.conf', 'pjsip.conf']);
const fileMode = (name: string) => (SECRET_FILES.has(name) ? 0o640 : 0o644);

type FileSet = Map<string, string>;

export class PbxConfigurator {
  readonly etcDir: string;
  readonly lastGoodDir: string;
  private readonly ami: AmiClient;
  private readonly log: PbxConfigLogger;
  private readonly opts: PbxConfiguratorOptions;
  private readonly availableModules: ReadonlySet<string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: PbxConfiguratorOptions) {
    this.opts = opts;
    this.etcDir = opts.etcDir;
    this.lastGoodDir = opts.lastGoodDir ?? join(dirname(opts.etcDir), 'etc.last-good');
    this.ami = opts.ami;
    this.log = opts.logger;
    this.availableModules = opts.hostModuleDir ? new Set(readdirSync(opts.hostModuleDir)) : undefined;
  }

  /**
   * First start, before Asterisk runs: validate, write every file that differs (atomically)
   * and record the set as the last good one. Throws when the model or the files are invalid.
   */
  writeInitial(model: PbxModel): Promise<WriteInitialResult> {
    return this.serialize(async () => {
      const files = this.check(model);
      if (typeof files === 'string') throw new Error(files);
      await mkdir(this.etcDir, { recursive: true });
      await removeStaleTempFiles(this.etcDir);
      const current = await this.readSet(this.etcDir);
      const changed = this.diff(files, current);
      await this.writeFiles(this.etcDir, files, changed);
      await this.saveLastGood(files);
      this.log.info({ revision: model.revision, changed }, 'pbx config written');
      return { changed };
    });
  }

  /** Applies a model to the running Asterisk. Never throws; failures come back as { ok: false }. */
  apply(model: PbxModel): Promise<ApplyResult> {
    return this.serialize(() =>
      this.doApply(model).catch((err: unknown): ApplyResult => {
        this.log.error({ err }, 'pbx config apply crashed');
        return { ok: false, error: `configuration apply failed: ${(err as Error).message}`, rolledBack: false };
      }),
    );
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Validated, rendered and checked files, or the error text. */
  private check(model: PbxModel): FileSet | string {
    const r = checkPbxConfig(model, {
      ...(this.opts.templateDir ? { templateDir: this.opts.templateDir } : {}),
      ...(this.availableModules ? { availableModules: this.availableModules } : {}),
    });
    if (r.ok) return r.files;
    const shown = r.errors.slice(0, 20).join('; ') + (r.errors.length > 20 ? `; ... (${r.errors.length} problems)` : '');
    return r.stage === 'files' ? `configuration refused, generated files failed the checks: ${shown}` : `configuration refused: ${shown}`;
  }

  private async doApply(model: PbxModel): Promise<ApplyResult> {
    const checked = this.check(model);
    if (typeof checked === 'string') {
      this.log.warn({ revision: (model as { revision?: unknown })?.revision, error: checked }, 'pbx config refused');
      return { ok: false, error: checked, rolledBack: false };
    }
    // `expected` is what was validated and what Asterisk must end up running; `files` is what
    // gets written (the same, except when a test hook corrupts it to simulate a bad set).
    const expected: FileSet = checked;
    const files = new Map(checked);
    await this.opts.testHooks?.afterValidate?.(files);

    if (!this.ami.connected) {
      return { ok: false, error: 'Asterisk is not connected (AMI link down): configuration not applied, nothing was changed', rolledBack: false };
    }
    await removeStaleTempFiles(this.etcDir);
    const current = await this.readSet(this.etcDir);
    const changed = this.diff(files, current);
    if (changed.length === 0) {
      this.log.info({ revision: model.revision }, 'pbx config unchanged');
      return { ok: true, changed: [], restartRequired: [] };
    }
    // The set to come back to: the last verified one, or (first apply ever) what is on disk now.
    let lastGood = await this.readSet(this.lastGoodDir);
    if (!this.complete(lastGood)) {
      if (this.complete(current)) {
        await this.saveLastGood(current as FileSet);
        lastGood = current;
      } else lastGood = new Map();
    }

    try {
      await this.writeFiles(this.etcDir, files, changed);
    } catch (err) {
      const restored = await this.restoreFiles(current, changed).then(
        () => true,
        () => false,
      );
      return { ok: false, error: `could not write the configuration: ${(err as Error).message}`, rolledBack: restored };
    }

    const plan = planReload(changed, files, current);
    const failure = await this.reloadAndVerify(plan.commands, expected, changed);
    if (!failure) {
      await this.saveLastGood(files);
      this.log.info({ revision: model.revision, changed, restartRequired: plan.restartRequired }, 'pbx config applied');
      return { ok: true, changed, restartRequired: plan.restartRequired };
    }

    this.log.error({ revision: model.revision, changed, failure }, 'pbx config reload did not take; rolling back');
    const rolledBack = await this.rollback(lastGood, files, changed);
    const error =
      `Asterisk did not take configuration ${model.revision}: ${failure}` +
      (rolledBack ? '. The previous configuration was restored and is active.' : '. ROLLBACK FAILED: the running configuration is uncertain.');
    return { ok: false, error, rolledBack };
  }

  /** Reloads and verifies; returns a failure description or undefined. */
  private async reloadAndVerify(commands: readonly string[], files: FileSet, changed: readonly string[]): Promise<string | undefined> {
    const errors: string[] = [];
    for (const cmd of commands) {
      const e = await runReloadCommand(this.ami, cmd);
      if (e) errors.push(e);
    }
    if (errors.length) return errors.join('; ');
    const checks = buildVerifyChecks(files, changed);
    const failures = await verifyChecks(this.ami, checks, this.opts.verifyTimeoutMs ?? 10_000);
    return failures.length ? failures.join('; ') : undefined;
  }

  private async rollback(lastGood: Map<string, string | undefined>, failed: FileSet, changed: readonly string[]): Promise<boolean> {
    if (!this.complete(lastGood)) {
      this.log.error({}, 'no last good configuration to roll back to');
      return false;
    }
    const good = lastGood as FileSet;
    try {
      // Write back every file that differs from the last good set (not only `changed`:
      // the set on disk before this apply may itself have differed from the last good one).
      const onDisk = await this.readSet(this.etcDir);
      const toRestore = this.diff(good, onDisk);
      await this.writeFiles(this.etcDir, good, toRestore);
      const reloadFiles = [...new Set([...changed, ...toRestore])];
      const plan = planReload(reloadFiles, good, failed);
      const failure = await this.reloadAndVerify(plan.commands, good, reloadFiles);
      if (failure) {
        this.log.error({ failure }, 'rollback reload did not verify');
        return false;
      }
      this.log.warn({ restored: toRestore }, 'pbx config rolled back to the last good set');
      return true;
    } catch (err) {
      this.log.error({ err }, 'rollback failed');
      return false;
    }
  }

  private diff(files: ReadonlyMap<string, string>, current: ReadonlyMap<string, string | undefined>): string[] {
    return CONFIG_FILES.filter((n) => files.has(n) && current.get(n) !== files.get(n));
  }

  private complete(set: ReadonlyMap<string, string | undefined>): boolean {
    return CONFIG_FILES.every((n) => typeof set.get(n) === 'string');
  }

  private async readSet(dir: string): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    await Promise.all(
      CONFIG_FILES.map(async (n) => {
        try {
          out.set(n, await readFile(join(dir, n), 'utf8'));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          out.set(n, undefined);
        }
      }),
    );
    return out;
  }

  private async writeFiles(dir: string, files: ReadonlyMap<string, string>, names: readonly string[]): Promise<void> {
    for (const n of names) {
      const text = files.get(n);
      if (text === undefined) continue;
      await atomicWriteFile(join(dir, n), text, {
        mode: fileMode(n),
        ...(this.opts.testHooks?.beforeRename ? { beforeRename: this.opts.testHooks.beforeRename } : {}),
      });
    }
  }

  /** Puts back the given previous contents (a file that did not exist is removed again). */
  private async restoreFiles(previous: ReadonlyMap<string, string | undefined>, names: readonly string[]): Promise<void> {
    for (const n of names) {
      const text = previous.get(n);
      if (text === undefined) await rm(join(this.etcDir, n), { force: true });
      else await atomicWriteFile(join(this.etcDir, n), text, { mode: fileMode(n) });
    }
  }

  private async saveLastGood(files: ReadonlyMap<string, string | undefined>): Promise<void> {
    await mkdir(this.lastGoodDir, { recursive: true, mode: 0o700 });
    await removeStaleTempFiles(this.lastGoodDir);
    const current = await this.readSet(this.lastGoodDir);
    for (const n of CONFIG_FILES) {
      const text = files.get(n);
      if (text !== undefined && current.get(n) !== text) await atomicWriteFile(join(this.lastGoodDir, n), text, { mode: fileMode(n) });
    }
  }
}
