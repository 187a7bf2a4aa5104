import { createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { stringify } from 'csv-stringify/sync'
import { PDFDocument } from 'pdf-lib'
import yazl from 'yazl'
import {
  NoticeRefusedError,
  undeliverable,
  type NoticeChannel,
  type NoticeMessage,
  type NoticeOutcome,
  type PostalAddress,
} from '#integrations/notices/notice_channel'

/**
 * A mass-mailing batch for the postal service (or its print-and-post contractor): a folder with one
 * PDF per letter and, when the batch is closed, `manifest.csv` describing each envelope and
 * optionally `<batch>.zip` with both. No public layout exists for these manifests, so the columns
 * are ours and documented (README, "Post"):
 *
 *   progressivo;riferimento;destinatario;indirizzo;cap;comune;provincia;nazione;documento;pagine;raccomandata
 *
 * separated by ";" with a UTF-8 BOM (it opens as is in Italian spreadsheets), `raccomandata` S or N.
 * Adding a letter writes its PDF and a small JSON of its envelope, each to a temporary name renamed
 * when complete; adding the same reference again overwrites the same files, so a retried send never
 * puts two envelopes in the batch.
 */
export interface PostalItem {
  /** The notice's idempotency key: names the files. */
  reference: string
  recipient: string
  address: PostalAddress
  document: Uint8Array
  registered: boolean
}

interface Envelope {
  reference: string
  recipient: string
  address: PostalAddress
  file: string
  pages: number
  registered: boolean
  addedAt: string
}

export const MANIFEST_COLUMNS = [
  'progressivo',
  'riferimento',
  'destinatario',
  'indirizzo',
  'cap',
  'comune',
  'provincia',
  'nazione',
  'documento',
  'pagine',
  'raccomandata',
] as const

/** A file name from the reference: letters, digits, dot, dash, underscore; other characters become "_". */
export function postalFileName(reference: string) {
  const base = reference
    .replace(/[^\w.-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 150)
  return `${base}.pdf`
}

async function atomicWrite(path: string, content: Uint8Array | string) {
  await writeFile(`${path}.part`, content)
  await rename(`${path}.part`, path)
}

export class PostalBatch {
  constructor(readonly folder: string) {}

  async add(item: PostalItem): Promise<{ file: string; pages: number }> {
    const { address } = item
    if (
      !item.recipient.trim() ||
      !address.lines.length ||
      !/^\d{5}$/.test(address.postalCode) ||
      !address.city.trim()
    ) {
      throw new NoticeRefusedError('post', 'recipient.address', {
        it: 'per la posta servono destinatario, indirizzo, CAP (5 cifre) e comune',
        en: 'post needs a recipient, a street address, a 5-digit postcode and a town',
      })
    }
    let pages: number
    try {
      pages = (await PDFDocument.load(item.document)).getPageCount()
    } catch {
      throw new NoticeRefusedError('post', 'attachments', {
        it: 'il documento da spedire non è un PDF leggibile',
        en: 'the document to post is not a readable PDF',
      })
    }
    await mkdir(this.folder, { recursive: true })
    const file = postalFileName(item.reference)
    // A letter added again keeps its place in the batch.
    let addedAt = new Date().toISOString()
    try {
      addedAt = (JSON.parse(await readFile(join(this.folder, `${file}.json`), 'utf8')) as Envelope).addedAt
    } catch {
      // First time this reference enters the batch.
    }
    const envelope: Envelope = {
      reference: item.reference,
      recipient: item.recipient,
      address,
      file,
      pages,
      registered: item.registered,
      addedAt,
    }
    await atomicWrite(join(this.folder, file), item.document)
    await atomicWrite(join(this.folder, `${file}.json`), JSON.stringify(envelope))
    return { file, pages }
  }

  async envelopes(): Promise<Envelope[]> {
    let names: string[]
    try {
      names = await readdir(this.folder)
    } catch {
      return []
    }
    const out: Envelope[] = []
    for (const name of names.filter((n) => n.endsWith('.pdf.json')).sort()) {
      out.push(JSON.parse(await readFile(join(this.folder, name), 'utf8')) as Envelope)
    }
    return out.sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.file.localeCompare(b.file))
  }

  /** Writes manifest.csv (and the zip when asked); closing again rewrites both from the folder. */
  async close(options: { zip?: boolean } = {}): Promise<{ manifest: string; zip: string | null; count: number }> {
    const envelopes = await this.envelopes()
    const rows = envelopes.map((e, i) => [
      i + 1,
      e.reference,
      e.recipient,
      e.address.lines.join(', '),
      e.address.postalCode,
      e.address.city,
      e.address.province ?? '',
      e.address.country ?? 'IT',
      e.file,
      e.pages,
      e.registered ? 'S' : 'N',
    ])
    const csv = stringify([[...MANIFEST_COLUMNS], ...rows], { delimiter: ';', bom: true, record_delimiter: 'windows' })
    await mkdir(this.folder, { recursive: true })
    const manifest = join(this.folder, 'manifest.csv')
    await atomicWrite(manifest, csv)
    if (!options.zip) return { manifest, zip: null, count: envelopes.length }
    const zipPath = `${this.folder.replace(/\/+$/, '')}.zip`
    const zip = new yazl.ZipFile()
    zip.addFile(manifest, 'manifest.csv')
    for (const e of envelopes) zip.addFile(join(this.folder, e.file), e.file)
    zip.end()
    await pipeline(zip.outputStream, createWriteStream(`${zipPath}.part`))
    await rename(`${zipPath}.part`, zipPath)
    return { manifest, zip: zipPath, count: envelopes.length }
  }
}

/**
 * The post notice channel: the notice's PDF (its first attachment) goes into the batch of the day
 * under `root`; the provider id is "<batch>/<file>". Overwriting by reference makes it idempotent.
 */
export class PostChannel implements NoticeChannel {
  readonly name = 'post' as const
  readonly idempotentProvider = true

  constructor(
    private root: string,
    private batchOf: () => string = () => new Date().toISOString().slice(0, 10)
  ) {}

  batch(id = this.batchOf()) {
    if (!/^[\w-]{1,64}$/.test(id)) throw new Error(`Postal batch id "${id}" must be letters, digits, - or _`)
    return new PostalBatch(join(this.root, id))
  }

  async send(message: NoticeMessage): Promise<NoticeOutcome> {
    const address = message.recipient.address
    if (!address) return undeliverable('nessun indirizzo postale', 'no postal address')
    const document = message.attachments?.find((a) => a.contentType === 'application/pdf')
    if (!document) {
      throw new NoticeRefusedError('post', 'attachments', {
        it: 'manca il PDF da stampare e spedire',
        en: 'the PDF to print and post is missing',
      })
    }
    const batchId = this.batchOf()
    const { file } = await this.batch(batchId).add({
      reference: message.idempotencyKey,
      recipient: message.recipient.name,
      address,
      document: document.content,
      registered: message.registered === true,
    })
    return { status: 'sent', providerId: `${batchId}/${file}` }
  }
}
