import { test } from '@japa/runner'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MESSAGES, fill, t } from '#i18n/catalogue'

/**
 * Server text goes through one mechanism: a catalogue entry with its Italian and its English
 * (app/i18n/catalogue.ts, a plugin's `messages`), picked by the request's language. A string
 * literal written "italiano / English" is the old way and fails here, wherever it comes back.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const SCANNED = ['platform/app', 'platform/sdk', 'platform/start', 'plugins']
const SKIPPED = new Set(['node_modules', 'tests', 'web'])

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)))
    else if (/\.tsx?$/.test(entry.name)) out.push(path)
  }
  return out
}

/** Words of two letters or more (accented ones too) on both sides of a " / " inside one string literal. */
const BILINGUAL = /[A-Za-zÀ-ÿ]{2,}[^/]*\s\/\s[^/]*[A-Za-zÀ-ÿ]{2,}/
const LITERALS = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g

/** The string literals of a line of code whose text reads "one language / the other". */
export function bilingualLiterals(line: string): string[] {
  const code = line.trim()
  if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return []
  const found: string[] = []
  for (const literal of line.match(LITERALS) ?? []) {
    // Interpolations are code, not text: `${a / b}` divides.
    let text = literal.slice(1, -1)
    for (let i = 0; i < 5 && text.includes('${'); i++) text = text.replace(/\$\{[^{}]*\}/g, '0')
    if (BILINGUAL.test(text)) found.push(literal)
  }
  return found
}

/**
 * Files whose every text is in the catalogue: there not even a `{ it: '…', en: '…' }` pair or a
 * `lang === 'it' ? '…' : '…'` choice is written inline. A file or folder moves here once its texts
 * moved to the catalogue.
 */
const CATALOGUED = [
  'platform/app/controllers/inbox_controller.ts',
  'platform/app/controllers/reports_controller.ts',
  'platform/app/reports',
]
const LANGUAGE_KEY = /(?:^|[{,(\s])(?:it|en)\s*:\s*['"`[]/
const LANGUAGE_CHOICE = /\blang\s*===?\s*['"](?:it|en)['"]\s*\?/

/** A line of code writing a text in one of the two languages inline (an `it:`/`en:` key, a choice on `lang`). */
export function inlineLanguageText(line: string): boolean {
  const code = line.trim()
  if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return false
  return LANGUAGE_KEY.test(code) || LANGUAGE_CHOICE.test(code)
}

async function filesUnder(path: string): Promise<string[]> {
  return (await stat(path)).isDirectory() ? sourceFiles(path) : [path]
}

test.group('i18n: one language per message', () => {
  test('the scan knows an "italiano / English" string from a division or a path', ({ assert }) => {
    assert.lengthOf(bilingualLiterals(`  message: 'Modulo non trovato / form not found',`), 1)
    assert.lengthOf(bilingualLiterals('  super(`Regole "${key}" inesistenti / no rule set "${key}"`)'), 1)
    assert.lengthOf(bilingualLiterals('  const mb = `${Math.round(limit / 1048576)} MB`'), 0)
    assert.lengthOf(bilingualLiterals("  // 'riprova tra 15 minuti / try again in 15 minutes'"), 0)
    assert.lengthOf(bilingualLiterals("  const url = '/api/v1/plugins'"), 0)
  })

  test('no string in the platform or a plugin is written "italiano / English"', async ({ assert }) => {
    const offending: string[] = []
    for (const dir of SCANNED) {
      for (const file of await sourceFiles(join(ROOT, dir))) {
        const lines = (await readFile(file, 'utf8')).split('\n')
        lines.forEach((line, i) => {
          for (const literal of bilingualLiterals(line)) {
            offending.push(`${relative(ROOT, file)}:${i + 1}: ${literal.slice(0, 100)}`)
          }
        })
      }
    }
    assert.deepEqual(offending, [], 'write the message into a catalogue with its it and en')
  })

  test('the stricter scan knows a text written inline in both languages from code about languages', ({ assert }) => {
    assert.isTrue(inlineLanguageText("  notFound: { it: 'Domanda non trovata.', en: 'Submission not found.' },"))
    assert.isTrue(inlineLanguageText('    it: `Hai già ${MAX} report in preparazione.`,'))
    assert.isTrue(inlineLanguageText("      name: lang === 'it' ? 'domande' : 'applications',"))
    assert.isTrue(
      inlineLanguageText("const BOOLEANS: Record<Lang, [string, string]> = { it: ['Sì', 'No'], en: ['Yes', 'No'] }")
    )
    assert.isFalse(inlineLanguageText("  { key: 'id', label: MESSAGES['inbox.column.id'], type: 'integer' },"))
    assert.isFalse(inlineLanguageText("  const lang: Lang = askedLanguage(request) ?? 'it'"))
    assert.isFalse(inlineLanguageText("  // it: 'commento'"))
  })

  test('the catalogued files write no text inline in either language', async ({ assert }) => {
    const offending: string[] = []
    for (const entry of CATALOGUED) {
      for (const file of await filesUnder(join(ROOT, entry))) {
        const lines = (await readFile(file, 'utf8')).split('\n')
        lines.forEach((line, i) => {
          if (inlineLanguageText(line)) offending.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim().slice(0, 100)}`)
        })
      }
    }
    assert.deepEqual(offending, [], 'move these texts into app/i18n/catalogue.ts and read them with t() or texts()')
  })

  test('every platform message has both languages, with the same placeholders', ({ assert }) => {
    for (const [key, entry] of Object.entries(MESSAGES)) {
      assert.isAbove(entry.it.trim().length, 0, key)
      assert.isAbove(entry.en.trim().length, 0, key)
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      assert.deepEqual(names(entry.it), names(entry.en), key)
    }
    assert.equal(t('en', 'tenant.notFound', { slug: 'nessuno' }), 'Tenant "nessuno" not found.')
    assert.equal(t('it', 'tenant.notFound', { slug: 'nessuno' }), 'Ente "nessuno" non trovato.')
    assert.equal(fill('{a} e {b}', { a: 1 }), '1 e {b}')
  })
})
