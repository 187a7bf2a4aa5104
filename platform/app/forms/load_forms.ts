/**
 * Loads the default forms shipped in the repository (`forms/<service>/<form-id>.json`) and
 * resolves their shared parts (`forms/_shared/*.json`, see forms/README.md):
 *  - schema `$ref`s to a shared document are bundled into the form's own `$defs`, so the schema a
 *    form carries is self-contained: RJSF in the browser only resolves local references;
 *  - uiSchema objects `{ "$ui": "<uri>#<key>", ...overrides }` take the shared document's
 *    `x-ui.<key>`, deep-merged under the overrides;
 *  - BLOCCO entries `{ "$ref": "<uri>#<id>", ...overrides }` take the shared `x-blocchi.<id>`.
 * URIs are resolved against the `$id` of the document that holds the reference (RFC 3986), as JSON
 * Schema does, so "../_shared/common.json" means the same thing everywhere.
 */
import { readdir, readFile } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Blocco, FormDefinition } from '#forms/types'
import { getAt, isPlainObject } from '#forms/json_pointer'

type Obj = { [key: string]: unknown }

/** Repository `forms/` folder: this file is platform/app/forms/load_forms.ts. */
export const DEFAULT_FORMS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../forms')

export class FormLoadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FormLoadError'
  }
}

/** Shared documents by their `$id` (without fragment). */
export type SharedDocuments = Map<string, Obj>

function clone<T>(value: T): T {
  return structuredClone(value)
}

function splitUri(uri: string): { doc: string; fragment: string } {
  const hash = uri.indexOf('#')
  return hash < 0 ? { doc: uri, fragment: '' } : { doc: uri.slice(0, hash), fragment: uri.slice(hash + 1) }
}

function resolveUri(ref: string, base: string): string {
  try {
    return new URL(ref, base).toString()
  } catch {
    throw new FormLoadError(`Cannot resolve reference "${ref}" against "${base}".`)
  }
}

function sharedDocument(shared: SharedDocuments, uri: string, ref: string): Obj {
  const doc = shared.get(uri)
  if (!doc) throw new FormLoadError(`Reference "${ref}" points to "${uri}", which is not a loaded shared document.`)
  return doc
}

/** Name used for a bundled definition: "<shared file name>.<definition>". */
function bundledName(docUri: string, defName: string): string {
  const file = docUri.slice(docUri.lastIndexOf('/') + 1).replace(/\.json$/, '')
  return `${file}.${defName}`
}

/**
 * Copies every externally referenced definition into `schema.$defs` and rewrites the references
 * to local ones. Only references to `<document>#/$defs/<name>` are supported: that keeps the
 * bundled names stable and readable.
 */
export function bundleSchema(schema: Obj, shared: SharedDocuments): Obj {
  const out = clone(schema)
  const selfUri = typeof out.$id === 'string' ? out.$id : 'https://sportello.invalid/forms/anonymous.json'
  const defs: Obj = isPlainObject(out.$defs) ? out.$defs : {}

  const walk = (node: unknown, base: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, base)
      return
    }
    if (!isPlainObject(node)) return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const target = resolveUri(value, base)
        const { doc, fragment } = splitUri(target)
        if (doc === selfUri) {
          node.$ref = `#${fragment}`
          continue
        }
        const match = /^\/\$defs\/([^/]+)$/.exec(fragment)
        if (!match) throw new FormLoadError(`Reference "${value}" must point to "<document>#/$defs/<name>".`)
        const name = bundledName(doc, match[1])
        if (!(name in defs)) {
          const source = sharedDocument(shared, doc, value)
          const def = getAt(source, fragment)
          if (def === undefined) throw new FormLoadError(`Reference "${value}": "${doc}" has no ${fragment}.`)
          const copy = clone(def)
          defs[name] = copy // registered before walking: recursive definitions terminate
          walk(copy, doc)
        }
        node.$ref = `#/$defs/${name}`
      } else if (key !== 'x-i18n' && key !== 'enum' && key !== 'const') {
        walk(value, base)
      }
    }
  }
  walk(out, selfUri)
  if (Object.keys(defs).length > 0) out.$defs = defs
  return out
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return clone(override)
  const out: Obj = clone(base)
  for (const [key, value] of Object.entries(override)) out[key] = key in out ? deepMerge(out[key], value) : clone(value)
  return out
}

/** Expands `$ui` includes in a uiSchema (recursively, also inside included parts). */
export function resolveUiSchema(ui: unknown, base: string, shared: SharedDocuments, depth = 0): unknown {
  if (depth > 16) throw new FormLoadError('uiSchema "$ui" includes are nested too deeply (a loop?).')
  if (Array.isArray(ui)) return ui.map((item) => resolveUiSchema(item, base, shared, depth))
  if (!isPlainObject(ui)) return ui
  let result: Obj = {}
  const rest: Obj = {}
  for (const [key, value] of Object.entries(ui)) {
    if (key === '$ui') continue
    // Option values (ui:options, ...) are data, not nested uiSchemas.
    rest[key] = key.startsWith('ui:') ? clone(value) : resolveUiSchema(value, base, shared, depth)
  }
  if (typeof ui.$ui === 'string') {
    const { doc, fragment } = splitUri(resolveUri(ui.$ui, base))
    const source = sharedDocument(shared, doc, ui.$ui)
    const parts = source['x-ui']
    if (!isPlainObject(parts) || !(fragment in parts)) {
      throw new FormLoadError(`uiSchema include "${ui.$ui}": "${doc}" has no x-ui.${fragment}.`)
    }
    result = resolveUiSchema(parts[fragment], doc, shared, depth + 1) as Obj
  }
  return deepMerge(result, rest)
}

function resolveBlocchi(list: unknown, base: string, shared: SharedDocuments): Blocco[] {
  if (!Array.isArray(list)) throw new FormLoadError('"blocchi" must be a list.')
  return list.map((entry) => {
    if (!isPlainObject(entry)) throw new FormLoadError('Every BLOCCO must be an object.')
    if (typeof entry.$ref !== 'string') return clone(entry) as unknown as Blocco
    const { doc, fragment } = splitUri(resolveUri(entry.$ref, base))
    const source = sharedDocument(shared, doc, entry.$ref)
    const pool = source['x-blocchi']
    if (!isPlainObject(pool) || !isPlainObject(pool[fragment])) {
      throw new FormLoadError(`BLOCCO "${entry.$ref}": "${doc}" has no x-blocchi.${fragment}.`)
    }
    const { $ref: _ref, ...overrides } = entry
    return { ...clone(pool[fragment]), ...clone(overrides) } as unknown as Blocco
  })
}

const REQUIRED_KEYS = ['id', 'service', 'version', 'title', 'schema', 'uiSchema', 'blocchi', 'sample'] as const

/**
 * Resolves a raw form document (as stored in a file or in a tenant's copy) into a FormDefinition.
 * Structural problems throw FormLoadError; the contract tests check everything else.
 */
export function resolveFormDocument(raw: unknown, shared: SharedDocuments, origin = 'form'): FormDefinition {
  if (!isPlainObject(raw)) throw new FormLoadError(`${origin}: a form must be a JSON object.`)
  for (const key of REQUIRED_KEYS) {
    if (!(key in raw)) throw new FormLoadError(`${origin}: missing "${key}".`)
  }
  if (!isPlainObject(raw.schema)) throw new FormLoadError(`${origin}: "schema" must be an object.`)
  const base = typeof raw.schema.$id === 'string' ? raw.schema.$id : 'https://sportello.invalid/forms/anonymous.json'
  return {
    ...(clone(raw) as unknown as FormDefinition),
    schema: bundleSchema(raw.schema, shared),
    uiSchema: resolveUiSchema(raw.uiSchema, base, shared) as Obj,
    blocchi: resolveBlocchi(raw.blocchi, base, shared),
    attachments: isPlainObject(raw.attachments) ? (clone(raw.attachments) as FormDefinition['attachments']) : {},
  }
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files: string[] = []
  for (const entry of entries) {
    const full = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...(await listJsonFiles(full)))
    else if (entry.isFile() && entry.name.endsWith('.json') && entry.name !== 'package.json') files.push(full)
  }
  return files.sort()
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new FormLoadError(`${file}: invalid JSON (${(error as Error).message}).`)
  }
}

/** Reads `_shared/*.json`, keyed by their `$id`. */
export async function loadSharedDocuments(dir = DEFAULT_FORMS_DIR): Promise<SharedDocuments> {
  const shared: SharedDocuments = new Map()
  const sharedDir = join(dir, '_shared')
  let files: string[] = []
  try {
    files = await listJsonFiles(sharedDir)
  } catch {
    return shared
  }
  for (const file of files) {
    const doc = await readJson(file)
    if (!isPlainObject(doc) || typeof doc.$id !== 'string') {
      throw new FormLoadError(`${file}: a shared document needs a "$id".`)
    }
    shared.set(splitUri(doc.$id).doc, doc)
  }
  return shared
}

export interface LoadedForm {
  /** Path relative to the forms folder, e.g. "<service>/<service>.iscrizione.json". */
  file: string
  form: FormDefinition
}

/**
 * Every form under `dir` (default: the repository's forms/), shared parts resolved. The file must
 * be `<service>/<id>.json`, so that a form is found where its id says it is.
 */
export async function loadFormFiles(dir = DEFAULT_FORMS_DIR): Promise<LoadedForm[]> {
  const shared = await loadSharedDocuments(dir)
  const files = (await listJsonFiles(dir)).filter((f) => !relative(dir, f).startsWith(`_shared${sep}`))
  const out: LoadedForm[] = []
  for (const file of files) {
    const rel = relative(dir, file).split(sep).join('/')
    const form = resolveFormDocument(await readJson(file), shared, rel)
    if (basename(file, '.json') !== form.id) throw new FormLoadError(`${rel}: file name must be "${form.id}.json".`)
    if (basename(dirname(file)) !== form.service) {
      throw new FormLoadError(`${rel}: a "${form.service}" form must be in forms/${form.service}/.`)
    }
    out.push({ file: rel, form })
  }
  return out
}

export async function loadForms(dir = DEFAULT_FORMS_DIR): Promise<FormDefinition[]> {
  return (await loadFormFiles(dir)).map((f) => f.form)
}
