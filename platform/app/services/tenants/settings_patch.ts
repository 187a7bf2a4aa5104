import { SettingsError } from '#services/tenants/settings_error'

/**
 * How `PATCH /api/v1/t/:tenant` changes `tenants.settings`: JSON Merge Patch (RFC 7396) applied to
 * each block named. An object merges into what is stored, key by key and at every depth; `null`
 * deletes a key (or the whole block); any other value (text, number, list) replaces what was there.
 * So `{ "enrolment": { "<service>.iscrizione": { "closes": "2026-06-30" } } }` changes that one day and
 * leaves every other form's window, and the other blocks, as they were.
 */

/** Settings are a few small blocks: deeper nesting than this is not settings, and is refused. */
export const MAX_PATCH_DEPTH = 8

type Obj = Record<string, unknown>

const OWN = { enumerable: true, writable: true, configurable: true } as const

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** RFC 7396: the result of applying `patch` to `target` (neither is modified). */
export function mergePatch(target: unknown, patch: unknown, depth = 0, path: string[] = []): unknown {
  if (!isObject(patch)) return patch
  if (depth >= MAX_PATCH_DEPTH) {
    throw new SettingsError(path[0] ?? '', path.slice(1).join('.'), {
      it: `annidamento troppo profondo: le impostazioni hanno al massimo ${MAX_PATCH_DEPTH} livelli`,
      en: `nested too deeply: settings have at most ${MAX_PATCH_DEPTH} levels`,
    })
  }
  const out: Obj = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    // Defined, not assigned: a key named "__proto__" stays a key instead of changing the prototype.
    else
      Object.defineProperty(out, key, {
        value: mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value, depth + 1, [...path, key]),
        ...OWN,
      })
  }
  return out
}

/** The stored settings after a patch, and the names of the blocks it touched. */
export function patchSettings(current: Obj | null | undefined, patch: Obj): { settings: Obj; blocks: string[] } {
  return { settings: mergePatch(current ?? {}, patch) as Obj, blocks: Object.keys(patch) }
}
