// Outbound → Do-not-call: the internal list (masked for team leads), manual add with reason
// and expiry, removal (data manager / manager), import of a number file.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { outboundApi, type Dnc } from './outbound-api.js';
import { checked, hasRole, val } from './shared.js';
import './outbound.css';

const REASONS = ['opt_out', 'complaint', 'manual', 'refusal', 'import'] as const;

export function DncPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const [entries, setEntries] = useState<Dnc[]>([]);
  const [total, setTotal] = useState(0);
  const [search, setSearch] = useState('');
  const [expired, setExpired] = useState(false);
  const [phone, setPhone] = useState('');
  const [reason, setReason] = useState<string>('opt_out');
  const [noteText, setNoteText] = useState('');
  const [until, setUntil] = useState('');
  const [importText, setImportText] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const canRemove = hasRole(user, 'manager', 'data_manager');
  const load = useCallback(async () => {
    try {
      const q = new URLSearchParams({ limit: '200', ...(search ? { search } : {}), ...(expired ? { includeExpired: 'true' } : {}) });
      const r = await outboundApi.dnc(`?${q}`);
      setEntries(r.entries);
      setTotal(r.total);
    } catch (e) {
      setErr(describeError(t, e));
    }
  }, [search, expired, t]);
  useEffect(() => {
    void load();
  }, [load]);
  const act = async (fn: () => Promise<string>) => {
    setErr(null);
    setNote(null);
    try {
      setNote(await fn());
      await load();
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const fmt = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(lang) : t('outbound.dnc.forever'));
  return (
    <div class="page ob-page" data-testid="dnc-page">
      <PageHeader title={t('outbound.dnc.title')} subtitle={t('outbound.dnc.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="dnc-note">{note}</span>
        </Alert>
      )}
      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('outbound.dnc.add')}</h2>
        </div>
        <div class="card-body ob-row">
          <input class="mono" value={phone} onInput={(e) => setPhone(val(e))} placeholder={t('outbound.lead.phone')} aria-label={t('outbound.lead.phone')} data-testid="dnc-phone" />
          <select value={reason} onChange={(e) => setReason(val(e))} aria-label={t('outbound.dnc.reason')}>
            {REASONS.filter((r) => r !== 'import').map((r) => (
              <option value={r} key={r}>
                {t(`outbound.dnc.reason.${r}`)}
              </option>
            ))}
          </select>
          <label class="ob-check">
            {t('outbound.dnc.until')}
            <input type="date" value={until} onInput={(e) => setUntil(val(e))} aria-label={t('outbound.dnc.until')} />
          </label>
          <input class="ob-grow" value={noteText} onInput={(e) => setNoteText(val(e))} placeholder={t('outbound.dnc.note')} aria-label={t('outbound.dnc.note')} />
          <button
            type="button"
            class="btn btn-primary"
            disabled={!phone.trim()}
            data-testid="dnc-add"
            onClick={() =>
              void act(async () => {
                await outboundApi.addDnc({ phone: phone.trim(), reason, ...(noteText.trim() ? { note: noteText.trim() } : {}), expiresAt: until ? new Date(`${until}T00:00:00+08:00`).toISOString() : null });
                setPhone('');
                setNoteText('');
                return t('outbound.dnc.added');
              })
            }
          >
            {t('outbound.dnc.addButton')}
          </button>
        </div>
      </div>
      <div class="card">
        <div class="card-body ob-row">
          {canRemove && <input value={search} onInput={(e) => setSearch(val(e))} placeholder={t('outbound.dnc.search')} aria-label={t('outbound.dnc.search')} />}
          <label class="ob-check">
            <input type="checkbox" checked={expired} onChange={(e) => setExpired(checked(e))} />
            {t('outbound.dnc.showExpired')}
          </label>
          <span>{t('outbound.queue.count', { n: total })}</span>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="dnc-table">
            <thead>
              <tr>
                <th>{t('outbound.lead.phone')}</th>
                <th>{t('outbound.dnc.reason')}</th>
                <th>{t('outbound.dnc.until')}</th>
                <th>{t('outbound.dnc.by')}</th>
                <th>{t('outbound.dnc.note')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {entries.map((d) => (
                <tr key={d.phone + d.createdAt} data-testid="dnc-row">
                  <td class="mono">{d.phone}</td>
                  <td>{t(`outbound.dnc.reason.${d.reason}` as MessageKey)}</td>
                  <td>{fmt(d.expiresAt)}</td>
                  <td>{d.createdBy}</td>
                  <td>{d.note}</td>
                  <td>
                    {canRemove && !d.masked && (
                      <button type="button" class="btn btn-ghost btn-small" onClick={() => window.confirm(t('outbound.dnc.removeConfirm', { phone: d.phone })) && void act(async () => (await outboundApi.removeDnc(d.phone), t('outbound.dnc.removed')))}>
                        {t('outbound.remove')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {canRemove && (
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">{t('outbound.dnc.import')}</h2>
          </div>
          <div class="card-body">
            <p class="field-hint">{t('outbound.dnc.importHint')}</p>
            <textarea class="ob-script" rows={5} value={importText} onInput={(e) => setImportText((e.target as HTMLTextAreaElement).value)} aria-label={t('outbound.dnc.import')} />
            <div class="ob-row">
              <input type="file" accept=".csv,.txt" aria-label={t('outbound.dnc.file')} onChange={(e) => void (e.target as HTMLInputElement).files?.[0]?.text().then(setImportText)} />
              <button
                type="button"
                class="btn btn-primary"
                disabled={!importText.trim()}
                onClick={() =>
                  void act(async () => {
                    const r = await outboundApi.importDnc(importText, 'import', false);
                    if (r.invalid.length) throw new Error(r.invalid.slice(0, 5).map((i) => t('outbound.dnc.badLine', { line: i.line, reason: i.reason })).join('; '));
                    setImportText('');
                    return t('outbound.dnc.imported', { n: r.added });
                  })
                }
              >
                {t('outbound.dnc.importButton')}
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
