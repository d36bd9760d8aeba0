// The signed-in console frame: sidebar navigation, top bar (breadcrumb, live pill,
// language switch, user, sign out) and the page area.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Role, User } from '../../../firmware-agent/src/http/schemas.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { navFor, type NavItem, type RouteMatch } from '../nav.js';
import { Link } from '../router.js';
import { Icon, Logo } from './Icon.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { api } from '../api.js';
import { LivePill } from './LiveWidgets.js';

const ROLE_ORDER: readonly Role[] = ['admin', 'manager', 'technician', 'data_manager', 'team_lead', 'qa', 'trainer', 'agent'];

export function roleKey(role: Role): MessageKey {
  return `role.${role}`;
}

/** The most senior role, for display. */
export function primaryRole(user: User): Role | null {
  for (const r of ROLE_ORDER) if (user.roles.includes(r)) return r;
  return user.roles[0] ?? null;
}

function NavLink({ item, active, child }: { item: NavItem; active: boolean; child?: boolean }) {
  const { t } = useI18n();
  return (
    <Link
      href={item.path}
      class={`nav-link${active ? ' active' : ''}${child ? ' nav-child' : ''}`}
      aria-current={active ? 'page' : undefined}
      data-nav={item.path}
    >
      <Icon name={item.icon} size={child ? 16 : 18} />
      <span>{t(item.label)}</span>
    </Link>
  );
}

export function Layout({
  user,
  route,
  onLogout,
  children,
}: {
  user: User;
  route: RouteMatch | null;
  onLogout: () => Promise<void>;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const role = primaryRole(user);
  const name = user.displayName || user.username;
  const initial = name.trim().charAt(0).toUpperCase();
  const activePath = route?.item.path;

  const logout = async () => {
    setBusy(true);
    try {
      await onLogout();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="shell">
      <aside class="sidebar">
        <div class="sidebar-inner">
          <Link href="/" class="brand">
            <Logo size={34} />
            <span class="brand-text">
              <span class="brand-name">{t('app.name')}</span>
              <span class="brand-sub">{t('app.console')}</span>
            </span>
          </Link>
          <nav class="nav" aria-label={t('nav.primary')}>
            {navFor(user.roles).map((section) => (
              <div class="nav-section" key={section.title}>
                <div class="nav-section-title">{t(section.title)}</div>
                {section.items.map((item) =>
                  item.children ? (
                    <div class={`nav-group${route?.parent === item ? ' open' : ''}`} key={item.path}>
                      <Link href={item.path} class={`nav-link nav-parent${route?.parent === item ? ' active-parent' : ''}`} data-nav={item.path}>
                        <Icon name={item.icon} size={18} />
                        <span>{t(item.label)}</span>
                      </Link>
                      <div class="nav-children">
                        {item.children.map((c) => (
                          <NavLink key={c.path} item={c} active={c.path === activePath} child />
                        ))}
                      </div>
                    </div>
                  ) : (
                    <NavLink key={item.path} item={item} active={item.path === activePath} />
                  ),
                )}
              </div>
            ))}
          </nav>
        </div>
      </aside>

      <div class="main">
        <header class="topbar">
          <div class="crumbs">
            {route?.parent && (
              <>
                <span class="crumb">{t(route.parent.label)}</span>
                <Icon name="chevronRight" size={14} class="crumb-sep" />
              </>
            )}
            {route && <span class="crumb crumb-current">{t(route.item.label)}</span>}
          </div>
          <div class="topbar-right">
            <LivePill />
            <LanguageSwitch onChange={(language) => void api.updateMe({ language }).catch(() => undefined)} />
            <div class="user-chip" data-testid="user-chip">
              <span class="avatar" aria-hidden="true">
                {initial}
              </span>
              <span class="user-meta">
                <span class="user-name" data-testid="user-name">
                  {name}
                </span>
                {role && (
                  <span class="user-role" data-testid="user-role">
                    {t(roleKey(role))}
                  </span>
                )}
              </span>
            </div>
            <button type="button" class="btn btn-ghost" onClick={logout} disabled={busy} data-testid="logout" title={t('header.logout')}>
              <Icon name="logout" size={16} />
              <span>{busy ? t('header.loggingOut') : t('header.logout')}</span>
            </button>
          </div>
        </header>
        <main class="content">{children}</main>
      </div>
    </div>
  );
}
