import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser'

/**
 * The "segnatura" XML that DOCAREA's protocollazione receives as its
 * attachment: the header of the registration (subject, direction, who sent
 * or receives it) and the document it registers, by the id inserimento gave.
 * Built and read with an XML library, so names such as "D'Angelo & Figli"
 * are escaped on the way out and come back unchanged.
 */
export interface Segnatura {
  subject: string
  /** E = incoming, U = outgoing. */
  direction: 'E' | 'U'
  /** CodiceAmministrazione: the ente's code, as given at login. */
  codEnte: string
  /** CodiceAOO, when the tenant's protocol system wants one. */
  codAoo?: string | null
  /** The sender (E) or the addressee (U). */
  correspondent: { firstName: string; lastName: string; fiscalCode: string | null }
  document: { id: number; fileName: string }
  attachments?: Array<{ id: number; fileName: string }>
}

export class SegnaturaError extends Error {}

const ATTRIBUTE_PREFIX = '@_'

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  format: true,
  suppressEmptyNode: true,
  processEntities: true,
})

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === 'Allegato',
})

export function buildSegnatura(segnatura: Segnatura): string {
  const persona = {
    Persona: {
      Nome: segnatura.correspondent.firstName,
      Cognome: segnatura.correspondent.lastName,
      ...(segnatura.correspondent.fiscalCode ? { CodiceFiscale: segnatura.correspondent.fiscalCode } : {}),
    },
  }
  const tree = {
    '?xml': { [`${ATTRIBUTE_PREFIX}version`]: '1.0', [`${ATTRIBUTE_PREFIX}encoding`]: 'UTF-8' },
    'Segnatura': {
      Intestazione: {
        Oggetto: segnatura.subject,
        Identificatore: {
          CodiceAmministrazione: segnatura.codEnte,
          ...(segnatura.codAoo ? { CodiceAOO: segnatura.codAoo } : {}),
          Flusso: segnatura.direction,
        },
        ...(segnatura.direction === 'E' ? { Mittente: persona } : { Destinatario: persona }),
      },
      Descrizione: {
        Documento: {
          [`${ATTRIBUTE_PREFIX}id`]: String(segnatura.document.id),
          [`${ATTRIBUTE_PREFIX}nome`]: segnatura.document.fileName,
        },
        Allegati: {
          [`${ATTRIBUTE_PREFIX}numero`]: String(segnatura.attachments?.length ?? 0),
          Allegato: (segnatura.attachments ?? []).map((a) => ({
            [`${ATTRIBUTE_PREFIX}id`]: String(a.id),
            [`${ATTRIBUTE_PREFIX}nome`]: a.fileName,
          })),
        },
      },
    },
  }
  return builder.build(tree) as string
}

type Node = Record<string, unknown>

function child(node: unknown, name: string, path: string): Node {
  const value = node && typeof node === 'object' ? (node as Node)[name] : undefined
  if (!value || typeof value !== 'object') throw new SegnaturaError(`Segnatura: ${path}/${name} is missing`)
  return value as Node
}

function text(node: Node, name: string, path: string, required = true): string {
  const value = node[name]
  if (typeof value === 'string' && value !== '') return value
  if (!required && (value === undefined || value === '')) return ''
  throw new SegnaturaError(`Segnatura: ${path}/${name} is missing or empty`)
}

/**
 * Reads a segnatura back, refusing one that is not well-formed XML or lacks
 * what a registration needs (what the protocol system checks on receipt).
 */
export function parseSegnatura(xml: string): Segnatura {
  const wellFormed = XMLValidator.validate(xml)
  if (wellFormed !== true) {
    throw new SegnaturaError(`Segnatura is not well-formed XML: ${wellFormed.err.msg} (line ${wellFormed.err.line})`)
  }
  const root = child(parser.parse(xml), 'Segnatura', '')
  const header = child(root, 'Intestazione', '/Segnatura')
  const id = child(header, 'Identificatore', '/Segnatura/Intestazione')
  const direction = text(id, 'Flusso', '/Segnatura/Intestazione/Identificatore')
  if (direction !== 'E' && direction !== 'U') {
    throw new SegnaturaError(`Segnatura: Flusso must be E or U, got "${direction}"`)
  }
  const side = direction === 'E' ? 'Mittente' : 'Destinatario'
  const persona = child(child(header, side, '/Segnatura/Intestazione'), 'Persona', `/Segnatura/Intestazione/${side}`)
  const personaPath = `/Segnatura/Intestazione/${side}/Persona`
  const description = child(root, 'Descrizione', '/Segnatura')
  const document = child(description, 'Documento', '/Segnatura/Descrizione')
  const docId = Number(document[`${ATTRIBUTE_PREFIX}id`])
  if (!Number.isSafeInteger(docId) || docId <= 0) {
    throw new SegnaturaError('Segnatura: /Segnatura/Descrizione/Documento needs a numeric id attribute')
  }
  const allegati = description.Allegati
  const attachmentNodes =
    allegati && typeof allegati === 'object' ? (((allegati as Node).Allegato as Node[] | undefined) ?? []) : []
  return {
    subject: text(header, 'Oggetto', '/Segnatura/Intestazione'),
    direction,
    codEnte: text(id, 'CodiceAmministrazione', '/Segnatura/Intestazione/Identificatore'),
    codAoo: text(id, 'CodiceAOO', '/Segnatura/Intestazione/Identificatore', false) || null,
    correspondent: {
      firstName: text(persona, 'Nome', personaPath, false),
      lastName: text(persona, 'Cognome', personaPath),
      fiscalCode: text(persona, 'CodiceFiscale', personaPath, false) || null,
    },
    document: { id: docId, fileName: String(document[`${ATTRIBUTE_PREFIX}nome`] ?? '') },
    attachments: attachmentNodes.map((a) => ({
      id: Number(a[`${ATTRIBUTE_PREFIX}id`]),
      fileName: String(a[`${ATTRIBUTE_PREFIX}nome`] ?? ''),
    })),
  }
}
