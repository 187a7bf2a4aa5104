import type { ReactNode } from 'react'
import type { UiSchema } from '@rjsf/utils'
import { formatDay, useT, type Lang } from '../i18n'
import { CatalogValue, type CatalogQuery } from '../widgets/CatalogSelect'
import { hasValue, resolveRef } from './form_support'

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The label of an enumerated value (the localized schema has `oneOf` of `const` + `title`). */
function choiceLabel(node: Json, value: unknown): string | null {
  const options = Array.isArray(node.oneOf) ? node.oneOf : Array.isArray(node.anyOf) ? node.anyOf : []
  for (const option of options) {
    if (isObject(option) && option.const === value && typeof option.title === 'string') return option.title
  }
  return null
}

function propertyOrder(node: Json, ui: unknown): string[] {
  const properties = isObject(node.properties) ? Object.keys(node.properties) : []
  const order = isObject(ui) && Array.isArray(ui['ui:order']) ? ui['ui:order'].map(String) : []
  const out = order.filter((k) => properties.includes(k))
  for (const p of properties) if (!out.includes(p)) out.push(p)
  return out
}

/** A value made of parts (a parent, a list of siblings) reads below its title, at full width. */
function groupClass(value: unknown) {
  const isFile = isObject(value) && typeof value.file_id === 'string'
  const grouped = (isObject(value) && !isFile) || (Array.isArray(value) && value.some(isObject))
  return grouped ? 'summary-row summary-group' : 'summary-row'
}

interface Ctx {
  root: unknown
  lang: Lang
  yes: string
  no: string
}

/** One value as the citizen entered it, in words: labels of choices, Sì/No, dd/mm/yyyy, file names. */
function Value({ node: raw, value, ui, ctx }: { node: unknown; value: unknown; ui: unknown; ctx: Ctx }): ReactNode {
  const node = (resolveRef(ctx.root, raw) ?? {}) as Json
  const label = choiceLabel(node, value)
  if (label !== null) return label
  if (typeof value === 'boolean') return value ? ctx.yes : ctx.no
  if (typeof value === 'number')
    return new Intl.NumberFormat(ctx.lang === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: 2 }).format(value)
  if (typeof value === 'string') return node.format === 'date' ? formatDay(value) : value
  if (Array.isArray(value)) {
    const items = (resolveRef(ctx.root, node.items) ?? {}) as Json
    const itemUi = isObject(ui) ? ui.items : undefined
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) {
      return value
        .map((v) => choiceLabel(items, v) ?? (typeof v === 'boolean' ? (v ? ctx.yes : ctx.no) : String(v)))
        .join(', ')
    }
    return (
      <ol className="summary-list">
        {value.map((item, i) => (
          <li key={i}>
            <Value node={items} value={item} ui={itemUi} ctx={ctx} />
          </li>
        ))}
      </ol>
    )
  }
  if (isObject(value)) {
    // An attachment is named by its file.
    if (typeof value.file_id === 'string' && typeof value.file_name === 'string') return value.file_name
    return <Fields node={node} value={value} ui={ui} ctx={ctx} />
  }
  return String(value)
}

function Fields({ node, value, ui, ctx }: { node: Json; value: Json; ui: unknown; ctx: Ctx }) {
  const properties = isObject(node.properties) ? node.properties : {}
  const rows = propertyOrder(node, ui).filter((k) => hasValue(value[k]))
  if (rows.length === 0) return null
  return (
    <dl className="summary-fields">
      {rows.map((key) => {
        const child = (resolveRef(ctx.root, properties[key]) ?? {}) as Json
        return (
          <div key={key} className={groupClass(value[key])}>
            <dt>{typeof child.title === 'string' ? child.title : key}</dt>
            <dd>
              <Value node={child} value={value[key]} ui={isObject(ui) ? ui[key] : undefined} ctx={ctx} />
            </dd>
          </div>
        )
      })}
    </dl>
  )
}

/**
 * What the citizen entered in some top-level fields, read back before sending: every label in
 * their language, only the fields with a value, nested parts (a parent, a list of siblings) as
 * nested lists. Values from the comune's catalog show their names.
 */
export function DataSummary({
  schema,
  uiSchema,
  data,
  fields,
}: {
  schema: unknown
  uiSchema: UiSchema
  data: Json
  fields: string[]
}) {
  const { t, lang } = useT()
  const ctx: Ctx = { root: schema, lang, yes: t('app.yes'), no: t('app.no') }
  const root = (resolveRef(schema, schema) ?? {}) as Json
  const properties = isObject(root.properties) ? root.properties : {}
  const rows = fields.filter((k) => hasValue(data[k]))
  if (rows.length === 0) return <p className="text-secondary">{t('form.summaryEmpty')}</p>
  return (
    <dl className="summary-fields">
      {rows.map((key) => {
        const node = (resolveRef(schema, properties[key]) ?? {}) as Json
        const ui = uiSchema[key] as Json | undefined
        const options = isObject(ui) && isObject(ui['ui:options']) ? ui['ui:options'] : {}
        const catalog = options.catalog as CatalogQuery | undefined
        const value = data[key]
        return (
          <div key={key} className={groupClass(value)}>
            <dt>{typeof node.title === 'string' ? node.title : key}</dt>
            <dd>
              {catalog && typeof value === 'string' ? (
                <CatalogValue query={catalog} value={value} lang={lang} />
              ) : (
                <Value node={node} value={value} ui={ui} ctx={ctx} />
              )}
            </dd>
          </div>
        )
      })}
    </dl>
  )
}
