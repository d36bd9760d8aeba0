// Turns API failures into localized messages. Unknown codes show the server's
// (English) message with its code, so nothing is ever silently swallowed.
import { ApiRequestError } from './api.js';
import type { MessageKey, TFunction } from './i18n/index.js';

const BY_CODE: Record<string, MessageKey> = {
  invalid_credentials: 'error.invalidCredentials',
  // The setup form checks length, username and variety itself, so what the server
  // still refuses is in practice a common password.
  weak_password: 'error.weakPassword',
  username_taken: 'error.usernameTaken',
  setup_done: 'error.alreadySetup',
  forbidden: 'error.forbidden',
  unauthenticated: 'login.sessionExpired',
  network: 'error.network',
};

/** Schema validation failures name the field; say what is wrong with it in the user's language. */
const VALIDATION_BY_FIELD: Record<string, MessageKey> = {
  username: 'error.usernameInvalid',
  password: 'error.passwordTooShort',
  displayName: 'error.displayNameTooLong',
};

export function describeError(t: TFunction, e: unknown): string {
  if (e instanceof ApiRequestError) {
    if (e.code === 'rate_limited' || e.status === 429) {
      return e.retryAfter !== undefined ? t('error.rateLimited', { seconds: e.retryAfter }) : t('error.rateLimitedNoTime');
    }
    const key = BY_CODE[e.code] ?? (e.code === 'validation' && e.field ? VALIDATION_BY_FIELD[e.field] : undefined);
    if (key) return t(key);
    return t('error.server', { code: e.code, message: e.message || String(e.status) });
  }
  return t('error.server', { code: 'client', message: e instanceof Error ? e.message : String(e) });
}
