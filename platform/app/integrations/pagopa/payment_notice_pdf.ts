import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFImage, type PDFPage, type RGB } from 'pdf-lib'
import QRCode from 'qrcode'
import bwipjs from 'bwip-js'
import { DateTime } from 'luxon'
import { italianAmount } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { pagopaQrPayload, posteDataMatrixPayload } from '#integrations/pagopa/notice_codes'
import { safe, wrap } from '#services/infrastructure/pdf_sheet'

/**
 * The AgID payment notice ("avviso di pagamento pagoPA"), drawn from the position's data as the
 * standard lays it out: the subject and the creditor's logo (30 × 30 mm) on top; the creditor
 * (fiscal code, name, sector, contacts) and the debtor (fiscal code, name, address) side by side;
 * how much and by when (amount in Italian format, due date dd/mm/yyyy, the instalments if any) and
 * where to pay; then, for the single payment and for each instalment, the bank section with the
 * pagoPA QR code (25 × 25 mm, ECC M), the CBILL code and the 18-digit notice code in groups of four,
 * and, when the ente has a postal account, the "Bollettino Postale PA" with Poste's Data Matrix.
 */
export interface NoticePayment {
  nav: string
  amountCents: number
  /** ISO date (or date-time) by which to pay. */
  dueDate: string
}

export interface PaymentNoticeInput {
  lang?: 'it' | 'en'
  /** Oggetto del pagamento, at most 90 characters. */
  subject: string
  creditor: {
    name: string
    /** 11 digits. */
    fiscalCode: string
    /** The ente's CBILL code (5 characters), for home banking. */
    cbill?: string | null
    /** Settore / ufficio, printed under the name. */
    sector?: string | null
    /** Contacts: website, phone, email. */
    info?: string | null
    /** PNG or JPEG; a box with the ente's initials when absent. */
    logo?: Uint8Array | null
    /** Conto corrente postale (up to 12 digits): adds the Bollettino Postale PA with the Data Matrix. */
    postalAccount?: string | null
    /** Intestatario of the postal account, the creditor's name when absent. */
    postalAccountHolder?: string | null
  }
  debtor: {
    fiscalCode: string
    /** At most 70 characters. */
    fullName: string
    /** Street and number, then postcode, town and province: at most 140 characters in all. */
    address?: string[]
  }
  /** The single payment ("rata unica"); at least this or instalments. */
  single?: NoticePayment | null
  instalments?: NoticePayment[]
}

export class PaymentNoticeError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(`Payment notice, ${field}: ${message}`)
    this.name = 'PaymentNoticeError'
  }
}

const MM = 72 / 25.4
const PAGE: [number, number] = [595.28, 841.89]
const M = 28
const WIDTH = PAGE[0] - 2 * M
const INK = rgb(0.09, 0.2, 0.3)
const BLUE = rgb(0, 0.4, 0.8)
const PALE = rgb(0.93, 0.95, 0.97)
const GREY = rgb(0.4, 0.45, 0.5)
const WHITE = rgb(1, 1, 1)
const QR_SIZE = 25 * MM
const LOGO_SIZE = 30 * MM

const TEXT = {
  it: {
    notice: 'AVVISO DI PAGAMENTO',
    creditor: 'ENTE CREDITORE',
    debtor: 'DESTINATARIO AVVISO',
    fiscalCode: 'Cod. Fiscale',
    howMuch: 'QUANTO E QUANDO PAGARE?',
    where: 'DOVE PAGARE?',
    whereList: 'Lista dei canali di pagamento su www.pagopa.gov.it',
    online: 'PAGA SUL SITO O CON LE APP',
    onlineText:
      'del tuo Ente Creditore, della tua Banca o degli altri canali di pagamento. Potrai pagare con carte, conto corrente, CBILL.',
    local: 'PAGA SUL TERRITORIO',
    localText:
      'in tutti gli Uffici Postali, in Banca, in Ricevitoria, dal Tabaccaio, al Bancomat, al Supermercato. Potrai pagare in contanti, con carte o conto corrente.',
    by: 'entro il',
    orInstalments: (n: number) => `oppure in ${n} rate:`,
    inInstalments: (n: number) => `in ${n} rate:`,
    instalmentLine: (i: number) => `${i}ª rata`,
    updated:
      "L'importo è aggiornato automaticamente dal sistema e potrebbe subire variazioni per eventuali sgravi, note di credito, indennità di mora, sanzioni o interessi. Un operatore, il sito o l'app che userai potrebbero quindi chiederti una cifra diversa da quella qui indicata.",
    use: 'Utilizza la porzione di avviso relativa alla rata e al canale di pagamento che preferisci.',
    bank: 'BANCHE E ALTRI CANALI',
    single: 'RATA UNICA',
    instalment: (i: number) => `RATA ${i}`,
    bankText:
      'Qui accanto trovi il codice QR e il codice interbancario CBILL per pagare attraverso il circuito bancario e gli altri canali di pagamento abilitati.',
    recipient: 'Destinatario',
    creditorShort: 'Ente Creditore',
    subject: 'Oggetto del pagamento',
    cbill: 'Codice CBILL',
    code: 'Codice Avviso',
    orgCode: 'Cod. Fiscale Ente Creditore',
    euro: 'Euro',
    postal: 'BOLLETTINO POSTALE PA',
    postalText:
      "Bollettino Postale pagabile in tutti gli Uffici Postali e sui canali fisici o digitali abilitati di Poste Italiane e dell'Ente Creditore",
    account: 'sul C/C n.',
    holder: 'intestato a',
    subjectShort: 'Oggetto',
    type: 'Tipo',
    continued: 'segue',
  },
  en: {
    notice: 'PAYMENT NOTICE',
    creditor: 'CREDITOR',
    debtor: 'RECIPIENT OF THE NOTICE',
    fiscalCode: 'Tax code',
    howMuch: 'HOW MUCH AND WHEN TO PAY?',
    where: 'WHERE TO PAY?',
    whereList: 'List of payment channels at www.pagopa.gov.it',
    online: 'PAY ONLINE OR WITH THE APPS',
    onlineText:
      'of your Creditor, your Bank or the other payment channels. You can pay by card, bank account or CBILL.',
    local: 'PAY IN PERSON',
    localText:
      'at any Post Office, Bank, lottery outlet, tobacconist, cash machine or supermarket. You can pay in cash, by card or from your account.',
    by: 'by',
    orInstalments: (n: number) => `or in ${n} instalments:`,
    inInstalments: (n: number) => `in ${n} instalments:`,
    instalmentLine: (i: number) => `Instalment ${i}`,
    updated:
      'The amount is updated automatically and may change because of reductions, credit notes, late-payment charges, penalties or interest. An operator, the website or the app you use may therefore ask for a different amount from the one shown here.',
    use: 'Use the part of the notice for the instalment and the payment channel you prefer.',
    bank: 'BANKS AND OTHER CHANNELS',
    single: 'SINGLE PAYMENT',
    instalment: (i: number) => `INSTALMENT ${i}`,
    bankText:
      'Next to this text are the QR code and the CBILL interbank code to pay through the banking circuit and the other enabled payment channels.',
    recipient: 'Recipient',
    creditorShort: 'Creditor',
    subject: 'Subject of the payment',
    cbill: 'CBILL code',
    code: 'Notice code',
    orgCode: "Creditor's tax code",
    euro: 'Euro',
    postal: 'POSTAL PAYMENT SLIP PA',
    postalText:
      'Postal slip payable at any Post Office and on the physical or digital channels of Poste Italiane and of the Creditor',
    account: 'to account no.',
    holder: 'held by',
    subjectShort: 'Subject',
    type: 'Type',
    continued: 'continued',
  },
} as const

function day(value: string) {
  const parsed = DateTime.fromISO(value, { zone: 'Europe/Rome' })
  if (!parsed.isValid) throw new PaymentNoticeError('dueDate', `"${value}" is not an ISO date`)
  return parsed.toFormat('dd/LL/yyyy')
}

function validate(input: PaymentNoticeInput) {
  if (!input.subject?.trim()) throw new PaymentNoticeError('subject', 'required')
  if (input.subject.length > 90)
    throw new PaymentNoticeError('subject', `at most 90 characters, got ${input.subject.length}`)
  if (!input.creditor?.name?.trim()) throw new PaymentNoticeError('creditor.name', 'required')
  if (!/^\d{11}$/.test(input.creditor.fiscalCode ?? ''))
    throw new PaymentNoticeError('creditor.fiscalCode', '11 digits')
  if (input.creditor.cbill && !/^[A-Za-z0-9]{5}$/.test(input.creditor.cbill)) {
    throw new PaymentNoticeError('creditor.cbill', 'five letters or digits')
  }
  if (!input.debtor?.fullName?.trim() || input.debtor.fullName.length > 70) {
    throw new PaymentNoticeError('debtor.fullName', 'required, at most 70 characters')
  }
  if ((input.debtor.address ?? []).join(' ').length > 140) {
    throw new PaymentNoticeError('debtor.address', 'at most 140 characters')
  }
  if (!input.single && !input.instalments?.length) {
    throw new PaymentNoticeError('single', 'a single payment or instalments are needed')
  }
}

interface Fonts {
  regular: PDFFont
  bold: PDFFont
}

function text(page: PDFPage, s: string, x: number, y: number, size: number, font: PDFFont, color: RGB = INK) {
  page.drawText(safe(s), { x, y, size, font, color })
}

/** Wrapped text from the top line `y` down; answers the y under the last line. */
function paragraph(
  page: PDFPage,
  s: string,
  x: number,
  y: number,
  width: number,
  size: number,
  font: PDFFont,
  color: RGB = INK
) {
  let at = y
  for (const row of wrap(s, font, size, width)) {
    page.drawText(row, { x, y: at - size, size, font, color })
    at -= size * 1.25
  }
  return at
}

/**
 * Dark modules of a matrix code drawn as vector squares: one path of rectangles, one per run of dark
 * modules in a row, filled at once (thousands of separate rectangles would slow a batch down).
 */
function drawMatrix(
  page: PDFPage,
  dark: (row: number, col: number) => boolean,
  n: { rows: number; cols: number },
  x: number,
  y: number,
  size: number,
  quiet: number
) {
  const cell = size / (Math.max(n.rows, n.cols) + 2 * quiet)
  page.drawRectangle({ x, y, width: size, height: size, color: WHITE })
  const runs: string[] = []
  for (let r = 0; r < n.rows; r++) {
    let c = 0
    while (c < n.cols) {
      if (!dark(r, c)) {
        c++
        continue
      }
      let end = c
      while (end < n.cols && dark(r, end)) end++
      runs.push(`M${quiet + c} ${quiet + r}h${end - c}v1h${c - end}z`)
      c = end
    }
  }
  // SVG coordinates run down from the top-left corner, in modules.
  page.drawSvgPath(runs.join(''), { x, y: y + size, scale: cell, color: rgb(0, 0, 0) })
}

export function drawQrCode(page: PDFPage, payload: string, x: number, y: number, size = QR_SIZE) {
  const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' })
  const n = qr.modules.size
  drawMatrix(page, (r, c) => qr.modules.get(r, c) === 1, { rows: n, cols: n }, x, y, size, 2)
}

export function drawDataMatrix(page: PDFPage, payload: string, x: number, y: number, size = QR_SIZE) {
  // bwip-js's raw() hands back the symbol's modules; no image in between, so the print stays sharp.
  // ASCII encodation into a 52 × 52 symbol: every reader takes it, and bwip-js encodes it several times
  // faster than when it searches for the most compact mix of encodations.
  const [symbol] = bwipjs.raw({
    bcid: 'datamatrix',
    text: payload,
    encoding: 'ascii',
    version: '52x52',
  } as never) as unknown as Array<{
    pixs: number[]
    pixx: number
    pixy: number
  }>
  drawMatrix(
    page,
    (r, c) => symbol.pixs[r * symbol.pixx + c] === 1,
    { rows: symbol.pixy, cols: symbol.pixx },
    x,
    y,
    size,
    1
  )
}

function initials(name: string) {
  return name
    .replace(/^(comune|città|citta|provincia|regione|ente|unione)\s+(di|de|del|della|dell')?\s*/i, '')
    .split(/\s+/)
    .filter((w) => w.length > 2 || /^[A-Z]/.test(w))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('')
}

async function embedLogo(doc: PDFDocument, logo: Uint8Array): Promise<PDFImage> {
  const isPng = logo[0] === 0x89 && logo[1] === 0x50
  const isJpeg = logo[0] === 0xff && logo[1] === 0xd8
  if (!isPng && !isJpeg) throw new PaymentNoticeError('creditor.logo', 'a PNG or JPEG image')
  return isPng ? doc.embedPng(logo) : doc.embedJpg(logo)
}

function drawLogo(page: PDFPage, fonts: Fonts, name: string, image: PDFImage | null, x: number, y: number) {
  if (image) {
    const scale = Math.min(LOGO_SIZE / image.width, LOGO_SIZE / image.height)
    const w = image.width * scale
    const h = image.height * scale
    page.drawImage(image, { x: x + (LOGO_SIZE - w) / 2, y: y + (LOGO_SIZE - h) / 2, width: w, height: h })
    return
  }
  page.drawRectangle({ x, y, width: LOGO_SIZE, height: LOGO_SIZE, color: PALE, borderColor: BLUE, borderWidth: 1.5 })
  const label = initials(name) || '?'
  const size = 30
  const w = fonts.bold.widthOfTextAtSize(label, size)
  text(page, label, x + (LOGO_SIZE - w) / 2, y + LOGO_SIZE / 2 - 2, size, fonts.bold, BLUE)
  const rows = wrap(name.toUpperCase(), fonts.bold, 6.5, LOGO_SIZE - 8).slice(0, 3)
  rows.forEach((row, i) => {
    const rw = fonts.bold.widthOfTextAtSize(row, 6.5)
    page.drawText(row, { x: x + (LOGO_SIZE - rw) / 2, y: y + 22 - i * 8, size: 6.5, font: fonts.bold, color: BLUE })
  })
}

function sectionHeader(page: PDFPage, fonts: Fonts, left: string, right: string, y: number) {
  page.drawRectangle({ x: M, y: y - 18, width: WIDTH, height: 18, color: BLUE })
  text(page, left, M + 6, y - 13, 10, fonts.bold, WHITE)
  const w = fonts.bold.widthOfTextAtSize(safe(right), 10)
  text(page, right, M + WIDTH - 6 - w, y - 13, 10, fonts.bold, WHITE)
}

function labelValue(page: PDFPage, fonts: Fonts, label: string, value: string, x: number, y: number, width: number) {
  text(page, label, x, y - 7, 7, fonts.regular, GREY)
  return paragraph(page, value, x, y - 9, width, 9, fonts.bold) - 2
}

const COLUMN = 230

function measure(s: string, font: PDFFont, size: number, width: number) {
  return wrap(s, font, size, width).length * size * 1.25
}

function labelHeight(fonts: Fonts, value: string, width: number) {
  return 9 + measure(value, fonts.bold, 9, width) + 2
}

/** The heights of a payment's bank section and postal section, measured as drawPayment lays them out. */
function paymentHeights(fonts: Fonts, input: PaymentNoticeInput, nav: string) {
  const t = TEXT[input.lang ?? 'it']
  const rightWidth = WIDTH - QR_SIZE - 12 - COLUMN - 16
  const section = (left: number, right: number) => 26 + Math.max(QR_SIZE, left, right) + 14
  const bank = section(
    measure(t.bankText, fonts.regular, 7.5, COLUMN) +
      4 +
      labelHeight(fonts, input.debtor.fullName, COLUMN) +
      labelHeight(fonts, input.creditor.name, COLUMN) +
      labelHeight(fonts, input.subject, COLUMN),
    24 +
      (input.creditor.cbill ? labelHeight(fonts, input.creditor.cbill, rightWidth) : 0) +
      labelHeight(fonts, formatNoticeNumber(nav), rightWidth) +
      labelHeight(fonts, input.creditor.fiscalCode, rightWidth)
  )
  const postal = input.creditor.postalAccount
    ? section(
        measure(t.postalText, fonts.regular, 7.5, COLUMN) +
          4 +
          labelHeight(fonts, input.creditor.postalAccountHolder ?? input.creditor.name, COLUMN) +
          labelHeight(fonts, input.debtor.fullName, COLUMN) +
          labelHeight(fonts, input.subject, COLUMN),
        24 + 4 * labelHeight(fonts, formatNoticeNumber(nav), rightWidth)
      )
    : 0
  return { bank, postal, total: bank + postal }
}

/** Draws a dashed cut line and the bank section of one payment (and the postal one when the ente has an account). */
function drawPayment(
  page: PDFPage,
  fonts: Fonts,
  input: PaymentNoticeInput,
  payment: NoticePayment,
  label: string,
  y: number
): number {
  const t = TEXT[input.lang ?? 'it']
  const when = `${label} ${t.by} ${day(payment.dueDate)}`
  page.drawLine({
    start: { x: M, y: y + 6 },
    end: { x: M + WIDTH, y: y + 6 },
    thickness: 0.6,
    color: GREY,
    dashArray: [4, 3],
  })
  sectionHeader(page, fonts, t.bank, when, y)
  const top = y - 26
  drawQrCode(page, pagopaQrPayload(payment.nav, input.creditor.fiscalCode, payment.amountCents), M, top - QR_SIZE)
  const heights = paymentHeights(fonts, input, payment.nav)
  const textX = M + QR_SIZE + 12
  const colWidth = COLUMN
  let at = paragraph(page, t.bankText, textX, top, colWidth, 7.5, fonts.regular, GREY) - 4
  at = labelValue(page, fonts, t.recipient, input.debtor.fullName, textX, at, colWidth)
  at = labelValue(page, fonts, t.creditorShort, input.creditor.name, textX, at, colWidth)
  labelValue(page, fonts, t.subject, input.subject, textX, at, colWidth)
  const rightX = textX + colWidth + 16
  const rightWidth = M + WIDTH - rightX
  text(page, t.euro, rightX, top - 10, 9, fonts.regular, GREY)
  text(page, italianAmount(payment.amountCents), rightX + 30, top - 12, 16, fonts.bold)
  let r = top - 24
  if (input.creditor.cbill)
    r = labelValue(page, fonts, t.cbill, input.creditor.cbill.toUpperCase(), rightX, r, rightWidth)
  r = labelValue(page, fonts, t.code, formatNoticeNumber(payment.nav), rightX, r, rightWidth)
  labelValue(page, fonts, t.orgCode, input.creditor.fiscalCode, rightX, r, rightWidth)
  let bottom = y - heights.bank

  if (input.creditor.postalAccount) {
    const py = bottom
    sectionHeader(page, fonts, t.postal, when, py)
    const ptop = py - 26
    drawDataMatrix(
      page,
      posteDataMatrixPayload({
        nav: payment.nav,
        postalAccount: input.creditor.postalAccount,
        amountCents: payment.amountCents,
        organizationFiscalCode: input.creditor.fiscalCode,
        debtorFiscalCode: input.debtor.fiscalCode,
        debtorName: input.debtor.fullName,
        subject: input.subject,
      }),
      M,
      ptop - QR_SIZE
    )
    let p = paragraph(page, t.postalText, textX, ptop, colWidth, 7.5, fonts.regular, GREY) - 4
    p = labelValue(page, fonts, t.holder, input.creditor.postalAccountHolder ?? input.creditor.name, textX, p, colWidth)
    p = labelValue(page, fonts, t.recipient, input.debtor.fullName, textX, p, colWidth)
    labelValue(page, fonts, t.subjectShort, input.subject, textX, p, colWidth)
    text(page, t.euro, rightX, ptop - 10, 9, fonts.regular, GREY)
    text(page, italianAmount(payment.amountCents), rightX + 30, ptop - 12, 16, fonts.bold)
    let q = ptop - 24
    q = labelValue(page, fonts, t.account, input.creditor.postalAccount.padStart(12, '0'), rightX, q, rightWidth)
    q = labelValue(page, fonts, t.code, formatNoticeNumber(payment.nav), rightX, q, rightWidth)
    q = labelValue(page, fonts, t.type, 'P1', rightX, q, rightWidth)
    labelValue(page, fonts, t.orgCode, input.creditor.fiscalCode, rightX, q, rightWidth)
    bottom = py - heights.postal
  }
  return bottom
}

export async function renderPaymentNotice(input: PaymentNoticeInput): Promise<Uint8Array> {
  validate(input)
  const lang = input.lang ?? 'it'
  const t = TEXT[lang]
  const doc = await PDFDocument.create()
  const first = input.single ?? input.instalments![0]
  doc.setTitle(`${t.notice} ${first.nav}`)
  doc.setSubject(input.subject)
  doc.setAuthor(input.creditor.name)
  doc.setProducer('Sportello')
  doc.setCreator('Sportello')
  doc.setLanguage(lang === 'it' ? 'it-IT' : 'en-GB')
  const fonts: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  }
  const logo = input.creditor.logo ? await embedLogo(doc, input.creditor.logo) : null
  let page = doc.addPage(PAGE)
  let y = PAGE[1] - M

  // Subject and logo.
  text(page, t.notice, M, y - 9, 9, fonts.bold, BLUE)
  paragraph(page, input.subject, M, y - 16, WIDTH - LOGO_SIZE - 20, 16, fonts.bold)
  drawLogo(page, fonts, input.creditor.name, logo, M + WIDTH - LOGO_SIZE, y - LOGO_SIZE)
  y -= LOGO_SIZE + 14

  // Creditor and debtor.
  const half = WIDTH / 2 - 8
  text(page, t.creditor, M, y - 8, 8, fonts.bold, BLUE)
  text(page, t.debtor, M + half + 16, y - 8, 8, fonts.bold, BLUE)
  let left = y - 12
  text(page, `${t.fiscalCode} ${input.creditor.fiscalCode}`, M, left - 9, 9, fonts.regular)
  left = paragraph(page, input.creditor.name, M, left - 13, half, 12, fonts.bold)
  if (input.creditor.sector) left = paragraph(page, input.creditor.sector, M, left, half, 9, fonts.regular)
  if (input.creditor.info) left = paragraph(page, input.creditor.info, M, left, half, 8, fonts.regular, GREY)
  let right = y - 12
  text(page, `${t.fiscalCode} ${input.debtor.fiscalCode}`, M + half + 16, right - 9, 9, fonts.regular)
  right = paragraph(page, input.debtor.fullName, M + half + 16, right - 13, half, 12, fonts.bold)
  for (const line of input.debtor.address ?? [])
    right = paragraph(page, line, M + half + 16, right, half, 9, fonts.regular)
  y = Math.min(left, right) - 12

  // How much and when, where to pay.
  const instalments = input.instalments ?? []
  const howLines: string[] = []
  if (input.single) howLines.push(`€ ${italianAmount(input.single.amountCents)} ${t.by} ${day(input.single.dueDate)}`)
  const instalmentRows = instalments.map(
    (p, i) => `${t.instalmentLine(i + 1)}: € ${italianAmount(p.amountCents)} ${t.by} ${day(p.dueDate)}`
  )
  const boxTop = y
  const colW = WIDTH / 2 - 16
  const howHeight =
    22 +
    howLines.reduce((sum, line) => sum + measure(line, fonts.bold, 15, colW), 0) +
    (instalmentRows.length
      ? measure(t.inInstalments(instalmentRows.length), fonts.regular, 9, colW) +
        instalmentRows.reduce((sum, row) => sum + measure(row, fonts.bold, 9, colW), 0)
      : 0) +
    2 +
    measure(t.updated, fonts.regular, 6.5, colW)
  const whereHeight =
    20 +
    measure(t.whereList, fonts.regular, 7.5, colW) +
    4 +
    10 +
    measure(t.onlineText, fonts.regular, 7.5, colW) +
    4 +
    10 +
    measure(t.localText, fonts.regular, 7.5, colW)
  const boxHeight = Math.max(howHeight, whereHeight) + 10
  page.drawRectangle({ x: M, y: boxTop - boxHeight, width: WIDTH, height: boxHeight, color: PALE })
  text(page, t.howMuch, M + 8, boxTop - 16, 10, fonts.bold, BLUE)
  let h = boxTop - 22
  for (const line of howLines) h = paragraph(page, line, M + 8, h, colW, 15, fonts.bold)
  if (instalmentRows.length) {
    h = paragraph(
      page,
      input.single ? t.orInstalments(instalmentRows.length) : t.inInstalments(instalmentRows.length),
      M + 8,
      h,
      colW,
      9,
      fonts.regular
    )
    for (const row of instalmentRows) h = paragraph(page, row, M + 14, h, colW, 9, fonts.bold)
  }
  paragraph(page, t.updated, M + 8, h - 2, colW, 6.5, fonts.regular, GREY)
  const wx = M + WIDTH / 2 + 8
  text(page, t.where, wx, boxTop - 16, 10, fonts.bold, BLUE)
  let w = paragraph(page, t.whereList, wx, boxTop - 20, colW, 7.5, fonts.regular, GREY) - 4
  text(page, t.online, wx, w - 8, 8, fonts.bold)
  w = paragraph(page, t.onlineText, wx, w - 10, colW, 7.5, fonts.regular) - 4
  text(page, t.local, wx, w - 8, 8, fonts.bold)
  paragraph(page, t.localText, wx, w - 10, colW, 7.5, fonts.regular)
  y = boxTop - boxHeight - 10
  y = paragraph(page, t.use, M, y, WIDTH, 8, fonts.regular, GREY) - 12

  // The payment sections, flowing onto new pages.
  const payments: Array<{ payment: NoticePayment; label: string }> = []
  if (input.single) payments.push({ payment: input.single, label: t.single })
  instalments.forEach((payment, i) => payments.push({ payment, label: t.instalment(i + 1) }))
  const height = (p: NoticePayment) => paymentHeights(fonts, input, p.nav).total
  // As on the printed standard, the tear-off parts sit at the bottom of the page: start each page
  // as low as the parts that fit on it allow.
  const anchor = (from: number, start: number) => {
    let used = 0
    for (let i = start; i < payments.length && from - used - height(payments[i].payment) >= M; i++) {
      used += height(payments[i].payment)
    }
    return Math.min(from, M + used)
  }
  y = anchor(y, 0)
  for (const [index, { payment, label }] of payments.entries()) {
    if (y - height(payment) < M) {
      page = doc.addPage(PAGE)
      y = PAGE[1] - M
      text(page, `${t.notice} — ${input.subject} (${t.continued})`, M, y - 9, 9, fonts.bold, BLUE)
      text(page, `${input.creditor.name} — ${t.recipient}: ${input.debtor.fullName}`, M, y - 22, 8, fonts.regular, GREY)
      y = anchor(y - 40, index)
    }
    y = drawPayment(page, fonts, input, payment, label, y)
  }
  return doc.save()
}
