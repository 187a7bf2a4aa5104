import { currentLanguage, t } from '#i18n/catalogue'
import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { forbiddenCharacter } from '#forms/field_rules'
import { jsonPointer } from '#shared/contract'

/**
 * The forms' rule for text (app/forms/field_rules.ts) for the API's own text fields: names,
 * addresses, reasons, settings. No control characters, no bidirectional overrides or isolates;
 * line breaks only where `multiline` says so (a reason may have several lines, a name not).
 */
export const plainText = vine.createRule(
  (value: unknown, options: { multiline?: boolean } | undefined, field: FieldContext) => {
    if (typeof value !== 'string') return
    const code = forbiddenCharacter(value, options?.multiline === true)
    if (code) {
      field.report(t(currentLanguage(), 'text.forbiddenCharacter', { field: field.name, code }), 'plainText', field)
    }
  }
)

/** Every string inside a JSON value (settings blocks): the JSON Pointer of the first one with a forbidden character. */
export function firstForbiddenText(value: unknown, path = ''): { path: string; code: string } | null {
  const stack: Array<[unknown, string]> = [[value, path]]
  while (stack.length > 0) {
    const [node, where] = stack.pop()!
    if (typeof node === 'string') {
      const code = forbiddenCharacter(node)
      if (code) return { path: where, code }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => stack.push([item, `${where}/${i}`]))
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        const code = forbiddenCharacter(key)
        if (code) return { path: where + jsonPointer([key.slice(0, 60)]), code }
        stack.push([item, where + jsonPointer([key])])
      }
    }
  }
  return null
}
