import { parseNoticeNumber } from '#integrations/pagopa/notice_number'
import { assertCents } from '#integrations/pagopa/amounts'

/**
 * The machine-readable codes printed on an AgID payment notice:
 * - the pagoPA QR code: `PAGOPA|002|<NAV 18>|<CF ente 11>|<amount in cents>` (ECC level M);
 * - the Poste Italiane Data Matrix of the "Bollettino Postale PA", a fixed 256-character record:
 *   `codfase=NBPA;` 18 NAV, 12 postal account, 10 amount in cents, 3 896, 1P1 (document type),
 *   CF ente (11), CF debtor (16), debtor name (40), causale (110), 12 spaces, `A`
 *   — each variable field preceded by its length as the layout in INTEGRATIONS.md gives it.
 */
export class NoticeCodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NoticeCodeError'
  }
}

function checkNav(nav: string) {
  if (!/^\d{18}$/.test(nav)) throw new NoticeCodeError(`The notice number must be 18 digits, got "${nav}"`)
  if (nav.startsWith('3') && !parseNoticeNumber(nav)) {
    throw new NoticeCodeError(`The notice number ${nav} has wrong check digits`)
  }
}

function checkOrg(fiscalCode: string) {
  if (!/^\d{11}$/.test(fiscalCode)) {
    throw new NoticeCodeError(`The creditor's fiscal code must be 11 digits, got "${fiscalCode}"`)
  }
}

function checkAmount(cents: number) {
  assertCents(cents, 'The amount')
  if (cents < 1 || cents > 9_999_999_999)
    throw new NoticeCodeError(`The amount must be 1 to 9999999999 cents, got ${cents}`)
}

export function pagopaQrPayload(nav: string, organizationFiscalCode: string, amountCents: number): string {
  checkNav(nav)
  checkOrg(organizationFiscalCode)
  checkAmount(amountCents)
  return `PAGOPA|002|${nav}|${organizationFiscalCode}|${amountCents}`
}

/** Plain ASCII for the fixed-width record: accents dropped, anything else unprintable becomes a space. */
export function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘]/g, "'")
    .replace(/[^\u0020-\u007e]/g, ' ')
}

function field(text: string, width: number) {
  return asciiFold(text).slice(0, width).padEnd(width, ' ')
}

export interface PosteDataMatrixInput {
  nav: string
  /** The ente's postal current account (conto corrente postale), up to 12 digits. */
  postalAccount: string
  amountCents: number
  organizationFiscalCode: string
  debtorFiscalCode: string
  debtorName: string
  /** The payment's reason (oggetto), cut to 110 characters. */
  subject: string
}

export function posteDataMatrixPayload(input: PosteDataMatrixInput): string {
  checkNav(input.nav)
  checkOrg(input.organizationFiscalCode)
  checkAmount(input.amountCents)
  if (!/^\d{1,12}$/.test(input.postalAccount)) {
    throw new NoticeCodeError(`The postal account must be up to 12 digits, got "${input.postalAccount}"`)
  }
  if (!/^[A-Za-z0-9]{11,16}$/.test(input.debtorFiscalCode)) {
    throw new NoticeCodeError(
      `The debtor's fiscal code must be 11 to 16 letters or digits, got "${input.debtorFiscalCode}"`
    )
  }
  const payload =
    'codfase=NBPA;' +
    `18${input.nav}` +
    `12${input.postalAccount.padStart(12, '0')}` +
    `10${String(input.amountCents).padStart(10, '0')}` +
    '3896' +
    '1P1' +
    input.organizationFiscalCode +
    field(input.debtorFiscalCode.toUpperCase(), 16) +
    field(input.debtorName, 40) +
    field(input.subject, 110) +
    ' '.repeat(12) +
    'A'
  if (payload.length !== 256)
    throw new NoticeCodeError(`The Poste record must be 256 characters, got ${payload.length}`)
  return payload
}
