import { XMLParser } from 'fast-xml-parser'
import { euroNumberToCents, euroToCents } from '#integrations/pagopa/amounts'
import type { FlowPaymentStatus } from '#integrations/pagopa/gpd_types'

/**
 * A reporting flow (flusso di rendicontazione): what one PSP credited to the ente for one day, line
 * by line. Read from FdR 3 (pagopa-api_openapi_fdr_organization.json: the flow and its payments) or
 * from the legacy FlussoRiversamento XML (FlussoRiversamento_1_0_4.xsd). Amounts in cents.
 */
export interface FlowLine {
  /** Position of the line in the flow (1-based). */
  index: number
  iuv: string
  /** Identificativo univoco di riscossione: the PSP's id of the collection. */
  iur: string
  /** "1" … "5": the transfer of the payment option this line pays. */
  idTransfer: string
  amount: number
  status: FlowPaymentStatus
  /** ISO date (or date-time) of the payment. */
  payDate: string
}

export interface ReportingFlow {
  /** Flow identifier, e.g. "2026-03-0488888888888-0000001". */
  id: string
  revision: number
  pspId: string
  pspName: string | null
  organizationId: string
  flowDate: string
  /** The identifier of the SEPA credit that paid the flow (identificativoUnivocoRegolamento). */
  regulation: string
  regulationDate: string
  bicCodePouringBank: string | null
  /** What the flow declares: totPayments and sumPayments. */
  declaredCount: number
  declaredSum: number
  lines: FlowLine[]
  source: 'fdr3' | 'xml'
}

export class ReportingFlowError extends Error {
  constructor(message: string) {
    super(`Reporting flow: ${message}`)
    this.name = 'ReportingFlowError'
  }
}

const PAY_STATUSES: FlowPaymentStatus[] = ['EXECUTED', 'REVOKED', 'STAND_IN', 'STAND_IN_NO_RPT', 'NO_RPT']

function str(node: Record<string, unknown>, key: string, where: string): string {
  const value = node[key]
  if (value === undefined || value === null || value === '' || typeof value === 'object') {
    throw new ReportingFlowError(`${where}: missing "${key}"`)
  }
  return String(value).trim()
}

function amount(value: unknown, where: string): number {
  try {
    return euroNumberToCents(value)
  } catch {
    throw new ReportingFlowError(`${where}: ${JSON.stringify(value)} is not an amount in euro`)
  }
}

/** FdR 3: the flow (SingleFlowResponse) and the payments of its pages (Payment[]). */
export function flowFromFdr(flow: Record<string, unknown>, payments: Array<Record<string, unknown>>): ReportingFlow {
  const id = str(flow, 'fdr', 'flow')
  const sender = (flow.sender ?? {}) as Record<string, unknown>
  const receiver = (flow.receiver ?? {}) as Record<string, unknown>
  const lines = payments.map((p, i) => {
    const where = `flow ${id}, payment ${i + 1}`
    const status = str(p, 'payStatus', where) as FlowPaymentStatus
    if (!PAY_STATUSES.includes(status)) throw new ReportingFlowError(`${where}: unknown payStatus "${status}"`)
    const idTransfer = Number(p.idTransfer)
    if (!Number.isInteger(idTransfer) || idTransfer < 1 || idTransfer > 5) {
      throw new ReportingFlowError(`${where}: idTransfer must be 1 to 5, got ${JSON.stringify(p.idTransfer)}`)
    }
    return {
      index: Number(p.index ?? i + 1),
      iuv: str(p, 'iuv', where),
      iur: str(p, 'iur', where),
      idTransfer: String(idTransfer),
      amount: amount(p.pay, where),
      status,
      payDate: str(p, 'payDate', where),
    }
  })
  return {
    id,
    revision: Number(flow.revision ?? 1),
    pspId: str(sender, 'pspId', `flow ${id} sender`),
    pspName: typeof sender.pspName === 'string' ? sender.pspName : null,
    organizationId: str(receiver, 'organizationId', `flow ${id} receiver`),
    flowDate: str(flow, 'fdrDate', `flow ${id}`),
    regulation: str(flow, 'regulation', `flow ${id}`),
    regulationDate: str(flow, 'regulationDate', `flow ${id}`),
    bicCodePouringBank: typeof flow.bicCodePouringBank === 'string' ? flow.bicCodePouringBank : null,
    declaredCount: Number(flow.totPayments),
    declaredSum: amount(flow.sumPayments, `flow ${id} sumPayments`),
    lines,
    source: 'fdr3',
  }
}

/** codiceEsitoSingoloPagamento of the XML flow → FdR 3's payStatus. */
const XML_OUTCOMES: Record<string, FlowPaymentStatus> = {
  '0': 'EXECUTED',
  '3': 'REVOKED',
  '4': 'STAND_IN',
  '8': 'STAND_IN_NO_RPT',
  '9': 'NO_RPT',
}

/** The legacy XML flow (FlussoRiversamento, namespace http://www.digitpa.gov.it/schemas/2011/Pagamenti/). */
export function flowFromXml(xml: string, options: { pspId?: string; organizationId?: string } = {}): ReportingFlow {
  const parser = new XMLParser({
    removeNSPrefix: true,
    parseTagValue: false,
    ignoreAttributes: true,
    isArray: (name) => name === 'datiSingoliPagamenti',
  })
  let document: Record<string, unknown>
  try {
    document = parser.parse(xml) as Record<string, unknown>
  } catch (error) {
    throw new ReportingFlowError(`not well-formed XML (${(error as Error).message})`)
  }
  const root = document.FlussoRiversamento as Record<string, unknown> | undefined
  if (!root || typeof root !== 'object') throw new ReportingFlowError('no <FlussoRiversamento> element')
  const id = str(root, 'identificativoFlusso', 'FlussoRiversamento')
  const where = `flow ${id}`
  const sender = (root.istitutoMittente ?? {}) as Record<string, unknown>
  const senderId = (sender.identificativoUnivocoMittente ?? {}) as Record<string, unknown>
  const receiver = (root.istitutoRicevente ?? {}) as Record<string, unknown>
  const receiverId = (receiver.identificativoUnivocoRicevente ?? {}) as Record<string, unknown>
  const rows = (root.datiSingoliPagamenti ?? []) as Array<Record<string, unknown>>
  const lines = rows.map((row, i) => {
    const at = `${where}, datiSingoliPagamenti ${i + 1}`
    const code = str(row, 'codiceEsitoSingoloPagamento', at)
    const status = XML_OUTCOMES[code]
    if (!status) throw new ReportingFlowError(`${at}: unknown codiceEsitoSingoloPagamento "${code}"`)
    let lineAmount: number
    try {
      lineAmount = euroToCents(str(row, 'singoloImportoPagato', at))
    } catch {
      throw new ReportingFlowError(`${at}: singoloImportoPagato is not an amount in euro`)
    }
    return {
      index: i + 1,
      iuv: str(row, 'identificativoUnivocoVersamento', at),
      iur: str(row, 'identificativoUnivocoRiscossione', at),
      idTransfer: row.indiceDatiSingoloPagamento ? String(Number(row.indiceDatiSingoloPagamento)) : '1',
      amount: lineAmount,
      status,
      payDate: str(row, 'dataEsitoSingoloPagamento', at),
    }
  })
  let declaredSum: number
  try {
    declaredSum = euroToCents(str(root, 'importoTotalePagamenti', where))
  } catch (error) {
    if (error instanceof ReportingFlowError) throw error
    throw new ReportingFlowError(`${where}: importoTotalePagamenti is not an amount in euro`)
  }
  return {
    id,
    revision: 1,
    pspId: options.pspId ?? String(senderId.codiceIdentificativoUnivoco ?? ''),
    pspName: typeof sender.denominazioneMittente === 'string' ? sender.denominazioneMittente : null,
    organizationId: options.organizationId ?? String(receiverId.codiceIdentificativoUnivoco ?? ''),
    flowDate: str(root, 'dataOraFlusso', where),
    regulation: str(root, 'identificativoUnivocoRegolamento', where),
    regulationDate: str(root, 'dataRegolamento', where),
    bicCodePouringBank:
      typeof root.codiceBicBancaDiRiversamento === 'string' ? root.codiceBicBancaDiRiversamento : null,
    declaredCount: Number(str(root, 'numeroTotalePagamenti', where)),
    declaredSum,
    lines,
    source: 'xml',
  }
}
