import { test } from '@japa/runner'
import fc from 'fast-check'
import { buildSegnatura, parseSegnatura, SegnaturaError, type Segnatura } from '#integrations/docarea/segnatura'
import { dataPGToIso } from '#integrations/docarea/docarea_client'
import { parseMultipartBoundary } from '#integrations/docarea/docarea_wsdl'
import { DateTime } from 'luxon'

const BASE: Segnatura = {
  subject: 'Domanda "Iscrizione refezione" n. 12',
  direction: 'E',
  codEnte: 'C_G535',
  codAoo: null,
  correspondent: { firstName: 'Maria', lastName: "D'Angelo & Figli", fiscalCode: 'DNGMRA80A41G535X' },
  document: { id: 42, fileName: 'domanda-12.pdf' },
  attachments: [],
}

test.group('DOCAREA segnatura', () => {
  test('names with apostrophes and ampersands are escaped and come back unchanged', ({ assert }) => {
    const xml = buildSegnatura(BASE)
    assert.include(xml, 'D&apos;Angelo &amp; Figli')
    assert.notInclude(xml, "D'Angelo & Figli")
    assert.deepEqual(parseSegnatura(xml), BASE)
  })

  test('an incoming registration names the sender, an outgoing one the addressee', ({ assert }) => {
    const incoming = buildSegnatura(BASE)
    assert.match(incoming, /<Flusso>E<\/Flusso>/)
    assert.match(incoming, /<Mittente>\s*<Persona>\s*<Nome>Maria<\/Nome>/)
    assert.notInclude(incoming, 'Destinatario')
    const outgoing = buildSegnatura({ ...BASE, direction: 'U', codAoo: 'AOO1' })
    assert.match(outgoing, /<Flusso>U<\/Flusso>/)
    assert.include(outgoing, '<CodiceAOO>AOO1</CodiceAOO>')
    assert.include(outgoing, '<Destinatario>')
    assert.match(outgoing, /<Documento id="42" nome="domanda-12.pdf"/)
    assert.equal(parseSegnatura(outgoing).codAoo, 'AOO1')
  })

  test('any text round-trips', ({ assert }) => {
    const text = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => s.trim() === s && s.trim() !== '')
    // XML 1.0 cannot carry most control characters: the platform's texts never contain them.
    const xmlText = text.filter((s) => [...s].every((c) => c >= ' ' && c !== '\ufffe' && c !== '\uffff'))
    fc.assert(
      fc.property(xmlText, xmlText, xmlText, (subject, firstName, lastName) => {
        const segnatura = { ...BASE, subject, correspondent: { ...BASE.correspondent, firstName, lastName } }
        assert.deepEqual(parseSegnatura(buildSegnatura(segnatura)), segnatura)
      })
    )
  })

  test('a malformed or incomplete segnatura is refused, naming what is wrong', ({ assert }) => {
    assert.throws(() => parseSegnatura('<Segnatura><Intestazione>'), /not well-formed/)
    assert.throws(() => parseSegnatura('<Altro/>'), /\/Segnatura is missing/)
    const noSender = buildSegnatura(BASE).replace(/<Mittente>[\s\S]*<\/Mittente>/, '')
    assert.throws(() => parseSegnatura(noSender), /Intestazione\/Mittente is missing/)
    const badFlow = buildSegnatura(BASE).replace('<Flusso>E</Flusso>', '<Flusso>X</Flusso>')
    assert.throws(() => parseSegnatura(badFlow), /Flusso must be E or U/)
    const noDoc = buildSegnatura(BASE).replace('id="42"', 'id="abc"')
    assert.throws(() => parseSegnatura(noDoc), SegnaturaError)
  })
})

test.group('DOCAREA wire details', () => {
  test('strDataPG in Italian or ISO form becomes an ISO date', ({ assert }) => {
    const fallback = DateTime.fromISO('2026-03-01')
    assert.equal(dataPGToIso('05/02/2026', fallback), '2026-02-05')
    assert.equal(dataPGToIso('05/02/2026 10:31:00', fallback), '2026-02-05')
    assert.equal(dataPGToIso('2026-02-05', fallback), '2026-02-05')
    assert.equal(dataPGToIso('', fallback), '2026-03-01')
  })

  test('the boundary is read from a multipart content type, quoted or not', ({ assert }) => {
    assert.equal(parseMultipartBoundary('multipart/related; type="text/xml"; boundary="abc-1"'), 'abc-1')
    assert.equal(parseMultipartBoundary('multipart/related; type="application/xop+xml"; boundary=xyz'), 'xyz')
    assert.isNull(parseMultipartBoundary('text/xml; charset=utf-8'))
    assert.isNull(parseMultipartBoundary(undefined))
  })
})
