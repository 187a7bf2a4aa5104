/**
 * The pages of a tenant (`/t/:tenant/...`) and the main navigation, from one list: each page says
 * who may open it (by role in the tenant) and, if it is a navigation entry, its label and place.
 * The navigation shows a user the entries their roles open; a page their roles do not open
 * answers "not available". The back office adds its pages to this list; nothing else changes.
 */
import type { ReactElement } from 'react'
import type { Role } from '#shared/contract'
import type { it } from '../i18n/it'
import { ServicesPage } from '../pages/ServicesPage'
import { FormRoute } from '../pages/FormPage'
import { SubmissionsPage } from '../pages/SubmissionsPage'
import { SubmissionRoute } from '../pages/SubmissionPage'
import { EnrolmentsPage } from '../pages/EnrolmentsPage'
import { EnrolmentRoute } from '../pages/EnrolmentPage'

export type NavLabel = keyof typeof it.nav

export interface TenantPage {
  /** Path under /t/:tenant; '' is the tenant's home. */
  path: string
  element: ReactElement
  /** Who may open it: any of these roles in the tenant. Absent: every member. */
  roles?: readonly Role[]
  /** An entry of the main navigation (`order` sorts them). */
  nav?: { label: NavLabel; order: number }
}

/** The citizen's side: apply, follow the applications, read the enrolled children. */
const CITIZEN: readonly Role[] = ['citizen']

export const citizenPages: TenantPage[] = [
  { path: '', element: <ServicesPage />, nav: { label: 'services', order: 10 } },
  { path: 'moduli/:formKey', element: <FormRoute />, roles: CITIZEN },
  { path: 'domande', element: <SubmissionsPage />, roles: CITIZEN, nav: { label: 'applications', order: 20 } },
  { path: 'domande/:id', element: <SubmissionRoute />, roles: CITIZEN },
  { path: 'domande/:id/integra', element: <FormRoute />, roles: CITIZEN },
  { path: 'iscritti', element: <EnrolmentsPage />, roles: CITIZEN, nav: { label: 'enrolments', order: 30 } },
  { path: 'iscritti/:id', element: <EnrolmentRoute />, roles: CITIZEN },
]

export const tenantPages: TenantPage[] = [...citizenPages]
