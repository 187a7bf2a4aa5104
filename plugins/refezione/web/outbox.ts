/**
 * The tablet's outbox: every mark, adults' entry and closing made on the device goes first into
 * IndexedDB, with an id made on the device, and is sent from there. A mark made without a network
 * stays until the network returns; a resend after a lost answer is harmless, since the server
 * answers a known id `duplicate` and counts it once. The last answers the server gave for the day's
 * views are kept too, so that the pages still open (from the service worker's copy of the app)
 * while the network is away.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'

export type OutboxKind = 'mark' | 'adults' | 'close'

export interface OutboxEntry {
  /** The device's id of the mark (sent as `id`), also the store's key. */
  id: string
  tenant: string
  kind: OutboxKind
  /** `tablet`, or `paper` when the back office copies a paper register. */
  source: 'tablet' | 'paper'
  /** The body of one mark, one adults' entry or one closing, as the API takes it. */
  body: Record<string, unknown>
  /** When it was made on the device (ISO), the order it is sent in. */
  createdAt: string
}

interface OutboxSchema extends DBSchema {
  outbox: { key: string; value: OutboxEntry; indexes: { by_tenant: string } }
  views: { key: string; value: { key: string; savedAt: string; data: unknown } }
}

const DB_NAME = 'sportello-refezione'
let opened: Promise<IDBPDatabase<OutboxSchema>> | null = null

function db() {
  opened ??= openDB<OutboxSchema>(DB_NAME, 1, {
    upgrade(database) {
      const outbox = database.createObjectStore('outbox', { keyPath: 'id' })
      outbox.createIndex('by_tenant', 'tenant')
      database.createObjectStore('views', { keyPath: 'key' })
    },
  })
  return opened
}

/** An id made on this device: unique without asking the server (8–64 letters, digits, `-_:.`). */
export function deviceId(kind: OutboxKind) {
  return `${kind}-${crypto.randomUUID()}`
}

let lastStamp = 0

/**
 * The device's time of a new entry, strictly increasing: two taps in the same millisecond still
 * sort in the order they were made (here and on the server, which applies marks by `marked_at`).
 */
export function deviceStamp() {
  lastStamp = Math.max(Date.now(), lastStamp + 1)
  return new Date(lastStamp).toISOString()
}

export async function enqueue(entry: OutboxEntry) {
  await (await db()).put('outbox', entry)
}

/** What is still to send for the tenant, oldest first. */
export async function pending(tenant: string): Promise<OutboxEntry[]> {
  const all = await (await db()).getAllFromIndex('outbox', 'by_tenant', tenant)
  return all.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
}

export async function remove(ids: string[]) {
  if (ids.length === 0) return
  const tx = (await db()).transaction('outbox', 'readwrite')
  await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done])
}

export async function saveView(key: string, data: unknown) {
  await (await db()).put('views', { key, savedAt: new Date().toISOString(), data })
}

export async function readView<T>(key: string): Promise<{ savedAt: string; data: T } | null> {
  const row = await (await db()).get('views', key)
  return row ? { savedAt: row.savedAt, data: row.data as T } : null
}

/** A failure to reach the server at all (no network), as opposed to an answer that refuses. */
export function isNetworkFailure(error: unknown) {
  // An answer of the server carries its HTTP status: that is a refusal, not a missing network.
  if (error && typeof error === 'object' && 'status' in error) return false
  return error instanceof TypeError || (typeof navigator !== 'undefined' && navigator.onLine === false)
}
