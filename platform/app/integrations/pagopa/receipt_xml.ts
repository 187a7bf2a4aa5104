import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { centsToEuro, euroToCents } from '#integrations/pagopa/amounts'
import type { Receipt } from '#integrations/pagopa/gpd_types'

/**
 * The receipt document GPD's payments-receipts service answers for one IUV: the `paSendRTReq`
 * the pagoPA node sent the ente when the payment completed (paForNode.xsd, ctReceipt), as XML.
 * The simulator writes it; the client reads it back into a Receipt (amounts in cents).
 */
const NS = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd'

export class ReceiptXmlError extends Error {
  constructor(message: string) {
    super(`Receipt XML: ${message}`)
    this.name = 'ReceiptXmlError'
  }
}

export function buildReceiptXml(receipt: Receipt, station: { brokerId: string; stationId: string }): string {
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true })
  const body = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'pafn:paSendRTReq': {
      '@_xmlns:pafn': NS,
      'idPA': receipt.organizationFiscalCode,
      'idBrokerPA': station.brokerId,
      'idStation': station.stationId,
      'receipt': {
        receiptId: receipt.receiptId,
        noticeNumber: receipt.noticeNumber,
        fiscalCode: receipt.organizationFiscalCode,
        outcome: receipt.outcome,
        creditorReferenceId: receipt.iuv,
        paymentAmount: centsToEuro(receipt.amount),
        description: receipt.description,
        companyName: receipt.companyName,
        debtor: {
          uniqueIdentifier: {
            entityUniqueIdentifierType: receipt.debtor.type,
            entityUniqueIdentifierValue: receipt.debtor.fiscalCode,
          },
          fullName: receipt.debtor.fullName,
        },
        transferList: {
          transfer: receipt.transfers.map((t) => ({
            idTransfer: t.idTransfer,
            transferAmount: centsToEuro(t.amount),
            fiscalCodePA: t.organizationFiscalCode,
            IBAN: t.iban,
            remittanceInformation: t.remittanceInformation,
            transferCategory: t.category,
          })),
        },
        idPSP: receipt.pspId,
        PSPCompanyName: receipt.pspCompanyName,
        idChannel: receipt.channelId,
        channelDescription: 'app',
        paymentMethod: receipt.paymentMethod ?? undefined,
        fee: receipt.fee === null ? undefined : centsToEuro(receipt.fee),
        paymentDateTime: receipt.paymentDateTime,
        applicationDate: receipt.applicationDate ?? undefined,
      },
    },
  }
  return builder.build(body) as string
}

function text(node: Record<string, unknown>, key: string, required = true): string {
  const value = node[key]
  if (value === undefined || value === null || value === '') {
    if (required) throw new ReceiptXmlError(`missing <${key}>`)
    return ''
  }
  if (typeof value === 'object') throw new ReceiptXmlError(`<${key}> is not a text element`)
  return String(value).trim()
}

function object(node: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = node[key]
  if (!value || typeof value !== 'object') throw new ReceiptXmlError(`missing <${key}>`)
  return value as Record<string, unknown>
}

function cents(value: string, what: string) {
  try {
    return euroToCents(value)
  } catch {
    throw new ReceiptXmlError(`<${what}> "${value}" is not an amount in euro`)
  }
}

export function parseReceiptXml(xml: string): Receipt {
  const parser = new XMLParser({
    removeNSPrefix: true,
    parseTagValue: false,
    ignoreAttributes: true,
    processEntities: true,
    isArray: (name) => name === 'transfer',
  })
  let document: Record<string, unknown>
  try {
    document = parser.parse(xml) as Record<string, unknown>
  } catch (error) {
    throw new ReceiptXmlError(`not well-formed (${(error as Error).message})`)
  }
  const request = (document.paSendRTReq ?? document.paSendRTV2Request) as Record<string, unknown> | undefined
  if (!request) throw new ReceiptXmlError('no <paSendRTReq> element')
  const receipt = object(request, 'receipt')
  const debtor = object(receipt, 'debtor')
  const identifier = object(debtor, 'uniqueIdentifier')
  const transfers = (object(receipt, 'transferList').transfer ?? []) as Array<Record<string, unknown>>
  const fee = text(receipt, 'fee', false)
  const debtorType = text(identifier, 'entityUniqueIdentifierType')
  return {
    receiptId: text(receipt, 'receiptId'),
    noticeNumber: text(receipt, 'noticeNumber'),
    organizationFiscalCode: text(receipt, 'fiscalCode'),
    outcome: text(receipt, 'outcome'),
    iuv: text(receipt, 'creditorReferenceId'),
    amount: cents(text(receipt, 'paymentAmount'), 'paymentAmount'),
    description: text(receipt, 'description'),
    companyName: text(receipt, 'companyName'),
    debtor: {
      type: debtorType === 'G' ? 'G' : 'F',
      fiscalCode: text(identifier, 'entityUniqueIdentifierValue'),
      fullName: text(debtor, 'fullName'),
    },
    transfers: transfers.map((t) => ({
      idTransfer: text(t, 'idTransfer'),
      amount: cents(text(t, 'transferAmount'), 'transferAmount'),
      organizationFiscalCode: text(t, 'fiscalCodePA'),
      iban: text(t, 'IBAN', false),
      remittanceInformation: text(t, 'remittanceInformation'),
      category: text(t, 'transferCategory'),
    })),
    pspId: text(receipt, 'idPSP'),
    pspCompanyName: text(receipt, 'PSPCompanyName'),
    channelId: text(receipt, 'idChannel'),
    paymentMethod: text(receipt, 'paymentMethod', false) || null,
    fee: fee ? cents(fee, 'fee') : null,
    paymentDateTime: text(receipt, 'paymentDateTime', false),
    applicationDate: text(receipt, 'applicationDate', false) || null,
  }
}
