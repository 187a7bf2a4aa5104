import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { DateTime } from 'luxon'
import { centsToEuroNumber } from '#integrations/pagopa/amounts'
import type {
  DebtPosition,
  DebtPositionResponse,
  DebtPositionStatus,
  PaymentOptionResponse,
  PaymentOptionStatus,
  Receipt,
  TransferStatus,
} from '#integrations/pagopa/gpd_types'
import { buildReceiptXml } from '#integrations/pagopa/receipt_xml'

/**
 * The state of the local GPD simulator in SQLite (better-sqlite3): positions, options, transfers,
 * receipts and reporting flows. Each operation runs in one synchronous IMMEDIATE transaction, so
 * concurrent HTTP requests (and several processes sharing the file) never interleave inside one:
 * duplicates are caught by unique indexes, numbers and states change atomically.
 *
 * The rules are GPD's (pagopa-debt-position): statuses DRAFT → PUBLISHED → VALID (at the validity
 * date, or at once when published with none) → PARTIALLY_PAID / PAID → REPORTED, INVALID by
 * invalidation, EXPIRED after the due date when switchToExpired; updates refused once paid or
 * invalid; invalidation only from PUBLISHED or VALID; deletion only before any payment.
 */

export class SimulatorProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string
  ) {
    super(detail)
    this.name = 'SimulatorProblem'
  }
}

const bad = (detail: string) => new SimulatorProblem(400, 'Bad Request', detail)
const conflict = (detail: string) => new SimulatorProblem(409, 'Conflict', detail)
const notFound = (detail: string) => new SimulatorProblem(404, 'Not Found', detail)

export interface Psp {
  id: string
  name: string
  bic: string
}

/** The simulator's payment service providers (fictitious). */
export const SIMULATED_PSPS: Psp[] = [
  { id: 'SIMPSPIT1XX', name: 'Banca Simulata S.p.A.', bic: 'SIMBITM1XXX' },
  { id: 'SIMPSPIT2XX', name: 'Poste Simulate S.p.A.', bic: 'SIMPITM2XXX' },
  { id: 'SIMPSPIT3XX', name: 'Carte Simulate S.r.l.', bic: 'SIMCITM3XXX' },
]

interface PositionRow {
  org: string
  iupd: string
  type: 'F' | 'G'
  status: DebtPositionStatus
  fiscal_code: string
  full_name: string
  company_name: string
  office_name: string | null
  switch_to_expired: number
  validity_date: string | null
  validity_ms: number | null
  inserted_date: string
  publish_date: string | null
  payment_date: string | null
  last_updated_date: string
  body: string
}

interface OptionRow {
  org: string
  iupd: string
  idx: number
  iuv: string
  nav: string
  amount: number
  description: string
  is_partial: number
  due_date: string
  due_ms: number
  retention_date: string | null
  status: PaymentOptionStatus
  payment_date: string | null
  payment_ms: number | null
  reporting_date: string | null
  psp_id: string | null
  psp_company: string | null
  id_receipt: string | null
  payment_method: string | null
  fee: number | null
  id_flow_reporting: string | null
  inserted_date: string
  last_updated_date: string
  metadata: string | null
}

interface TransferRow {
  org: string
  iuv: string
  id_transfer: string
  amount: number
  beneficiary: string
  remittance: string
  category: string
  iban: string | null
  postal_iban: string | null
  company_name: string | null
  status: TransferStatus
  metadata: string | null
  flow_id: string | null
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS positions (
  org TEXT NOT NULL, iupd TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
  fiscal_code TEXT NOT NULL, full_name TEXT NOT NULL, company_name TEXT NOT NULL, office_name TEXT,
  switch_to_expired INTEGER NOT NULL, validity_date TEXT, validity_ms INTEGER,
  inserted_date TEXT NOT NULL, publish_date TEXT, payment_date TEXT, last_updated_date TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (org, iupd)
);
CREATE INDEX IF NOT EXISTS positions_status ON positions (status);
CREATE TABLE IF NOT EXISTS options (
  org TEXT NOT NULL, iupd TEXT NOT NULL, idx INTEGER NOT NULL, iuv TEXT NOT NULL, nav TEXT NOT NULL,
  amount INTEGER NOT NULL, description TEXT NOT NULL, is_partial INTEGER NOT NULL,
  due_date TEXT NOT NULL, due_ms INTEGER NOT NULL, retention_date TEXT, status TEXT NOT NULL,
  payment_date TEXT, payment_ms INTEGER, reporting_date TEXT, psp_id TEXT, psp_company TEXT, id_receipt TEXT,
  payment_method TEXT, fee INTEGER, id_flow_reporting TEXT, inserted_date TEXT NOT NULL, last_updated_date TEXT NOT NULL,
  metadata TEXT,
  UNIQUE (org, iuv), UNIQUE (org, nav)
);
CREATE INDEX IF NOT EXISTS options_position ON options (org, iupd);
CREATE INDEX IF NOT EXISTS options_nav ON options (nav);
CREATE TABLE IF NOT EXISTS transfers (
  org TEXT NOT NULL, iuv TEXT NOT NULL, id_transfer TEXT NOT NULL, amount INTEGER NOT NULL,
  beneficiary TEXT NOT NULL, remittance TEXT NOT NULL, category TEXT NOT NULL, iban TEXT, postal_iban TEXT,
  company_name TEXT, status TEXT NOT NULL, metadata TEXT, flow_id TEXT,
  PRIMARY KEY (org, iuv, id_transfer)
);
CREATE TABLE IF NOT EXISTS receipts (
  org TEXT NOT NULL, iuv TEXT NOT NULL, receipt_id TEXT NOT NULL UNIQUE, debtor TEXT NOT NULL,
  payment_date_time TEXT NOT NULL, payment_ms INTEGER NOT NULL, xml TEXT NOT NULL,
  PRIMARY KEY (org, iuv)
);
CREATE TABLE IF NOT EXISTS flows (
  org TEXT NOT NULL, fdr TEXT NOT NULL, revision INTEGER NOT NULL, psp_id TEXT NOT NULL,
  pay_day TEXT NOT NULL, flow_date TEXT NOT NULL, flow_ms INTEGER NOT NULL, published TEXT NOT NULL,
  published_ms INTEGER NOT NULL, regulation TEXT NOT NULL, regulation_date TEXT NOT NULL,
  tot_payments INTEGER NOT NULL, sum_payments INTEGER NOT NULL, receiver_name TEXT NOT NULL,
  PRIMARY KEY (org, fdr, revision)
);
CREATE TABLE IF NOT EXISTS flow_payments (
  org TEXT NOT NULL, fdr TEXT NOT NULL, revision INTEGER NOT NULL, idx INTEGER NOT NULL,
  iuv TEXT NOT NULL, iur TEXT NOT NULL, id_transfer INTEGER NOT NULL, pay INTEGER NOT NULL,
  pay_status TEXT NOT NULL, pay_date TEXT NOT NULL,
  PRIMARY KEY (org, fdr, revision, idx)
);
`

const ZONE = 'Europe/Rome'
const UPDATE_REFUSED: DebtPositionStatus[] = ['INVALID', 'PARTIALLY_PAID', 'PAID', 'REPORTED']
const INVALIDATABLE: DebtPositionStatus[] = ['PUBLISHED', 'VALID']
const PAID_STATES: DebtPositionStatus[] = ['PARTIALLY_PAID', 'PAID', 'REPORTED']
const PAYABLE: DebtPositionStatus[] = ['VALID', 'PARTIALLY_PAID']

/** GPD's date-times are local (Europe/Rome) when they carry no offset. */
function parseInstant(value: unknown, field: string): number {
  if (typeof value !== 'string' || value.length > 40) throw bad(`${field} must be an ISO date-time`)
  const parsed = DateTime.fromISO(value, { zone: ZONE })
  if (!parsed.isValid) throw bad(`${field} must be an ISO date-time, got "${value}"`)
  return parsed.toMillis()
}

function isText(value: unknown, max: number, min = 0): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max
}

function checkMetadata(list: unknown, field: string) {
  if (list === undefined || list === null) return
  if (!Array.isArray(list) || list.length > 10) throw bad(`${field}: at most 10 key/value pairs`)
  const keys = new Set<string>()
  for (const entry of list as Array<Record<string, unknown>>) {
    if (!entry || !isText(entry.key, 140, 1) || !isText(entry.value, 140)) {
      throw bad(`${field}: each entry needs a key and a value of at most 140 characters`)
    }
    if (keys.has(entry.key)) throw bad(`${field}: key "${entry.key}" repeated`)
    keys.add(entry.key)
  }
}

/** Checks a PaymentPositionModel as GPD does; answers every problem at once. */
export function validatePosition(body: unknown, nowMs: number, pathIupd?: string): DebtPosition {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('the body must be a PaymentPositionModel')
  const p = body as Record<string, unknown>
  const problems: string[] = []
  const need = (ok: boolean, message: string) => {
    if (!ok) problems.push(message)
  }
  need(
    typeof p.iupd === 'string' && /^[\w*\- ]{1,140}$/.test(p.iupd),
    'iupd is required: letters, digits, _ * - (≤ 140)'
  )
  if (pathIupd !== undefined) need(p.iupd === pathIupd, 'iupd in the body must be the one in the path')
  need(p.type === 'F' || p.type === 'G', 'type must be F (natural person) or G (legal person)')
  need(
    typeof p.fiscalCode === 'string' && /^[A-Za-z0-9]{11,16}$/.test(p.fiscalCode),
    'fiscalCode is required (11–16 letters or digits)'
  )
  need(isText(p.fullName, 140, 1), 'fullName is required (≤ 140)')
  need(isText(p.companyName, 140, 1), 'companyName is required (≤ 140)')
  need(p.officeName === undefined || p.officeName === null || isText(p.officeName, 140), 'officeName must be ≤ 140')
  need(typeof p.switchToExpired === 'boolean', 'switchToExpired is required (true or false)')
  need(
    p.country === undefined || p.country === null || (typeof p.country === 'string' && /^[A-Z]{2}$/.test(p.country)),
    'country must be two capital letters'
  )
  for (const field of ['streetName', 'civicNumber', 'postalCode', 'city', 'province', 'region', 'email', 'phone']) {
    need(
      p[field] === undefined || p[field] === null || isText(p[field], 140),
      `${field} must be a text of at most 140 characters`
    )
  }
  let validityMs: number | null = null
  if (p.validityDate !== undefined && p.validityDate !== null) {
    try {
      validityMs = parseInstant(p.validityDate, 'validityDate')
      need(validityMs >= nowMs, 'validityDate must not be in the past')
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  const options = p.paymentOption
  if (!Array.isArray(options) || options.length === 0 || options.length > 100) {
    problems.push('paymentOption must list 1 to 100 payment options')
  } else {
    const iuvs = new Set<string>()
    let full = 0
    options.forEach((raw: unknown, i: number) => {
      const at = `paymentOption[${i}]`
      if (!raw || typeof raw !== 'object') return problems.push(`${at} must be an object`)
      const o = raw as Record<string, unknown>
      const iuvOk = typeof o.iuv === 'string' && /^\d{17}$/.test(o.iuv)
      need(iuvOk, `${at}.iuv is required: 17 digits`)
      if (iuvOk) {
        need(!iuvs.has(o.iuv as string), `${at}.iuv ${o.iuv} repeated in the position`)
        iuvs.add(o.iuv as string)
      }
      if (o.nav !== undefined && o.nav !== null) {
        need(
          typeof o.nav === 'string' && /^[0-3]\d{17}$/.test(o.nav) && o.nav.endsWith(String(o.iuv)),
          `${at}.nav must be 18 digits ending with the iuv`
        )
      }
      const amountOk = Number.isSafeInteger(o.amount) && (o.amount as number) >= 1
      need(amountOk, `${at}.amount must be a whole number of cents ≥ 1`)
      need(isText(o.description, 140), `${at}.description is required (≤ 140 characters)`)
      need(typeof o.isPartialPayment === 'boolean', `${at}.isPartialPayment is required (true or false)`)
      if (o.isPartialPayment === false) full++
      try {
        const due = parseInstant(o.dueDate, `${at}.dueDate`)
        need(due >= nowMs, `${at}.dueDate must not be in the past`)
        if (validityMs !== null) need(due >= validityMs, `${at}.dueDate must not come before validityDate`)
        if (o.retentionDate !== undefined && o.retentionDate !== null) {
          need(
            parseInstant(o.retentionDate, `${at}.retentionDate`) >= due,
            `${at}.retentionDate must not come before dueDate`
          )
        }
      } catch (error) {
        problems.push((error as Error).message)
      }
      try {
        checkMetadata(o.paymentOptionMetadata, `${at}.paymentOptionMetadata`)
      } catch (error) {
        problems.push((error as Error).message)
      }
      const transfers = o.transfer
      if (!Array.isArray(transfers) || transfers.length < 1 || transfers.length > 5) {
        return problems.push(`${at}.transfer must list 1 to 5 transfers`)
      }
      const ids = new Set<string>()
      let sum = 0
      transfers.forEach((rawT: unknown, j: number) => {
        const tat = `${at}.transfer[${j}]`
        if (!rawT || typeof rawT !== 'object') return problems.push(`${tat} must be an object`)
        const t = rawT as Record<string, unknown>
        const idOk = typeof t.idTransfer === 'string' && ['1', '2', '3', '4', '5'].includes(t.idTransfer)
        need(idOk, `${tat}.idTransfer must be "1" to "5"`)
        if (idOk) {
          need(!ids.has(t.idTransfer as string), `${tat}.idTransfer ${t.idTransfer} repeated`)
          ids.add(t.idTransfer as string)
        }
        if (Number.isSafeInteger(t.amount) && (t.amount as number) >= 1) sum += t.amount as number
        else problems.push(`${tat}.amount must be a whole number of cents ≥ 1`)
        need(isText(t.remittanceInformation, 140, 1), `${tat}.remittanceInformation is required (≤ 140)`)
        need(isText(t.category, 140, 1), `${tat}.category is required (taxonomy code)`)
        need(
          t.organizationFiscalCode === undefined ||
            t.organizationFiscalCode === null ||
            (typeof t.organizationFiscalCode === 'string' && /^\d{11}$/.test(t.organizationFiscalCode)),
          `${tat}.organizationFiscalCode must be 11 digits`
        )
        const hasIban = typeof t.iban === 'string' && /^[A-Za-z0-9]{1,35}$/.test(t.iban)
        const hasStamp = t.stamp !== undefined && t.stamp !== null
        need(hasIban !== hasStamp, `${tat} needs an iban (letters and digits, ≤ 35) or a stamp, not both`)
        need(
          t.postalIban === undefined ||
            t.postalIban === null ||
            (typeof t.postalIban === 'string' && /^$|^[A-Za-z0-9]{1,35}$/.test(t.postalIban)),
          `${tat}.postalIban must be letters and digits (≤ 35)`
        )
        try {
          checkMetadata(t.transferMetadata, `${tat}.transferMetadata`)
        } catch (error) {
          problems.push((error as Error).message)
        }
      })
      if (amountOk && sum !== o.amount)
        problems.push(`${at}: the transfers add up to ${sum} cents, the option asks ${o.amount}`)
    })
    need(full <= 1, 'at most one payment option may be the single payment (isPartialPayment false)')
  }
  if (problems.length) throw bad(problems.join('; '))
  return p as unknown as DebtPosition
}

export interface PayOptions {
  pspId?: string
  paymentMethod?: string
  /** When there are several organisations with this NAV. */
  organizationFiscalCode?: string
}

export interface FlowView {
  org: string
  fdr: string
  revision: number
  pspId: string
  payDay: string
  flowDate: string
  published: string
  regulation: string
  regulationDate: string
  totPayments: number
  sumPayments: number
  receiverName: string
}

export interface TreasuryCredit {
  org: string
  flowId: string
  /** The SEPA credit's remittance text, naming the flow. */
  remittance: string
  amount: number
  valueDate: string
}

export class GpdSimulatorStore {
  readonly db: Database.Database
  #now: () => Date

  constructor(file: string, now: () => Date) {
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(SCHEMA)
    this.#now = now
  }

  close() {
    this.db.close()
  }

  get nowMs() {
    return this.#now().getTime()
  }

  #iso() {
    return this.#now().toISOString()
  }

  /** One IMMEDIATE transaction: the write lock is taken at once, so readers-turned-writers never race. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate()
  }

  /** Time-driven transitions, applied before every operation: VALID at the validity date, EXPIRED after the due date. */
  #advance() {
    const now = this.nowMs
    const at = this.#iso()
    this.db
      .prepare(
        `UPDATE positions SET status = 'VALID', last_updated_date = ? WHERE status = 'PUBLISHED' AND validity_ms <= ?`
      )
      .run(at, now)
    this.db
      .prepare(
        `UPDATE positions SET status = 'EXPIRED', last_updated_date = ?
         WHERE status = 'VALID' AND switch_to_expired = 1
           AND (SELECT MAX(due_ms) FROM options o WHERE o.org = positions.org AND o.iupd = positions.iupd) < ?`
      )
      .run(at, now)
  }

  #position(org: string, iupd: string) {
    return this.db.prepare('SELECT * FROM positions WHERE org = ? AND iupd = ?').get(org, iupd) as
      PositionRow | undefined
  }

  #insertOptions(org: string, position: DebtPosition, at: string) {
    const insertOption = this.db.prepare(
      `INSERT INTO options (org, iupd, idx, iuv, nav, amount, description, is_partial, due_date, due_ms, retention_date,
        status, inserted_date, last_updated_date, metadata)
       VALUES (@org, @iupd, @idx, @iuv, @nav, @amount, @description, @is_partial, @due_date, @due_ms, @retention_date,
        'PO_UNPAID', @at, @at, @metadata)`
    )
    const insertTransfer = this.db.prepare(
      `INSERT INTO transfers (org, iuv, id_transfer, amount, beneficiary, remittance, category, iban, postal_iban,
        company_name, status, metadata)
       VALUES (@org, @iuv, @id_transfer, @amount, @beneficiary, @remittance, @category, @iban, @postal_iban,
        @company_name, 'T_UNREPORTED', @metadata)`
    )
    position.paymentOption.forEach((option, idx) => {
      const nav = option.nav ?? `3${option.iuv}`
      for (const [column, value] of [
        ['iuv', option.iuv],
        ['nav', nav],
      ]) {
        const clash = this.db.prepare(`SELECT iupd FROM options WHERE org = ? AND ${column} = ?`).get(org, value) as
          { iupd: string } | undefined
        if (clash) throw conflict(`${column} ${value} is already used by debt position ${clash.iupd}`)
      }
      insertOption.run({
        org,
        iupd: position.iupd,
        idx,
        iuv: option.iuv,
        nav,
        amount: option.amount,
        description: option.description,
        is_partial: option.isPartialPayment ? 1 : 0,
        due_date: option.dueDate,
        due_ms: parseInstant(option.dueDate, 'dueDate'),
        retention_date: option.retentionDate ?? null,
        at,
        metadata: option.paymentOptionMetadata ? JSON.stringify(option.paymentOptionMetadata) : null,
      })
      for (const transfer of option.transfer) {
        insertTransfer.run({
          org,
          iuv: option.iuv,
          id_transfer: transfer.idTransfer,
          amount: transfer.amount,
          beneficiary: transfer.organizationFiscalCode ?? org,
          remittance: transfer.remittanceInformation,
          category: transfer.category,
          iban: transfer.iban ?? null,
          postal_iban: transfer.postalIban ?? null,
          company_name: transfer.companyName ?? null,
          metadata: transfer.transferMetadata ? JSON.stringify(transfer.transferMetadata) : null,
        })
      }
    })
  }

  #deleteOptions(org: string, iupd: string) {
    this.db
      .prepare('DELETE FROM transfers WHERE org = ? AND iuv IN (SELECT iuv FROM options WHERE org = ? AND iupd = ?)')
      .run(org, org, iupd)
    this.db.prepare('DELETE FROM options WHERE org = ? AND iupd = ?').run(org, iupd)
  }

  /** DRAFT → PUBLISHED, or VALID at once when the validity date is absent or reached. */
  #publish(org: string, iupd: string, at: string) {
    const row = this.#position(org, iupd)!
    const valid = row.validity_ms === null || row.validity_ms <= this.nowMs
    this.db
      .prepare(
        `UPDATE positions SET status = ?, publish_date = ?, validity_date = COALESCE(validity_date, ?),
          validity_ms = COALESCE(validity_ms, ?), last_updated_date = ? WHERE org = ? AND iupd = ?`
      )
      .run(valid ? 'VALID' : 'PUBLISHED', at, at, this.nowMs, at, org, iupd)
  }

  #writePosition(org: string, position: DebtPosition, at: string, inserted: string) {
    this.db
      .prepare(
        `INSERT INTO positions (org, iupd, type, status, fiscal_code, full_name, company_name, office_name,
          switch_to_expired, validity_date, validity_ms, inserted_date, last_updated_date, body)
         VALUES (?, ?, ?, 'DRAFT', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        org,
        position.iupd,
        position.type,
        position.fiscalCode,
        position.fullName,
        position.companyName,
        position.officeName ?? null,
        position.switchToExpired ? 1 : 0,
        position.validityDate ?? null,
        position.validityDate ? parseInstant(position.validityDate, 'validityDate') : null,
        inserted,
        at,
        JSON.stringify(position)
      )
    this.#insertOptions(org, position, at)
  }

  create(org: string, body: unknown, toPublish: boolean): DebtPositionResponse {
    return this.tx(() => {
      this.#advance()
      const position = validatePosition(body, this.nowMs)
      if (this.#position(org, position.iupd)) throw conflict(`debt position ${position.iupd} already exists`)
      const at = this.#iso()
      this.#writePosition(org, position, at, at)
      if (toPublish) this.#publish(org, position.iupd, at)
      return this.#view(org, position.iupd)!
    })
  }

  get(org: string, iupd: string): DebtPositionResponse {
    return this.tx(() => {
      this.#advance()
      const view = this.#view(org, iupd)
      if (!view) throw notFound(`no debt position ${iupd} for organization ${org}`)
      return view
    })
  }

  update(org: string, iupd: string, body: unknown, toPublish: boolean): DebtPositionResponse {
    return this.tx(() => {
      this.#advance()
      const row = this.#position(org, iupd)
      if (!row) throw notFound(`no debt position ${iupd} for organization ${org}`)
      if (UPDATE_REFUSED.includes(row.status))
        throw conflict(`debt position ${iupd} is ${row.status}: it cannot be updated`)
      const position = validatePosition(body, this.nowMs, iupd)
      this.#deleteOptions(org, iupd)
      this.db.prepare('DELETE FROM positions WHERE org = ? AND iupd = ?').run(org, iupd)
      const at = this.#iso()
      this.#writePosition(org, position, at, row.inserted_date)
      if (toPublish) this.#publish(org, iupd, at)
      return this.#view(org, iupd)!
    })
  }

  publish(org: string, iupd: string): DebtPositionResponse {
    return this.tx(() => {
      this.#advance()
      const row = this.#position(org, iupd)
      if (!row) throw notFound(`no debt position ${iupd} for organization ${org}`)
      if (row.status !== 'DRAFT')
        throw conflict(`debt position ${iupd} is ${row.status}: only a DRAFT can be published`)
      this.#publish(org, iupd, this.#iso())
      return this.#view(org, iupd)!
    })
  }

  invalidate(org: string, iupd: string): DebtPositionResponse {
    return this.tx(() => {
      this.#advance()
      const row = this.#position(org, iupd)
      if (!row) throw notFound(`no debt position ${iupd} for organization ${org}`)
      if (!INVALIDATABLE.includes(row.status)) {
        throw conflict(`debt position ${iupd} is ${row.status}: only a PUBLISHED or VALID position can be invalidated`)
      }
      this.db
        .prepare(`UPDATE positions SET status = 'INVALID', last_updated_date = ? WHERE org = ? AND iupd = ?`)
        .run(this.#iso(), org, iupd)
      return this.#view(org, iupd)!
    })
  }

  delete(org: string, iupd: string) {
    return this.tx(() => {
      this.#advance()
      const row = this.#position(org, iupd)
      if (!row) throw notFound(`no debt position ${iupd} for organization ${org}`)
      if (PAID_STATES.includes(row.status))
        throw conflict(`debt position ${iupd} is ${row.status}: a paid position cannot be deleted`)
      this.#deleteOptions(org, iupd)
      this.db.prepare('DELETE FROM positions WHERE org = ? AND iupd = ?').run(org, iupd)
    })
  }

  list(
    org: string,
    query: {
      page: number
      limit: number
      status?: string
      dueFrom?: number
      dueTo?: number
      orderby: string
      ordering: string
    }
  ) {
    return this.tx(() => {
      this.#advance()
      const where = ['p.org = @org']
      if (query.status) where.push('p.status = @status')
      if (query.dueFrom !== undefined || query.dueTo !== undefined) {
        where.push(
          'EXISTS (SELECT 1 FROM options o WHERE o.org = p.org AND o.iupd = p.iupd AND o.due_ms >= @dueFrom AND o.due_ms < @dueTo)'
        )
      }
      const params = {
        org,
        status: query.status,
        dueFrom: query.dueFrom ?? 0,
        dueTo: query.dueTo ?? Number.MAX_SAFE_INTEGER,
      }
      const column = { INSERTED_DATE: 'inserted_date', IUPD: 'iupd', STATUS: 'status', COMPANY_NAME: 'company_name' }[
        query.orderby
      ]
      const total = (
        this.db.prepare(`SELECT COUNT(*) AS n FROM positions p WHERE ${where.join(' AND ')}`).get(params) as {
          n: number
        }
      ).n
      const rows = this.db
        .prepare(
          `SELECT iupd FROM positions p WHERE ${where.join(' AND ')} ORDER BY ${column} ${query.ordering === 'ASC' ? 'ASC' : 'DESC'}, iupd
           LIMIT @limit OFFSET @offset`
        )
        .all({ ...params, limit: query.limit, offset: query.page * query.limit }) as Array<{ iupd: string }>
      return {
        payment_position_list: rows.map((r) => this.#view(org, r.iupd)!),
        page_info: {
          page: query.page,
          limit: query.limit,
          items_found: rows.length,
          total_pages: Math.ceil(total / query.limit),
        },
      }
    })
  }

  #view(org: string, iupd: string): DebtPositionResponse | null {
    const row = this.#position(org, iupd)
    if (!row) return null
    const options = this.db
      .prepare('SELECT * FROM options WHERE org = ? AND iupd = ? ORDER BY idx')
      .all(org, iupd) as OptionRow[]
    const transfers = this.db.prepare('SELECT * FROM transfers WHERE org = ? AND iuv = ? ORDER BY id_transfer')
    return {
      iupd: row.iupd,
      organizationFiscalCode: row.org,
      type: row.type,
      companyName: row.company_name,
      officeName: row.office_name ?? undefined,
      insertedDate: row.inserted_date,
      publishDate: row.publish_date ?? undefined,
      validityDate: row.validity_date ?? undefined,
      paymentDate: row.payment_date ?? undefined,
      status: row.status,
      lastUpdatedDate: row.last_updated_date,
      paymentOption: options.map((o): PaymentOptionResponse => ({
        nav: o.nav,
        iuv: o.iuv,
        organizationFiscalCode: o.org,
        amount: o.amount,
        description: o.description,
        isPartialPayment: o.is_partial === 1,
        dueDate: o.due_date,
        retentionDate: o.retention_date ?? undefined,
        paymentDate: o.payment_date ?? undefined,
        reportingDate: o.reporting_date ?? undefined,
        insertedDate: o.inserted_date,
        paymentMethod: o.payment_method ?? undefined,
        fee: o.fee ?? undefined,
        pspCompany: o.psp_company ?? undefined,
        idReceipt: o.id_receipt ?? undefined,
        idFlowReporting: o.id_flow_reporting ?? undefined,
        status: o.status,
        lastUpdatedDate: o.last_updated_date,
        paymentOptionMetadata: o.metadata ? JSON.parse(o.metadata) : undefined,
        transfer: (transfers.all(o.org, o.iuv) as TransferRow[]).map((t) => ({
          organizationFiscalCode: t.beneficiary,
          companyName: t.company_name ?? undefined,
          idTransfer: t.id_transfer,
          amount: t.amount,
          remittanceInformation: t.remittance,
          category: t.category,
          iban: t.iban ?? undefined,
          postalIban: t.postal_iban ?? undefined,
          status: t.status,
          transferMetadata: t.metadata ? JSON.parse(t.metadata) : undefined,
        })),
      })),
    }
  }

  /** What the checkout page shows for a NAV: the option, its position and the debtor. */
  findByNav(nav: string, org?: string) {
    return this.tx(() => {
      this.#advance()
      const rows = (
        org
          ? this.db.prepare('SELECT * FROM options WHERE nav = ? AND org = ?').all(nav, org)
          : this.db.prepare('SELECT * FROM options WHERE nav = ?').all(nav)
      ) as OptionRow[]
      return rows.map((option) => {
        const position = this.#position(option.org, option.iupd)!
        return { option, position, view: this.#view(option.org, option.iupd)! }
      })
    })
  }

  /**
   * A payment through a PSP, as the checkout completes it: the option becomes PO_PAID with the PSP and a
   * receipt, the position PARTIALLY_PAID or PAID. Refused (409) when the position is not payable.
   */
  pay(nav: string, options: PayOptions = {}): Receipt {
    return this.tx(() => {
      this.#advance()
      const candidates = (
        options.organizationFiscalCode
          ? this.db.prepare('SELECT * FROM options WHERE nav = ? AND org = ?').all(nav, options.organizationFiscalCode)
          : this.db.prepare('SELECT * FROM options WHERE nav = ?').all(nav)
      ) as OptionRow[]
      if (candidates.length === 0) throw notFound(`no payment notice ${nav}`)
      if (candidates.length > 1) throw conflict(`notice ${nav} exists for several organizations: name one`)
      const option = candidates[0]
      const position = this.#position(option.org, option.iupd)!
      if (!PAYABLE.includes(position.status)) {
        throw conflict(`debt position ${position.iupd} is ${position.status}: notice ${nav} cannot be paid`)
      }
      if (option.status !== 'PO_UNPAID') throw conflict(`notice ${nav} is already paid`)
      if (position.status === 'PARTIALLY_PAID' && option.is_partial === 0) {
        throw conflict(
          `instalments of position ${position.iupd} are being paid: the single payment is no longer available`
        )
      }
      const psp = SIMULATED_PSPS.find((p) => p.id === (options.pspId ?? SIMULATED_PSPS[0].id))
      if (!psp) throw bad(`unknown PSP ${options.pspId}`)
      const at = this.#iso()
      const now = DateTime.fromMillis(this.nowMs, { zone: ZONE })
      const receiptId = `${now.toFormat('yyyyLLdd')}${randomBytes(8).toString('hex')}`
      const method = options.paymentMethod ?? 'CP'
      this.db
        .prepare(
          `UPDATE options SET status = 'PO_PAID', payment_date = ?, payment_ms = ?, psp_id = ?, psp_company = ?,
            id_receipt = ?, payment_method = ?, fee = 0, last_updated_date = ? WHERE org = ? AND iuv = ?`
        )
        .run(at, this.nowMs, psp.id, psp.name, receiptId, method, at, option.org, option.iuv)
      const siblings = this.db
        .prepare('SELECT is_partial, status FROM options WHERE org = ? AND iupd = ?')
        .all(option.org, option.iupd) as Array<{ is_partial: number; status: PaymentOptionStatus }>
      const instalments = siblings.filter((s) => s.is_partial === 1)
      const settled = option.is_partial === 0 || instalments.every((s) => s.status !== 'PO_UNPAID')
      this.db
        .prepare('UPDATE positions SET status = ?, payment_date = ?, last_updated_date = ? WHERE org = ? AND iupd = ?')
        .run(settled ? 'PAID' : 'PARTIALLY_PAID', at, at, option.org, option.iupd)
      const transfers = this.db
        .prepare('SELECT * FROM transfers WHERE org = ? AND iuv = ? ORDER BY id_transfer')
        .all(option.org, option.iuv) as TransferRow[]
      const receipt: Receipt = {
        receiptId,
        noticeNumber: option.nav,
        organizationFiscalCode: option.org,
        outcome: 'OK',
        iuv: option.iuv,
        amount: option.amount,
        description: option.description,
        companyName: position.company_name,
        debtor: { type: position.type, fiscalCode: position.fiscal_code, fullName: position.full_name },
        transfers: transfers.map((t) => ({
          idTransfer: t.id_transfer,
          amount: t.amount,
          organizationFiscalCode: t.beneficiary,
          iban: t.iban ?? '',
          remittanceInformation: t.remittance,
          category: t.category,
        })),
        pspId: psp.id,
        pspCompanyName: psp.name,
        channelId: `${psp.id}_01`,
        paymentMethod: method,
        fee: 0,
        paymentDateTime: now.toISO({ suppressMilliseconds: true, includeOffset: false })!,
        applicationDate: now.toISODate(),
      }
      this.db
        .prepare(
          'INSERT INTO receipts (org, iuv, receipt_id, debtor, payment_date_time, payment_ms, xml) VALUES (?, ?, ?, ?, ?, ?, ?)'
        )
        .run(
          option.org,
          option.iuv,
          receiptId,
          position.fiscal_code,
          receipt.paymentDateTime,
          this.nowMs,
          buildReceiptXml(receipt, { brokerId: option.org, stationId: `${option.org}_01` })
        )
      return receipt
    })
  }

  receipts(
    org: string,
    query: { page: number; size: number; from?: number; to?: number; debtor?: string; debtorOrIuv?: string }
  ) {
    return this.tx(() => {
      const where = ['org = @org', 'payment_ms >= @from', 'payment_ms < @to']
      if (query.debtor) where.push('debtor = @debtor')
      if (query.debtorOrIuv) where.push("(debtor LIKE @prefix || '%' OR iuv LIKE @prefix || '%')")
      const params = {
        org,
        from: query.from ?? 0,
        to: query.to ?? Number.MAX_SAFE_INTEGER,
        debtor: query.debtor,
        prefix: query.debtorOrIuv,
      }
      const total = (
        this.db.prepare(`SELECT COUNT(*) AS n FROM receipts WHERE ${where.join(' AND ')}`).get(params) as { n: number }
      ).n
      const rows = this.db
        .prepare(
          `SELECT org, iuv, debtor, payment_date_time FROM receipts WHERE ${where.join(' AND ')}
           ORDER BY payment_ms, iuv LIMIT @size OFFSET @offset`
        )
        .all({ ...params, size: query.size, offset: query.page * query.size }) as Array<Record<string, string>>
      return {
        currentPageNumber: query.page,
        length: rows.length,
        totalPages: Math.ceil(total / query.size),
        results: rows.map((r) => ({
          organizationFiscalCode: r.org,
          iuv: r.iuv,
          debtor: r.debtor,
          paymentDateTime: r.payment_date_time,
          status: 'PAID',
        })),
      }
    })
  }

  receiptXml(org: string, iuv: string): string | null {
    const row = this.db.prepare('SELECT xml FROM receipts WHERE org = ? AND iuv = ?').get(org, iuv) as
      { xml: string } | undefined
    return row?.xml ?? null
  }

  /**
   * Publishes the reporting flows due: one per receiving organisation, PSP and payment day, for the
   * days up to `upToDay` (an ISO date in Europe/Rome; by default two days ago, as PSPs publish on D+2).
   * Each line is one transfer of a paid option; the flow's sum is the sum of its lines.
   */
  publishFlows(upToDay?: string): FlowView[] {
    return this.tx(() => {
      const today = DateTime.fromMillis(this.nowMs, { zone: ZONE }).startOf('day')
      const limit = upToDay ? DateTime.fromISO(upToDay, { zone: ZONE }) : today.minus({ days: 2 })
      if (!limit.isValid) throw bad(`"${upToDay}" is not an ISO date`)
      const endMs = limit.endOf('day').toMillis()
      const due = this.db
        .prepare(
          `SELECT t.org AS position_org, t.iuv, t.id_transfer, t.amount, t.beneficiary, o.id_receipt, o.psp_id,
             o.payment_date, o.payment_ms
           FROM transfers t JOIN options o ON o.org = t.org AND o.iuv = t.iuv
           WHERE t.status = 'T_UNREPORTED' AND o.status IN ('PO_PAID', 'PO_PARTIALLY_REPORTED') AND o.payment_ms <= ?
           ORDER BY o.payment_ms, t.iuv, t.id_transfer`
        )
        .all(endMs) as Array<{
        position_org: string
        iuv: string
        id_transfer: string
        amount: number
        beneficiary: string
        id_receipt: string
        psp_id: string
        payment_date: string
        payment_ms: number
      }>
      const groups = new Map<string, typeof due>()
      for (const line of due) {
        const day = DateTime.fromMillis(line.payment_ms, { zone: ZONE }).toISODate()!
        const key = `${line.beneficiary}|${line.psp_id}|${day}`
        const list = groups.get(key) ?? []
        list.push(line)
        groups.set(key, list)
      }
      const published: FlowView[] = []
      const at = this.#iso()
      for (const [key, lines] of groups) {
        const [org, pspId, day] = key.split('|')
        const psp = SIMULATED_PSPS.find((p) => p.id === pspId) ?? { id: pspId, name: pspId, bic: pspId }
        const count = (
          this.db.prepare('SELECT COUNT(*) AS n FROM flows WHERE psp_id = ? AND pay_day = ?').get(pspId, day) as {
            n: number
          }
        ).n
        const seq = String(count + 1).padStart(7, '0')
        const fdr = `${day}${pspId}-${seq}`
        const sum = lines.reduce((s, l) => s + l.amount, 0)
        const receiver = this.db.prepare('SELECT company_name FROM positions WHERE org = ? LIMIT 1').get(org) as
          { company_name: string } | undefined
        const regulationDate = DateTime.fromISO(day, { zone: ZONE }).plus({ days: 1 }).toISODate()!
        this.db
          .prepare(
            `INSERT INTO flows (org, fdr, revision, psp_id, pay_day, flow_date, flow_ms, published, published_ms,
              regulation, regulation_date, tot_payments, sum_payments, receiver_name)
             VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
          )
          .run(
            org,
            fdr,
            pspId,
            day,
            at,
            this.nowMs,
            at,
            this.nowMs,
            `TRN${day.replaceAll('-', '')}${psp.id}${seq.slice(-4)}`,
            regulationDate,
            lines.length,
            sum,
            receiver?.company_name ?? org
          )
        const insertLine = this.db.prepare(
          `INSERT INTO flow_payments (org, fdr, revision, idx, iuv, iur, id_transfer, pay, pay_status, pay_date)
           VALUES (?, ?, 1, ?, ?, ?, ?, ?, 'EXECUTED', ?)`
        )
        lines.forEach((line, i) => {
          insertLine.run(
            org,
            fdr,
            i + 1,
            line.iuv,
            line.id_receipt,
            Number(line.id_transfer),
            line.amount,
            line.payment_date
          )
          this.db
            .prepare(
              `UPDATE transfers SET status = 'T_REPORTED', flow_id = ? WHERE org = ? AND iuv = ? AND id_transfer = ?`
            )
            .run(fdr, line.position_org, line.iuv, line.id_transfer)
        })
        published.push(this.#flowView(org, fdr, 1)!)
      }
      this.#settleReported(at)
      return published
    })
  }

  /** Options whose transfers are all reported become PO_REPORTED (some: PO_PARTIALLY_REPORTED); PAID positions fully reported become REPORTED. */
  #settleReported(at: string) {
    this.db
      .prepare(
        `UPDATE options SET
           status = CASE WHEN NOT EXISTS (SELECT 1 FROM transfers t WHERE t.org = options.org AND t.iuv = options.iuv AND t.status = 'T_UNREPORTED')
                         THEN 'PO_REPORTED' ELSE 'PO_PARTIALLY_REPORTED' END,
           reporting_date = ?, last_updated_date = ?,
           id_flow_reporting = (SELECT MIN(flow_id) FROM transfers t WHERE t.org = options.org AND t.iuv = options.iuv)
         WHERE status IN ('PO_PAID', 'PO_PARTIALLY_REPORTED')
           AND EXISTS (SELECT 1 FROM transfers t WHERE t.org = options.org AND t.iuv = options.iuv AND t.status = 'T_REPORTED')`
      )
      .run(at, at)
    this.db
      .prepare(
        `UPDATE positions SET status = 'REPORTED', last_updated_date = ?
         WHERE status = 'PAID' AND NOT EXISTS (
           SELECT 1 FROM options o WHERE o.org = positions.org AND o.iupd = positions.iupd AND o.status IN ('PO_PAID', 'PO_PARTIALLY_REPORTED'))`
      )
      .run(at)
  }

  #flowView(org: string, fdr: string, revision: number): FlowView | null {
    const row = this.db
      .prepare('SELECT * FROM flows WHERE org = ? AND fdr = ? AND revision = ?')
      .get(org, fdr, revision) as Record<string, string | number> | undefined
    if (!row) return null
    return {
      org,
      fdr,
      revision,
      pspId: String(row.psp_id),
      payDay: String(row.pay_day),
      flowDate: String(row.flow_date),
      published: String(row.published),
      regulation: String(row.regulation),
      regulationDate: String(row.regulation_date),
      totPayments: Number(row.tot_payments),
      sumPayments: Number(row.sum_payments),
      receiverName: String(row.receiver_name),
    }
  }

  flows(org: string, query: { pspId?: string; flowDateMs: number; publishedGtMs: number; page: number; size: number }) {
    return this.tx(() => {
      this.publishFlows()
      const where = ['org = @org', 'flow_ms >= @flowDate', 'published_ms > @publishedGt']
      if (query.pspId) where.push('psp_id = @pspId')
      const params = { org, pspId: query.pspId, flowDate: query.flowDateMs, publishedGt: query.publishedGtMs }
      const total = (
        this.db.prepare(`SELECT COUNT(*) AS n FROM flows WHERE ${where.join(' AND ')}`).get(params) as { n: number }
      ).n
      const rows = this.db
        .prepare(
          `SELECT fdr, revision FROM flows WHERE ${where.join(' AND ')} ORDER BY published_ms, fdr LIMIT @size OFFSET @offset`
        )
        .all({ ...params, size: query.size, offset: (query.page - 1) * query.size }) as Array<{
        fdr: string
        revision: number
      }>
      return {
        metadata: { pageSize: query.size, pageNumber: query.page, totPage: Math.ceil(total / query.size) },
        count: total,
        data: rows.map((r) => {
          const flow = this.#flowView(org, r.fdr, r.revision)!
          return {
            fdr: flow.fdr,
            pspId: flow.pspId,
            revision: flow.revision,
            published: flow.published,
            flowDate: flow.flowDate,
          }
        }),
      }
    })
  }

  flow(org: string, fdr: string, revision: number, pspId: string) {
    return this.tx(() => this.#flow(org, fdr, revision, pspId))
  }

  #flow(org: string, fdr: string, revision: number, pspId: string) {
    const flow = this.#flowView(org, fdr, revision)
    if (!flow || flow.pspId !== pspId) throw notFound(`no published flow ${fdr} revision ${revision} of PSP ${pspId}`)
    const psp = SIMULATED_PSPS.find((p) => p.id === pspId) ?? { id: pspId, name: pspId, bic: pspId }
    return {
      status: 'PUBLISHED',
      revision: flow.revision,
      created: flow.flowDate,
      updated: flow.published,
      fdr: flow.fdr,
      fdrDate: flow.flowDate,
      regulation: flow.regulation,
      regulationDate: flow.regulationDate,
      bicCodePouringBank: psp.bic,
      sender: {
        type: 'LEGAL_PERSON',
        id: psp.bic,
        pspId: psp.id,
        pspName: psp.name,
        pspBrokerId: psp.id,
        channelId: `${psp.id}_01`,
      },
      receiver: { id: 'SIMTESORERIA', organizationId: org, organizationName: flow.receiverName },
      published: flow.published,
      computedTotPayments: flow.totPayments,
      computedSumPayments: centsToEuroNumber(flow.sumPayments),
      totPayments: flow.totPayments,
      sumPayments: centsToEuroNumber(flow.sumPayments),
    }
  }

  flowPayments(org: string, fdr: string, revision: number, pspId: string, page: number, size: number) {
    return this.tx(() => this.#flowPayments(org, fdr, revision, pspId, page, size))
  }

  #flowPayments(org: string, fdr: string, revision: number, pspId: string, page: number, size: number) {
    this.#flow(org, fdr, revision, pspId)
    const total = (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM flow_payments WHERE org = ? AND fdr = ? AND revision = ?')
        .get(org, fdr, revision) as { n: number }
    ).n
    const rows = this.db
      .prepare('SELECT * FROM flow_payments WHERE org = ? AND fdr = ? AND revision = ? ORDER BY idx LIMIT ? OFFSET ?')
      .all(org, fdr, revision, size, (page - 1) * size) as Array<Record<string, string | number>>
    return {
      metadata: { pageSize: size, pageNumber: page, totPage: Math.ceil(total / size) },
      count: total,
      data: rows.map((r) => ({
        index: Number(r.idx),
        iuv: String(r.iuv),
        iur: String(r.iur),
        idTransfer: Number(r.id_transfer),
        pay: centsToEuroNumber(Number(r.pay)),
        payStatus: String(r.pay_status),
        payDate: String(r.pay_date),
      })),
    }
  }

  /** The SEPA credits the treasury received for published flows: remittance `/PUR/LGPE-RIVERSAMENTO/URI/<flow>`. */
  treasuryCredits(org: string): TreasuryCredit[] {
    const rows = this.db
      .prepare('SELECT fdr, sum_payments, regulation_date FROM flows WHERE org = ? ORDER BY published_ms, fdr')
      .all(org) as Array<{ fdr: string; sum_payments: number; regulation_date: string }>
    return rows.map((r) => ({
      org,
      flowId: r.fdr,
      remittance: `/PUR/LGPE-RIVERSAMENTO/URI/${r.fdr}`,
      amount: r.sum_payments,
      valueDate: r.regulation_date,
    }))
  }

  /** Every position, newest first (the simulator's home page). */
  overview(limit = 200) {
    return this.tx(() => {
      this.#advance()
      return this.db
        .prepare(
          `SELECT p.org, p.iupd, p.status, p.full_name, p.company_name, o.nav, o.amount, o.description, o.due_date, o.status AS option_status
           FROM positions p JOIN options o ON o.org = p.org AND o.iupd = p.iupd
           ORDER BY p.inserted_date DESC, o.idx LIMIT ?`
        )
        .all(limit) as Array<Record<string, string | number>>
    })
  }
}
