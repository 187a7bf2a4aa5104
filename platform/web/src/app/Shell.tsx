import { Link, NavLink, Outlet, useMatch } from 'react-router'
import type { MeDto, Role, TenantIdentity } from '#shared/contract'
import { useEnrolledServices, useLogout, useMe, useTenant } from '../api/queries'
import { useT, type Lang } from '../i18n'
import { LoginPage } from '../pages/LoginPage'
import { Loading, Problem } from '../widgets/status'
import { tenantPages } from './pages'
import { entryLabel, servicesToAsk, visibleEntries } from './navigation'
import { rolesIn } from './tenant_context'

/** The tenant named by the address, if any: header and footer speak for it. */
function useAddressedTenant(me: MeDto | null | undefined) {
  const match = useMatch('/t/:tenant/*')
  const slug = match?.params.tenant ?? (me?.tenants.length === 1 ? me.tenants[0].slug : undefined)
  const member = me?.tenants.find((m) => m.slug === slug)
  const answer = useTenant(member || me?.isPlatformAdmin ? slug : undefined)
  if (!slug || (!member && !answer.data)) return null
  return {
    slug,
    name: answer.data?.tenant.name ?? member?.name ?? slug,
    identity: answer.data?.tenant.settings?.identity ?? ({} as TenantIdentity),
    plugins: answer.data ? new Set(answer.data.plugins ?? []) : null,
  }
}

function LanguageSwitch() {
  const { t, lang, setLang } = useT()
  return (
    <div role="group" aria-label={t('header.language')} className="d-flex gap-1">
      {(['it', 'en'] as const).map((l: Lang) => (
        <button
          key={l}
          type="button"
          className={`btn btn-xs lang-switch ${l === lang ? 'is-current' : ''}`}
          aria-pressed={l === lang}
          lang={l}
          onClick={() => setLang(l)}
        >
          {l.toUpperCase()}
          <span className="visually-hidden"> {t(`header.languageName_${l}`)}</span>
        </button>
      ))}
    </div>
  )
}

function UserZone({ me, roles }: { me: MeDto; roles: Role[] }) {
  const { t } = useT()
  const logout = useLogout()
  return (
    <div className="d-flex align-items-center gap-2 flex-wrap justify-content-end" data-testid="current-user">
      <p className="mb-0 portal-user small">
        <span className="visually-hidden">{t('header.loggedInAs')} </span>
        <span className="fw-semibold">{me.fullName}</span>
        {roles.length > 0 && (
          <span className="portal-user-roles"> · {roles.map((r) => t(`role.${r}`)).join(', ')}</span>
        )}
      </p>
      <button type="button" className="btn btn-xs lang-switch" onClick={() => logout.mutate()}>
        {t('header.logout')}
      </button>
    </div>
  )
}

/** The main navigation: the entries of the tenant's pages that the user's roles open. */
function Navigation({
  slug,
  roles,
  plugins,
}: {
  slug: string
  roles: ReadonlySet<Role>
  plugins: ReadonlySet<string> | null
}) {
  const { t, lang } = useT()
  const enrolled = useEnrolledServices(slug, servicesToAsk(tenantPages, roles, plugins))
  const entries = visibleEntries(tenantPages, roles, plugins, enrolled)
  if (entries.length === 0) return null
  const base = `/t/${encodeURIComponent(slug)}`
  return (
    <div className="portal-navbar">
      <div className="container">
        <nav id="main-nav" aria-label={t('header.mainNav')} tabIndex={-1}>
          <ul className="portal-nav">
            {entries.map((p) => (
              <li key={p.path}>
                <NavLink
                  to={p.path ? `${base}/${p.path}` : base}
                  end={p.path === '' || p.path === 'ufficio'}
                  className="portal-nav-link"
                >
                  {entryLabel(p, lang, (l) => t(`nav.${l}`))}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </div>
  )
}

function Header({
  me,
  tenant,
}: {
  me: MeDto | null
  tenant: { slug: string; name: string; identity: TenantIdentity; plugins: ReadonlySet<string> | null } | null
}) {
  const { t } = useT()
  const roles = me && tenant ? rolesIn(me, tenant.slug) : new Set<Role>()
  const home = tenant ? `/t/${encodeURIComponent(tenant.slug)}` : '/'
  return (
    <header className="it-header-wrapper portal-header">
      <div className="it-header-slim-wrapper">
        <div className="container">
          <div className="portal-slim d-flex flex-wrap align-items-center justify-content-between gap-2">
            <span className="portal-platform">{t('app.name')}</span>
            <div className="d-flex align-items-center gap-3 flex-wrap justify-content-end">
              <LanguageSwitch />
              {me && <UserZone me={me} roles={[...roles]} />}
            </div>
          </div>
        </div>
      </div>
      <div className="it-nav-wrapper">
        <div className="it-header-center-wrapper">
          <div className="container">
            <div className="it-header-center-content-wrapper">
              <div className="it-brand-wrapper">
                <Link to={home} className="portal-brand-link">
                  {tenant?.identity.logo_url && (
                    // The name follows in words: the logo is decoration next to it.
                    <img className="portal-logo" src={tenant.identity.logo_url} alt="" data-testid="tenant-logo" />
                  )}
                  <div className="it-brand-text">
                    <div className="it-brand-title" data-testid="tenant-name">
                      {tenant?.name ?? t('app.platform')}
                    </div>
                    <div className="it-brand-tagline">{t('app.tagline')}</div>
                  </div>
                </Link>
              </div>
            </div>
          </div>
        </div>
        {me && tenant && <Navigation slug={tenant.slug} roles={roles} plugins={tenant.plugins} />}
      </div>
    </header>
  )
}

function Footer({ tenant }: { tenant: { name: string; identity: TenantIdentity } | null }) {
  const { t } = useT()
  const identity = tenant?.identity ?? {}
  const contacts = identity.contacts ?? {}
  const hasContacts = Boolean(contacts.email || contacts.pec || contacts.phone || contacts.address)
  const hasLinks = Boolean(identity.privacy_url || identity.accessibility_url)
  return (
    <footer className="it-footer portal-footer" data-testid="footer">
      <div className="it-footer-main">
        <div className="container py-4">
          <div className="row g-4">
            <div className="col-12 col-lg-4">
              <p className="portal-footer-name mb-0">{tenant?.name ?? t('app.platform')}</p>
            </div>
            {hasContacts && (
              <div className="col-12 col-md-6 col-lg-4">
                <h2 className="portal-footer-heading">{t('footer.contacts')}</h2>
                <ul className="list-unstyled mb-0">
                  {contacts.address && (
                    <li>
                      <span className="visually-hidden">{t('footer.address')}: </span>
                      {contacts.address}
                    </li>
                  )}
                  {contacts.phone && (
                    <li>
                      {t('footer.phone')}: <a href={`tel:${contacts.phone.replace(/[^\d+]/g, '')}`}>{contacts.phone}</a>
                    </li>
                  )}
                  {contacts.email && (
                    <li>
                      {t('footer.email')}: <a href={`mailto:${contacts.email}`}>{contacts.email}</a>
                    </li>
                  )}
                  {contacts.pec && (
                    <li>
                      {t('footer.pec')}: <a href={`mailto:${contacts.pec}`}>{contacts.pec}</a>
                    </li>
                  )}
                </ul>
              </div>
            )}
            {hasLinks && (
              <div className="col-12 col-md-6 col-lg-4">
                <h2 className="portal-footer-heading">{t('footer.title')}</h2>
                <ul className="list-unstyled mb-0">
                  {identity.privacy_url && (
                    <li>
                      <a href={identity.privacy_url}>{t('footer.privacy')}</a>
                    </li>
                  )}
                  {identity.accessibility_url && (
                    <li>
                      <a href={identity.accessibility_url}>{t('footer.accessibility')}</a>
                    </li>
                  )}
                </ul>
              </div>
            )}
          </div>
        </div>
      </div>
      <div className="it-footer-small-prints">
        <div className="container">
          <p className="mb-0 py-2 small">{t('footer.poweredBy')}</p>
        </div>
      </div>
    </footer>
  )
}

/** Every page: skip links, header (comune, user, language, navigation), the page, footer. */
export function Shell() {
  const { t } = useT()
  const me = useMe()
  const tenant = useAddressedTenant(me.data)
  let page
  if (me.isPending) page = <Loading />
  else if (me.isError) page = <Problem>{t('app.genericError')}</Problem>
  else if (me.data === null) page = <LoginPage />
  else page = <Outlet />
  return (
    <>
      <div className="portal-skiplinks">
        <a className="visually-hidden-focusable skip-link" href="#main" onClick={(e) => skipTo(e, 'main')}>
          {t('app.skipToContent')}
        </a>
        {me.data && tenant && (
          <a className="visually-hidden-focusable skip-link" href="#main-nav" onClick={(e) => skipTo(e, 'main-nav')}>
            {t('app.skipToNav')}
          </a>
        )}
      </div>
      <Header me={me.data ?? null} tenant={me.data ? tenant : null} />
      <main id="main" tabIndex={-1} className="portal-main">
        <div className="container py-4">{page}</div>
      </main>
      <Footer tenant={me.data ? tenant : null} />
    </>
  )
}

/** Skip links move focus without changing the route (the portal routes on the hash). */
function skipTo(event: React.MouseEvent, id: string) {
  event.preventDefault()
  document.getElementById(id)?.focus()
}
