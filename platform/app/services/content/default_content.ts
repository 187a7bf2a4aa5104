import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadFormFiles } from '#forms/load_forms'

/**
 * The default forms (forms/) and rule sets (rules/) shipped with the code,
 * indexed by their id. They are copied into a tenant when a plugin is enabled;
 * the tenant's working copies then live in the database.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

export interface DefaultDocument {
  id: string
  file: string
  json: Record<string, unknown>
}

async function* jsonFiles(dir: string): AsyncGenerator<string> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules') yield* jsonFiles(path)
    else if (entry.isFile() && entry.name.endsWith('.json') && entry.name !== 'package.json') yield path
  }
}

async function index(folder: string, isDocument: (json: Record<string, unknown>) => boolean) {
  const found = new Map<string, DefaultDocument>()
  for await (const file of jsonFiles(join(REPO_ROOT, folder))) {
    let json: Record<string, unknown>
    try {
      json = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      throw new Error(`${file} is not valid JSON: ${(error as Error).message}`)
    }
    if (typeof json.id !== 'string' || !isDocument(json)) continue
    if (found.has(json.id))
      throw new Error(`Two default documents share the id "${json.id}": ${found.get(json.id)!.file} and ${file}`)
    found.set(json.id, { id: json.id, file, json })
  }
  return found
}

/*
 * The defaults are files shipped with the code: read once per process, not at
 * every plugin enable.
 */
let ruleSets: Promise<Map<string, DefaultDocument>> | undefined
let forms: Promise<Map<string, DefaultDocument>> | undefined

export function loadDefaultRuleSets() {
  ruleSets ??= index('rules', (json) => Array.isArray(json.versions))
  return ruleSets
}

/** Forms come with their shared parts already bundled in, so each copy is self-contained. */
export function loadDefaultForms() {
  forms ??= loadFormFiles(join(REPO_ROOT, 'forms')).then(
    (files) =>
      new Map(
        files.map(({ file, form }) => [
          form.id,
          { id: form.id, file, json: form as unknown as Record<string, unknown> },
        ])
      )
  )
  return forms
}
