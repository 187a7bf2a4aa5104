import type { ReactElement } from 'react'
import { Link, Navigate } from 'react-router'
import { useCurrentTenant, STAFF_ROLES } from '../../app/tenant_context'
import { entryLabel, visibleEntries } from '../../app/navigation'
import type { TenantPage } from '../../app/page_types'
import { useT } from '../../i18n'

/**
 * The tenant's home: the services for citizens; the offices' people (who are not also citizens
 * of it) go to their desk.
 */
export function HomePage({ services }: { services: ReactElement }) {
  const tenant = useCurrentTenant()
  const staff = STAFF_ROLES.some((r) => tenant.roles.has(r))
  if (staff && !tenant.roles.has('citizen')) {
    return <Navigate to={`/t/${encodeURIComponent(tenant.slug)}/ufficio`} replace />
  }
  return services
}

/** The desk: the back-office pages this person's roles open, one card each. */
/** The staff's desk: `pages` gives the portal's pages (a function: the list is made after this page). */
export function StaffHomePage({ pages }: { pages: () => TenantPage[] }) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const entries = visibleEntries(
    pages().filter((p) => p.side === 'staff' && p.path !== 'ufficio'),
    tenant.roles,
    tenant.plugins
  )
  const base = `/t/${encodeURIComponent(tenant.slug)}`
  return (
    <section aria-labelledby="desk-title">
      <h1 id="desk-title" className="h2 mb-2">
        {t('desk.title')}
      </h1>
      <p className="mb-4">{t('desk.intro', { name: tenant.name })}</p>
      {entries.length === 0 ? (
        <p data-testid="desk-empty">{t('desk.none')}</p>
      ) : (
        <ul className="list-unstyled row g-3 portal-cards" data-testid="desk-entries">
          {entries.map((p) => (
            <li key={p.path} className="col-12 col-md-6 col-lg-4">
              <div className="card card-bg h-100">
                <div className="card-body">
                  <h2 className="h5 card-title">
                    <Link to={`${base}/${p.path}`}>{entryLabel(p, lang, (l) => t(`nav.${l}`))}</Link>
                  </h2>
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
