import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdir, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import Sqlite from 'better-sqlite3'
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
 * per ente and year. Its register is a SQLite database (in memory, or in the
 * data folder so that it survives restarts): each registration is one
 * synchronous transaction, so concurrent requests can neither take the same
 * number nor lose a write, whatever their number.
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

/** The register file of an earlier version of the simulator, read once into the database. */
interface LegacyState {
  counters: Record<string, number>
  documents: Record<string, StoredDocument>
}

type DocumentRow = {
  doc_id: number
  cod_ente: string
  file_name: string
  mime_type: string
  sha256: string
  size: number
  reg_number: number | null
  reg_year: number | null
  reg_date: string | null
  subject: string | null
  direction: 'E' | 'U' | null
  correspondent: string | null
}

/**
 * The simulator's register: documents (with their bytes) and the last number
 * given per ente and year. better-sqlite3 is synchronous, so each method runs
 * to its end before any other request is looked at, and a registration is one
 * transaction: the number, the counter and the document change together or
 * not at all.
 */
class Register {
  #db: Sqlite.Database

  constructor(file: string) {
    this.#db = new Sqlite(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = NORMAL')
    this.#db.pragma('busy_timeout = 5000')
    this.#db.exec(`
      create table if not exists documents (
        doc_id integer primary key autoincrement,
        cod_ente text not null,
        file_name text not null,
        mime_type text not null,
        sha256 text not null,
        size integer not null,
        body blob not null,
        reg_number integer,
        reg_year integer,
        reg_date text,
        subject text,
        direction text,
        correspondent text
      );
      create table if not exists counters (
        cod_ente text not null,
        year integer not null,
        last integer not null,
        primary key (cod_ente, year)
      );
    `)
  }

  isEmpty() {
    return (this.#db.prepare('select count(*) as n from documents').get() as { n: number }).n === 0
  }

  addDocument(document: Omit<StoredDocument, 'docId' | 'registration'>, body: Buffer): number {
    const result = this.#db
      .prepare('insert into documents (cod_ente, file_name, mime_type, sha256, size, body) values (?, ?, ?, ?, ?, ?)')
      .run(document.codEnte, document.fileName, document.mimeType, document.sha256, document.size, body)
    return Number(result.lastInsertRowid)
  }

  document(docId: number) {
    const row = this.#db.prepare('select * from documents where doc_id = ?').get(docId) as DocumentRow | undefined
    return row ? toDocument(row) : undefined
  }

  /** Takes the next number of the ente's year (never below `floor`) for a checked, unregistered document. */
  register(
    docId: number,
    at: DateTime,
    floor: number,
    registration: Omit<StoredDocument['registration'] & {}, 'number' | 'year' | 'date'> & { codEnte: string }
  ) {
    return this.#db.transaction(() => {
      const counter = this.#db
        .prepare('select last from counters where cod_ente = ? and year = ?')
        .get(registration.codEnte, at.year) as { last: number } | undefined
      const number = Math.max(counter?.last ?? 0, floor) + 1
      this.#db
        .prepare(
          'insert into counters (cod_ente, year, last) values (?, ?, ?) on conflict (cod_ente, year) do update set last = excluded.last'
        )
        .run(registration.codEnte, at.year, number)
      const updated = this.#db
        .prepare(
          `update documents set reg_number = ?, reg_year = ?, reg_date = ?, subject = ?, direction = ?, correspondent = ?
           where doc_id = ? and reg_number is null`
        )
        .run(
          number,
          at.year,
          at.toISODate(),
          registration.subject,
          registration.direction,
          JSON.stringify(registration.correspondent),
          docId
        )
      // Checked by the caller in the same synchronous run; kept as the last guard of the rule.
      if (updated.changes !== 1) throw new Error(`document ${docId} is already registered`)
      return number
    })()
  }

  documents(): StoredDocument[] {
    const rows = this.#db.prepare('select * from documents order by doc_id').all() as DocumentRow[]
    return rows.map(toDocument)
  }

  /** Loads the JSON register an earlier simulator kept in the same folder (its counters and documents). */
  importLegacy(state: LegacyState, bodyOf: (docId: number) => Buffer) {
    this.#db.transaction(() => {
      for (const document of Object.values(state.documents)) {
        this.#db
          .prepare(
            `insert into documents (doc_id, cod_ente, file_name, mime_type, sha256, size, body,
               reg_number, reg_year, reg_date, subject, direction, correspondent)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
          )
          .run(
            document.docId,
            document.codEnte,
            document.fileName,
            document.mimeType,
            document.sha256,
            document.size,
            bodyOf(document.docId),
            document.registration?.number ?? null,
            document.registration?.year ?? null,
            document.registration?.date ?? null,
            document.registration?.subject ?? null,
            document.registration?.direction ?? null,
            document.registration ? JSON.stringify(document.registration.correspondent) : null
          )
      }
      for (const [key, last] of Object.entries(state.counters)) {
        const [codEnte, year] = key.split(':')
        this.#db
          .prepare('insert or replace into counters (cod_ente, year, last) values (?, ?, ?)')
          .run(codEnte, Number(year), last)
      }
    })()
  }

  close() {
    this.#db.close()
  }
}

function toDocument(row: DocumentRow): StoredDocument {
  return {
    docId: row.doc_id,
    codEnte: row.cod_ente,
    fileName: row.file_name,
    mimeType: row.mime_type,
    sha256: row.sha256,
    size: row.size,
    ...(row.reg_number === null
      ? {}
      : {
          registration: {
            number: row.reg_number,
            year: row.reg_year!,
            date: row.reg_date!,
            subject: row.subject!,
            direction: row.direction!,
            correspondent: JSON.parse(row.correspondent!),
          },
        }),
  }
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
  #register: Register | undefined
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
    return this.#register?.documents() ?? []
  }

  /** Ends every DST token now, as a protocol system does after a timeout or a restart. */
  expireTokens() {
    this.#tokens.clear()
  }

  async start() {
    this.#register = await this.#open(this.#options.dataDir)
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
    if (server) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    this.#register?.close()
    this.#register = undefined
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
    const docId = this.#registerOrFail().addDocument(
      {
        codEnte: session.codEnte,
        fileName: fileNameOf(file.headers) ?? 'documento',
        mimeType: (file.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim(),
        sha256: createHash('sha256').update(file.body).digest('hex'),
        size: file.body.length,
      },
      file.body
    )
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
    // A lower bound only: the number itself is taken below, in one transaction with the counter.
    const floor = (await this.#options.continueFrom?.(session.codEnte, now.year)) ?? 0
    // From here to the number no await: nothing else runs in between.
    const register = this.#registerOrFail()
    const document = register.document(segnatura.document.id)
    if (!document || document.codEnte !== session.codEnte) {
      return { ...empty, ...failure(DOCAREA_ERRORS.document, String(segnatura.document.id)) }
    }
    if (document.registration) return { ...empty, ...failure(DOCAREA_ERRORS.alreadyRegistered) }
    // Everything is checked before the number is taken: a refused request leaves no gap.
    const number = register.register(document.docId, now, floor, {
      codEnte: session.codEnte,
      subject: segnatura.subject,
      direction: segnatura.direction,
      correspondent: segnatura.correspondent,
    })
    return {
      lngNumPG: number,
      lngAnnoPG: now.year,
      strDataPG: now.toFormat('dd/MM/yyyy'),
      lngErrNumber: 0,
      strErrString: '',
    }
  }

  #registerOrFail() {
    if (!this.#register) throw new Error('The DOCAREA simulator is not started')
    return this.#register
  }

  /**
   * The register in `dir`/register.sqlite3, or in memory without a folder. A
   * register.json left by an earlier version is read in once and renamed.
   */
  async #open(dir: string | undefined) {
    if (!dir) return new Register(':memory:')
    await mkdir(dir, { recursive: true })
    const register = new Register(join(dir, 'register.sqlite3'))
    const legacy = join(dir, 'register.json')
    try {
      const state = JSON.parse(await readFile(legacy, 'utf8')) as LegacyState
      const bodies = new Map<number, Buffer>()
      for (const document of Object.values(state.documents)) {
        const body = await readFile(join(dir, 'documents', String(document.docId))).catch(() => Buffer.alloc(0))
        bodies.set(document.docId, body)
      }
      if (register.isEmpty()) register.importLegacy(state, (docId) => bodies.get(docId) ?? Buffer.alloc(0))
      await rename(legacy, `${legacy}.imported`)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    return register
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
