/**
 * The GPD (Gestione Posizioni Debitorie) data as the external API v1 names it
 * (gpd_openapi_external_v1.json, PaymentPositionModel and its responses). Amounts are euro cents.
 */

export const DEBT_POSITION_STATUSES = [
  'DRAFT',
  'PUBLISHED',
  'VALID',
  'INVALID',
  'EXPIRED',
  'PARTIALLY_PAID',
  'PAID',
  'REPORTED',
] as const
export type DebtPositionStatus = (typeof DEBT_POSITION_STATUSES)[number]

export type PaymentOptionStatus = 'PO_UNPAID' | 'PO_PAID' | 'PO_PARTIALLY_REPORTED' | 'PO_REPORTED'
export type TransferStatus = 'T_UNREPORTED' | 'T_REPORTED'

export interface MetadataEntry {
  key: string
  value: string
}

export interface Transfer {
  /** "1" … "5", unique within the option. */
  idTransfer: string
  amount: number
  organizationFiscalCode?: string
  remittanceInformation: string
  /** Taxonomy code of the service, e.g. "9/0101002IM/". */
  category: string
  iban?: string
  postalIban?: string
  companyName?: string
  transferMetadata?: MetadataEntry[]
}

export interface PaymentOption {
  /** Built by GPD as "3" + iuv when absent. */
  nav?: string
  iuv: string
  amount: number
  description: string
  isPartialPayment: boolean
  /** ISO date-time. */
  dueDate: string
  retentionDate?: string
  transfer: Transfer[]
  paymentOptionMetadata?: MetadataEntry[]
}

/** What an ente sends to create or update a position. */
export interface DebtPosition {
  iupd: string
  /** F = natural person, G = legal person. */
  type: 'F' | 'G'
  payStandIn?: boolean
  fiscalCode: string
  fullName: string
  streetName?: string
  civicNumber?: string
  postalCode?: string
  city?: string
  province?: string
  region?: string
  country?: string
  email?: string
  phone?: string
  switchToExpired: boolean
  companyName: string
  officeName?: string
  validityDate?: string
  paymentOption: PaymentOption[]
}

export interface TransferResponse extends Transfer {
  organizationFiscalCode: string
  status: TransferStatus
  insertedDate?: string
  lastUpdatedDate?: string
}

export interface PaymentOptionResponse extends Omit<PaymentOption, 'transfer'> {
  nav: string
  organizationFiscalCode: string
  status: PaymentOptionStatus
  paymentDate?: string
  reportingDate?: string
  insertedDate?: string
  paymentMethod?: string
  fee?: number
  pspCompany?: string
  idReceipt?: string
  idFlowReporting?: string
  lastUpdatedDate?: string
  transfer: TransferResponse[]
}

/** GET …/debtpositions/{iupd} (PaymentPositionModelBaseResponse). */
export interface DebtPositionResponse {
  iupd: string
  organizationFiscalCode: string
  type: 'F' | 'G'
  companyName: string
  officeName?: string
  insertedDate?: string
  publishDate?: string
  validityDate?: string
  paymentDate?: string
  status: DebtPositionStatus
  lastUpdatedDate?: string
  paymentOption: PaymentOptionResponse[]
}

/** The receipt of one paid option, from the payments-receipts service (its XML, read). */
export interface Receipt {
  receiptId: string
  noticeNumber: string
  organizationFiscalCode: string
  outcome: string
  /** The IUV (creditorReferenceId). */
  iuv: string
  amount: number
  description: string
  companyName: string
  debtor: { type: 'F' | 'G'; fiscalCode: string; fullName: string }
  transfers: Array<{
    idTransfer: string
    amount: number
    organizationFiscalCode: string
    iban: string
    remittanceInformation: string
    category: string
  }>
  pspId: string
  pspCompanyName: string
  channelId: string
  paymentMethod: string | null
  fee: number | null
  paymentDateTime: string
  applicationDate: string | null
}

/** One row of GET /payments/{cf}/receipts. */
export interface ReceiptSummary {
  organizationFiscalCode: string
  iuv: string
  debtor: string
  paymentDateTime: string
  status: string
}

/** FdR 3 — a published flow in the list (FlowByPSP). */
export interface FlowRef {
  fdr: string
  pspId: string
  revision: number
  published: string
  flowDate: string
}

export type FlowPaymentStatus = 'EXECUTED' | 'REVOKED' | 'STAND_IN' | 'STAND_IN_NO_RPT' | 'NO_RPT'
