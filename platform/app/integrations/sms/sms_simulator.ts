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
import { MAX_SEGMENTS, normalisePhone, smsSegments, validSender } from '#integrations/sms/sms_text'

/**
 * A local SMS gateway speaking the JSON API of sms_gateway_client.ts: it checks the key, the number,
 * the sender and the length, stores every message (SQLite, on disk with a data folder) once per
 * reference, and can be told to fail — the next requests with a status (and Retry-After), or some
 * numbers for good (the message is accepted, then marked failed, as a real gateway reports a
 * delivery failure). GET /v1/messages lists what it received.
 */
export interface SmsSimulatorOptions {
  /** Accepted API keys (Authorization: Bearer …). */
  keys: string[]
  port?: number
  host?: string
  dataDir?: string
}

export interface StoredSms {
  id: string
  reference: string
  to: string
  from: string
  text: string
  segments: number
  status: 'accepted' | 'delivered' | 'failed'
  createdAt: string
}

function problem(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return new HttpFault(status, { error: { code, message } }, headers)
}

export class SmsSimulator {
  #server: Server | undefined
  #db: Database.Database | undefined
  #faults: InjectedFault[] = []
  #failingNumbers = new Set<string>()
  readonly requests: Array<{ method: string; path: string }> = []

  constructor(private options: SmsSimulatorOptions) {}

  get url() {
    return serverUrl(this.#server, this.options.host ?? '127.0.0.1')
  }

  /** The next `count` sends answer `status` (a 429 with Retry-After when given). */
  failNext(count: number, fault: InjectedFault = { status: 500 }) {
    for (let i = 0; i < count; i++) this.#faults.push(fault)
  }

  /** Messages to this number are accepted, then fail delivery. */
  failNumber(phone: string) {
    this.#failingNumbers.add(normalisePhone(phone) ?? phone)
  }

  messages(): StoredSms[] {
    return (
      this.#db!.prepare('SELECT * FROM messages ORDER BY rowid').all() as Array<Record<string, string | number>>
    ).map((row) => this.#view(row))
  }

  async start() {
    let file = ':memory:'
    if (this.options.dataDir) {
      mkdirSync(this.options.dataDir, { recursive: true })
      file = join(this.options.dataDir, 'sms.sqlite3')
    }
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('busy_timeout = 5000')
    this.#db.exec(`CREATE TABLE IF NOT EXISTS messages (
      id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE, "to" TEXT NOT NULL, sender TEXT NOT NULL,
      text TEXT NOT NULL, segments INTEGER NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)`)
    this.#server = await startHttp(this.options.port ?? 0, this.options.host ?? '127.0.0.1', (req, res) =>
      this.#handle(req, res)
    )
    return this
  }

  async close() {
    await stopHttp(this.#server)
    this.#server = undefined
    this.#db?.close()
    this.#db = undefined
  }

  #view(row: Record<string, string | number>): StoredSms {
    return {
      id: String(row.id),
      reference: String(row.reference),
      to: String(row.to),
      from: String(row.sender),
      text: String(row.text),
      segments: Number(row.segments),
      status: row.status as StoredSms['status'],
      createdAt: String(row.created_at),
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator')
    const method = req.method ?? 'GET'
    this.requests.push({ method, path: url.pathname })
    if (url.pathname === '/sim/fail' && method === 'POST') {
      const body = await readJsonBody(req)
      if (typeof body.number === 'string') this.failNumber(body.number)
      else
        this.failNext(Math.min(100, Math.max(1, Number(body.count ?? 1))), {
          status: Number(body.status ?? 500),
          retryAfter: body.retryAfter as number | undefined,
        })
      return sendJson(res, 200, { ok: true })
    }
    if (!url.pathname.startsWith('/v1/messages')) throw problem(404, 'not_found', `no route ${method} ${url.pathname}`)
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (!key || !this.options.keys.includes(key)) throw problem(401, 'unauthorized', 'missing or unknown API key')
    const one = /^\/v1\/messages\/([^/]+)$/.exec(url.pathname)
    if (one && method === 'GET') {
      const row = this.#db!.prepare('SELECT * FROM messages WHERE id = ?').get(decodeURIComponent(one[1])) as
        Record<string, string | number> | undefined
      if (!row) throw problem(404, 'not_found', 'no such message')
      return sendJson(res, 200, this.#view(row))
    }
    if (url.pathname !== '/v1/messages') throw problem(404, 'not_found', `no route ${method} ${url.pathname}`)
    if (method === 'GET') {
      const reference = url.searchParams.get('reference')
      const all = this.messages()
      return sendJson(res, 200, { messages: reference ? all.filter((m) => m.reference === reference) : all })
    }
    if (method !== 'POST') throw problem(405, 'method_not_allowed', `${method} is not allowed`)
    const fault = this.#faults.shift()
    if (fault) {
      throw problem(
        fault.status,
        fault.status === 429 ? 'rate_limited' : 'unavailable',
        'simulated failure',
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}
      )
    }
    return this.#accept(res, await readJsonBody(req))
  }

  #accept(res: ServerResponse, body: Record<string, unknown>) {
    const reference = typeof body.reference === 'string' ? body.reference.trim() : ''
    if (!reference || reference.length > 200) throw problem(400, 'invalid_reference', 'reference is required (≤ 200)')
    const to = typeof body.to === 'string' ? normalisePhone(body.to) : null
    if (!to) throw problem(400, 'invalid_number', 'to must be a phone number in international format (+39…)')
    const from = typeof body.from === 'string' ? body.from : ''
    if (!validSender(from))
      throw problem(400, 'invalid_sender', 'from must be up to 11 letters, digits or spaces, or a phone number')
    const text = typeof body.text === 'string' ? body.text : ''
    if (!text.trim()) throw problem(400, 'empty_text', 'text is required')
    const { segments } = smsSegments(text)
    if (segments > MAX_SEGMENTS)
      throw problem(400, 'text_too_long', `text takes ${segments} segments, at most ${MAX_SEGMENTS}`)
    // One message per reference, whatever the concurrency: the check and the insert are one transaction.
    const result = this.#db!.transaction(() => {
      const existing = this.#db!.prepare('SELECT * FROM messages WHERE reference = ?').get(reference) as
        Record<string, string | number> | undefined
      if (existing) return { row: existing, duplicate: true }
      const row = {
        id: `sms_${randomBytes(10).toString('hex')}`,
        reference,
        to,
        sender: from,
        text,
        segments,
        status: this.#failingNumbers.has(to) ? 'failed' : 'delivered',
        created_at: new Date().toISOString(),
      }
      this.#db!.prepare(
        'INSERT INTO messages (id, reference, "to", sender, text, segments, status, created_at) VALUES (@id, @reference, @to, @sender, @text, @segments, @status, @created_at)'
      ).run(row)
      return { row, duplicate: false }
    }).immediate()
    return sendJson(res, result.duplicate ? 200 : 202, {
      id: result.row.id,
      status: 'accepted',
      segments: Number(result.row.segments),
      duplicate: result.duplicate,
    })
  }
}

export async function startSmsSimulator(options: SmsSimulatorOptions) {
  return new SmsSimulator(options).start()
}
