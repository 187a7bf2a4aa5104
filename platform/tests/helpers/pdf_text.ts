import { PDFArray, PDFDocument, PDFRawStream, decodePDFRawStream, type PDFObject } from 'pdf-lib'

/**
 * The text lines drawn on the pages of a PDF made with pdf-lib and its standard fonts: each
 * `<hex> Tj` of the content streams, decoded from WinAnsi. Enough to read our own documents back
 * in a test without a PDF renderer.
 */
export async function pdfTextLines(bytes: Uint8Array): Promise<string[]> {
  const pdf = await PDFDocument.load(bytes)
  const out: string[] = []
  for (const page of pdf.getPages()) {
    const contents = page.node.Contents()
    const streams: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : []
    for (const ref of streams) {
      const stream = pdf.context.lookup(ref)
      if (!(stream instanceof PDFRawStream)) continue
      const source = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1')
      for (const match of source.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) out.push(winAnsi(Buffer.from(match[1], 'hex')))
    }
  }
  return out
}

/** WinAnsi is Latin-1 except for a few code points in 0x80–0x9F; the ones our documents use. */
const WIN_ANSI_EXTRA: Record<number, string> = {
  0x80: '€',
  0x85: '…',
  0x8b: '‹',
  0x91: '‘',
  0x92: '’',
  0x93: '“',
  0x94: '”',
  0x95: '•',
  0x96: '–',
  0x97: '—',
  0x9b: '›',
}

function winAnsi(bytes: Buffer): string {
  return [...bytes].map((b) => WIN_ANSI_EXTRA[b] ?? String.fromCharCode(b)).join('')
}
