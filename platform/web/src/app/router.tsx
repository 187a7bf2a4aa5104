import { createHashRouter, Navigate, Outlet, useParams } from 'react-router'
import { useMe, useTenant } from '../api/queries'
import { useT } from '../i18n'
import { Shell } from './Shell'
import { TenantContext, mayOpen, pluginOff, rolesIn } from './tenant_context'
import { tenantPages, type TenantPage } from './pages'
import { TenantsPage } from '../pages/TenantsPage'
import { PlatformTenantsPage } from '../pages/PlatformTenantsPage'
import { Loading, Problem } from '../widgets/status'

/** A member's pages of one tenant; the user's roles there decide which open. */
function TenantScope() {
  const { tenant: slug = '' } = useParams()
  const { data: me } = useMe()
  const tenant = useTenant(slug)
  const { t } = useT()
  if (!me) return null
  const roles = rolesIn(me, slug)
  if (roles.size === 0) return <Problem>{t('app.noAccess')}</Problem>
  const membership = me.tenants.find((m) => m.slug === slug)
  // Name and identity come with the tenant's answer; until then (or without it) the membership's name.
  const current = {
    slug,
    name: tenant.data?.tenant.name ?? membership?.name ?? slug,
    roles,
    identity: tenant.data?.tenant.settings?.identity ?? {},
    plugins: tenant.data ? new Set(tenant.data.plugins ?? []) : null,
  }
  return (
    <TenantContext.Provider value={current}>
      <Outlet />
    </TenantContext.Provider>
  )
}

function Guarded({ page }: { page: TenantPage }) {
  const { tenant: slug = '' } = useParams()
  const { data: me } = useMe()
  const tenant = useTenant(slug)
  const { t } = useT()
  if (!me) return null
  if (!mayOpen(page.roles, rolesIn(me, slug))) return <Problem>{t('app.noAccess')}</Problem>
  if (page.plugin) {
    // A plugin's page waits for the tenant's list of enabled plugins, and is absent where it is off.
    if (tenant.isPending) return <Loading />
    if (pluginOff(page.plugin, tenant.data ? new Set(tenant.data.plugins ?? []) : null)) {
      return <Problem>{t('app.serviceOff')}</Problem>
    }
  }
  return page.element
}

/** The home: the tenant's services when the user belongs to one tenant, else the list of them. */
function Home() {
  const { data: me } = useMe()
  if (!me) return <Loading />
  if (me.tenants.length === 1) return <Navigate to={`/t/${encodeURIComponent(me.tenants[0].slug)}`} replace />
  return <TenantsPage />
}

function NotFound() {
  const { t } = useT()
  return <Problem>{t('app.notFound')}</Problem>
}

/**
 * Hash routes (`/#/t/piacenza/domande`): the server serves one index.html at `/`, and an address
 * kept in a bookmark or an email opens the same page without any server route per page.
 */
export const router = createHashRouter([
  {
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: 'piattaforma/enti', element: <PlatformTenantsPage /> },
      {
        path: 't/:tenant',
        element: <TenantScope />,
        children: tenantPages.map((page) =>
          page.path === ''
            ? { index: true, element: <Guarded page={page} /> }
            : { path: page.path, element: <Guarded page={page} /> }
        ),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
])
