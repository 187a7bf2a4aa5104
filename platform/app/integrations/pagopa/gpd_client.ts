import { httpCall, parseJson, ServiceUnavailableError, type HttpAnswer } from '#integrations/http/http_call'
import type {
  DebtPosition,
  DebtPositionResponse,
  FlowRef,
  Receipt,
  ReceiptSummary,
} from '#integrations/pagopa/gpd_types'
import { parseReceiptXml } from '#integrations/pagopa/receipt_xml'
import { flowFromFdr, type ReportingFlow } from '#integrations/pagopa/reporting_flow'

/**
 * pagoPA as the ledger sees it: debt positions (GPD external API v1), the receipts of paid
 * options (payments-receipts service) and the reporting flows (FdR 3, organization side).
 * `GpdClient` speaks the real protocol over HTTP; the local simulator (gpd_simulator.ts) answers
 * the same paths, so the demo and the tests run this very client.
 */
export interface PagoPaGateway {
  /** Creates the position (published at once with toPublish). A duplicate of the same position is success. */
  createPosition(position: DebtPosition, options?: { toPublish?: boolean }): Promise<CreatedPosition>
  getPosition(iupd: string): Promise<DebtPositionResponse | null>
  updatePosition(iupd: string, position: DebtPosition, options?: { toPublish?: boolean }): Promise<DebtPositionResponse>
  publishPosition(iupd: string): Promise<DebtPositionResponse>
  invalidatePosition(iupd: string): Promise<DebtPositionResponse>
  deletePosition(iupd: string): Promise<{ deleted: boolean }>
  listReceipts(filter?: ReceiptFilter): Promise<ReceiptSummary[]>
  getReceipt(iuv: string): Promise<Receipt | null>
  listFlows(filter?: FlowFilter): Promise<FlowRef[]>
  getFlow(ref: Pick<FlowRef, 'fdr' | 'revision' | 'pspId'>): Promise<ReportingFlow>
}

export interface CreatedPosition {
  position: DebtPositionResponse
  /** False when GPD already held this very position (a retry after a lost answer). */
  created: boolean
}

export interface ReceiptFilter {
  /** ISO dates. */
  from?: string
  to?: string
  debtor?: string
}

export interface FlowFilter {
  pspId?: string
  /** Lower bound on the flow date (ISO date-time). */
  flowDate?: string
  /** Lower bound on the publication date (ISO date-time). */
  publishedGt?: string
}

export interface GpdClientConfig {
  /** The ente's fiscal code (11 digits), GPD's organizationfiscalcode. */
  organizationFiscalCode: string
  /** e.g. https://api.platform.pagopa.it/gpd/debt-positions-service/v1 */
  gpdUrl: string
  /** e.g. https://api.platform.pagopa.it/gpd/payments-receipts-service/v1 */
  receiptsUrl: string
  /** e.g. https://api.platform.pagopa.it/fdr-org/service/v1 */
  fdrUrl: string
  /** Read at each call (Ocp-Apim-Subscription-Key), so a rotated key is picked up without a restart. */
  subscriptionKey: () => string
  /** The receipts and FdR products have their own keys; the GPD key when absent. */
  receiptsKey?: () => string
  fdrKey?: () => string
  timeoutMs?: number
  attempts?: number
  backoffMs?: number
}

/** GPD refused the request (4xx): the problem's title and detail say why. */
export class GpdError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly title: string,
    readonly detail: string
  ) {
    super(`GPD ${operation} refused (HTTP ${status}): ${detail || title || 'no detail'}`)
    this.name = 'GpdError'
  }
}

/** A 409 that is not our own earlier request: the IUV/notice number or the iupd belong to another position, or the state forbids the change. */
export class GpdConflictError extends GpdError {
  constructor(operation: string, detail: string) {
    super(operation, 409, 'Conflict', detail)
    this.name = 'GpdConflictError'
  }
}

/** Lines of FdR payments asked per page, the API's maximum. */
const FDR_PAGE = 1000
/** A guard against a server that never ends its pages. */
const MAX_PAGES = 10_000

function problemOf(answer: HttpAnswer): { title: string; detail: string } {
  try {
    const body = JSON.parse(answer.text) as Record<string, unknown>
    const errors = Array.isArray(body.errors)
      ? (body.errors as Array<Record<string, unknown>>)
          .map((e) => `${e.path ?? ''} ${e.message ?? ''}`.trim())
          .join('; ')
      : ''
    return {
      title: String(body.title ?? body.httpStatusDescription ?? ''),
      detail: String(body.detail ?? errors ?? ''),
    }
  } catch {
    return { title: '', detail: answer.text.slice(0, 300) }
  }
}

/** The same position as far as payment goes: same IUVs, amounts and due days. */
function samePosition(sent: DebtPosition, stored: DebtPositionResponse) {
  const shape = (options: Array<{ iuv: string; amount: number; dueDate: string }>) =>
    options
      .map((o) => `${o.iuv}:${o.amount}:${o.dueDate.slice(0, 10)}`)
      .sort()
      .join('|')
  return shape(sent.paymentOption) === shape(stored.paymentOption ?? [])
}

export class GpdClient implements PagoPaGateway {
  constructor(private config: GpdClientConfig) {}

  get organizationFiscalCode() {
    return this.config.organizationFiscalCode
  }

  async #call(
    operation: string,
    service: 'gpd' | 'receipts' | 'fdr',
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { query?: Record<string, string | number | boolean | undefined>; json?: unknown; accept?: string } = {}
  ) {
    const base = { gpd: this.config.gpdUrl, receipts: this.config.receiptsUrl, fdr: this.config.fdrUrl }[service]
    const key = { gpd: this.config.subscriptionKey, receipts: this.config.receiptsKey, fdr: this.config.fdrKey }[
      service
    ]
    const url = new URL(`${base.replace(/\/+$/, '')}${path}`)
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    return httpCall({
      operation: `GPD ${operation}`,
      method,
      url: url.toString(),
      headers: {
        'Ocp-Apim-Subscription-Key': (key ?? this.config.subscriptionKey)(),
        ...(options.accept ? { accept: options.accept } : {}),
      },
      json: options.json,
      timeoutMs: this.config.timeoutMs,
      attempts: this.config.attempts,
      backoffMs: this.config.backoffMs,
    })
  }

  #refused(operation: string, answer: HttpAnswer): never {
    const { title, detail } = problemOf(answer)
    if (answer.status === 401 || answer.status === 403) {
      throw new GpdError(
        operation,
        answer.status,
        title,
        `${detail || 'not authorised'}: check the subscription key and that it is enabled for ente ${this.config.organizationFiscalCode}`
      )
    }
    if (answer.status === 409) throw new GpdConflictError(operation, detail || title)
    throw new GpdError(operation, answer.status, title, detail)
  }

  #positions() {
    return `/organizations/${encodeURIComponent(this.config.organizationFiscalCode)}/debtpositions`
  }

  async createPosition(position: DebtPosition, options: { toPublish?: boolean } = {}): Promise<CreatedPosition> {
    const operation = 'createPosition'
    const answer = await this.#call(operation, 'gpd', 'POST', this.#positions(), {
      query: { toPublish: options.toPublish ?? true },
      json: position,
    })
    if (answer.status === 201 || answer.status === 200) {
      return { position: parseJson<DebtPositionResponse>(answer, operation), created: true }
    }
    if (answer.status === 409) {
      // Our own earlier attempt (its answer lost) or a real clash: read back to tell which.
      const stored = await this.getPosition(position.iupd)
      if (stored && samePosition(position, stored)) return { position: stored, created: false }
      const { detail } = problemOf(answer)
      throw new GpdConflictError(
        operation,
        stored
          ? `position ${position.iupd} already exists with other payment options (${detail})`
          : `an IUV or notice number of position ${position.iupd} is already used by another position (${detail})`
      )
    }
    return this.#refused(operation, answer)
  }

  async getPosition(iupd: string): Promise<DebtPositionResponse | null> {
    const operation = 'getPosition'
    const answer = await this.#call(operation, 'gpd', 'GET', `${this.#positions()}/${encodeURIComponent(iupd)}`)
    if (answer.status === 200) return parseJson<DebtPositionResponse>(answer, operation)
    if (answer.status === 404) return null
    return this.#refused(operation, answer)
  }

  async updatePosition(iupd: string, position: DebtPosition, options: { toPublish?: boolean } = {}) {
    const operation = 'updatePosition'
    const answer = await this.#call(operation, 'gpd', 'PUT', `${this.#positions()}/${encodeURIComponent(iupd)}`, {
      query: { toPublish: options.toPublish ?? true },
      json: position,
    })
    if (answer.status === 200) return parseJson<DebtPositionResponse>(answer, operation)
    return this.#refused(operation, answer)
  }

  async #action(operation: string, iupd: string, action: 'publish' | 'invalidate', done: string[]) {
    const answer = await this.#call(
      operation,
      'gpd',
      'POST',
      `${this.#positions()}/${encodeURIComponent(iupd)}/${action}`
    )
    if (answer.status === 200) return parseJson<DebtPositionResponse>(answer, operation)
    if (answer.status === 409) {
      // Done by an earlier attempt whose answer was lost?
      const stored = await this.getPosition(iupd)
      if (stored && done.includes(stored.status)) return stored
      throw new GpdConflictError(
        operation,
        `position ${iupd} cannot be ${action === 'publish' ? 'published' : 'invalidated'} in status ${stored?.status ?? 'unknown'}`
      )
    }
    return this.#refused(operation, answer)
  }

  publishPosition(iupd: string) {
    return this.#action('publishPosition', iupd, 'publish', ['PUBLISHED', 'VALID'])
  }

  invalidatePosition(iupd: string) {
    return this.#action('invalidatePosition', iupd, 'invalidate', ['INVALID'])
  }

  async deletePosition(iupd: string) {
    const operation = 'deletePosition'
    const answer = await this.#call(operation, 'gpd', 'DELETE', `${this.#positions()}/${encodeURIComponent(iupd)}`)
    if (answer.status === 200 || answer.status === 204) return { deleted: true }
    // Already gone (an earlier attempt whose answer was lost, or never created).
    if (answer.status === 404) return { deleted: false }
    return this.#refused(operation, answer)
  }

  async listReceipts(filter: ReceiptFilter = {}): Promise<ReceiptSummary[]> {
    const operation = 'getOrganizationReceipts'
    const out: ReceiptSummary[] = []
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.#call(
        operation,
        'receipts',
        'GET',
        `/payments/${encodeURIComponent(this.config.organizationFiscalCode)}/receipts`,
        { query: { pageNum: page, pageSize: 100, from: filter.from, to: filter.to, debtor: filter.debtor } }
      )
      if (answer.status === 404) break
      if (answer.status !== 200) this.#refused(operation, answer)
      const body = parseJson<{ totalPages?: number; results?: ReceiptSummary[] }>(answer, operation)
      out.push(...(body.results ?? []))
      if (page + 1 >= (body.totalPages ?? 0)) break
    }
    return out
  }

  async getReceipt(iuv: string): Promise<Receipt | null> {
    const operation = 'getReceiptByIUV'
    const answer = await this.#call(
      operation,
      'receipts',
      'GET',
      `/payments/${encodeURIComponent(this.config.organizationFiscalCode)}/receipts/${encodeURIComponent(iuv)}`,
      { accept: 'application/xml' }
    )
    if (answer.status === 404) return null
    if (answer.status !== 200) this.#refused(operation, answer)
    return parseReceiptXml(answer.text)
  }

  async listFlows(filter: FlowFilter = {}): Promise<FlowRef[]> {
    const operation = 'getAllPublishedFlows'
    const out: FlowRef[] = []
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await this.#call(
        operation,
        'fdr',
        'GET',
        `/organizations/${encodeURIComponent(this.config.organizationFiscalCode)}/fdrs`,
        { query: { page, size: 1000, pspId: filter.pspId, flowDate: filter.flowDate, publishedGt: filter.publishedGt } }
      )
      if (answer.status === 404) break
      if (answer.status !== 200) this.#refused(operation, answer)
      const body = parseJson<{ metadata?: { totPage?: number }; data?: FlowRef[] }>(answer, operation)
      out.push(...(body.data ?? []))
      if (page >= (body.metadata?.totPage ?? 0)) break
    }
    return out
  }

  async getFlow(ref: Pick<FlowRef, 'fdr' | 'revision' | 'pspId'>): Promise<ReportingFlow> {
    const base = `/organizations/${encodeURIComponent(this.config.organizationFiscalCode)}/fdrs/${encodeURIComponent(ref.fdr)}/revisions/${ref.revision}/psps/${encodeURIComponent(ref.pspId)}`
    const flowAnswer = await this.#call('getSinglePublishedFlow', 'fdr', 'GET', base)
    if (flowAnswer.status !== 200) this.#refused('getSinglePublishedFlow', flowAnswer)
    const flow = parseJson<Record<string, unknown>>(flowAnswer, 'getSinglePublishedFlow')
    const payments: Array<Record<string, unknown>> = []
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await this.#call('getPaymentsFromPublishedFlow', 'fdr', 'GET', `${base}/payments`, {
        query: { page, size: FDR_PAGE },
      })
      if (answer.status !== 200) this.#refused('getPaymentsFromPublishedFlow', answer)
      const body = parseJson<{ metadata?: { totPage?: number }; data?: Array<Record<string, unknown>> }>(
        answer,
        'getPaymentsFromPublishedFlow'
      )
      payments.push(...(body.data ?? []))
      if (page >= (body.metadata?.totPage ?? 0)) break
    }
    return flowFromFdr(flow, payments)
  }
}

export { ServiceUnavailableError }
