/**
 * The pages of a tenant (`/t/:tenant/...`) and the main navigation, from one list: each page says
 * who may open it (by role in the tenant) and, if it is a navigation entry, its label and place.
 * The navigation shows a user the entries their roles open; a page their roles do not open
 * answers "not available". The citizen's pages sit at the tenant's root, the offices' under
 * `ufficio/`; plugins add theirs (plugin_screens.tsx), shown only where the plugin is enabled.
 */
import type { Role } from '#shared/contract'
import { ServicesPage } from '../pages/ServicesPage'
import { FormRoute } from '../pages/FormPage'
import { SubmissionsPage } from '../pages/SubmissionsPage'
import { SubmissionRoute } from '../pages/SubmissionPage'
import { EnrolmentsPage } from '../pages/EnrolmentsPage'
import { EnrolmentRoute } from '../pages/EnrolmentPage'
import { PaymentsPage } from '../pages/PaymentsPage'
import { HomePage, StaffHomePage } from '../pages/staff/StaffHomePage'
import { InboxPage } from '../pages/staff/InboxPage'
import { ReviewRoute } from '../pages/staff/ReviewPage'
import { BulkAcceptPage } from '../pages/staff/BulkAcceptPage'
import { CounterFormRoute, CounterPage } from '../pages/staff/CounterPage'
import { PeoplePage, PersonRoute } from '../pages/staff/PeoplePage'
import { RegisterPage } from '../pages/staff/RegisterPage'
import { RegisterEntryRoute } from '../pages/staff/RegisterEntryPage'
import { AuditPage } from '../pages/staff/AuditPage'
import { InjunctionsPage } from '../pages/staff/InjunctionsPage'
import { SettingsPage } from '../pages/staff/SettingsPage'
import { ReportsPage } from '../pages/staff/ReportsPage'
import { RuleSetsPage } from '../pages/designer/RuleSetsPage'
import { RuleSetRoute } from '../pages/designer/RuleSetPage'
import { FormDesignerRoute, FormsDesignerPage } from '../pages/designer/FormsDesignerPage'
import { PluginScreenPage, discoveredScreens, screenPath } from './plugin_screens'
import { STAFF_ROLES } from './tenant_context'

export type { NavLabel, TenantPage } from './page_types'
import type { TenantPage } from './page_types'

/** The citizen's side: apply, follow the applications, read the enrolled children. */
const CITIZEN: readonly Role[] = ['citizen']

export const citizenPages: TenantPage[] = [
  {
    path: '',
    element: <HomePage services={<ServicesPage />} />,
    nav: { label: 'services', order: 10, roles: CITIZEN },
  },
  { path: 'moduli/:formKey', element: <FormRoute />, roles: CITIZEN },
  { path: 'domande', element: <SubmissionsPage />, roles: CITIZEN, nav: { label: 'applications', order: 20 } },
  { path: 'domande/:id', element: <SubmissionRoute />, roles: CITIZEN },
  { path: 'domande/:id/integra', element: <FormRoute />, roles: CITIZEN },
  { path: 'iscritti', element: <EnrolmentsPage />, roles: CITIZEN, nav: { label: 'enrolments', order: 30 } },
  { path: 'iscritti/:id', element: <EnrolmentRoute />, roles: CITIZEN },
  { path: 'pagamenti', element: <PaymentsPage />, roles: CITIZEN, nav: { label: 'payments', order: 35 } },
]

/** The offices handling applications and enrolments. */
const OFFICE: readonly Role[] = ['operator', 'tenant_admin']

/** Who changes tariffs and rules in the designer (a tenant admin also publishes). */
const DESIGN: readonly Role[] = ['designer', 'tenant_admin']

/** The offices' side: the desk, then what each role works on. */
export const staffPages: TenantPage[] = [
  {
    path: 'ufficio',
    element: <StaffHomePage pages={() => tenantPages} />,
    roles: STAFF_ROLES,
    side: 'staff',
    nav: { label: 'desk', order: 5 },
  },
  { path: 'ufficio/domande', element: <InboxPage />, roles: OFFICE, side: 'staff', nav: { label: 'inbox', order: 40 } },
  { path: 'ufficio/domande/:id', element: <ReviewRoute />, roles: OFFICE, side: 'staff' },
  { path: 'ufficio/domande/accoglimenti/:id', element: <BulkAcceptPage />, roles: OFFICE, side: 'staff' },
  {
    path: 'ufficio/sportello',
    element: <CounterPage />,
    roles: OFFICE,
    side: 'staff',
    nav: { label: 'counter', order: 45 },
  },
  { path: 'ufficio/sportello/:citizenId/:formKey', element: <CounterFormRoute />, roles: OFFICE, side: 'staff' },
  {
    path: 'ufficio/iscritti',
    element: <RegisterPage />,
    roles: OFFICE,
    side: 'staff',
    nav: { label: 'register', order: 50 },
  },
  { path: 'ufficio/iscritti/:id', element: <RegisterEntryRoute />, roles: OFFICE, side: 'staff' },
  {
    path: 'ufficio/persone',
    element: <PeoplePage />,
    roles: OFFICE,
    side: 'staff',
    nav: { label: 'people', order: 55 },
  },
  { path: 'ufficio/persone/:id', element: <PersonRoute />, roles: OFFICE, side: 'staff' },
  {
    path: 'ufficio/ingiunzioni',
    element: <InjunctionsPage />,
    roles: OFFICE,
    side: 'staff',
    nav: { label: 'injunctions', order: 58 },
  },
  {
    path: 'ufficio/report',
    element: <ReportsPage />,
    roles: OFFICE,
    side: 'staff',
    nav: { label: 'reports', order: 85 },
  },
  {
    path: 'ufficio/attivita',
    element: <AuditPage />,
    roles: ['tenant_admin'],
    side: 'staff',
    nav: { label: 'audit', order: 90 },
  },
  {
    path: 'ufficio/impostazioni',
    element: <SettingsPage />,
    roles: ['tenant_admin'],
    side: 'staff',
    nav: { label: 'settings', order: 95 },
  },
  {
    path: 'ufficio/regole',
    element: <RuleSetsPage />,
    roles: DESIGN,
    side: 'staff',
    nav: { label: 'designer', order: 60 },
  },
  { path: 'ufficio/regole/:id', element: <RuleSetRoute />, roles: DESIGN, side: 'staff' },
  {
    path: 'ufficio/moduli',
    element: <FormsDesignerPage />,
    roles: DESIGN,
    side: 'staff',
    nav: { label: 'forms', order: 62 },
  },
  { path: 'ufficio/moduli/:formKey', element: <FormDesignerRoute />, roles: DESIGN, side: 'staff' },
]

// A screen a plugin gives to a platform page (`embed`) shows there, not as a page of its own.
export const pluginPages: TenantPage[] = discoveredScreens()
  .filter(({ screen }) => !screen.embed)
  .map(({ plugin, screen }) => ({
    path: screenPath(plugin, screen),
    element: <PluginScreenPage screen={screen} />,
    roles: screen.roles,
    side: screen.side,
    plugin,
    nav: screen.nav
      ? {
          label: screen.nav.label ?? screen.title,
          order: screen.nav.order,
          enrolledIn: screen.nav.enrolled ? plugin : undefined,
        }
      : undefined,
  }))

export const tenantPages: TenantPage[] = [...citizenPages, ...staffPages, ...pluginPages]
