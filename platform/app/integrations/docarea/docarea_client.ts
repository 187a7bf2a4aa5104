import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { createClientAsync, HttpClient, type Client, type IExOptions, type IHeaders } from 'soap'
import { RequestContext } from '#services/infrastructure/request_context'
import { writeAudit } from '#services/infrastructure/audit_service'
import { DOCAREA_WSDL_PATH } from '#integrations/docarea/docarea_wsdl'
import { buildSegnatura } from '#integrations/docarea/segnatura'
import type { ProtocolRegistration, ProtocolRequest, ProtocolService } from '#integrations/protocol_types'
import { protocolEntryDay, protocolEntryRow } from '#integrations/protocol_entries'
import { externalAttempts, type AttemptRecord } from '#services/infrastructure/external_attempts'

/**
 * How a file travels with a DOCAREA call. The WSDL declares only user name and
 * token as the body of inserimento and protocollazione: the file (and the
 * segnatura) go as a MIME part next to the SOAP envelope.
 * - `swa` (default): SOAP with Attachments, multipart/related; type="text/xml",
 *   what the Axis-based DOCAREA servers read;
 * - `mtom`: the same parts packaged as MTOM (root part application/xop+xml),
 *   for servers that want it.
 */
export type DocareaAttachmentMode = 'swa' | 'mtom'

export interface DocareaConfig {
  /** Endpoint URL of the DOCAREAProtoSoap service. */
  url: string
  codEnte: string
  /** CodiceAOO written in the segnatura, when the protocol system wants one. */
  codAoo?: string | null
  username: string
  /** Read at each login, so a rotated secret is picked up without a restart. */
  password: () => string
  attachments?: DocareaAttachmentMode
  /** Per-call timeout (default 30 s). */
  timeoutMs?: number
}

/** The protocol system answered with lngErrNumber ≠ 0. */
export class DocareaError extends Error {
  constructor(
    readonly operation: string,
    readonly errNumber: number,
    readonly errString: string
  ) {
    super(`DOCAREA ${operation} refused, error ${errNumber}: ${errString || '(no description)'}`)
    this.name = 'DocareaError'
  }
}

/**
 * The protocol system could not be reached or did not answer in SOAP (network
 * failure, timeout, HTTP error, SOAP fault). Thrown out of the job so the
 * queue retries it with backoff.
 */
export class DocareaUnavailableError extends Error {
  readonly retryable = true
  constructor(operation: string, cause: unknown) {
    super(`DOCAREA ${operation}: protocol system unavailable (${cause instanceof Error ? cause.message : cause})`, {
      cause,
    })
    this.name = 'DocareaUnavailableError'
  }
}

interface Attachment {
  mimetype: string
  contentId: string
  name: string
  body: Buffer
}

/** Sends attachments as SOAP with Attachments (a text/xml root part) instead of the soap package's MTOM. */
class SwaHttpClient extends HttpClient {
  override buildRequest(rurl: string, data: unknown, exheaders?: IHeaders, exoptions: IExOptions = {}) {
    const { attachments, ...rest } = exoptions as { attachments?: Attachment[] }
    const request = super.buildRequest(rurl, data, exheaders, rest) as {
      headers: Record<string, string | number>
      data: unknown
    }
    if (!attachments?.length) return request
    const boundary = `docarea-${randomUUID()}`
    const rootId = `envelope-${randomUUID()}`
    const part = (headers: Record<string, string>, body: Buffer | string) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\n`),
        Buffer.from(
          Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('')
        ),
        Buffer.from('\r\n'),
        Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
        Buffer.from('\r\n'),
      ])
    request.data = Buffer.concat([
      part(
        { 'Content-Type': 'text/xml; charset=UTF-8', 'Content-Transfer-Encoding': '8bit', 'Content-ID': `<${rootId}>` },
        String(data)
      ),
      ...attachments.map((a) =>
        part(
          {
            'Content-Type': a.mimetype,
            'Content-Transfer-Encoding': 'binary',
            'Content-ID': `<${a.contentId}>`,
            'Content-Disposition': `attachment; filename="${a.name}"`,
          },
          a.body
        )
      ),
      Buffer.from(`--${boundary}--\r\n`),
    ])
    delete request.headers['Content-Length']
    request.headers['Content-Type'] = `multipart/related; type="text/xml"; start="<${rootId}>"; boundary="${boundary}"`
    return request
  }
}

/**
 * Whether a failed protocollazione may have been received: only a refusal
 * DOCAREA answered (DocareaError) or a connection never opened proves that it
 * registered nothing.
 */
function reachedDocarea(error: unknown) {
  if (error instanceof DocareaError) return false
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause
  return cause?.code !== 'ECONNREFUSED'
}

type SoapResult = Record<string, unknown>
type SoapCall = (args: Record<string, string>, options?: Record<string, unknown>) => Promise<[SoapResult | null]>

function safeFileName(name: string) {
  // It goes into a MIME header: no quotes, no line breaks.
  return name.replace(/["\r\n\\]/g, '_') || 'documento'
}

function toNumber(value: unknown) {
  const n = Number(value)
  return Number.isFinite(n) ? n : Number.NaN
}

/** strDataPG as ISO date: DOCAREA servers answer dd/MM/yyyy (sometimes with a time) or ISO. */
export function dataPGToIso(value: string, fallback: DateTime): string {
  const text = value.trim()
  for (const format of ['dd/MM/yyyy', 'dd/MM/yyyy HH:mm:ss', 'dd/MM/yyyy HH:mm']) {
    const parsed = DateTime.fromFormat(text, format, { zone: 'Europe/Rome' })
    if (parsed.isValid) return parsed.toISODate()!
  }
  const iso = DateTime.fromISO(text, { zone: 'Europe/Rome' })
  return iso.isValid ? iso.toISODate()! : fallback.toISODate()!
}

export function protocolLabel(year: number, number: number) {
  return `${year}/${String(number).padStart(7, '0')}`
}

/**
 * ProtocolService over DOCAREA: login → inserimento (the document) →
 * protocollazione (the segnatura). The DST token is kept and reused until a
 * call using it fails; then one new login and one more try. DOCAREA has no
 * idempotency key: the registrations made are kept in protocol_entries by
 * key, and a key already registered is answered from there without calling
 * the remote system again. Each registration is also recorded as an
 * attempt before protocollazione is sent (external_attempts.ts): a crash
 * between DOCAREA's answer and the local record leaves it pending, and the
 * retry flags it for an operator instead of registering the document twice.
 */
export class DocareaProtocol implements ProtocolService {
  #client: Promise<Client> | undefined
  #token: string | undefined
  #pending = new Map<string, Promise<ProtocolRegistration>>()

  constructor(readonly config: DocareaConfig) {}

  async register(request: ProtocolRequest): Promise<ProtocolRegistration> {
    const tenant = RequestContext.tenant()
    if (!tenant) throw new Error('Protocol registration needs a tenant in context')
    // Two runs of the same key in this process wait for one registration.
    const lock = `${tenant.id}:${request.idempotencyKey}`
    const running = this.#pending.get(lock)
    if (running) return running
    const work = this.#register(tenant.id, request).finally(() => this.#pending.delete(lock))
    this.#pending.set(lock, work)
    return work
  }

  async #register(tenantId: number, request: ProtocolRequest): Promise<ProtocolRegistration> {
    const known = await db
      .from('protocol_entries')
      .where({ tenant_id: tenantId, idempotency_key: request.idempotencyKey })
      .first()
    if (known) return this.#fromRow(known)

    // DOCAREA cannot be asked whether a key was registered: the attempt is recorded (committed)
    // before the call, so a run interrupted after protocollazione is not silently repeated by the
    // retry, which flags it for an operator instead (external_attempts.ts).
    const begun = await externalAttempts.begin({
      kind: 'protocol',
      key: `${tenantId}:${request.idempotencyKey}`,
      tenantId,
      subject: request.about,
    })
    if (begun.state === 'done') {
      // Registered before (an operator resolved it with the number found in DOCAREA): record it.
      return this.#record(tenantId, request, begun.attempt.result as ProtocolRegistration, null)
    }
    const attempt = begun.attempt

    let docId: number
    let pg: Awaited<ReturnType<DocareaProtocol['protocollazione']>>
    try {
      // inserimento only stores a document: repeating it leaves an unregistered copy, never a second number.
      docId = await this.inserimento(request.document)
    } catch (error) {
      await externalAttempts.abandon(attempt)
      throw error
    }
    try {
      const segnatura = buildSegnatura({
        subject: request.subject,
        direction: request.direction,
        codEnte: this.config.codEnte,
        codAoo: this.config.codAoo,
        correspondent: request.correspondent,
        document: { id: docId, fileName: request.document.fileName },
      })
      pg = await this.protocollazione(segnatura)
    } catch (error) {
      if (!reachedDocarea(error)) {
        await externalAttempts.abandon(attempt)
        throw error
      }
      // Sent, and no answer (a timeout, a dropped connection): it may be registered. Not repeated.
      return externalAttempts.flag(attempt, `protocollazione: ${(error as Error).message}`)
    }
    const now = DateTime.now().setZone('Europe/Rome')
    const registration: ProtocolRegistration = {
      number: pg.lngNumPG,
      year: pg.lngAnnoPG,
      date: dataPGToIso(pg.strDataPG, now),
      docId,
      label: protocolLabel(pg.lngAnnoPG, pg.lngNumPG),
    }
    return this.#record(tenantId, request, registration, attempt)
  }

  /** The local register row, its audit and the attempt's outcome, in one transaction. */
  async #record(
    tenantId: number,
    request: ProtocolRequest,
    registration: ProtocolRegistration,
    attempt: AttemptRecord | null
  ): Promise<ProtocolRegistration> {
    const now = DateTime.now().setZone('Europe/Rome')
    const { docId, date } = registration
    await db.transaction(async (trx) => {
      const registered = DateTime.fromISO(date, { zone: 'Europe/Rome' }).set({
        hour: now.hour,
        minute: now.minute,
        second: now.second,
      })
      const [row] = await trx
        .insertQuery()
        .table('protocol_entries')
        .insert(protocolEntryRow(tenantId, request, { ...registration, docId }, registered, trx))
        .returning('id')
      await writeAudit(trx, {
        tenantId,
        action: 'protocol.register',
        entity: 'protocol_entries',
        entityId: String(typeof row === 'object' && row ? (row as { id: unknown }).id : row),
        after: { driver: 'docarea', key: request.idempotencyKey, label: registration.label, docId, date },
      })
      if (attempt) await externalAttempts.complete(attempt, registration, trx)
    })
    return registration
  }

  /** login: a new DST token for the configured ente and user. */
  async login(): Promise<string> {
    const result = await this.#call('login', 'LoginResult', {
      strCodEnte: this.config.codEnte,
      strUserName: this.config.username,
      strPassword: this.config.password(),
    })
    this.#check('login', result)
    return String(result.strDST ?? '')
  }

  /** inserimento: uploads the document, returns its lngDocID. */
  async inserimento(document: ProtocolRequest['document']): Promise<number> {
    const result = await this.#withToken('inserimento', 'InserimentoResult', {
      mimetype: document.mimeType,
      contentId: `documento-${randomUUID()}`,
      name: safeFileName(document.fileName),
      body: Buffer.from(document.content),
    })
    return toNumber(result.lngDocID)
  }

  /** protocollazione: registers the document the segnatura names. */
  async protocollazione(segnaturaXml: string) {
    const result = await this.#withToken('protocollazione', 'ProtocollazioneResult', {
      mimetype: 'text/xml',
      contentId: `segnatura-${randomUUID()}`,
      name: 'segnatura.xml',
      body: Buffer.from(segnaturaXml, 'utf8'),
    })
    const numPG = toNumber(result.lngNumPG)
    const annoPG = toNumber(result.lngAnnoPG)
    if (!Number.isSafeInteger(numPG) || numPG <= 0 || !Number.isSafeInteger(annoPG) || annoPG <= 0) {
      throw new DocareaError('protocollazione', -1, `no protocol number in the answer (${numPG}/${annoPG})`)
    }
    return { lngNumPG: numPG, lngAnnoPG: annoPG, strDataPG: String(result.strDataPG ?? '') }
  }

  async #withToken(operation: 'inserimento' | 'protocollazione', resultKey: string, attachment: Attachment) {
    const fresh = !this.#token
    if (!this.#token) this.#token = await this.login()
    const send = (token: string) =>
      this.#call(operation, resultKey, { strUserName: this.config.username, strDST: token }, attachment)
    let result = await send(this.#token)
    if (toNumber(result.lngErrNumber) !== 0 && !fresh) {
      // The kept token may have expired: one new login, one more try.
      this.#token = undefined
      this.#token = await this.login()
      result = await send(this.#token)
    }
    this.#check(operation, result)
    return result
  }

  #check(operation: string, result: SoapResult) {
    const errNumber = toNumber(result.lngErrNumber)
    if (errNumber !== 0) {
      if (operation === 'login') this.#token = undefined
      throw new DocareaError(operation, Number.isNaN(errNumber) ? -1 : errNumber, String(result.strErrString ?? ''))
    }
  }

  async #call(operation: string, resultKey: string, args: Record<string, string>, attachment?: Attachment) {
    let answer: [SoapResult | null]
    try {
      const client = await this.#soapClient()
      const method = (client as unknown as Record<string, SoapCall>)[`${operation}Async`]
      const options: Record<string, unknown> = { timeout: this.config.timeoutMs ?? 30_000 }
      if (attachment) options.attachments = [attachment]
      answer = await method.call(client, args, options)
    } catch (error) {
      throw new DocareaUnavailableError(operation, error)
    }
    const result = answer[0]?.[resultKey]
    if (!result || typeof result !== 'object') {
      throw new DocareaUnavailableError(operation, new Error(`answer without ${resultKey}`))
    }
    return result as SoapResult
  }

  #soapClient() {
    if (!this.#client) {
      const mode = this.config.attachments ?? 'swa'
      this.#client = createClientAsync(
        DOCAREA_WSDL_PATH,
        mode === 'swa' ? { httpClient: new SwaHttpClient() } : {},
        this.config.url
      )
      this.#client.catch(() => (this.#client = undefined))
    }
    return this.#client
  }

  #fromRow(row: { year: number; number: number; doc_id: number; created_at: unknown }): ProtocolRegistration {
    const date = protocolEntryDay(row.created_at)
    const year = Number(row.year)
    const number = Number(row.number)
    return { number, year, date, docId: Number(row.doc_id), label: protocolLabel(year, number) }
  }
}
