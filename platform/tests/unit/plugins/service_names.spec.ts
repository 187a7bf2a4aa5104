import { test } from '@japa/runner'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The platform is generic (DESIGN.md, Plugins): what makes a service a service lives in its plugin.
 * Nothing in the platform's code or its portal's sources may name one, not even in a comment or an
 * example: a comment naming a service is where the next service-specific line gets written. Demo
 * data and default content are content (database/demo/, forms/, rules/), outside these folders.
 *
 * The list holds the services' ids and the identifiers only one service's forms use. A new
 * service adds its id here; a word that is also a platform concept (ISEE, nido as an order of
 * school, school order, class year, a medical diet certificate among a child's documents) is not on it.
 */
const SERVICE_WORDS = [
  'refezione',
  'trasporto',
  'nidi',
  'edugate',
  'ersu',
  'covid',
  'covid-bonus',
  'tempo-prolungato',
  'nido-estivo',
  'transport_line',
  'transport_lines',
  'transport_stop',
  'transport_stops',
  'special_diet',
  'diet_type',
  'summer_weeks',
  'nido_structures',
  'edugate_structures',
  'educational_structures',
  'structure_preferences',
  'authorised_pickup_persons',
]

const PLATFORM = fileURLToPath(new URL('../../../', import.meta.url))
const SCANNED = ['app', 'web/src']
const TEXT = /\.(ts|tsx|mts|js|mjs|json|css|html|md|wsdl)$/

/** A word on its own: letters and digits around it are another word ("versus" is not "ersu"). */
const pattern = new RegExp(
  `(?<![A-Za-z0-9])(${SERVICE_WORDS.map((w) => w.replace(/[-]/g, '\\-')).join('|')})(?![A-Za-z0-9])`,
  'gi'
)

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* files(path)
    else if (TEXT.test(entry.name)) yield path
  }
}

async function serviceNames(root: string, folders: string[]): Promise<string[]> {
  const found: string[] = []
  for (const folder of folders) {
    for await (const file of files(join(root, folder))) {
      const lines = (await readFile(file, 'utf8')).split('\n')
      lines.forEach((line, i) => {
        for (const match of line.matchAll(pattern)) found.push(`${relative(root, file)}:${i + 1}: ${match[0]}`)
      })
    }
  }
  return found
}

test.group('The platform names no service', () => {
  test('platform/app and platform/web/src name none of the services or their own fields', async ({ assert }) => {
    assert.deepEqual(await serviceNames(PLATFORM, SCANNED), [], 'move these to the plugin that owns them')
  })

  test('the check finds a name in code and in a comment, and leaves other words alone', ({ assert }) => {
    const sample = [
      "const form = 'refezione.iscrizione' // ok?",
      '/* the Trasporto line */',
      'const x = data.special_diet',
      'versus, persuade, dietro, nidification, covidence',
    ]
    const hits = sample.flatMap((line) => [...line.matchAll(pattern)].map((m) => m[0]))
    assert.deepEqual(hits, ['refezione', 'Trasporto', 'special_diet'])
  })
})
