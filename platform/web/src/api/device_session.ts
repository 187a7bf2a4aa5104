/**
 * The last known session, kept on the device so that a school's tablet reopens its pages without a
 * network (the canteen's attendance is marked where the Wi-Fi does not reach). It is a copy of what
 * the server last said (`/auth/me` and the tenant's answer), never a credential: everything the
 * pages send still goes with the session cookie, and the server decides.
 *
 * - Only a user holding `school_staff` in some tenant is kept; any other login forgets the copy.
 * - It is trusted for TRUST_HOURS after the server last confirmed it; older, it is not used.
 * - Logging out, a 401 from `/auth/me` and another role's login clear it; another school staff user's replaces it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { MeDto, TenantDto } from '#shared/contract'

/** A school day: the copy covers a morning without network, never the next day's login. */
export const TRUST_HOURS = 12

interface SessionSchema {
  kept: { key: string; value: { key: string; savedAt: number; userId: number; data: unknown } }
}

let opened: Promise<IDBPDatabase<SessionSchema & DBSchema>> | null = null

function db() {
  opened ??= openDB<SessionSchema & DBSchema>('sportello-session', 1, {
    upgrade(database) {
      database.createObjectStore('kept', { keyPath: 'key' })
    },
  })
  return opened
}

/** Copies that came from the device and not from the server: the portal asks the server again when it can. */
const fromDevice = new WeakSet<object>()

export const isDeviceCopy = (value: unknown) => typeof value === 'object' && value !== null && fromDevice.has(value)

/** Whether this user's session is kept on the device. */
export const keepsSession = (me: MeDto) => me.tenants.some((t) => t.roles.includes('school_staff'))

/** IndexedDB may be missing (private windows, old browsers): the portal then simply needs the network. */
async function quietly<T>(work: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await work()
  } catch {
    return fallback
  }
}

/** After the server answered `/auth/me`: keep it for a school staff user, forget any copy otherwise. */
export async function rememberMe(me: MeDto | null) {
  if (!me || !keepsSession(me)) return forgetSession()
  // Another user on the same tablet overwrites the previous one: the tenants kept beside are not personal.
  await quietly(
    async () => (await db()).put('kept', { key: 'me', savedAt: Date.now(), userId: me.id, data: me }),
    undefined
  )
}

/** A kept row, only while a kept session is still trusted. */
async function trusted(key: string): Promise<unknown> {
  return quietly(async () => {
    const store = await db()
    const [me, row] = await Promise.all([store.get('kept', 'me'), store.get('kept', key)])
    if (!me || !row) return null
    if (Date.now() - me.savedAt > TRUST_HOURS * 3_600_000) return null
    return row.data
  }, null)
}

/** The kept user, when the server cannot be reached and the copy is still trusted. */
export async function keptMe(): Promise<MeDto | null> {
  const me = (await trusted('me')) as MeDto | null
  if (me) fromDevice.add(me)
  return me
}

/**
 * After the server answered a tenant (its name, look and enabled plugins: nothing personal). Kept
 * whoever asked, since the answer may arrive before the session is kept; used only beside a kept
 * session, and cleared with it.
 */
export async function rememberTenant(slug: string, tenant: TenantDto) {
  await quietly(
    async () => (await db()).put('kept', { key: `tenant|${slug}`, savedAt: Date.now(), userId: 0, data: tenant }),
    undefined
  )
}

export async function keptTenant(slug: string): Promise<TenantDto | null> {
  const tenant = (await trusted(`tenant|${slug}`)) as TenantDto | null
  if (tenant) fromDevice.add(tenant)
  return tenant
}

/** Logout, a refused session, another kind of user: the device keeps nothing of it. */
export async function forgetSession() {
  await quietly(async () => (await db()).clear('kept'), undefined)
}

/** No answer at all (no network, server unreachable), as opposed to an answer that refuses. */
export function unreachable(error: unknown) {
  // An answer of the server carries its HTTP status: that is a refusal, not a missing network.
  if (error && typeof error === 'object' && 'status' in error) return false
  return error instanceof TypeError || (typeof navigator !== 'undefined' && navigator.onLine === false)
}
