// Sign in. Wrong credentials and rate limiting (with a Retry-After countdown) are shown clearly.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../../../firmware-agent/src/http/schemas.js';
import { api, ApiRequestError } from '../api.js';
import { Alert } from '../components/Alert.js';
import { AuthFrame } from '../components/AuthFrame.js';
import { describeError } from '../errors.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { useNow } from '../live.js';

export function LoginPage({ notice, onDone }: { notice?: MessageKey | null; onDone: (user: User) => void | Promise<void> }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const now = useNow(500, lockedUntil !== null);

  const remaining = lockedUntil ? Math.max(0, Math.ceil((lockedUntil - now) / 1000)) : 0;
  useEffect(() => {
    if (lockedUntil && remaining === 0) setLockedUntil(null);
  }, [lockedUntil, remaining]);

  const submit = async (ev: JSX.TargetedEvent<HTMLFormElement>) => {
    ev.preventDefault();
    if (!username || !password) {
      setError(t('error.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await api.login({ username, password });
      await onDone(res.user);
    } catch (e) {
      if (e instanceof ApiRequestError && (e.status === 429 || e.code === 'rate_limited')) {
        if (e.retryAfter !== undefined && e.retryAfter > 0) setLockedUntil(Date.now() + e.retryAfter * 1000);
        setError(e.retryAfter === undefined ? t('error.rateLimitedNoTime') : 'rate_limited');
      } else {
        setError(describeError(t, e));
        if (e instanceof ApiRequestError && e.code === 'invalid_credentials') {
          setPassword('');
          passwordRef.current?.focus();
        }
      }
    } finally {
      setBusy(false);
    }
  };

  // The rate-limit message counts down live.
  const shownError =
    error === 'rate_limited'
      ? remaining > 0
        ? t('error.rateLimited', { seconds: remaining })
        : null
      : error;

  return (
    <AuthFrame>
      <div class="auth-card-head">
        <h1 class="auth-title">{t('login.title')}</h1>
        <p class="auth-lead">{t('login.subtitle')}</p>
      </div>
      {notice && !shownError && <Alert kind="info">{t(notice)}</Alert>}
      {shownError && (
        <Alert kind="error" testId="login-error">
          {shownError}
        </Alert>
      )}
      <form class="form" onSubmit={submit} noValidate data-testid="login-form">
        <div class="field">
          <label for="login-username">{t('login.username')}</label>
          <input
            id="login-username"
            name="username"
            autocomplete="username"
            autoCapitalize="none"
            spellcheck={false}
            autoFocus
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value.trim())}
          />
        </div>
        <div class="field">
          <label for="login-password">{t('login.password')}</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autocomplete="current-password"
            ref={passwordRef}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy || remaining > 0} data-testid="login-submit">
          {busy ? t('login.submitting') : remaining > 0 ? t('login.waitSeconds', { seconds: remaining }) : t('login.submit')}
        </button>
      </form>
    </AuthFrame>
  );
}
