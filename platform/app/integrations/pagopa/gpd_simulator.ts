import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { DateTime } from 'luxon'
import { GpdSimulatorStore, SimulatorProblem } from '#integrations/pagopa/gpd_simulator_store'
import { FDR_PATH, GPD_PATH, RECEIPTS_PATH } from '#integrations/pagopa/pagopa_paths'
import {
  checkoutPage,
  choosePage,
  errorPage,
  homePage,
  notFoundPage,
  type PageLang,
} from '#integrations/pagopa/gpd_checkout_page'

/**
 * A local pagoPA for the demo and the tests: one HTTP server answering, on the paths the real
 * services use,
 *   /gpd/debt-positions-service/v1/organizations/{cf}/debtpositions…   (GPD external API v1)
 *   /gpd/payments-receipts-service/v1/payments/{cf}/receipts…          (receipts)
 *   /fdr-org/service/v1/organizations/{cf}/fdrs…                       (FdR 3, organization side)
 * with the Ocp-Apim-Subscription-Key header checked; plus, without a key, a checkout page
 * (GET/POST /pay/{nav}) where a notice is paid through a simulated PSP, a home page listing the
 * positions, and /sim/* for tests and the demo (pay, publish the flows now, treasury credits,
 * inject failures). State lives in SQLite (gpd_simulator_store.ts), on disk with a data folder.
 */
export interface GpdSimulatorOptions {
  /** Subscription keys and the organisations (fiscal codes) each may act for; '*' for any. */
  keys: Array<{ key: string; organizations: string[] | '*' }>
  port?: number
  host?: string
  /** Where the SQLite file goes (gpd.sqlite3); in memory when absent. */
  dataDir?: string
  /** The clock (tests move it to due dates and flow publication days). */
  now?: () => Date
}

export { GPD_PATH, RECEIPTS_PATH, FDR_PATH }

const MAX_BODY = 1024 * 1024

class HttpProblem extends SimulatorProblem {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new HttpProblem(413, 'Payload Too Large', `the body exceeds ${MAX_BODY} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req)
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpProblem(400, 'Bad Request', 'the body is not valid JSON')
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'x-request-id': crypto.randomUUID() })
  res.end(text)
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name)
  if (raw === null || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HttpProblem(400, 'Bad Request', `${name} must be a whole number between ${min} and ${max}`)
  }
  return value
}

function dateParam(url: URL, name: string, endOfDay = false): number | undefined {
  const raw = url.searchParams.get(name)
  if (!raw) return undefined
  const parsed = DateTime.fromISO(raw, { zone: 'Europe/Rome' })
  if (!parsed.isValid) throw new HttpProblem(400, 'Bad Request', `${name} must be an ISO date or date-time`)
  return (endOfDay && raw.length === 10 ? parsed.endOf('day') : parsed).toMillis()
}

function langOf(req: IncomingMessage, url: URL): PageLang {
  const asked = url.searchParams.get('lang')
  if (asked === 'it' || asked === 'en') return asked
  return /^en\b/i.test(req.headers['accept-language'] ?? '') ? 'en' : 'it'
}

export class GpdSimulator {
  #server: Server | undefined
  #store: GpdSimulatorStore | undefined
  #options: GpdSimulatorOptions
  /** Faults served to the next API requests, in order (tests: retries, timeouts). */
  #faults: Array<{ status?: number; delayMs?: number }> = []
  /** Every API request received: method, path and the key's presence. */
  readonly calls: Array<{ method: string; path: string }> = []

  constructor(options: GpdSimulatorOptions) {
    this.#options = options
  }

  get url() {
    const address = this.#server?.address() as AddressInfo | null
    if (!address) throw new Error('The GPD simulator is not listening')
    return `http://${this.#options.host ?? '127.0.0.1'}:${address.port}`
  }

  /** The base URLs a client is configured with. */
  get urls() {
    return {
      gpdUrl: `${this.url}${GPD_PATH}`,
      receiptsUrl: `${this.url}${RECEIPTS_PATH}`,
      fdrUrl: `${this.url}${FDR_PATH}`,
    }
  }

  get store(): GpdSimulatorStore {
    if (!this.#store) throw new Error('The GPD simulator is not started')
    return this.#store
  }

  /** The next `count` API requests answer `status` (default 500) or wait `delayMs` first. */
  failNext(count: number, fault: { status?: number; delayMs?: number } = { status: 500 }) {
    for (let i = 0; i < count; i++) this.#faults.push(fault)
  }

  async start() {
    const now = this.#options.now ?? (() => new Date())
    let file = ':memory:'
    if (this.#options.dataDir) {
      mkdirSync(this.#options.dataDir, { recursive: true })
      file = join(this.#options.dataDir, 'gpd.sqlite3')
    }
    this.#store = new GpdSimulatorStore(file, now)
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (error instanceof SimulatorProblem) {
          send(res, error.status, { title: error.title, status: error.status, detail: error.detail })
        } else {
          send(res, 500, { title: 'Internal Server Error', status: 500, detail: (error as Error).message })
        }
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#options.port ?? 0, this.#options.host ?? '127.0.0.1', () => resolve())
    })
    this.#server = server
    return this
  }

  async close() {
    const server = this.#server
    this.#server = undefined
    if (server) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    this.#store?.close()
    this.#store = undefined
  }

  #authorise(req: IncomingMessage, org: string) {
    const key = req.headers['ocp-apim-subscription-key']
    const entry = this.#options.keys.find((k) => k.key === key)
    if (!entry) throw new HttpProblem(401, 'Unauthorized', 'missing or unknown Ocp-Apim-Subscription-Key')
    if (entry.organizations !== '*' && !entry.organizations.includes(org)) {
      throw new HttpProblem(403, 'Forbidden', 'You are not allowed to access this resource.')
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator')
    const path = url.pathname
    const method = req.method ?? 'GET'
    if (path.startsWith(GPD_PATH) || path.startsWith(RECEIPTS_PATH) || path.startsWith(FDR_PATH)) {
      this.calls.push({ method, path })
      const fault = this.#faults.shift()
      if (fault?.delayMs) await sleep(fault.delayMs)
      if (fault?.status) throw new HttpProblem(fault.status, 'Simulated failure', `simulated HTTP ${fault.status}`)
      if (path.startsWith(GPD_PATH)) return this.#gpd(req, res, url, path.slice(GPD_PATH.length), method)
      if (path.startsWith(RECEIPTS_PATH)) return this.#receipts(req, res, url, path.slice(RECEIPTS_PATH.length), method)
      return this.#fdr(req, res, url, path.slice(FDR_PATH.length), method)
    }
    const pay = /^\/pay\/([^/]+)$/.exec(path)
    if (pay) return this.#checkout(req, res, url, decodeURIComponent(pay[1]), method)
    if (path === '/' && method === 'GET')
      return send(res, 200, homePage(langOf(req, url), this.store.overview()), 'text/html')
    if (path.startsWith('/sim/')) return this.#admin(req, res, url, path, method)
    throw new HttpProblem(404, 'Not Found', `no route ${method} ${path}`)
  }

  async #gpd(req: IncomingMessage, res: ServerResponse, url: URL, path: string, method: string) {
    if (path === '/info' && method === 'GET')
      return send(res, 200, { name: 'gpd-simulator', version: '1', environment: 'local' })
    const match = /^\/organizations\/([^/]+)\/debtpositions(?:\/([^/]+))?(?:\/(publish|invalidate))?$/.exec(path)
    if (!match) throw new HttpProblem(404, 'Not Found', `no route ${method} ${path}`)
    const org = decodeURIComponent(match[1])
    const iupd = match[2] ? decodeURIComponent(match[2]) : undefined
    const action = match[3]
    this.#authorise(req, org)
    const toPublish = url.searchParams.get('toPublish') === 'true'
    if (!iupd) {
      if (method === 'POST') return send(res, 201, this.store.create(org, await readJson(req), toPublish))
      if (method === 'GET') {
        const orderby = url.searchParams.get('orderby') ?? 'INSERTED_DATE'
        const ordering = url.searchParams.get('ordering') ?? 'DESC'
        if (
          !['INSERTED_DATE', 'IUPD', 'STATUS', 'COMPANY_NAME'].includes(orderby) ||
          !['ASC', 'DESC'].includes(ordering)
        ) {
          throw new HttpProblem(400, 'Bad Request', 'orderby or ordering not allowed')
        }
        const status = url.searchParams.get('status') ?? undefined
        return send(
          res,
          200,
          this.store.list(org, {
            page: intParam(url, 'page', 0, 0, 1_000_000),
            limit: intParam(url, 'limit', 10, 1, 50),
            status,
            dueFrom: dateParam(url, 'due_date_from'),
            dueTo: dateParam(url, 'due_date_to', true),
            orderby,
            ordering,
          })
        )
      }
    } else if (action) {
      if (method === 'POST' && action === 'publish') return send(res, 200, this.store.publish(org, iupd))
      if (method === 'POST' && action === 'invalidate') return send(res, 200, this.store.invalidate(org, iupd))
    } else {
      if (method === 'GET') return send(res, 200, this.store.get(org, iupd))
      if (method === 'PUT') return send(res, 200, this.store.update(org, iupd, await readJson(req), toPublish))
      if (method === 'DELETE') {
        this.store.delete(org, iupd)
        return send(res, 200, 'OK', 'text/plain')
      }
    }
    throw new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on ${path}`)
  }

  async #receipts(req: IncomingMessage, res: ServerResponse, url: URL, path: string, method: string) {
    const match = /^\/payments\/([^/]+)\/receipts(?:\/([^/]+))?$/.exec(path)
    if (!match || method !== 'GET') throw new HttpProblem(404, 'Not Found', `no route ${method} ${path}`)
    const org = decodeURIComponent(match[1])
    this.#authorise(req, org)
    if (match[2]) {
      const iuv = decodeURIComponent(match[2])
      const xml = this.store.receiptXml(org, iuv)
      if (!xml) throw new HttpProblem(404, 'Not Found', `no receipt for IUV ${iuv}`)
      return send(res, 200, xml, 'application/xml')
    }
    return send(
      res,
      200,
      this.store.receipts(org, {
        page: intParam(url, 'pageNum', 0, 0, 1_000_000),
        size: intParam(url, 'pageSize', 20, 1, 100),
        from: dateParam(url, 'from'),
        to: dateParam(url, 'to', true),
        debtor: url.searchParams.get('debtor') ?? undefined,
        debtorOrIuv: url.searchParams.get('debtorOrIuv') ?? undefined,
      })
    )
  }

  async #fdr(req: IncomingMessage, res: ServerResponse, url: URL, path: string, method: string) {
    const match = /^\/organizations\/([^/]+)\/fdrs(?:\/([^/]+)\/revisions\/(\d+)\/psps\/([^/]+)(\/payments)?)?$/.exec(
      path
    )
    if (!match || method !== 'GET') throw new HttpProblem(404, 'Not Found', `no route ${method} ${path}`)
    const org = decodeURIComponent(match[1])
    this.#authorise(req, org)
    const page = intParam(url, 'page', 1, 1, 1_000_000)
    const size = intParam(url, 'size', 1000, 1, 1000)
    if (!match[2]) {
      // Both bounds default to the start of the previous calendar month (UTC), as FdR does.
      const defaultFrom = DateTime.fromJSDate(new Date(this.store.nowMs), { zone: 'utc' })
        .startOf('month')
        .minus({ months: 1 })
        .toMillis()
      return send(
        res,
        200,
        this.store.flows(org, {
          pspId: url.searchParams.get('pspId') ?? undefined,
          flowDateMs: dateParam(url, 'flowDate') ?? defaultFrom,
          publishedGtMs: dateParam(url, 'publishedGt') ?? defaultFrom,
          page,
          size,
        })
      )
    }
    const fdr = decodeURIComponent(match[2])
    const revision = Number(match[3])
    const pspId = decodeURIComponent(match[4])
    if (match[5]) return send(res, 200, this.store.flowPayments(org, fdr, revision, pspId, page, size))
    return send(res, 200, this.store.flow(org, fdr, revision, pspId))
  }

  async #checkout(req: IncomingMessage, res: ServerResponse, url: URL, nav: string, method: string) {
    const lang = langOf(req, url)
    const basePath = `/pay/${encodeURIComponent(nav)}`
    let org = url.searchParams.get('org') ?? undefined
    if (method === 'POST') {
      const form = new URLSearchParams(await readBody(req))
      org = form.get('org') ?? org
      try {
        this.store.pay(nav, { pspId: form.get('psp') ?? undefined, organizationFiscalCode: org })
      } catch (error) {
        if (!(error instanceof SimulatorProblem)) throw error
        return send(res, error.status, errorPage(lang, basePath, error.detail), 'text/html')
      }
      res.writeHead(303, { location: `${basePath}?org=${encodeURIComponent(org ?? '')}&lang=${lang}` })
      return res.end()
    }
    if (method !== 'GET') throw new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on ${basePath}`)
    const found = this.store.findByNav(nav, org || undefined)
    if (found.length === 0) return send(res, 404, notFoundPage(lang, basePath), 'text/html')
    if (found.length > 1) {
      return send(
        res,
        200,
        choosePage(
          lang,
          basePath,
          found.map((f) => ({ org: f.position.org, companyName: f.position.company_name }))
        ),
        'text/html'
      )
    }
    const [{ option, position, view }] = found
    const optionView = view.paymentOption.find((o) => o.iuv === option.iuv)!
    const payable = ['VALID', 'PARTIALLY_PAID'].includes(position.status)
    return send(
      res,
      200,
      checkoutPage(
        lang,
        nav,
        {
          position: view,
          option: optionView,
          debtor: { fiscalCode: position.fiscal_code, fullName: position.full_name },
          payable,
          reason: payable ? null : `${view.status}`,
        },
        basePath
      ),
      'text/html'
    )
  }

  async #admin(req: IncomingMessage, res: ServerResponse, url: URL, path: string, method: string) {
    if (path === '/sim/pay' && method === 'POST') {
      const body = (await readJson(req)) as { nav?: string; pspId?: string; organizationFiscalCode?: string }
      if (typeof body?.nav !== 'string') throw new HttpProblem(400, 'Bad Request', 'nav is required')
      return send(res, 200, this.store.pay(body.nav, body))
    }
    if (path === '/sim/flows' && method === 'POST') {
      const contentType = req.headers['content-type'] ?? ''
      const text = await readBody(req)
      let upTo: string | undefined
      if (contentType.includes('json') && text) {
        try {
          upTo = (JSON.parse(text) as { upTo?: string }).upTo
        } catch {
          throw new HttpProblem(400, 'Bad Request', 'the body must be JSON: {"upTo": "2026-03-04"}')
        }
      }
      const today = DateTime.fromMillis(this.store.nowMs, { zone: 'Europe/Rome' }).toISODate()!
      const flows = this.store.publishFlows(upTo ?? today)
      if (contentType.includes('json')) return send(res, 200, { flows })
      res.writeHead(303, { location: `/?lang=${langOf(req, url)}` })
      return res.end()
    }
    if (path === '/sim/treasury' && method === 'GET') {
      const org = url.searchParams.get('org')
      if (!org) throw new HttpProblem(400, 'Bad Request', 'org is required')
      return send(res, 200, { credits: this.store.treasuryCredits(org) })
    }
    if (path === '/sim/fail' && method === 'POST') {
      const body = (await readJson(req)) as { count?: number; status?: number; delayMs?: number }
      this.failNext(Math.min(100, Math.max(1, Number(body?.count ?? 1))), {
        status: body?.status,
        delayMs: body?.delayMs,
      })
      return send(res, 200, { queued: this.#faults.length })
    }
    throw new HttpProblem(404, 'Not Found', `no route ${method} ${path}`)
  }
}

export async function startGpdSimulator(options: GpdSimulatorOptions) {
  return new GpdSimulator(options).start()
}
