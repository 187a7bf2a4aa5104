import type { ReactElement } from 'react'
import type { Localized, Role } from '#shared/contract'
import type { it } from '../i18n/it'

/** What a page of a tenant is, apart from the list of them (pages.tsx), so that pages may read it. */
export type NavLabel = keyof typeof it.nav

export interface TenantPage {
  /** Path under /t/:tenant; '' is the tenant's home. */
  path: string
  element: ReactElement
  /** Who may open it: any of these roles in the tenant. Absent: every member. */
  roles?: readonly Role[]
  /**
   * An entry of the main navigation (`order` sorts them): a portal string, or a plugin's own words;
   * `roles` narrows who sees the entry when it is fewer than those who may open the page;
   * `enrolledIn` shows it only to a user with an active enrolment in that service.
   */
  nav?: { label: NavLabel | Localized; order: number; roles?: readonly Role[]; enrolledIn?: string }
  /** The back office's pages (`ufficio/...`), listed on the staff's desk. */
  side?: 'staff' | 'citizen'
  /** A plugin's page: it opens, and shows, only where that plugin is enabled. */
  plugin?: string
}
