import { currentLanguage, t } from '#i18n/catalogue'
import type { HttpContext } from '@adonisjs/core/http'
import TenantPolicy from '#policies/tenant_policy'
import CatalogPolicy from '#policies/catalog_policy'
import type School from '#models/school'
import {
  CatalogConflictError,
  addClass,
  createSchool,
  findClass,
  findSchool,
  listClasses,
  listSchools,
  updateClass,
  updateSchool,
} from '#services/tenants/school_catalog_service'
import {
  createClassValidator,
  createSchoolValidator,
  listSchoolsValidator,
  updateClassValidator,
  updateSchoolValidator,
} from '#validators/catalog'
import { requestLanguage } from '#services/infrastructure/request_language'

/** The tenant's schools and class groups: read by every member, kept by operators and tenant admins. */
export default class CatalogController {
  async schools({ access, bouncer, request }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const query = await listSchoolsValidator.validate(request.qs())
    const includeInactive =
      query.include_inactive === true && (await bouncer.with(CatalogPolicy).allows('manage', access))
    const schools = await listSchools({ order: query.order, service: query.service, includeInactive })
    return { schools: schools.map((s) => s.toApi()) }
  }

  async showSchool(ctx: HttpContext) {
    await ctx.bouncer.with(TenantPolicy).authorize('view', ctx.access)
    const school = await this.#school(ctx)
    if (!school) return
    return { school: school.toApi() }
  }

  /** The class groups of a school, and the years and sections they make (what the dropdowns offer). */
  async classes(ctx: HttpContext) {
    await ctx.bouncer.with(TenantPolicy).authorize('view', ctx.access)
    const school = await this.#school(ctx)
    if (!school) return
    const includeInactive =
      ['true', '1'].includes(String(ctx.request.qs().include_inactive)) &&
      (await ctx.bouncer.with(CatalogPolicy).allows('manage', ctx.access))
    const rows = await listClasses(school, includeInactive)
    const active = rows.filter((c) => c.active)
    return {
      school: school.toApi(),
      classes: rows.map((c) => c.toApi()),
      years: [...new Set(active.map((c) => c.year).filter((y): y is string => y !== null))],
      sections: [...new Set(active.map((c) => c.section))],
    }
  }

  async storeSchool({ access, bouncer, request, response }: HttpContext) {
    await bouncer.with(CatalogPolicy).authorize('manage', access)
    const input = await createSchoolValidator.validate(request.body())
    try {
      const school = await createSchool(input)
      return response.created({ school: school.toApi() })
    } catch (error) {
      return conflict(error, response, requestLanguage(request), '/code')
    }
  }

  async updateSchool(ctx: HttpContext) {
    await ctx.bouncer.with(CatalogPolicy).authorize('manage', ctx.access)
    const changes = await updateSchoolValidator.validate(ctx.request.body())
    const school = await this.#school(ctx)
    if (!school) return
    return { school: (await updateSchool(school, changes)).toApi() }
  }

  /** Deactivated, not deleted: submissions already sent keep naming the school. */
  async deactivateSchool(ctx: HttpContext) {
    await ctx.bouncer.with(CatalogPolicy).authorize('manage', ctx.access)
    const school = await this.#school(ctx)
    if (!school) return
    return { school: (await updateSchool(school, { active: false })).toApi() }
  }

  async storeClass(ctx: HttpContext) {
    await ctx.bouncer.with(CatalogPolicy).authorize('manage', ctx.access)
    const input = await createClassValidator.validate(ctx.request.body())
    const school = await this.#school(ctx)
    if (!school) return
    try {
      const row = await addClass(school, { year: input.year ?? null, section: input.section, active: input.active })
      return ctx.response.created({ class: row.toApi() })
    } catch (error) {
      return conflict(error, ctx.response, requestLanguage(ctx.request), '/section')
    }
  }

  async updateClass(ctx: HttpContext) {
    await ctx.bouncer.with(CatalogPolicy).authorize('manage', ctx.access)
    const changes = await updateClassValidator.validate(ctx.request.body())
    const found = await this.#class(ctx)
    if (!found) return
    try {
      return { class: (await updateClass(found.school, found.row, changes)).toApi() }
    } catch (error) {
      return conflict(error, ctx.response, requestLanguage(ctx.request), '/section')
    }
  }

  async deactivateClass(ctx: HttpContext) {
    await ctx.bouncer.with(CatalogPolicy).authorize('manage', ctx.access)
    const found = await this.#class(ctx)
    if (!found) return
    return { class: (await updateClass(found.school, found.row, { active: false })).toApi() }
  }

  /** The school named in the URL; an inactive one exists only for the back office. Answers 404 itself. */
  async #school({ access, bouncer, params, response }: HttpContext): Promise<School | null> {
    const school = await findSchool(String(params.code))
    if (school && (school.active || (await bouncer.with(CatalogPolicy).allows('manage', access)))) return school
    response.notFound({ errors: [{ message: t(currentLanguage(), 'school.notFound') }] })
    return null
  }

  async #class(ctx: HttpContext) {
    const school = await this.#school(ctx)
    if (!school) return null
    const id = Number(ctx.params.cid)
    const row = Number.isSafeInteger(id) ? await findClass(school, id) : null
    if (!row) {
      ctx.response.notFound({ errors: [{ message: t(currentLanguage(), 'class.notFound') }] })
      return null
    }
    return { school, row }
  }
}

/** A code or a class taken: named at the field that makes it so (`/code` of a school, `/section` of a class). */
function conflict(error: unknown, response: HttpContext['response'], lang: 'it' | 'en', path: string) {
  if (error instanceof CatalogConflictError) {
    return response.conflict({ errors: [{ path, message: error.messages[lang] }] })
  }
  throw error
}
