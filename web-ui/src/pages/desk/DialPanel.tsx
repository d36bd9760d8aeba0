// Manual mode: preview (the next lead held for me shows in the screen pop before dialling;
// dial or skip) and click-to-dial of a typed number.
import { useState } from 'preact/hooks';
import { Icon } from '../../components/Icon.js';
import { useI18n } from '../../i18n/index.js';
import { deskApi, type DeskState } from './desk-api.js';

const str = (e: Event) => (e.target as HTMLInputElement).value;

export function DialPanel({ desk, act }: { desk: DeskState; act: (fn: () => Promise<unknown>) => Promise<boolean> }) {
  const { t } = useI18n();
  const [number, setNumber] = useState('');
  const busy = (desk.call !== null && desk.call.state !== 'ended') || desk.wrapUp?.dispositionRequired === true || desk.state === 'logged_out';
  const preview = desk.preview;
  return (
    <div class="card desk-dial" data-testid="desk-dial">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="outbound" size={18} />
          {t('desk.preview.title')}
        </h2>
      </div>
      <div class="card-body">
        <div class="desk-row">
          {preview ? (
            <>
              <span class="desk-preview-name" data-testid="desk-preview-name">
                {preview.name ?? preview.phone ?? ''}
              </span>
              <button type="button" class="btn btn-primary btn-small" disabled={busy || preview.leadId === null} onClick={() => preview.leadId !== null && void act(() => deskApi.dialLead(preview.leadId!))} data-testid="desk-preview-dial">
                {t('desk.preview.dial')}
              </button>
              <button type="button" class="btn btn-secondary btn-small" disabled={busy} onClick={() => void act(() => deskApi.previewSkip())} data-testid="desk-preview-skip">
                {t('desk.preview.skip')}
              </button>
            </>
          ) : (
            <button type="button" class="btn btn-secondary btn-small" disabled={busy || desk.campaignId === null} onClick={() => void act(() => deskApi.previewNext())} data-testid="desk-preview-next">
              {t('desk.preview.next')}
            </button>
          )}
          {desk.campaignId === null && !preview && <span class="muted small">{t('desk.preview.needCampaign')}</span>}
        </div>
        <form
          class="desk-row"
          onSubmit={(e) => {
            e.preventDefault();
            const n = number.trim();
            if (n) void act(() => deskApi.dialNumber(n)).then((ok) => ok && setNumber(''));
          }}
        >
          <label class="desk-field desk-grow">
            <span>{t('desk.manual.title')}</span>
            <input class="desk-input" value={number} onInput={(e) => setNumber(str(e))} inputMode="tel" placeholder={t('desk.manual.number')} data-testid="desk-manual-number" />
          </label>
          <button type="submit" class="btn btn-secondary btn-small desk-align-end" disabled={busy || !number.trim()} data-testid="desk-manual-dial">
            {t('desk.manual.dial')}
          </button>
        </form>
      </div>
    </div>
  );
}
