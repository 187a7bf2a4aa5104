/**
 * Fields whose values come from the tenant's catalog (`"ui:options": { "source": "schools" |
 * "classes" | "sections" | <a list a service's plugin declares>, "filter": {...} }`, forms/README.md) rendered as
 * a select filled from the catalog API, narrowed by the fields they depend on: order → school →
 * class → section (Allegato B: "una volta selezionato l'ordine di scuola ... il plesso con
 * tendina"), school → line → stop, the child's age → facilities. The other lists come from
 * `GET /catalog/sources/:source`; where the tenant keeps none, the field stays a text box.
 * The select is the theme's own SelectWidget, so it keeps its label, look and keyboard behaviour.
 */
import { useEffect, useState } from 'react'
import type { UiSchema, WidgetProps } from '@rjsf/utils'
import { api } from '../api/client'
import i18next from 'i18next'
import { useFormT, useT, type Lang } from '../i18n'

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

interface Choice {
  value: string
  label: string
}

/** What withCatalogSelects puts in the field's ui:options: where to ask, with the filter values resolved. */
export interface CatalogQuery {
  tenant: string
  source: string
  order?: string
  service?: string
  school?: string
  year?: string
  /** A list of the tenant's catalog (declared by a service's plugin), asked by source name. */
  list?: boolean
  /** The other lists: their filter values, by the names the source understands. */
  filter?: Record<string, string | undefined>
  /** The filter names an order, a school or a line that is not chosen yet. */
  waitingFor?: 'order' | 'school' | 'line'
}

const SOURCES = new Set(['schools', 'classes', 'sections'])
/** A filter an entry list waits for before it can offer anything. */
const WAITS_FOR: Record<string, CatalogQuery['waitingFor']> = { line: 'line', school: 'school' }

function filterValue(data: Json, value: unknown): string | undefined {
  const resolved = typeof value === 'string' && value.startsWith('/') ? pointerValue(data, value) : value
  return typeof resolved === 'string' && resolved !== '' ? resolved : undefined
}

function pointerValue(data: Json, pointer: string): unknown {
  let current: unknown = data
  for (const seg of pointer.slice(1).split('/')) {
    if (!isObject(current)) return undefined
    current = current[seg.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return current
}

/**
 * The uiSchema with the top-level catalog fields turned into CatalogSelect, their filters resolved
 * against the current data. Sections filtered by a nursery `structure` are not in the school catalog
 * and stay as they are.
 */
export function withCatalogSelects(
  ui: UiSchema,
  data: Json,
  tenant: string,
  lists: ReadonlySet<string> = new Set()
): UiSchema {
  const out: UiSchema = { ...ui }
  for (const [key, value] of Object.entries(ui)) {
    if (key.startsWith('ui:') || !isObject(value)) continue
    // A list of choices (the facilities in order of preference): each item is a select.
    if (isObject(value.items) && isObject(value.items['ui:options'])) {
      const items = entrySelect(value.items as Json, data, tenant, lists)
      if (items) {
        out[key] = { ...value, items }
        continue
      }
    }
    if (!isObject(value['ui:options'])) continue
    const options = value['ui:options'] as Json
    const source = options.source
    if (typeof source === 'string' && lists.has(source)) {
      out[key] = entrySelect(value, data, tenant, lists) ?? value
      continue
    }
    if (typeof source !== 'string' || !SOURCES.has(source)) continue
    const filter = isObject(options.filter) ? options.filter : {}
    if (source !== 'schools' && filter.school === undefined) continue
    const query: CatalogQuery = {
      tenant,
      source,
      order: filterValue(data, filter.order),
      service: filterValue(data, filter.service),
      school: filterValue(data, filter.school),
      year: filterValue(data, filter.year),
    }
    if (source === 'schools' && filter.order !== undefined && !query.order) query.waitingFor = 'order'
    if (source !== 'schools' && !query.school) query.waitingFor = 'school'
    out[key] = { ...value, 'ui:widget': CatalogSelect, 'ui:options': { ...options, catalog: query } }
  }
  return out
}

/** A field (or list item) whose source is a list of catalog entries, as a CatalogSelect. */
function entrySelect(value: Json, data: Json, tenant: string, lists: ReadonlySet<string>): Json | null {
  const options = value['ui:options'] as Json
  const source = options.source
  if (typeof source !== 'string' || !lists.has(source)) return null
  const filters = isObject(options.filter) ? options.filter : {}
  const filter: Record<string, string | undefined> = {}
  for (const [name, pointer] of Object.entries(filters)) filter[name] = filterValue(data, pointer)
  const query: CatalogQuery = { tenant, source, filter, list: true }
  for (const [name, waiting] of Object.entries(WAITS_FOR)) {
    if (filters[name] !== undefined && !filter[name]) query.waitingFor = waiting
  }
  return { ...value, 'ui:widget': CatalogSelect, 'ui:options': { ...options, catalog: query } }
}

/** One request per URL while the page is open: the catalog changes rarely. */
const cache = new Map<string, Promise<unknown>>()

function cachedGet<T>(url: string): Promise<T> {
  let hit = cache.get(url)
  if (!hit) {
    hit = api<T>('GET', url)
    hit.catch(() => cache.delete(url))
    cache.set(url, hit)
  }
  return hit as Promise<T>
}

interface SchoolRow {
  code: string
  name: string
}

interface ClassesAnswer {
  classes: Array<{ year: string | null; section: string; active: boolean }>
  years: string[]
}

interface SourceAnswer {
  managed: boolean
  options: Array<{ value: string; label: string; description: string | null }>
}

/** The choices, or null when the tenant keeps no list for this source (the field stays free text). */
async function loadChoices(q: CatalogQuery, lang: Lang): Promise<Choice[] | null> {
  if (q.list) {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(q.filter ?? {})) if (value) params.set(name, value)
    const url = `/t/${encodeURIComponent(q.tenant)}/catalog/sources/${encodeURIComponent(q.source)}?${params}`
    const answer = await cachedGet<SourceAnswer>(`${url}&lang=${lang}`)
    if (!answer.managed) return null
    return answer.options.map((o) => ({
      value: o.value,
      label: o.description ? `${o.label} (${o.description})` : o.label,
    }))
  }
  const base = `/t/${encodeURIComponent(q.tenant)}/catalog/schools`
  if (q.source === 'schools') {
    const params = new URLSearchParams()
    if (q.order) params.set('order', q.order)
    if (q.service) params.set('service', q.service)
    const answer = await cachedGet<{ schools: SchoolRow[] }>(`${base}?${params.toString()}`)
    return answer.schools.map((s) => ({ value: s.code, label: s.name }))
  }
  const answer = await cachedGet<ClassesAnswer>(`${base}/${encodeURIComponent(q.school!)}/classes`)
  if (q.source === 'classes') {
    return answer.years.map((y) => ({ value: y, label: i18next.t('catalog.classYear', { year: y, lng: lang }) }))
  }
  const sections = answer.classes.filter((c) => c.active && (!q.year || c.year === q.year)).map((c) => c.section)
  return [...new Set(sections)].map((s) => ({ value: s, label: s }))
}

type State = { status: 'idle' | 'loading' | 'failed' | 'free' } | { status: 'ready'; choices: Choice[] }

export function CatalogSelect(props: WidgetProps) {
  const { t, lang } = useFormT(props.registry.formContext)
  const query = (props.options as { catalog?: CatalogQuery }).catalog
  const key = query ? JSON.stringify(query) : ''
  const [state, setState] = useState<State>({ status: 'idle' })

  useEffect(() => {
    if (!query || query.waitingFor) {
      setState({ status: 'idle' })
      return
    }
    let live = true
    setState({ status: 'loading' })
    loadChoices(query, lang)
      .then((choices) => live && setState(choices === null ? { status: 'free' } : { status: 'ready', choices }))
      .catch(() => live && setState({ status: 'failed' }))
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, lang])

  const choices = state.status === 'ready' ? state.choices : []
  const { value, onChange } = props
  // A choice that the fields above no longer allow (another order, another school) is cleared.
  const stale =
    typeof value === 'string' &&
    value !== '' &&
    ((state.status === 'ready' && !choices.some((c) => c.value === value)) ||
      (state.status === 'idle' && query?.waitingFor !== undefined))
  useEffect(() => {
    if (stale) onChange(undefined)
  }, [stale, onChange])

  const hint =
    query?.waitingFor !== undefined
      ? t(`catalog.${query.waitingFor}`)
      : state.status === 'loading'
        ? t('catalog.loading')
        : state.status === 'failed'
          ? t('catalog.failed')
          : state.status === 'ready' && choices.length === 0
            ? t('catalog.empty')
            : null
  const hintId = `${props.id}__catalog_hint`
  if (state.status === 'free') {
    // The tenant keeps no such list: the value is written, as before there was one.
    const Text = props.registry.widgets.TextWidget
    return <Text {...props} />
  }
  const Select = props.registry.widgets.SelectWidget
  return (
    <div className="catalog-select" data-source={query?.source}>
      <Select
        {...props}
        placeholder={t('catalog.choose')}
        disabled={props.disabled || state.status !== 'ready' || choices.length === 0}
        options={{ ...props.options, enumOptions: choices }}
      />
      {hint && (
        <small id={hintId} className="form-text text-muted d-block" aria-live="polite">
          {hint}
        </small>
      )}
    </div>
  )
}

/**
 * A stored catalog value as the citizen chose it: the school's name for its code, "2ª" for a
 * class year (the summary before sending reads like the form, never like the database).
 */
export function CatalogValue({ query, value, lang }: { query: CatalogQuery; value: string; lang: Lang }) {
  const [label, setLabel] = useState<string | null>(null)
  const key = JSON.stringify(query)
  useEffect(() => {
    let live = true
    if (query.waitingFor) return
    loadChoices(query, lang)
      .then((choices) => live && setLabel(choices?.find((c) => c.value === value)?.label ?? null))
      .catch(() => {})
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, value, lang])
  return <>{label ?? value}</>
}
