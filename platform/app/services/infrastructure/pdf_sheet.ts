import { deflateSync } from 'node:zlib'
import {
  PDFArray,
  PDFContentStream,
  PDFDocument,
  PDFName,
  PDFRawStream,
  StandardFonts,
  rgb,
  type PDFFont,
  type PDFPage,
  type PDFRef,
  type RGB,
} from 'pdf-lib'

/**
 * The page every document of the platform is printed on (receipts, fee estimates): A4, the
 * tenant's name under a blue band, Helvetica, text that wraps and flows onto new pages.
 */
export const A4: [number, number] = [595.28, 841.89]
export const MARGIN = 50
export const BLUE = rgb(0, 0.4, 0.8)
export const GREY = rgb(0.35, 0.35, 0.35)

/** Helvetica's WinAnsi has no glyph for other characters: they print as "?" rather than failing. */
export function safe(text: string) {
  return text.replace(/[^\u0020-\u007E\u00A0-\u00FF€’‘“”–—…›‹•]/g, '?')
}

/**
 * Splits text into rows that fit `width` points at `size` in `font`. Linear in the text: a row's
 * width grows by what each word adds, measured with the row's last character in front of it (a
 * font's width is its glyphs' advances plus the kerning of adjacent pairs, so that is exact),
 * instead of measuring the whole row again for every word.
 */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const words = safe(text).split(/\s+/)
  // Most rows of a receipt fit as they are: one measure of the whole, the same row the loop would
  // build (words joined by one space; an empty word, from whitespace at an end, takes the loop).
  if (!words.includes('')) {
    const whole = words.join(' ')
    if (font.widthOfTextAtSize(whole, size) <= width + 1e-6) return [whole]
  }
  const rows: string[] = []
  let row = ''
  let rowWidth = 0
  for (const word of words) {
    const added = row
      ? font.widthOfTextAtSize(`${row.at(-1)} ${word}`, size) - font.widthOfTextAtSize(row.at(-1)!, size)
      : font.widthOfTextAtSize(word, size)
    if (rowWidth + added <= width + 1e-6) {
      row = row ? `${row} ${word}` : word
      rowWidth += added
    } else {
      if (row) rows.push(row)
      row = word
      rowWidth = font.widthOfTextAtSize(word, size)
    }
  }
  if (row) rows.push(row)
  return rows.length ? rows : ['']
}

const FLATE = PDFName.of('FlateDecode')
const FILTER = PDFName.of('Filter')

/**
 * Replaces each page content stream pdf-lib would deflate at save with the same stream already
 * deflated by zlib (a raw stream keeps its bytes as they are, with the dictionary it is given: the
 * same /Filter /FlateDecode, its /Length set when written). A stream pdf-lib would leave
 * uncompressed is left as it is.
 */
export function deflateContentStreams(doc: PDFDocument) {
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFContentStream) || object.dict.get(FILTER) !== FLATE) continue
    doc.context.assign(ref, PDFRawStream.of(object.dict, deflateSync(object.getUnencodedContents())))
  }
}

export interface TextOptions {
  font?: PDFFont
  size?: number
  color?: RGB
  /** Indent from the margin, in points. */
  x?: number
}

export class PdfSheet {
  page: PDFPage
  /** The writing position, from the bottom of the page. */
  y = A4[1] - MARGIN
  readonly width = A4[0] - 2 * MARGIN

  private constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont
  ) {
    this.page = doc.addPage(A4)
  }

  static async create(meta: { title: string; subject: string; lang?: 'it' | 'en' }): Promise<PdfSheet> {
    const doc = await PDFDocument.create()
    doc.setTitle(meta.title)
    doc.setSubject(meta.subject)
    doc.setProducer('Sportello')
    doc.setCreator('Sportello')
    if (meta.lang) doc.setLanguage(meta.lang === 'it' ? 'it-IT' : 'en-GB')
    const regular = await doc.embedFont(StandardFonts.Helvetica)
    const bold = await doc.embedFont(StandardFonts.HelveticaBold)
    return new PdfSheet(doc, regular, bold)
  }

  /** Starts a new page when `height` more points would cross the bottom margin. */
  ensure(height: number) {
    if (this.y - height < MARGIN) {
      this.page = this.doc.addPage(A4)
      this.y = A4[1] - MARGIN
    }
  }

  /** Continues on a new page (an annex starts on its own). */
  newPage() {
    this.page = this.doc.addPage(A4)
    this.y = A4[1] - MARGIN
  }

  /**
   * One row of text at a place. pdf-lib's drawText, given a font, adds a new entry to the page's
   * font resources at every call (and looks for a free name among all those before it), so a
   * receipt's page of a few hundred rows carried hundreds of names for its two fonts and cost more
   * to write than to draw. Each font gets one name per page here, and drawText is given none: it
   * uses the page's current font (pdf-lib's `font` and `fontKey`, set as its setFont would).
   */
  draw(row: string, at: { x: number; y: number; size: number; font: PDFFont; color?: RGB }) {
    const page = this.page as unknown as { font?: PDFFont; fontKey?: PDFName }
    if (page.font !== at.font) {
      let names = this.#fontNames.get(this.page)
      if (!names) this.#fontNames.set(this.page, (names = new Map()))
      const name = names.get(at.font)
      if (name) {
        page.font = at.font
        page.fontKey = name
      } else {
        this.page.setFont(at.font)
        names.set(at.font, page.fontKey!)
      }
    }
    this.page.drawText(row, { x: at.x, y: at.y, size: at.size, color: at.color })
  }

  readonly #fontNames = new WeakMap<PDFPage, Map<PDFFont, PDFName>>()

  /** Wrapped text, moving down row by row. */
  text(s: string, opts: TextOptions = {}) {
    const size = opts.size ?? 10
    const font = opts.font ?? this.regular
    for (const row of wrap(s, font, size, this.width - (opts.x ?? 0))) {
      this.ensure(size + 4)
      this.draw(row, { x: MARGIN + (opts.x ?? 0), y: this.y - size, size, font, color: opts.color })
      this.y -= size + 4
    }
  }

  /** The blue band across the top and the tenant's name. */
  heading(tenantName: string) {
    this.page.drawRectangle({ x: 0, y: A4[1] - 8, width: A4[0], height: 8, color: BLUE })
    this.text(tenantName, { font: this.bold, size: 16, color: BLUE })
    this.y -= 4
  }

  /** Label and value pairs in two columns, the value wrapping in its own column. */
  pairs(rows: Array<[string, string]>, labelWidth: number) {
    for (const [label, value] of rows) {
      const lines = wrap(value, this.regular, 10, this.width - labelWidth)
      this.ensure(14 * lines.length)
      this.draw(safe(label), { x: MARGIN, y: this.y - 10, size: 10, font: this.bold })
      for (const line of lines) {
        this.draw(line, { x: MARGIN + labelWidth, y: this.y - 10, size: 10, font: this.regular })
        this.y -= 14
      }
      this.y -= 2
    }
  }

  /** A thin line across the page, with some space around it. */
  rule() {
    this.y -= 6
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: A4[0] - MARGIN, y: this.y },
      thickness: 0.5,
      color: GREY,
    })
    this.y -= 12
  }

  /**
   * Text kept apart from the rest of a page, in a content stream of its own that the next call
   * replaces: a document drawn once can be saved several times with a different value in one place
   * (a receipt before and after its protocol number). Drawn over the same page with the same
   * fonts and operators as `draw`, it prints as if drawn in line.
   */
  overlay(page: PDFPage, draw: () => void) {
    if (this.#overlay) {
      const contents = this.#overlay.page.node.Contents()
      const index = contents instanceof PDFArray ? contents.indexOf(this.#overlay.ref) : undefined
      if (index !== undefined) (contents as PDFArray).remove(index)
      this.doc.context.delete(this.#overlay.ref)
    }
    const current = this.page
    this.page = page
    try {
      // A new stream for the page, appended to its contents: what is drawn now goes there (pdf-lib's
      // own way to start one, which it keeps private).
      ;(page as unknown as { getContentStream(useExisting: boolean): unknown }).getContentStream(false)
      draw()
    } finally {
      this.page = current
    }
    this.#overlay = { page, ref: (page as unknown as { contentStreamRef: PDFRef }).contentStreamRef }
  }

  #overlay: { page: PDFPage; ref: PDFRef } | undefined

  /**
   * Without object streams: pdf-lib packs the small objects into compressed streams otherwise, a
   * tenth of the time of a receipt (pure JavaScript deflate) to save two kilobytes; every PDF reader
   * since 1.4 reads the plain layout. The pages' content is compressed all the same, by Node's zlib
   * rather than pdf-lib's JavaScript port of it (pako), which was a fifth of a receipt's time: the
   * same FlateDecode stream of the same operators, written with the same compression level.
   */
  async save() {
    await this.doc.flush()
    deflateContentStreams(this.doc)
    return this.doc.save({ useObjectStreams: false })
  }
}
