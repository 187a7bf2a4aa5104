import { test } from '@japa/runner'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * No import cycle in the platform: a module that needs another which needs it back is one module
 * pretending to be two, and at load time one of them sees the other half-initialised. Static
 * imports count, type-only ones too (the dependency is there for a reader, and the next value
 * import turns it into a load-order bug); a dynamic `import()` is the declared way to load lazily
 * and does not count.
 */
const PLATFORM = fileURLToPath(new URL('../../../', import.meta.url))
const SCANNED = ['app', 'sdk', 'shared', 'start', 'providers', 'config']

const STATIC_IMPORT =
  /(?:^|\n)[ \t]*(?:import|export)\s+(?:type\s+)?(?:(?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+)\s+from\s+)?['"]([^'"]+)['"]/g

async function* tsFiles(dir: string): AsyncGenerator<string> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* tsFiles(path)
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path
  }
}

async function aliases(): Promise<Array<[string, string]>> {
  const pkg = JSON.parse(await readFile(join(PLATFORM, 'package.json'), 'utf8')) as { imports: Record<string, string> }
  return Object.entries(pkg.imports).map(([from, to]) => [from.replace(/\*$/, ''), to.replace(/\*\.js$/, '')])
}

/** The file a specifier names, or null for a package. */
function resolveSpecifier(specifier: string, from: string, map: Array<[string, string]>): string | null {
  let base: string | null = null
  if (specifier.startsWith('.')) base = resolve(dirname(from), specifier)
  else {
    const alias = map.find(([prefix]) => specifier.startsWith(prefix))
    if (alias) base = resolve(PLATFORM, alias[1], specifier.slice(alias[0].length))
  }
  if (!base) return null
  if (/\.js$/.test(base)) return base.replace(/\.js$/, '.ts')
  return /\.(ts|tsx|json|mjs)$/.test(base) ? base : `${base}.ts`
}

/** Every cycle of the graph, as the strongly connected components with more than one module (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0
  const indexes = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  const visit = (node: string) => {
    indexes.set(node, index)
    low.set(node, index)
    index++
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexes.get(next)!))
      }
    }
    if (low.get(node) === indexes.get(node)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || graph.get(node)?.has(node)) out.push(component.sort())
    }
  }
  for (const node of graph.keys()) if (!indexes.has(node)) visit(node)
  return out
}

async function platformGraph(): Promise<Map<string, Set<string>>> {
  const map = await aliases()
  const graph = new Map<string, Set<string>>()
  for (const folder of SCANNED) {
    for await (const file of tsFiles(join(PLATFORM, folder))) {
      const source = await readFile(file, 'utf8')
      const edges = new Set<string>()
      for (const match of source.matchAll(STATIC_IMPORT)) {
        const target = resolveSpecifier(match[1], file, map)
        if (target) edges.add(relative(PLATFORM, target))
      }
      graph.set(relative(PLATFORM, file), edges)
    }
  }
  return graph
}

test.group('Import cycles', () => {
  test('the platform has none', async ({ assert }) => {
    const found = await cycles(await platformGraph())
    assert.deepEqual(
      found.map((c) => c.join(' ⇄ ')),
      [],
      'break each cycle: move the shared type or value to a module both can import'
    )
  })

  test('app/ holds no test code: nothing there imports the test runner', async ({ assert }) => {
    const graph = await platformGraph()
    const offenders: string[] = []
    for (const file of graph.keys()) {
      if (!file.startsWith('app/')) continue
      const source = await readFile(join(PLATFORM, file), 'utf8')
      for (const match of source.matchAll(STATIC_IMPORT)) if (match[1].startsWith('@japa/')) offenders.push(file)
    }
    assert.deepEqual(offenders, [], 'test helpers belong in sdk/testing.ts or tests/')
  })

  test('the walk finds a cycle of two, of three, and none in a chain', ({ assert }) => {
    const graph = (edges: Array<[string, string]>) => {
      const g = new Map<string, Set<string>>()
      for (const [a, b] of edges) {
        if (!g.has(a)) g.set(a, new Set())
        if (!g.has(b)) g.set(b, new Set())
        g.get(a)!.add(b)
      }
      return g
    }
    assert.deepEqual(
      cycles(
        graph([
          ['a', 'b'],
          ['b', 'a'],
          ['b', 'c'],
        ])
      ),
      [['a', 'b']]
    )
    assert.deepEqual(
      cycles(
        graph([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
        ])
      ),
      [['a', 'b', 'c']]
    )
    assert.deepEqual(
      cycles(
        graph([
          ['a', 'b'],
          ['b', 'c'],
        ])
      ),
      []
    )
  })

  test('type-only imports count, dynamic imports do not', ({ assert }) => {
    const specifiers = (source: string) => [...source.matchAll(STATIC_IMPORT)].map((m) => m[1])
    assert.deepEqual(
      specifiers(
        "import type { A } from '#models/a'\nimport b from './b.js'\nexport { c } from '#forms/c'\nconst d = await import('#services/d')\nimport './side.js'"
      ),
      ['#models/a', './b.js', '#forms/c', './side.js']
    )
  })
})
