// SMS settings (settings key 'sms.settings'): the modem's device and speed, the send rate,
// retries, validity and the opt-out keywords. TypeBox schema shared with the API.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const SmsSettings = Type.Object(
  {
    enabled: Type.Boolean({ description: 'use the modem (off: nothing is opened, messages stay queued)' }),
    device: Type.String({ maxLength: 200, pattern: '^(|demo|/dev/[A-Za-z0-9._/-]+)$', description: 'serial device of the modem\'s AT port, e.g. /dev/ttyUSB2; "demo" = simulated modem' }),
    baudRate: Type.Integer({ minimum: 1200, maximum: 921600 }),
    ratePerMinute: Type.Integer({ minimum: 1, maximum: 60, description: 'SMS parts per minute through the modem' }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 10, description: 'tries of a message on transient errors' }),
    retrySeconds: Type.Integer({ minimum: 5, maximum: 3600, description: 'first retry after; doubles each time' }),
    validityHours: Type.Integer({ minimum: 1, maximum: 168, description: 'how long the SMSC keeps trying' }),
    statusReports: Type.Boolean({ description: 'ask for delivery reports (TP-SRR)' }),
    countryCode: Type.String({ pattern: '^[0-9]{1,3}$', description: 'national numbers are sent as +<code><number>' }),
    optOutKeywords: Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 30, description: 'a reply that is exactly one of these (any case, punctuation ignored) opts out' }),
  },
  { additionalProperties: false },
);
export type SmsSettings = Static<typeof SmsSettings>;

export function defaultSmsSettings(demo = false): SmsSettings {
  return {
    enabled: demo,
    device: demo ? 'demo' : '',
    baudRate: 115200,
    ratePerMinute: 10,
    maxAttempts: 3,
    retrySeconds: 60,
    validityHours: 24,
    statusReports: true,
    countryCode: '86',
    optOutKeywords: ['退订', 'TD', 'T', 'N', 'STOP', '取消', 'UNSUBSCRIBE'],
  };
}

export class SmsSettingsError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export function validateSmsSettings(input: unknown, base: SmsSettings): SmsSettings {
  const doc = { ...base, ...(typeof input === 'object' && input ? input : {}) };
  const e = [...Value.Errors(SmsSettings, doc)][0];
  if (e) throw new SmsSettingsError(`settings${e.path.replace(/\//g, '.')}: ${e.message}`, e.path.replace(/^\//, '').replace(/\//g, '.'));
  return doc as SmsSettings;
}

/** The reply text as compared with the keywords: no spaces/punctuation, upper case. */
export function normalizeKeyword(text: string): string {
  return text.normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '').toUpperCase();
}
