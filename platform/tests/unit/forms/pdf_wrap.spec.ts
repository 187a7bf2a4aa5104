import { test } from '@japa/runner'
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib'
import { safe, wrap } from '#services/infrastructure/pdf_sheet'

/** The rows as measured the obvious way: the whole row again for every word. */
function reference(text: string, font: PDFFont, size: number, width: number): string[] {
  const rows: string[] = []
  let row = ''
  for (const word of safe(text).split(/\s+/)) {
    const next = row ? `${row} ${word}` : word
    if (font.widthOfTextAtSize(next, size) <= width) row = next
    else {
      if (row) rows.push(row)
      row = word
    }
  }
  if (row) rows.push(row)
  return rows.length ? rows : ['']
}

/** A small deterministic generator: the same texts on every run. */
function texts(count: number) {
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const words = ['Iscrizione', 'AVV.', 'T', 'Y.', 'refezione', "l'ISEE", '€', '8.500,50', 'Wa', 'To', 'LT', 'VA', '—']
  return Array.from({ length: count }, () => {
    const n = Math.floor(next() * 120)
    return Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(next() < 0.1 ? '  ' : ' ')
  })
}

test.group('PDF text wrapping', () => {
  test('rows are the ones measuring the whole row gives, kerning included', async ({ assert }) => {
    const doc = await PDFDocument.create()
    const fonts = [await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold)]
    for (const text of ['', ' leading space', 'one', ...texts(300)]) {
      for (const font of fonts) {
        for (const [size, width] of [
          [10, 495],
          [16, 200],
          [9, 80],
        ]) {
          assert.deepEqual(wrap(text, font, size, width), reference(text, font, size, width), text)
        }
      }
    }
  })

  test('a long text wraps in time linear in its length', async ({ assert }) => {
    const doc = await PDFDocument.create()
    const font = await doc.embedFont(StandardFonts.Helvetica)
    // Counted, not timed: how many characters are measured for a text of 20,000 words on one row.
    let measured = 0
    const counting = new Proxy(font, {
      get(target, key) {
        if (key === 'widthOfTextAtSize')
          return (text: string, size: number) => {
            measured += text.length
            return target.widthOfTextAtSize(text, size)
          }
        return Reflect.get(target, key)
      },
    })
    const text = Array.from({ length: 20_000 }, () => 'abc').join(' ')
    const rows = wrap(text, counting, 10, 1e9)
    assert.lengthOf(rows, 1)
    assert.isBelow(measured, 10 * text.length)
  })

  test('a text that fits on its row is measured once, not word by word', async ({ assert }) => {
    const doc = await PDFDocument.create()
    const font = await doc.embedFont(StandardFonts.Helvetica)
    let calls = 0
    const counting = new Proxy(font, {
      get(target, key) {
        if (key === 'widthOfTextAtSize')
          return (text: string, size: number) => {
            calls++
            return target.widthOfTextAtSize(text, size)
          }
        return Reflect.get(target, key)
      },
    })
    assert.deepEqual(wrap('Scuola primaria  Alberoni, classe 2', counting, 9, 495), [
      'Scuola primaria Alberoni, classe 2',
    ])
    assert.equal(calls, 1)
  })
})
