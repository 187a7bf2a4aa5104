import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import Database from 'better-sqlite3'
import {
  HttpFault,
  readJsonBody,
  sendJson,
  serverUrl,
  startHttp,
  stopHttp,
  type InjectedFault,
} from '#integrations/http/simulator_http'

/**
 * A local App IO (services API, /api/v1): citizens' profiles (on IO or not, our service allowed or
 * not), messages validated as IO validates them (subject 10–120, markdown 80–10000, payment_data)
 * and stored (SQLite, on disk with a data folder), the key checked, and 429s with Retry-After or
 * other failures injected on demand. A message to a citizen who is not on IO, or who turned our
 * service off, is accepted and REJECTED, as IO does: a client that skips the profile check shows up.
 */
export interface IoSimulatorOptions {
  keys: string[]
  /** Citizens on IO: fiscal code → whether our service may write to them. */
  profiles?: Record<string, { senderAllowed: boolean; preferredLanguages?: string[] }>
  port?: number
  host?: string
  dataDir?: string
}

export interface StoredIoMessage {
  id: string
  fiscalCode: string
  subject: string
  markdown: string
  dueDate: string | null
  paymentData: { amount: number; notice_number: string; payee: { fiscal_code: string } } | null
  status: 'PROCESSED' | 'REJECTED'
  createdAt: string
}

function problem(status: number, detail: string, headers: Record<string, string> = {}) {
  return new HttpFault(status, { title: status === 400 ? 'Invalid payload' : 'Error', status, detail }, headers)
}

/** IO's ids are ULIDs: 26 Crockford base-32 characters, time first. */
function ulid() {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
  let time = Date.now()
  let out = ''
  for (let i = 0; i < 10; i++) {
    out = alphabet[time % 32] + out
    time = Math.floor(time / 32)
  }
  for (const byte of randomBytes(16)) out += alphabet[byte % 32]
  return out
}

const FISCAL_CODE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/

export class IoSimulator {
  #server: Server | undefined
  #db: Database.Database | undefined
  #faults: InjectedFault[] = []
  #profiles: Map<string, { senderAllowed: boolean; preferredLanguages: string[] }>
  readonly requests: Array<{ method: string; path: string; status: number }> = []

  constructor(private options: IoSimulatorOptions) {
    this.#profiles = new Map(
      Object.entries(options.profiles ?? {}).map(([cf, p]) => [
        cf,
        { senderAllowed: p.senderAllowed, preferredLanguages: p.preferredLanguages ?? ['it_IT'] },
      ])
    )
  }

  get url() {
    return serverUrl(this.#server, this.options.host ?? '127.0.0.1')
  }

  setProfile(fiscalCode: string, profile: { senderAllowed: boolean } | null) {
    if (profile) this.#profiles.set(fiscalCode, { senderAllowed: profile.senderAllowed, preferredLanguages: ['it_IT'] })
    else this.#profiles.delete(fiscalCode)
  }

  /** The next `count` requests answer 429 with Retry-After (seconds), or another status. */
  throttleNext(count: number, retryAfterSeconds = 1) {
    for (let i = 0; i < count; i++) this.#faults.push({ status: 429, retryAfter: retryAfterSeconds })
  }

  failNext(count: number, status = 500) {
    for (let i = 0; i < count; i++) this.#faults.push({ status })
  }

  messages(): StoredIoMessage[] {
    return (this.#db!.prepare('SELECT * FROM messages ORDER BY rowid').all() as Array<Record<string, string>>).map(
      (row) => ({
        id: row.id,
        fiscalCode: row.fiscal_code,
        subject: row.subject,
        markdown: row.markdown,
        dueDate: row.due_date || null,
        paymentData: row.payment_data ? JSON.parse(row.payment_data) : null,
        status: row.status as StoredIoMessage['status'],
        createdAt: row.created_at,
      })
    )
  }

  async start() {
    let file = ':memory:'
    if (this.options.dataDir) {
      mkdirSync(this.options.dataDir, { recursive: true })
      file = join(this.options.dataDir, 'io.sqlite3')
    }
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('busy_timeout = 5000')
    this.#db.exec(`CREATE TABLE IF NOT EXISTS messages (
      id TEXT PRIMARY KEY, fiscal_code TEXT NOT NULL, subject TEXT NOT NULL, markdown TEXT NOT NULL,
      due_date TEXT, payment_data TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL)`)
    this.#server = await startHttp(this.options.port ?? 0, this.options.host ?? '127.0.0.1', async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://simulator')
      const entry = { method: req.method ?? 'GET', path: url.pathname, status: 0 }
      this.requests.push(entry)
      try {
        await this.#handle(req, res, url)
        entry.status = res.statusCode
      } catch (error) {
        entry.status = error instanceof HttpFault ? error.status : 500
        throw error
      }
    })
    return this
  }

  async close() {
    await stopHttp(this.#server)
    this.#server = undefined
    this.#db?.close()
    this.#db = undefined
  }

  async #handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = req.method ?? 'GET'
    if (url.pathname === '/sim/messages' && method === 'GET') return sendJson(res, 200, { messages: this.messages() })
    if (url.pathname === '/sim/profiles' && method === 'POST') {
      const body = await readJsonBody(req)
      if (typeof body.fiscal_code !== 'string') throw problem(400, 'fiscal_code is required')
      this.setProfile(body.fiscal_code, body.on_io === false ? null : { senderAllowed: body.sender_allowed !== false })
      return sendJson(res, 200, { ok: true })
    }
    if (url.pathname === '/sim/fail' && method === 'POST') {
      const body = await readJsonBody(req)
      const count = Math.min(100, Math.max(1, Number(body.count ?? 1)))
      if (Number(body.status ?? 429) === 429) this.throttleNext(count, Number(body.retryAfter ?? 1))
      else this.failNext(count, Number(body.status))
      return sendJson(res, 200, { ok: true })
    }
    if (!url.pathname.startsWith('/api/v1/')) throw problem(404, `no route ${method} ${url.pathname}`)
    const key = req.headers['ocp-apim-subscription-key']
    if (typeof key !== 'string' || !this.options.keys.includes(key)) {
      throw new HttpFault(401, {
        statusCode: 401,
        message: 'Access denied due to missing or invalid subscription key.',
      })
    }
    const fault = this.#faults.shift()
    if (fault) {
      throw problem(
        fault.status,
        'simulated failure',
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}
      )
    }
    if (url.pathname === '/api/v1/profiles' && method === 'POST') {
      const body = await readJsonBody(req)
      const fiscalCode = String(body.fiscal_code ?? '')
      if (!FISCAL_CODE.test(fiscalCode)) throw problem(400, 'fiscal_code is not a valid fiscal code')
      const profile = this.#profiles.get(fiscalCode)
      if (!profile) throw problem(404, 'No user found for the provided fiscal code.')
      return sendJson(res, 200, {
        sender_allowed: profile.senderAllowed,
        preferred_languages: profile.preferredLanguages,
      })
    }
    if (url.pathname === '/api/v1/messages' && method === 'POST') return this.#submit(res, await readJsonBody(req))
    const one = /^\/api\/v1\/messages\/([^/]+)\/([^/]+)$/.exec(url.pathname)
    if (one && method === 'GET') {
      const found = this.messages().find((m) => m.id === one[2] && m.fiscalCode === one[1])
      if (!found) throw problem(404, 'message not found')
      return sendJson(res, 200, {
        message: {
          id: found.id,
          fiscal_code: found.fiscalCode,
          created_at: found.createdAt,
          content: {
            subject: found.subject,
            markdown: found.markdown,
            ...(found.dueDate ? { due_date: found.dueDate } : {}),
            ...(found.paymentData ? { payment_data: found.paymentData } : {}),
          },
          sender_service_id: 'sportello-simulato',
          feature_level_type: 'STANDARD',
        },
        status: found.status,
      })
    }
    throw problem(404, `no route ${method} ${url.pathname}`)
  }

  #submit(res: ServerResponse, body: Record<string, unknown>) {
    const problems: string[] = []
    const fiscalCode = String(body.fiscal_code ?? '')
    if (!FISCAL_CODE.test(fiscalCode)) problems.push('fiscal_code is not a valid fiscal code')
    const content = (body.content ?? {}) as Record<string, unknown>
    const subject = content.subject
    const markdown = content.markdown
    if (typeof subject !== 'string' || subject.length < 10 || subject.length > 120) {
      problems.push('content.subject must be 10 to 120 characters')
    }
    if (typeof markdown !== 'string' || markdown.length < 80 || markdown.length > 10000) {
      problems.push('content.markdown must be 80 to 10000 characters')
    }
    if (
      content.due_date !== undefined &&
      (typeof content.due_date !== 'string' || Number.isNaN(Date.parse(content.due_date)))
    ) {
      problems.push('content.due_date must be a UTC ISO date-time')
    }
    const payment = content.payment_data as Record<string, unknown> | undefined
    if (payment !== undefined) {
      const amount = payment.amount
      if (!Number.isSafeInteger(amount) || (amount as number) < 1 || (amount as number) > 9999999999) {
        problems.push('content.payment_data.amount must be 1 to 9999999999 cents')
      }
      if (typeof payment.notice_number !== 'string' || !/^[0123][0-9]{17}$/.test(payment.notice_number)) {
        problems.push('content.payment_data.notice_number must match ^[0123][0-9]{17}$')
      }
      const payee = payment.payee as Record<string, unknown> | undefined
      if (!payee || typeof payee.fiscal_code !== 'string' || !/^\d{11}$/.test(payee.fiscal_code)) {
        problems.push('content.payment_data.payee.fiscal_code is required (11 digits)')
      }
    }
    if (problems.length) throw problem(400, problems.join('; '))
    const profile = this.#profiles.get(fiscalCode)
    const id = ulid()
    this.#db!.prepare(
      'INSERT INTO messages (id, fiscal_code, subject, markdown, due_date, payment_data, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    ).run(
      id,
      fiscalCode,
      subject,
      markdown,
      (content.due_date as string | undefined) ?? null,
      payment ? JSON.stringify(payment) : null,
      profile?.senderAllowed ? 'PROCESSED' : 'REJECTED',
      new Date().toISOString()
    )
    return sendJson(res, 201, { id }, { location: `/api/v1/messages/${fiscalCode}/${id}` })
  }
}

export async function startIoSimulator(options: IoSimulatorOptions) {
  return new IoSimulator(options).start()
}
