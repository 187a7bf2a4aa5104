import School from '#models/school'
import CatalogEntry from '#models/catalog_entry'
import type { CatalogEntryData } from '#forms/catalog_sources'
import { RequestContext } from '#services/infrastructure/request_context'
import { requestContentStamp, tenantContentCache } from '#services/tenants/tenant_content'
import { todayInItaly } from '#services/definitions/ruleset_service'
import SchoolClass from '#models/school_class'
import { catalogFrom, type SchoolCatalog } from '#forms/school_catalog'
import { validateSubmission } from '#forms/validator'
import type { FormDefinition, ValidateOptions, ValidationResult } from '#forms/types'

/**
 * The tenant's schools and class groups (Allegato B: schools, classes and sections come from the
 * comune's data). Every query runs in the tenant of the current context (TenantScoped), every
 * write is audited (Audited); schools and classes are deactivated, never deleted.
 */

export interface SchoolInput {
  code: string
  name: string
  order: string
  services: string[]
  address?: string | null
  active?: boolean
}

export interface ClassInput {
  year: string | null
  section: string
  active?: boolean
}

export interface SchoolSeed extends Omit<SchoolInput, 'active'> {
  active?: boolean
  classes: Array<{ year: string | null; section: string }>
}

/** A write refused for a reason the caller can fix (duplicate code, duplicate class). */
export class CatalogConflictError extends Error {
  readonly status = 409
  constructor(readonly messages: { it: string; en: string }) {
    super(messages.en)
  }
}

const kept = tenantContentCache<SchoolCatalog>()

/**
 * The catalog of the current tenant for a validation: kept by the process under the tenant's content
 * stamp the request read (a change by staff renews the stamp, see tenant_content.ts), else loaded
 * (three queries). Which schools are open for enrolment depends on the day, so the day is part of the key.
 */
export async function loadSchoolCatalog(): Promise<SchoolCatalog> {
  const tenant = RequestContext.tenant()
  if (!tenant) return readSchoolCatalog()
  const today = todayInItaly()
  return kept.get(tenant.id, requestContentStamp(tenant.id), readSchoolCatalog, today)
}

async function readSchoolCatalog(): Promise<SchoolCatalog> {
  // Only the columns a validation reads: every submission loads the catalog, and timestamps would
  // be parsed into dates for nothing (a few dozen rows per request).
  const schools = await School.query()
    .select('id', 'code', 'name', 'order', 'services', 'active')
    .preload('classes', (classes) => classes.select('id', 'school_id', 'year', 'section', 'active'))
  const entries: Record<string, CatalogEntryData[]> = {}
  const rows = await CatalogEntry.query()
    .select('id', 'source', 'code', 'name', 'parent', 'attributes', 'position', 'active')
    .orderBy('position', 'asc')
    .orderBy('name', 'asc')
  for (const row of rows) {
    ;(entries[row.source] ??= []).push(row.toData())
  }
  return catalogFrom(
    schools.map((s) => ({
      code: s.code,
      name: s.name,
      order: s.order,
      services: s.services,
      active: s.active,
      classes: s.classes.map((c) => ({ year: c.year, section: c.section, active: c.active })),
    })),
    entries,
    todayInItaly()
  )
}

/**
 * Full validation of a submission with the current tenant's catalog, as the API runs it on submit
 * and the `forms:validate` command: a draft check (`partial`) does not need the catalog.
 */
export async function validateWithCatalog(
  form: FormDefinition,
  data: unknown,
  opts: Omit<ValidateOptions, 'catalog'> = {}
): Promise<ValidationResult> {
  const catalog = opts.partial ? undefined : await loadSchoolCatalog()
  return validateSubmission(form, data, { ...opts, catalog })
}

export async function listSchools(filter: { order?: string; service?: string; includeInactive?: boolean }) {
  const query = School.query().orderBy('order', 'asc').orderBy('name', 'asc')
  if (filter.order) query.where('order', filter.order)
  if (!filter.includeInactive) query.where('active', true)
  const schools = await query
  // Services are a JSON list: filtered here, the same way on SQLite and PostgreSQL.
  return filter.service ? schools.filter((s) => s.services.includes(filter.service!)) : schools
}

export async function findSchool(code: string) {
  return School.query().where('code', code).first()
}

export async function createSchool(input: SchoolInput) {
  if (await findSchool(input.code)) throw duplicateSchool(input.code)
  return School.create({
    code: input.code,
    name: input.name,
    order: input.order,
    services: [...new Set(input.services)],
    address: input.address ?? null,
    active: input.active ?? true,
  })
}

export async function updateSchool(school: School, changes: Partial<Omit<SchoolInput, 'code'>>) {
  if (changes.name !== undefined) school.name = changes.name
  if (changes.order !== undefined) school.order = changes.order
  if (changes.services !== undefined) school.services = [...new Set(changes.services)]
  if (changes.address !== undefined) school.address = changes.address
  if (changes.active !== undefined) school.active = changes.active
  await school.save()
  return school
}

export async function listClasses(school: School, includeInactive: boolean) {
  const query = SchoolClass.query().where('school_id', school.id).orderBy('year', 'asc').orderBy('section', 'asc')
  if (!includeInactive) query.where('active', true)
  return query
}

export async function findClass(school: School, id: number) {
  return SchoolClass.query().where('school_id', school.id).where('id', id).first()
}

async function sameClass(school: School, year: string | null, section: string, exceptId?: number) {
  const query = SchoolClass.query().where('school_id', school.id).where('section', section)
  if (year === null) query.whereNull('year')
  else query.where('year', year)
  if (exceptId !== undefined) query.whereNot('id', exceptId)
  return query.first()
}

export async function addClass(school: School, input: ClassInput) {
  if (await sameClass(school, input.year, input.section)) throw duplicateClass(school, input.year, input.section)
  return SchoolClass.create({
    schoolId: school.id,
    year: input.year,
    section: input.section,
    active: input.active ?? true,
  })
}

export async function updateClass(school: School, row: SchoolClass, changes: Partial<ClassInput>) {
  const year = changes.year !== undefined ? changes.year : row.year
  const section = changes.section ?? row.section
  if (await sameClass(school, year, section, row.id)) throw duplicateClass(school, year, section)
  row.year = year
  row.section = section
  if (changes.active !== undefined) row.active = changes.active
  await row.save()
  return row
}

/**
 * Creates what is missing of the given schools and classes in the current tenant, leaving what
 * exists as it is: the demo seeder runs it at every start, the tests use it to give a tenant a catalog.
 */
export async function ensureSchoolCatalog(seeds: readonly SchoolSeed[]) {
  for (const seed of seeds) {
    const school =
      (await findSchool(seed.code)) ??
      (await createSchool({ ...seed, services: [...seed.services], active: seed.active ?? true }))
    for (const c of seed.classes) {
      if (!(await sameClass(school, c.year, c.section))) await addClass(school, c)
    }
  }
}

function duplicateSchool(code: string) {
  return new CatalogConflictError({
    it: `Esiste già una scuola con codice "${code}": scegli un altro codice o modifica quella esistente.`,
    en: `A school with code "${code}" already exists: choose another code or change the existing one.`,
  })
}

function duplicateClass(school: School, year: string | null, section: string) {
  const name = year === null ? `sezione ${section}` : `${year}ª ${section}`
  const nameEn = year === null ? `section ${section}` : `year ${year} section ${section}`
  return new CatalogConflictError({
    it: `La scuola "${school.code}" ha già la ${name}: modifica quella esistente.`,
    en: `School "${school.code}" already has ${nameEn}: change the existing one.`,
  })
}
