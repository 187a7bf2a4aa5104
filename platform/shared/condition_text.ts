/**
 * A condition in plain words, in Italian or English, as the designer shows it beside the editor:
 * "Valore ISEE (euro) minore di 5.000,00 € e Altri figli n. 1 è presente". Field names are the
 * labels of the form or of the facts (condition_model.ts, fieldsFromSchema); what the editor shows
 * as JSON is written as JSON here too, so nothing of the condition is hidden.
 *
 * Browser-safe: no Node API.
 */
import type { Operator } from './conditions.js'
import {
  fieldFor,
  toModel,
  type EditorNode,
  type FieldOption,
  type Lang,
  type LeafValue,
  type Scalar,
} from './condition_model.js'

const WORDS: Record<Lang, Record<string, string>> = {
  it: {
    and: ' e ',
    or: ' o ',
    lastOr: ' o ',
    always: 'sempre',
    never: 'mai',
    not: 'non è vero che',
    ref: 'la condizione «{name}»',
    yes: 'sì',
    no: 'no',
    null: 'nessun valore',
    json: 'JSON',
    equal: 'è',
    notEqual: 'non è',
    lessThan: 'minore di',
    lessThanInclusive: 'minore o uguale a',
    greaterThan: 'maggiore di',
    greaterThanInclusive: 'maggiore o uguale a',
    in: 'è uno tra',
    notIn: 'non è uno tra',
    contains: 'contiene',
    doesNotContain: 'non contiene',
    exists: 'è presente',
    isEmpty: 'è vuoto',
    isNotEmpty: 'non è vuoto',
    emptyList: 'nessuno',
    given: 'è indicato',
    notGiven: 'non è indicato',
  },
  en: {
    and: ' and ',
    or: ' or ',
    lastOr: ' or ',
    always: 'always',
    never: 'never',
    not: 'it is not the case that',
    ref: 'condition “{name}”',
    yes: 'yes',
    no: 'no',
    null: 'no value',
    json: 'JSON',
    equal: 'is',
    notEqual: 'is not',
    lessThan: 'less than',
    lessThanInclusive: 'at most',
    greaterThan: 'greater than',
    greaterThanInclusive: 'at least',
    in: 'is one of',
    notIn: 'is none of',
    contains: 'contains',
    doesNotContain: 'does not contain',
    exists: 'is present',
    isEmpty: 'is empty',
    isNotEmpty: 'is not empty',
    emptyList: 'none',
    given: 'is given',
    notGiven: 'is not given',
  },
}

/** An amount as the reader's language writes it; exact for decimal strings (no float on the way). */
function amount(value: number | string, lang: Lang, money: boolean): string {
  const textValue = String(value)
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(textValue)
  if (!match) return textValue
  const [, sign, whole, fraction = ''] = match
  const group = lang === 'it' ? '.' : ','
  const decimal = lang === 'it' ? ',' : '.'
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group)
  const decimals = money ? fraction.padEnd(2, '0') : fraction
  const body = `${sign}${grouped}${decimals ? decimal + decimals : ''}`
  if (!money) return body
  return lang === 'it' ? `${body} €` : `€${body}`
}

function day(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return `“${value}”`
  const [, y, m, d] = match
  return `${d}/${m}/${y}`
}

function scalar(value: Scalar, field: FieldOption, lang: Lang): string {
  const w = WORDS[lang]
  if (typeof value === 'boolean') return value ? w.yes : w.no
  const option = field.options?.find((o) => o.value === value)
  if (option) return `«${option.label[lang]}»`
  if (
    typeof value === 'number' ||
    ((field.type === 'number' || field.type === 'integer') && /^-?\d+(\.\d+)?$/.test(value))
  ) {
    return amount(value, lang, field.money === true)
  }
  if (field.type === 'date') return day(value)
  return `“${value}”`
}

function list(items: string[], lang: Lang): string {
  const w = WORDS[lang]
  if (items.length === 0) return w.emptyList
  if (items.length === 1) return items[0]
  return `${items.slice(0, -1).join(', ')}${w.lastOr}${items[items.length - 1]}`
}

function valueText(value: LeafValue, field: FieldOption, fields: readonly FieldOption[], lang: Lang): string {
  switch (value.kind) {
    case 'none':
      return ''
    case 'null':
      return WORDS[lang].null
    case 'constant':
      return scalar(value.value, field, lang)
    case 'list':
      return list(
        value.value.map((v) => scalar(v, field, lang)),
        lang
      )
    case 'fact':
      return fieldFor(fields, value.fact, value.path).label[lang]
  }
}

function nodeText(node: EditorNode, fields: readonly FieldOption[], lang: Lang, nested: boolean): string {
  const w = WORDS[lang]
  switch (node.kind) {
    case 'raw':
      return `${w.json} ${JSON.stringify(node.json) ?? String(node.json)}`
    case 'ref':
      return w.ref.replace('{name}', node.name)
    case 'not':
      return `${w.not} ${nodeText(node.child, fields, lang, true)}`
    case 'group': {
      if (node.children.length === 0) return node.combinator === 'all' ? w.always : w.never
      if (node.children.length === 1) return nodeText(node.children[0], fields, lang, nested)
      const joined = node.children
        .map((c) => nodeText(c, fields, lang, true))
        .join(node.combinator === 'all' ? w.and : w.or)
      return nested ? `(${joined})` : joined
    }
    case 'leaf': {
      const field = fieldFor(fields, node.fact, node.path)
      if (node.value.kind === 'null' && (node.operator === 'equal' || node.operator === 'notEqual')) {
        return `${field.label[lang]} ${node.operator === 'equal' ? w.notGiven : w.given}`
      }
      const operator = w[node.operator as Operator] ?? node.operator
      const value = valueText(node.value, field, fields, lang)
      return [field.label[lang], operator, value].filter((part) => part.length > 0).join(' ')
    }
  }
}

/** The condition in words; with `fields` for the labels (a fact the fields miss is named as is). */
export function describeCondition(condition: unknown, fields: readonly FieldOption[], lang: Lang): string {
  return nodeText(toModel(condition), fields, lang, false)
}

/** The same, from the editor's model. */
export function describeModel(node: EditorNode, fields: readonly FieldOption[], lang: Lang): string {
  return nodeText(node, fields, lang, false)
}
