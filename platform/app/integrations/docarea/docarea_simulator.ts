import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { DateTime } from 'luxon'
import { listen } from 'soap'
import { parseMTOMResp } from 'soap/lib/utils.js'
import { DOCAREA_PATH, DOCAREA_WSDL_PATH, parseMultipartBoundary } from '#integrations/docarea/docarea_wsdl'
import { parseSegnatura, SegnaturaError } from '#integrations/docarea/segnatura'

/**
 * A local DOCAREA protocol system: the same WSDL served over SOAP (the `soap`
 * package's server) on a loopback port, for the demo and the tests. It checks
 * credentials, issues DST tokens that expire, stores the documents it receives
 * as attachments, validates the segnatura and assigns gap-free protocol numbers
 * per ente and year. With a data folder its register survives restarts.
 */
export interface DocareaSimulatorOptions {
  users: Array<{ codEnte: string; username: string; password: string }>
  /** Loopback port; 0 picks a free one. */
  port?: number
  host?: string
  /** How long a DST token lasts (default 20 minutes). */
  tokenTtlMs?: number
  /** Where to keep the register and the documents across restarts; memory only when absent. */
  dataDir?: string
  /** The clock (tests move it across a year end). */
  now?: () => DateTime
  /**
   * The last number an ente's register already reached in a year elsewhere (a
   * protocol system taking over from another continues its numbering).
   */
  continueFrom?: (codEnte: string, year: number) => Promise<number> | number
}

/** The simulator's error numbers (lngErrNumber); 0 is success, as in DOCAREA. */
export const DOCAREA_ERRORS = {
  credentials: { number: 1001, text: 'Credenziali non valide per l’ente indicato' },
  token: { number: 1002, text: 'Token DST non valido o scaduto: ripetere il login' },
  attachment: { number: 1010, text: 'Nessun allegato ricevuto con la richiesta' },
  segnatura: { number: 1020, text: 'Segnatura non valida' },
  document: { number: 1021, text: 'Documento non trovato per questo ente' },
  alreadyRegistered: { number: 1022, text: 'Documento già protocollato' },
  ente: { number: 1023, text: 'La segnatura indica un ente diverso da quello del login' },
} as const

interface StoredDocument {
  docId: number
  codEnte: string
  fileName: string
  mimeType: string
  sha256: string
  size: number
  registration?: {
    number: number
    year: number
    date: string
    subject: string
    direction: 'E' | 'U'
    correspondent: { firstName: string; lastName: string; fiscalCode: string | null }
  }
}

interface State {
  lastDocId: number
  /** Last number given, by "codEnte:year". */
  counters: Record<string, number>
  documents: Record<string, StoredDocument>
}

interface Attachment {
  headers: Record<string, string>
  body: Buffer
}

type Packaging = 'plain' | 'swa' | 'mtom'

type RequestWithAttachments = IncomingMessage & {
  body?: Buffer
  docareaAttachments?: Attachment[]
  docareaPackaging?: Packaging
}

const MAX_REQUEST_BYTES = 50 * 1024 * 1024

function failure(error: { number: number; text: string }, detail?: string) {
  return { lngErrNumber: error.number, strErrString: detail ? `${error.text}: ${detail}` : error.text }
}

export class DocareaSimulator {
  /** Every call received, with how its attachments were packaged (plain body, SwA or MTOM). */
  readonly calls: Array<{ operation: string; username: string; packaging?: Packaging }> = []
  #server: Server | undefined
  #tokens = new Map<string, { codEnte: string; username: string; expiresAt: number }>()
  #state: State = { lastDocId: 0, counters: {}, documents: {} }
  #options: DocareaSimulatorOptions

  constructor(options: DocareaSimulatorOptions) {
    this.#options = options
  }

  /** The endpoint URL clients use (the WSDL's service path on this server). */
  get url() {
    const address = this.#server?.address() as AddressInfo | null
    if (!address) throw new Error('The DOCAREA simulator is not listening')
    return `http://${this.#options.host ?? '127.0.0.1'}:${address.port}${DOCAREA_PATH}`
  }

  /** The documents registered so far (for tests and the demo's curious). */
  documents(): StoredDocument[] {
    return Object.values(this.#state.documents).map((d) => structuredClone(d))
  }

  /** Ends every DST token now, as a protocol system does after a timeout or a restart. */
  expireTokens() {
    this.#tokens.clear()
  }

  async start() {
    if (this.#options.dataDir) await this.#load(this.#options.dataDir)
    const server = createServer()
    const wsdl = await readFile(DOCAREA_WSDL_PATH, 'utf8')
    // The soap server installs its request listener once the WSDL is parsed.
    await new Promise<void>((resolve, reject) => {
      listen(server, {
        path: DOCAREA_PATH,
        services: this.#services(),
        xml: wsdl,
        suppressStack: true,
        callback: (error: unknown) => (error ? reject(error) : resolve()),
      })
    })
    // The soap server reads only a plain XML body: unwrap multipart (SwA or MTOM) requests first.
    const [soapListener] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>
    server.removeAllListeners('request')
    server.on('request', (req: RequestWithAttachments, res: ServerResponse) => {
      this.#unwrap(req).then(
        () => soapListener.call(server, req, res),
        (error: Error) => {
          res.statusCode = 400
          res.end(error.message)
        }
      )
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
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  async #unwrap(req: RequestWithAttachments) {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_REQUEST_BYTES) throw new Error('Request too large')
      chunks.push(chunk as Buffer)
    }
    const payload = Buffer.concat(chunks)
    req.docareaAttachments = []
    req.docareaPackaging = 'plain'
    const contentType = req.headers['content-type']
    const boundary = parseMultipartBoundary(contentType)
    if (!boundary) {
      req.body = payload
      return
    }
    req.docareaPackaging = /type="?application\/xop\+xml/i.test(contentType ?? '') ? 'mtom' : 'swa'
    const parts = await new Promise<Attachment[]>((resolve, reject) => {
      parseMTOMResp(payload, boundary, (error, result) => (error ? reject(error) : resolve(result?.parts ?? []))).catch(
        reject
      )
    })
    if (parts.length === 0) throw new Error('Empty multipart request')
    // The first part is the SOAP envelope (SwA and MTOM both put it first); the others are the attachments.
    const [envelope, ...attachments] = parts
    req.body = envelope.body
    req.headers['content-type'] = 'text/xml; charset=utf-8'
    req.docareaAttachments = attachments
  }

  #services() {
    type Args = Record<string, string | undefined>
    return {
      DOCAREAProto: {
        DOCAREAProtoSoap: {
          login: (args: Args) => ({ LoginResult: this.#login(args) }),
          inserimento: (args: Args, _cb: unknown, _headers: unknown, req: RequestWithAttachments) =>
            this.#inserimento(args, req).then((r) => ({ InserimentoResult: r })),
          protocollazione: (args: Args, _cb: unknown, _headers: unknown, req: RequestWithAttachments) =>
            this.#protocollazione(args, req).then((r) => ({ ProtocollazioneResult: r })),
        },
      },
    }
  }

  #login(args: Record<string, string | undefined>) {
    this.calls.push({ operation: 'login', username: args.strUserName ?? '' })
    const user = this.#options.users.find(
      (u) => u.codEnte === args.strCodEnte && u.username === args.strUserName && u.password === args.strPassword
    )
    if (!user) return { strDST: '', ...failure(DOCAREA_ERRORS.credentials) }
    const token = randomUUID()
    this.#tokens.set(token, {
      codEnte: user.codEnte,
      username: user.username,
      expiresAt: Date.now() + (this.#options.tokenTtlMs ?? 20 * 60 * 1000),
    })
    return { strDST: token, lngErrNumber: 0, strErrString: '' }
  }

  #session(args: Record<string, string | undefined>) {
    const session = this.#tokens.get(args.strDST ?? '')
    if (!session || session.expiresAt < Date.now() || session.username !== args.strUserName) {
      if (session) this.#tokens.delete(args.strDST!)
      return null
    }
    return session
  }

  async #inserimento(args: Record<string, string | undefined>, req: RequestWithAttachments) {
    const attachments = req.docareaAttachments ?? []
    this.calls.push({ operation: 'inserimento', username: args.strUserName ?? '', packaging: req.docareaPackaging })
    const session = this.#session(args)
    if (!session) return { lngDocID: 0, ...failure(DOCAREA_ERRORS.token) }
    const file = attachments[0]
    if (!file) return { lngDocID: 0, ...failure(DOCAREA_ERRORS.attachment) }
    const docId = ++this.#state.lastDocId
    const document: StoredDocument = {
      docId,
      codEnte: session.codEnte,
      fileName: fileNameOf(file.headers) ?? `documento-${docId}`,
      mimeType: (file.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim(),
      sha256: createHash('sha256').update(file.body).digest('hex'),
      size: file.body.length,
    }
    this.#state.documents[String(docId)] = document
    if (this.#options.dataDir) {
      await mkdir(join(this.#options.dataDir, 'documents'), { recursive: true })
      await writeFile(join(this.#options.dataDir, 'documents', String(docId)), file.body)
      await this.#save(this.#options.dataDir)
    }
    return { lngDocID: docId, lngErrNumber: 0, strErrString: '' }
  }

  async #protocollazione(args: Record<string, string | undefined>, req: RequestWithAttachments) {
    const attachments = req.docareaAttachments ?? []
    this.calls.push({ operation: 'protocollazione', username: args.strUserName ?? '', packaging: req.docareaPackaging })
    const empty = { lngNumPG: 0, lngAnnoPG: 0, strDataPG: '' }
    const session = this.#session(args)
    if (!session) return { ...empty, ...failure(DOCAREA_ERRORS.token) }
    const xml = attachments[0]
    if (!xml) return { ...empty, ...failure(DOCAREA_ERRORS.attachment) }
    let segnatura
    try {
      segnatura = parseSegnatura(xml.body.toString('utf8'))
    } catch (error) {
      if (!(error instanceof SegnaturaError)) throw error
      return { ...empty, ...failure(DOCAREA_ERRORS.segnatura, error.message) }
    }
    if (segnatura.codEnte !== session.codEnte) return { ...empty, ...failure(DOCAREA_ERRORS.ente) }
    const now = (this.#options.now ?? (() => DateTime.now()))().setZone('Europe/Rome')
    const floor = (await this.#options.continueFrom?.(session.codEnte, now.year)) ?? 0
    // From here to the number no await: concurrent requests cannot take the same number.
    const document = this.#state.documents[String(segnatura.document.id)]
    if (!document || document.codEnte !== session.codEnte) {
      return { ...empty, ...failure(DOCAREA_ERRORS.document, String(segnatura.document.id)) }
    }
    if (document.registration) return { ...empty, ...failure(DOCAREA_ERRORS.alreadyRegistered) }
    // Everything is checked before the number is taken: a refused request leaves no gap.
    const key = `${session.codEnte}:${now.year}`
    const number = Math.max(this.#state.counters[key] ?? 0, floor) + 1
    this.#state.counters[key] = number
    document.registration = {
      number,
      year: now.year,
      date: now.toISODate()!,
      subject: segnatura.subject,
      direction: segnatura.direction,
      correspondent: segnatura.correspondent,
    }
    if (this.#options.dataDir) await this.#save(this.#options.dataDir)
    return {
      lngNumPG: number,
      lngAnnoPG: now.year,
      strDataPG: now.toFormat('dd/MM/yyyy'),
      lngErrNumber: 0,
      strErrString: '',
    }
  }

  async #load(dir: string) {
    try {
      this.#state = JSON.parse(await readFile(join(dir, 'register.json'), 'utf8')) as State
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }

  async #save(dir: string) {
    await mkdir(dir, { recursive: true })
    const file = join(dir, 'register.json')
    await writeFile(`${file}.tmp`, JSON.stringify(this.#state, null, 2))
    await rename(`${file}.tmp`, file)
  }
}

function fileNameOf(headers: Record<string, string>) {
  const disposition = headers['content-disposition'] ?? ''
  const match = /filename="([^"]*)"/i.exec(disposition)
  return match ? match[1] : null
}

export async function startDocareaSimulator(options: DocareaSimulatorOptions) {
  return new DocareaSimulator(options).start()
}
