// The one-time provisioning dialog: what to type into each desk phone (server, port, user,
// auth user, secret, transport, codecs), where on Yealink / Fanvil / Grandstream phones, copy
// buttons, a CSV and a printable sheet for a batch. The secrets live only in this dialog:
// the box never shows them again.
import { useState } from 'preact/hooks';
import { Alert } from '../../components/Alert.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import type { Provisioning } from './seats-api.js';
import { CopyButton, Modal, Segmented, UiIcon } from './ui.js';

type Brand = 'yealink' | 'fanvil' | 'grandstream';
const BRANDS: Brand[] = ['yealink', 'fanvil', 'grandstream'];
const BRAND_NAME: Record<Brand, MessageKey> = { yealink: 'prov.brand.yealink', fanvil: 'prov.brand.fanvil', grandstream: 'prov.brand.grandstream' };
const BRAND_STEPS: Record<Brand, MessageKey[]> = {
  yealink: ['prov.yealink.1', 'prov.yealink.2', 'prov.yealink.3'],
  fanvil: ['prov.fanvil.1', 'prov.fanvil.2', 'prov.fanvil.3'],
  grandstream: ['prov.grandstream.1', 'prov.grandstream.2', 'prov.grandstream.3'],
};

function csvOf(items: Provisioning[]): string {
  const esc = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const head = ['extension', 'name', 'server', 'port', 'transport', 'username', 'auth_username', 'secret', 'codecs'];
  const rows = items.map((p) => [p.extension, p.displayName, p.server, p.port, p.transport, p.username, p.authUsername, p.secret, p.codecs.join(' ')].map(esc).join(','));
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}

function download(name: string, text: string): void {
  // BOM: Excel opens UTF-8 CSV with Chinese names correctly only with it.
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Row({ label, value, copy, testId, secret }: { label: string; value: string; copy?: boolean; testId?: string; secret?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd class="st-prov-value">
        <code class={secret ? 'st-secret' : undefined} data-testid={testId}>
          {value}
        </code>
        {copy && <CopyButton text={value} testId={testId ? `${testId}-copy` : undefined} />}
      </dd>
    </>
  );
}

function PhoneHints({ p }: { p: Provisioning }) {
  const { t } = useI18n();
  const [brand, setBrand] = useState<Brand>('yealink');
  return (
    <div class="st-hints" data-testid="phone-hints">
      <div class="st-hints-head">
        <span class="st-strong">{t('prov.hints')}</span>
        <Segmented value={brand} onChange={setBrand} options={BRANDS.map((b) => ({ value: b, label: t(BRAND_NAME[b]) }))} testId="brand" />
      </div>
      <ol class="st-steps">
        {BRAND_STEPS[brand].map((k) => (
          <li key={k}>{t(k, { server: p.server, port: p.port, user: p.username, codecs: p.codecs.join(', ') })}</li>
        ))}
      </ol>
    </div>
  );
}

/** The sheet that is printed (hidden on screen): one block per seat, to hand to whoever sets up the phones. */
function PrintSheet({ items }: { items: Provisioning[] }) {
  const { t } = useI18n();
  return (
    <div class="st-print-sheet" aria-hidden="true">
      <h1>{t('prov.sheet.title')}</h1>
      <p>{t('prov.sheet.note')}</p>
      <div class="st-print-grid">
        {items.map((p) => (
          <div class="st-print-item" key={p.extension}>
            <div class="st-print-ext">
              {p.extension} · {p.displayName}
            </div>
            <div>
              {t('prov.server')}: {p.server}:{p.port} ({p.transport.toUpperCase()})
            </div>
            <div>
              {t('prov.username')}: {p.username} / {t('prov.authUsername')}: {p.authUsername}
            </div>
            <div class="st-print-secret">
              {t('prov.secret')}: {p.secret}
            </div>
            <div>
              {t('prov.codecs')}: {p.codecs.join(', ')}
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}

export function ProvisioningDialog({ items, title, onClose }: { items: Provisioning[]; title: string; onClose: () => void }) {
  const { t } = useI18n();
  const [ack, setAck] = useState(false);
  const one = items.length === 1 ? items[0]! : null;
  const print = () => {
    document.body.classList.add('st-printing');
    const done = () => {
      document.body.classList.remove('st-printing');
      window.removeEventListener('afterprint', done);
    };
    window.addEventListener('afterprint', done);
    window.print();
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      wide
      locked={!ack}
      testId="provisioning-dialog"
      footer={
        <>
          <label class="st-check st-ack">
            <input type="checkbox" checked={ack} onChange={(e) => setAck(e.currentTarget.checked)} data-testid="prov-ack" />
            {items.length > 1 ? t('prov.ackMany') : t('prov.ackOne')}
          </label>
          <span class="st-grow" />
          <button type="button" class="btn btn-primary" disabled={!ack} onClick={onClose} data-testid="prov-done">
            {t('prov.done')}
          </button>
        </>
      }
    >
      <Alert kind="warning" title={t('prov.onceTitle')} testId="prov-once">
        {t('prov.onceBody')}
      </Alert>
      {one ? (
        <div class="st-prov-one">
          <dl class="kv st-prov-kv" data-testid="prov-details">
            <Row label={t('prov.server')} value={one.server} copy testId="prov-server" />
            <Row label={t('prov.port')} value={String(one.port)} />
            <Row label={t('prov.transport')} value={one.transport.toUpperCase()} />
            <Row label={t('prov.username')} value={one.username} copy testId="prov-username" />
            <Row label={t('prov.authUsername')} value={one.authUsername} copy />
            <Row label={t('prov.secret')} value={one.secret} copy secret testId="prov-secret" />
            <Row label={t('prov.displayName')} value={one.displayName} />
            <Row label={t('prov.codecs')} value={one.codecs.join(', ')} />
          </dl>
          <PhoneHints p={one} />
        </div>
      ) : (
        <>
          <div class="st-prov-common">
            <span>
              {t('prov.server')}: <code>{items[0]?.server}</code>
            </span>
            <span>
              {t('prov.port')}: <code>{items[0]?.port}</code>
            </span>
            <span>
              {t('prov.transport')}: <code>{items[0]?.transport.toUpperCase()}</code>
            </span>
            <span>
              {t('prov.codecs')}: <code>{items[0]?.codecs.join(', ')}</code>
            </span>
            <span class="muted">{t('prov.userIsExtension')}</span>
          </div>
          <div class="st-prov-actions">
            <CopyButton text={csvOf(items)} label={t('prov.copyAll')} testId="prov-copy-all" />
            <button type="button" class="btn btn-small btn-secondary" onClick={() => download(`seatbox-seats-${items[0]!.extension}-${items[items.length - 1]!.extension}.csv`, csvOf(items))} data-testid="prov-csv">
              <UiIcon name="download" size={14} />
              {t('prov.csv')}
            </button>
            <button type="button" class="btn btn-small btn-secondary" onClick={print} data-testid="prov-print">
              <UiIcon name="print" size={14} />
              {t('prov.print')}
            </button>
          </div>
          <div class="table-wrap st-prov-table">
            <table class="table" data-testid="prov-table">
              <thead>
                <tr>
                  <th>{t('seats.col.extension')}</th>
                  <th>{t('seats.col.name')}</th>
                  <th>{t('prov.secret')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.extension} data-testid="prov-row" data-extension={p.extension}>
                    <td class="tnum st-strong">{p.extension}</td>
                    <td>{p.displayName}</td>
                    <td>
                      <code class="st-secret" data-testid="prov-row-secret">
                        {p.secret}
                      </code>
                    </td>
                    <td class="st-col-actions">
                      <CopyButton text={p.secret} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {items[0] && <PhoneHints p={items[0]} />}
        </>
      )}
      <PrintSheet items={items} />
    </Modal>
  );
}
