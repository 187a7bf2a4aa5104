import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Person, { PERSON_KINDS, type PersonKind } from '#models/person'
import PersonRelation from '#models/person_relation'
import Enrolment from '#models/enrolment'
import EnrolmentPolicy from '#policies/enrolment_policy'
import { requestLanguage } from '#services/infrastructure/request_language'
import { type MessageKey, type MessageParams, t } from '#i18n/catalogue'
import { documentAlerts } from '#services/documents/document_alerts'
import { pluginRegistry } from '#plugins/registry'
import { isValidCodiceFiscale, isValidDate } from '#forms/codice_fiscale'
import { forbiddenCharacter } from '#forms/field_rules'
import { isPlainObject } from '#forms/json_pointer'
import { normaliseCodiceFiscale } from '#shared/normalise'
import type { PersonDetailDto, PersonDto } from '#shared/contract'
import type { FormError, Lang } from '#forms/types'

const PAGE = 50

/** Why a person cannot be deleted, as the catalogue names each link. */
const IN_USE = { relations: 'people.inUse.relations', enrolments: 'people.inUse.enrolments' } as const
const inUse = (lang: Lang, what: Array<keyof typeof IN_USE>) =>
  t(lang, 'people.inUse', { what: what.map((w) => t(lang, IN_USE[w])).join(', ') })

function present(p: Person): PersonDto {
  return {
    id: p.id,
    kind: p.kind,
    firstName: p.firstName,
    lastName: p.lastName,
    fiscalCode: p.fiscalCode,
    birthDate: p.birthDate,
  }
}

type Fields = Partial<Pick<Person, 'kind' | 'firstName' | 'lastName' | 'fiscalCode' | 'birthDate'>>

/** The body of a new person (all required but the birth date) or of a change (only what it names). */
function parsePerson(
  body: unknown,
  lang: Lang,
  creating: boolean
): { ok: true; value: Fields } | { ok: false; errors: FormError[] } {
  const errors: FormError[] = []
  const error = (path: string, rule: string, key: MessageKey, params?: MessageParams) =>
    errors.push({ path, rule: `request:${rule}`, message: t(lang, key, params) })
  const input = isPlainObject(body) ? body : {}
  for (const key of Object.keys(input)) {
    if (!['kind', 'first_name', 'last_name', 'fiscal_code', 'birth_date'].includes(key)) {
      error(`/${key}`, 'unknown', 'people.unknownField', { name: key })
    }
  }
  const value: Fields = {}
  if (creating || input.kind !== undefined) {
    if (!(PERSON_KINDS as readonly unknown[]).includes(input.kind)) error('/kind', 'kind', 'people.kind')
    else value.kind = input.kind as PersonKind
  }
  for (const [field, attribute] of [
    ['first_name', 'firstName'],
    ['last_name', 'lastName'],
  ] as const) {
    if (!creating && input[field] === undefined) continue
    const text = typeof input[field] === 'string' ? input[field].trim().replace(/\s+/g, ' ') : ''
    if (!text || text.length > 100 || forbiddenCharacter(text))
      error(`/${field}`, 'name', field === 'first_name' ? 'people.firstName' : 'people.lastName')
    else value[attribute] = text
  }
  if (creating || input.fiscal_code !== undefined) {
    const code =
      typeof input.fiscal_code === 'string' && input.fiscal_code.length <= 40
        ? normaliseCodiceFiscale(input.fiscal_code).replace(/\s+/g, '')
        : ''
    if (!isValidCodiceFiscale(code)) error('/fiscal_code', 'fiscal_code', 'people.fiscalCode')
    else value.fiscalCode = code
  }
  if (input.birth_date !== undefined && input.birth_date !== null && input.birth_date !== '') {
    if (!isValidDate(input.birth_date)) error('/birth_date', 'birth_date', 'people.birthDate')
    else value.birthDate = input.birth_date as string
  } else if (input.birth_date === null || input.birth_date === '') value.birthDate = null
  return errors.length ? { ok: false, errors } : { ok: true, value }
}

/**
 * The offices' register of people (Allegato A, "gestione anagrafica"): parents and children with a
 * checked codice fiscale (one per tenant), who is whose parent, and for a child the services it
 * and its siblings attend (found by codice fiscale among the enrolments). Every write is audited
 * by the models; a person is deleted only when nothing depends on them.
 */
export default class PeopleController {
  /** `GET /people?kind=&fiscal_code=&page=`: fifty a page, newest first; a codice fiscale finds one. */
  async index(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const query = Person.query().orderBy('id', 'desc')
    const kind = request.input('kind')
    if (kind) {
      if (!(PERSON_KINDS as readonly unknown[]).includes(kind)) {
        return response.unprocessableEntity({
          errors: [{ path: '/kind', rule: 'query:kind', message: t(lang, 'people.kind') }],
        })
      }
      query.where('kind', kind)
    }
    const code = request.input('fiscal_code')
    if (typeof code === 'string' && code.trim()) {
      const normalised = normaliseCodiceFiscale(code).replace(/\s+/g, '')
      if (!isValidCodiceFiscale(normalised)) {
        return response.unprocessableEntity({
          errors: [{ path: '/fiscal_code', rule: 'query:fiscal_code', message: t(lang, 'people.fiscalCode') }],
        })
      }
      query.whereIn('fiscal_code_hash', Person.hashesOf(normalised))
    }
    const page = Math.min(Math.max(Number(request.input('page', 1)) || 1, 1), 10_000)
    const result = await query.paginate(page, PAGE)
    // Each person's documents to renew, flagged in the list.
    const alerts = await documentAlerts(result.all().map((p) => p.fiscalCode))
    return {
      people: result.all().map((p) => ({ ...present(p), documents: alerts.get(p.fiscalCode) ?? null })),
      meta: result.getMeta(),
    }
  }

  async store(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const parsed = parsePerson(request.body(), lang, true)
    if (!parsed.ok) return response.unprocessableEntity({ errors: parsed.errors })
    if (await Person.query().whereIn('fiscal_code_hash', Person.hashesOf(parsed.value.fiscalCode!)).first()) {
      return response.conflict({
        errors: [{ path: '/fiscal_code', rule: 'request:taken', message: t(lang, 'people.taken') }],
      })
    }
    const person = await Person.create(parsed.value)
    return response.created({ person: present(person) })
  }

  /** One person, their parents or children, and the services the child and its siblings attend. */
  async show(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const person = await this.#find(ctx)
    if (!person) return response.notFound({ errors: [{ message: t(lang, 'people.notFound') }] })
    const relations = await PersonRelation.query().where(person.kind === 'child' ? 'child_id' : 'parent_id', person.id)
    const relatedIds = relations.map((r) => (person.kind === 'child' ? r.parentId : r.childId))
    const related = relatedIds.length ? await Person.query().whereIn('id', relatedIds).orderBy('id') : []
    let siblings: Person[] = []
    if (person.kind === 'child' && relatedIds.length) {
      const links = await PersonRelation.query().whereIn('parent_id', relatedIds).whereNot('child_id', person.id)
      const ids = [...new Set(links.map((l) => l.childId))]
      siblings = ids.length ? await Person.query().whereIn('id', ids).orderBy('id') : []
    }
    const children = person.kind === 'child' ? [person, ...siblings] : related
    const enrolments = await enrolmentsOf(children, lang)
    const detail: PersonDetailDto = {
      ...present(person),
      parents: person.kind === 'child' ? related.map(present) : [],
      children: person.kind === 'parent' ? related.map((c) => ({ ...present(c), enrolments: enrolments(c) })) : [],
      enrolments: person.kind === 'child' ? enrolments(person) : [],
      siblings: siblings.map((s) => ({ ...present(s), enrolments: enrolments(s) })),
    }
    return { person: detail }
  }

  async update(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const person = await this.#find(ctx)
    if (!person) return response.notFound({ errors: [{ message: t(lang, 'people.notFound') }] })
    const parsed = parsePerson(request.body(), lang, false)
    if (!parsed.ok) return response.unprocessableEntity({ errors: parsed.errors })
    if (parsed.value.kind && parsed.value.kind !== person.kind) {
      const linked = await PersonRelation.query().where('parent_id', person.id).orWhere('child_id', person.id).first()
      if (linked) return response.conflict({ errors: [{ path: '/kind', message: inUse(lang, ['relations']) }] })
    }
    if (parsed.value.fiscalCode) {
      const other = await Person.query().whereIn('fiscal_code_hash', Person.hashesOf(parsed.value.fiscalCode)).first()
      if (other && other.id !== person.id) {
        return response.conflict({
          errors: [{ path: '/fiscal_code', rule: 'request:taken', message: t(lang, 'people.taken') }],
        })
      }
    }
    person.merge(parsed.value)
    await person.save()
    return this.show(ctx)
  }

  /** Deleted only when nothing depends on the person: no parent or child linked, no enrolment. */
  async destroy(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const person = await this.#find(ctx)
    if (!person) return response.notFound({ errors: [{ message: t(lang, 'people.notFound') }] })
    const uses: Array<keyof typeof IN_USE> = []
    if (await PersonRelation.query().where('parent_id', person.id).orWhere('child_id', person.id).first()) {
      uses.push('relations')
    }
    const hashes = Person.hashesOf(person.fiscalCode)
    const enrolled = await Enrolment.query().whereIn('child_fiscal_code_hash', hashes).select('id').first()
    if (enrolled) uses.push('enrolments')
    if (uses.length) return response.conflict({ errors: [{ rule: 'person:in_use', message: inUse(lang, uses) }] })
    await person.delete()
    return response.noContent()
  }

  /** `POST /people/:id/parents` `{ parent_id }`: the parent of this child (once). */
  async link(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const child = await this.#find(ctx)
    if (!child) return response.notFound({ errors: [{ message: t(lang, 'people.notFound') }] })
    const body = request.body()
    const parentId = isPlainObject(body) ? body.parent_id : undefined
    const parent = Number.isInteger(parentId) ? await Person.find(parentId as number) : null
    if (!parent || parent.kind !== 'parent' || child.kind !== 'child') {
      return response.unprocessableEntity({
        errors: [{ path: '/parent_id', rule: 'request:parent', message: t(lang, 'people.parent') }],
      })
    }
    await db.transaction(async (trx) => {
      const existing = await PersonRelation.query({ client: trx })
        .where('parent_id', parent.id)
        .where('child_id', child.id)
        .first()
      if (!existing) await PersonRelation.create({ parentId: parent.id, childId: child.id }, { client: trx })
    })
    return this.show(ctx)
  }

  /** `DELETE /people/:id/parents/:parentId`: the link removed (audited). */
  async unlink(ctx: HttpContext) {
    const { bouncer, access, request, response, params } = ctx
    await bouncer.with(EnrolmentPolicy).authorize('overrideFee', access)
    const lang = requestLanguage(request)
    const child = await this.#find(ctx)
    if (!child) return response.notFound({ errors: [{ message: t(lang, 'people.notFound') }] })
    const parentId = Number(params.parentId)
    const link = Number.isInteger(parentId)
      ? await PersonRelation.query().where('child_id', child.id).where('parent_id', parentId).first()
      : null
    if (link) await link.delete()
    return this.show(ctx)
  }

  async #find(ctx: HttpContext) {
    const id = String(ctx.params.id)
    return /^\d{1,9}$/.test(id) ? Person.find(Number(id)) : null
  }
}

/** The enrolments of these children, by codice fiscale, in every service of the tenant. */
async function enrolmentsOf(children: Person[], lang: Lang) {
  const byHash = new Map<string, number>()
  for (const c of children) for (const h of Person.hashesOf(c.fiscalCode)) byHash.set(h, c.id)
  const rows = byHash.size
    ? await Enrolment.query()
        .whereIn('child_fiscal_code_hash', [...byHash.keys()])
        .select('id', 'tenant_id', 'service', 'school_year', 'status', 'child_fiscal_code_hash')
        .orderBy('school_year', 'desc')
    : []
  return (child: Person) =>
    rows
      .filter((r) => byHash.get(r.childFiscalCodeHash ?? '') === child.id)
      .map((r) => {
        const name = pluginRegistry().get(r.service)?.manifest.name
        return {
          id: r.id,
          service: r.service,
          serviceName: name ? (name[lang] ?? name.it) : r.service,
          schoolYear: r.schoolYear,
          status: r.status,
        }
      })
}
