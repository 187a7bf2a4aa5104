import type { Role } from '#shared/contract'
import type { Lang } from '../i18n'
import type { NavLabel, TenantPage } from './page_types'
import { mayOpen, pluginOff } from './tenant_context'

/** The navigation entries a user sees in a tenant: their roles open them, and their plugin is on. */
export function visibleEntries(
  pages: readonly TenantPage[],
  roles: ReadonlySet<Role>,
  plugins: ReadonlySet<string> | null
): TenantPage[] {
  return pages
    .filter((p) => p.nav && mayOpen(p.nav.roles ?? p.roles, roles) && !pluginOff(p.plugin, plugins))
    .sort((a, b) => a.nav!.order - b.nav!.order)
}

/** The label of an entry: a portal string (translated by `t`) or a plugin's own words. */
export function entryLabel(page: TenantPage, lang: Lang, navText: (label: NavLabel) => string): string {
  const label = page.nav!.label
  return typeof label === 'string' ? navText(label) : (label[lang] ?? label.it)
}
