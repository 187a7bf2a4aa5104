import type { Role } from '#shared/contract'
import type { Lang } from '../i18n'
import type { NavLabel, TenantPage } from './page_types'
import { mayOpen, pluginOff } from './tenant_context'

/**
 * The navigation entries a user sees in a tenant: their roles open them, their plugin is on, and,
 * for an entry kept to a service's families, the user has an active enrolment in it (`enrolled`:
 * the services they do; null while unknown).
 */
export function visibleEntries(
  pages: readonly TenantPage[],
  roles: ReadonlySet<Role>,
  plugins: ReadonlySet<string> | null,
  enrolled: ReadonlySet<string> | null = null
): TenantPage[] {
  return pages
    .filter((p) => p.nav && mayOpen(p.nav.roles ?? p.roles, roles) && !pluginOff(p.plugin, plugins))
    .filter((p) => !p.nav!.enrolledIn || Boolean(enrolled?.has(p.nav!.enrolledIn)))
    .sort((a, b) => a.nav!.order - b.nav!.order)
}

/** The services whose families' entries the user may see, if enrolled: the ones to ask about. */
export function servicesToAsk(
  pages: readonly TenantPage[],
  roles: ReadonlySet<Role>,
  plugins: ReadonlySet<string> | null
): string[] {
  const entries = pages.filter(
    (p) => p.nav?.enrolledIn && mayOpen(p.nav.roles ?? p.roles, roles) && !pluginOff(p.plugin, plugins)
  )
  return [...new Set(entries.map((p) => p.nav!.enrolledIn!))].sort()
}

/** The label of an entry: a portal string (translated by `t`) or a plugin's own words. */
export function entryLabel(page: TenantPage, lang: Lang, navText: (label: NavLabel) => string): string {
  const label = page.nav!.label
  return typeof label === 'string' ? navText(label) : (label[lang] ?? label.it)
}
