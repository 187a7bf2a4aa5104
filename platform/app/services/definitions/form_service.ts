import { todayInRome } from '#forms/field_rules'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import type { FormDefinition } from '#forms/types'
import { RequestContext } from '#services/infrastructure/request_context'
import { requestContentStamp, tenantContentCache } from '#services/tenants/tenant_content'

/**
 * Finding a tenant's form and the version submissions are made on. Runs in
 * the current tenant context (the model scope filters by tenant).
 */
export interface CurrentForm {
  form: Form
  version: FormVersion
  definition: FormDefinition
}

/** A form is named by its numeric id or by its key ("<service>.iscrizione"). */
export async function findForm(ref: string): Promise<Form | null> {
  if (/^\d{1,9}$/.test(ref)) return Form.query().where('id', Number(ref)).first()
  if (ref.length > 128) return null
  return Form.query().where('key', ref).first()
}

/**
 * Today in Europe/Rome (YYYY-MM-DD): the day a version's `valid_from` is compared with. Through the
 * process's one formatter (todayInRome): every request asks, and a luxon zone shift costs more.
 */
export function formDay(): string {
  return todayInRome()
}

/**
 * Versions in force on a day: those without a start, or started by then. Publishing refuses a start
 * before the latest one's, so the highest of these is the newest publication in force; a version
 * published for a later day waits, and an open call keeps its form until then.
 */
export function inForce<Q extends { where: (...args: any[]) => Q }>(query: Q, day = formDay()): Q {
  // Lucid's query builder types its `where` overloads loosely; the callback form is what is used.
  return query.where((q: any) => q.whereNull('valid_from').orWhere('valid_from', '<=', day))
}

/**
 * The version in force: the highest published one started by today. Versions are immutable
 * and a change is a new version (DESIGN.md, "Form engine").
 */
export async function currentVersion(form: Form): Promise<FormVersion | null> {
  return inForce(FormVersion.query().where('form_id', form.id)).orderBy('version', 'desc').first()
}

/**
 * Published versions by row id. A version never changes once written, so a row read once serves
 * every later request: each request still asks the database which version is in force (its id
 * only), and a new publication is a new id, read at its first use, in every process.
 */
const MAX_CACHED_VERSIONS = 500
const versions = new Map<number, { version: FormVersion }>()

// A publication in this process starts the cache afresh. Ids are never reused once committed, but
// a rolled-back insert's id is (SQLite), and tests roll back every row they write. A version changed
// or deleted in place (not done by the platform, versions are immutable) does too.
const forget = () => versions.clear()
FormVersion.after('create', forget)
FormVersion.after('update', forget)
FormVersion.after('delete', forget)

/**
 * The form a reference names and the head of its versions, kept by the process under the tenant's
 * content stamp the request read (a new form or version renews it, see tenant_content.ts).
 */
type FormHead = { form: Form; head: FormVersion } | null
const MAX_REFS_PER_TENANT = 200
const heads = tenantContentCache<Map<string, Promise<FormHead>>>()

async function readFormHead(ref: string): Promise<FormHead> {
  const form = await findForm(ref)
  if (!form) return null
  const head = await inForce(FormVersion.query().where('form_id', form.id))
    .orderBy('version', 'desc')
    .select('id', 'tenant_id', 'version', 'created_at')
    .first()
  return head ? { form, head } : null
}

async function formHead(ref: string): Promise<FormHead> {
  const tenant = RequestContext.tenant()
  const stamp = tenant ? requestContentStamp(tenant.id) : undefined
  if (!tenant || stamp === undefined) return readFormHead(ref)
  const byRef = await heads.get(tenant.id, stamp, async () => new Map())
  // The day is part of the key: a version published for a later day comes into force at its start
  // with no write that would renew the stamp.
  const key = `${formDay()}|${ref}`
  let entry = byRef.get(key)
  if (!entry) {
    if (byRef.size >= MAX_REFS_PER_TENANT) byRef.clear()
    entry = readFormHead(ref)
    byRef.set(key, entry)
    entry.catch(() => byRef.delete(key))
  }
  return entry
}

/**
 * A version by its row id, as a submission names the one it was made on (the receipt, built twice
 * per sending by its job): kept like the head versions above, under the same check that the row is
 * still the one read before (its tenant, number and time of writing, a read of four columns instead
 * of the whole definition). Null when there is no such row.
 */
export async function formVersionById(id: number): Promise<FormVersion | null> {
  const hit = versions.get(id)
  if (hit) {
    const row = await FormVersion.query().where('id', id).select('id', 'tenant_id', 'version', 'created_at').first()
    if (!row) return null
    if (
      row.tenantId === hit.version.tenantId &&
      row.version === hit.version.version &&
      row.createdAt?.toMillis() === hit.version.createdAt?.toMillis()
    ) {
      return hit.version
    }
  }
  const version = await FormVersion.query().where('id', id).first()
  if (!version) return null
  if (versions.size >= MAX_CACHED_VERSIONS) versions.delete(versions.keys().next().value as number)
  versions.set(id, { version })
  return version
}

export async function findCurrentForm(ref: string): Promise<CurrentForm | null> {
  const found = await formHead(ref)
  if (!found) return null
  const { form, head } = found
  let hit = versions.get(head.id)
  // The row must be the one read before (same tenant, number and time of writing): cheap to check.
  const same = (v: FormVersion) =>
    v.tenantId === form.tenantId && v.version === head.version && v.createdAt?.toMillis() === head.createdAt?.toMillis()
  if (!hit || !same(hit.version)) {
    const version = await FormVersion.query().where('id', head.id).first()
    if (!version) return null
    hit = { version }
    if (versions.size >= MAX_CACHED_VERSIONS) versions.delete(versions.keys().next().value as number)
    versions.set(head.id, hit)
  }
  // The definition as the row holds it now: a definition assigned to the row is a new object, compiled anew.
  return { form, version: hit.version, definition: hit.version.definition as unknown as FormDefinition }
}
