/*
 * Screens: the pages a plugin adds to the portal, from `plugins/<id>/web/index.tsx`.
 *
 * The portal's build (Vite) finds every `plugins/*\/web/index.tsx` and bundles it: no code is loaded
 * at run time. The portal shows a plugin's pages only where the tenant has the plugin enabled, and
 * only to users holding one of the roles each page names. Browser-safe: types, an identity
 * function and pure formatting helpers, nothing that needs Node or the server.
 */
import type { ComponentType } from 'react'
import type { Lang, Localized, Role } from '../shared/contract.js'

export type { Lang, Localized, Role }

/** Money written as every page of the portal writes it (decimal strings or integer cents, never floats). */
export { formatCents, formatEuro } from '../shared/money_text.js'

/** What the portal hands a plugin page: the tenant, the reader, and a way to call the API. */
export interface PluginScreenProps {
  tenant: { slug: string; name: string }
  /** The interface language: render text in it, and amounts and dates as it writes them. */
  lang: Lang
  /** The user's roles in this tenant. */
  roles: readonly Role[]
  /**
   * A call to the tenant's API with the user's session and language, `path` relative to
   * `/api/v1/t/<tenant>` (e.g. `/enrolments?service=refezione`). Refused calls throw an error
   * whose `message` is the server's, in the reader's language.
   */
  api: <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) => Promise<T>
}

export interface PluginScreen {
  /**
   * The page's address under the plugin: staff pages open at `/t/<tenant>/ufficio/<plugin>/<path>`,
   * citizen pages at `/t/<tenant>/<plugin>/<path>`. Letters, digits, dashes and slashes.
   */
  path: string
  /** The back office (staff) or the citizen's portal. */
  side: 'staff' | 'citizen'
  /** Who sees and opens it: any of these roles in the tenant. */
  roles: readonly Role[]
  /** The page's title (its first heading, and the navigation's label unless `nav` names one). */
  title: Localized
  /** An entry of the main navigation, placed by `order` among the platform's (10, 20, ...). */
  nav?: { label?: Localized; order: number }
  /**
   * Shown inside a page of the platform instead of as a page of its own: "payments" puts it, under
   * its title, on the family's Pagamenti page (the canteen shows the meals consumed there).
   */
  embed?: 'payments'
  component: ComponentType<PluginScreenProps>
}

export interface PluginScreens {
  /** The plugin's id, as in its manifest: its pages show where this plugin is enabled. */
  plugin: string
  screens: PluginScreen[]
}

/** Identity function that gives a plugin's screens their type (default export of web/index.tsx). */
export function defineScreens<T extends PluginScreens>(screens: T): T {
  return screens
}

/** The answers of the platform's API a plugin page may read, as the portal types them. */
export type {
  ApiErrorBody,
  EnrolmentDetailDto,
  EnrolmentSummaryDto,
  FeeSummary,
  FeeUnit,
  SubmissionStatus,
  SubmissionSummaryDto,
} from '../shared/contract.js'
