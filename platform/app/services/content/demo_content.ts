import { readFileSync } from 'node:fs'
import type { Role } from '#services/tenants/roles'
import type { SchoolSeed } from '#services/tenants/school_catalog_service'
import type { EntryAttributes } from '#forms/catalog_sources'
import type { TenantIdentity } from '#services/tenants/tenant_identity'

/**
 * The demo's data (`npm start`): its tenants with the services enabled for each, users, the school
 * catalog and lists of the demo comune, and one application to accept. It is content, kept in
 * database/demo/demo.json (see the README beside it), so the platform's code names no service.
 */
export interface DemoContent {
  tenants: Array<{
    slug: string
    name: string
    fiscalCode: string
    /** Plugin ids enabled for the tenant. */
    plugins: string[]
    /** Whether the demo school catalog and lists are loaded for it. */
    catalog?: boolean
    /** Enrolment windows by form key, in days from the first seeding. */
    windows?: Record<string, { opens: number; closes: number }>
  }>
  identity: Record<string, TenantIdentity>
  users: Array<{ email: string; fullName: string; tenant: string | null; roles: Role[]; fiscalCode?: string }>
  /** One accepted application, so that the enrolments page has content. */
  enrolment: {
    tenant: string
    form: string
    citizen: string
    operator: string
    data: Record<string, unknown>
    /** The form field (JSON Pointer) the demo identity document is uploaded at. */
    document: string
  }
  schools: SchoolSeed[]
  entries: Array<{
    source: string
    code: string
    name: string
    parent?: string
    attributes?: EntryAttributes
    position?: number
  }>
}

export const DEMO: DemoContent = JSON.parse(
  readFileSync(new URL('../../../database/demo/demo.json', import.meta.url), 'utf8')
) as DemoContent
