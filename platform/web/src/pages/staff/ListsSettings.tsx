import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, tenantBase } from '../../api/client'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT } from '../../i18n'
import { FieldError } from '../../widgets/FieldError'
import { LoadError, Loading } from '../../widgets/status'
import { errorsByPath } from './ProtocolSettingsForm'
import { useSchools } from '../../api/staff_queries'

type Localized = { it: string; en: string }
type AttributeKind = 'strings' | 'months' | 'text'
type Field = { label: Localized; hint?: Localized; choices?: string; empty?: Localized }
type Source = {
  source: string
  kind: string
  title?: Localized
  parent?: string | null
  attributes?: Record<string, AttributeKind>
  fields?: Record<string, Field>
}
type Entry = {
  code: string
  name: string
  parent: string | null
  active: boolean
  attributes?: Record<string, unknown>
}
/** The form's values: attributes as the inputs hold them (codes as a list, months and text as typed). */
type Draft = { code: string; name: string; parent: string; attributes: Record<string, string | string[]> }
const EMPTY: Draft = { code: '', name: '', parent: '', attributes: {} }

/** An entry's attributes as the form's inputs hold them. */
function draftAttributes(entry: Entry): Draft['attributes'] {
  const out: Draft['attributes'] = {}
  for (const [key, value] of Object.entries(entry.attributes ?? {})) {
    out[key] = Array.isArray(value) ? value.map(String) : value === null || value === undefined ? '' : String(value)
  }
  return out
}

/** The attributes to send, by the kinds the list declares; an empty value is left out (no attribute). */
function attributesToSend(kinds: Record<string, AttributeKind>, values: Draft['attributes']) {
  const out: Record<string, unknown> = {}
  for (const [key, kind] of Object.entries(kinds)) {
    const value = values[key]
    if (value === undefined) continue
    if (kind === 'strings') {
      const codes = Array.isArray(value)
        ? value
        : value
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
      if (codes.length > 0) out[key] = codes
    } else if (typeof value === 'string' && value.trim() !== '') {
      // A number of months goes as a number when it reads as one; the server names anything else.
      out[key] = kind === 'months' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value.trim()
    }
  }
  return out
}

function useEntries(slug: string, source: string | null) {
  return useQuery({
    queryKey: ['catalog-entries', slug, source],
    queryFn: () =>
      api<{ entries: Entry[] }>('GET', `${tenantBase(slug)}/catalog/sources/${encodeURIComponent(source!)}/entries`),
    enabled: Boolean(source),
  })
}

/**
 * The lists the services' forms choose from besides schools and classes (a transport's lines and
 * stops...): pick a list, add an entry or change one (its code stays: name, the entry it belongs to
 * and the attributes its plugin declares, such as the schools a line serves), deactivate or
 * reactivate it. Entries are never deleted: applications already sent keep naming them. How each
 * attribute is asked comes from the plugin's list (`fields`); every change is audited by the server.
 */
export function ListsSettings() {
  const { t, lang } = useT()
  const slug = useCurrentTenant().slug
  const client = useQueryClient()
  const sources = useQuery({
    queryKey: ['catalog-sources', slug],
    queryFn: () => api<{ sources: Source[] }>('GET', `${tenantBase(slug)}/catalog/sources`),
  })
  const lists = (sources.data?.sources ?? []).filter((s) => s.kind === 'entries')
  const [picked, setPicked] = useState<string | null>(null)
  const list = lists.find((l) => l.source === picked) ?? lists[0]
  const entries = useEntries(slug, list?.source ?? null)
  const parents = useEntries(slug, list?.parent ?? null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState<string | null>(null)
  const [draft, setDraft] = useState<Draft>(EMPTY)
  const [editing, setEditing] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: (input: { code: string; body: Record<string, unknown> }) =>
      api<{ entry: Entry }>(
        'PUT',
        `${tenantBase(slug)}/catalog/sources/${encodeURIComponent(list!.source)}/${encodeURIComponent(input.code)}`,
        input.body
      ),
    onSuccess: (answer) => {
      setErrors({})
      setSaved(answer.entry.name)
      setDraft(EMPTY)
      setEditing(null)
      void client.invalidateQueries({ queryKey: ['catalog-entries', slug] })
    },
    onError: (error) => {
      setSaved(null)
      setErrors(errorsByPath(error))
    },
  })
  if (sources.isPending) return <Loading />
  if (sources.isError) return <LoadError error={sources.error} />
  if (!list) return null
  const title = (s: Source) => s.title?.[lang] ?? s.title?.it ?? s.source

  const kinds = list.attributes ?? {}
  const fields = list.fields ?? {}
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    save.mutate({
      code: draft.code.trim(),
      body: {
        name: draft.name,
        ...(list.parent ? { parent: draft.parent || null } : {}),
        attributes: attributesToSend(kinds, draft.attributes),
      },
    })
  }
  /** Brings an entry into the form, to change it. */
  const edit = (entry: Entry) => {
    setDraft({ code: entry.code, name: entry.name, parent: entry.parent ?? '', attributes: draftAttributes(entry) })
    setEditing(entry.name)
    setErrors({})
    setSaved(null)
    document.getElementById('entry-name')?.focus()
  }
  /** Typing the code of an entry that exists brings its attributes along, so a rename keeps them. */
  const typeCode = (code: string) => {
    const known = entries.data?.entries.find((e) => e.code === code.trim())
    setDraft((old) =>
      known
        ? {
            code,
            name: old.name || known.name,
            parent: old.parent || (known.parent ?? ''),
            attributes: { ...draftAttributes(known), ...old.attributes },
          }
        : { ...old, code }
    )
  }
  const field = (name: string) => ({
    id: `entry-${name}`,
    error: errors[`/${name}`],
    described: errors[`/${name}`] ? `entry-${name}-error` : undefined,
  })
  const code = field('code')
  const name = field('name')
  const parent = field('parent')
  const atField = (p: string) =>
    ['/code', '/name', '/parent'].includes(p) || Object.keys(kinds).some((key) => p === `/attributes/${key}`)
  const general = Object.entries(errors).filter(([p]) => !atField(p))

  return (
    <section className="card card-bg mb-4" aria-labelledby="lists-title" data-testid="lists-settings">
      <div className="card-body">
        <h2 className="h5" id="lists-title">
          {t('listsSettings.title')}
        </h2>
        <p className="small">{t('listsSettings.intro')}</p>
        <div className="row g-3 mb-3">
          <div className="col-12 col-md-6">
            <label className="form-label" htmlFor="lists-source">
              {t('listsSettings.list')}
            </label>
            <select
              id="lists-source"
              className="form-select"
              value={list.source}
              onChange={(e) => {
                setPicked(e.target.value)
                setErrors({})
                setSaved(null)
                setDraft(EMPTY)
                setEditing(null)
              }}
            >
              {lists.map((l) => (
                <option key={l.source} value={l.source}>
                  {title(l)}
                </option>
              ))}
            </select>
          </div>
        </div>
        {entries.isPending && <Loading />}
        {entries.isError && <LoadError error={entries.error} />}
        {entries.data && entries.data.entries.length === 0 && <p>{t('listsSettings.empty')}</p>}
        {entries.data && entries.data.entries.length > 0 && (
          <div className="table-responsive">
            <table className="table" data-testid="lists-entries">
              <caption className="visually-hidden">{title(list)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('listsSettings.name')}</th>
                  <th scope="col">{t('listsSettings.code')}</th>
                  {list.parent && <th scope="col">{t('listsSettings.parent')}</th>}
                  {Object.keys(kinds).map((key) => (
                    <th scope="col" key={key}>
                      {fields[key]?.label[lang] ?? key}
                    </th>
                  ))}
                  <th scope="col">{t('catalogSettings.state')}</th>
                  <th scope="col">{t('catalogSettings.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.data.entries.map((e) => (
                  <tr key={e.code} data-testid={`entry-${e.code}`}>
                    <td>{e.name}</td>
                    <td>{e.code}</td>
                    {list.parent && <td>{e.parent ?? '–'}</td>}
                    {Object.keys(kinds).map((key) => (
                      <td key={key} data-testid={`entry-${e.code}-${key}`}>
                        <AttributeValue value={e.attributes?.[key]} field={fields[key]} />
                      </td>
                    ))}
                    <td>{t(e.active ? 'catalogSettings.active' : 'catalogSettings.inactive')}</td>
                    <td className="text-nowrap">
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0 me-3"
                        onClick={() => edit(e)}
                        aria-label={t('listsSettings.editEntry', { name: e.name })}
                      >
                        {t('listsSettings.edit')}
                      </button>
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0"
                        onClick={() =>
                          save.mutate({
                            code: e.code,
                            // The whole entry as it is, but for its state (a stop keeps its line, a line its schools).
                            body: {
                              name: e.name,
                              active: !e.active,
                              attributes: e.attributes ?? {},
                              ...(list.parent ? { parent: e.parent } : {}),
                            },
                          })
                        }
                        aria-label={t(
                          e.active ? 'catalogSettings.deactivateSchool' : 'catalogSettings.reactivateSchool',
                          {
                            name: e.name,
                          }
                        )}
                      >
                        {t(e.active ? 'catalogSettings.deactivate' : 'catalogSettings.reactivate')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form onSubmit={submit} noValidate className="mt-3" aria-labelledby="entry-add-title">
          <h3 className="h6" id="entry-add-title">
            {t('listsSettings.add', { list: title(list) })}
          </h3>
          <p className="small">{t('listsSettings.addHint')}</p>
          {editing && (
            <p className="d-flex flex-wrap align-items-center gap-3" data-testid="entry-editing">
              <span>{t('listsSettings.editing', { name: editing })}</span>
              <button
                type="button"
                className="btn btn-outline-primary btn-sm"
                onClick={() => {
                  setDraft(EMPTY)
                  setEditing(null)
                  setErrors({})
                }}
              >
                {t('listsSettings.cancelEdit')}
              </button>
            </p>
          )}
          <div aria-live="polite">
            {saved && (
              <div className="alert alert-success" data-testid="entry-saved">
                {t('listsSettings.saved', { name: saved })}
              </div>
            )}
            {Object.keys(errors).length > 0 && (
              <div className="alert alert-danger" data-testid="entry-failed">
                {t('settings.failed')}
                {general.map(([p, message]) => (
                  <span key={p} className="d-block">
                    {message}
                  </span>
                ))}
              </div>
            )}
          </div>
          <div className="row g-3">
            {[
              [code, 'code', t('catalogSettings.codeHint')],
              [name, 'name', t('listsSettings.name')],
            ].map(([f, n, label]) => {
              const it = f as ReturnType<typeof field>
              return (
                <div className="col-12 col-md-6" key={n as string}>
                  <label className="form-label" htmlFor={it.id}>
                    {label as string}
                  </label>
                  <input
                    id={it.id}
                    name={n as string}
                    type="text"
                    className={`form-control${it.error ? ' is-invalid' : ''}`}
                    aria-invalid={it.error ? true : undefined}
                    aria-describedby={it.described}
                    value={n === 'code' ? draft.code : draft.name}
                    readOnly={n === 'code' && editing !== null}
                    onChange={(event) =>
                      n === 'code'
                        ? typeCode(event.target.value)
                        : setDraft((old) => ({ ...old, name: event.target.value }))
                    }
                  />
                  <FieldError id={`${it.id}-error`} message={it.error} />
                </div>
              )
            })}
            {list.parent && (
              <div className="col-12 col-md-6">
                <label className="form-label" htmlFor={parent.id}>
                  {t('listsSettings.parent')}
                </label>
                <select
                  id={parent.id}
                  name="parent"
                  className={`form-select${parent.error ? ' is-invalid' : ''}`}
                  aria-invalid={parent.error ? true : undefined}
                  aria-describedby={parent.described}
                  value={draft.parent}
                  onChange={(event) => setDraft((old) => ({ ...old, parent: event.target.value }))}
                >
                  <option value="">{t('listsSettings.noParent')}</option>
                  {(parents.data?.entries ?? []).map((p) => (
                    <option key={p.code} value={p.code}>
                      {p.name}
                    </option>
                  ))}
                </select>
                <FieldError id={`${parent.id}-error`} message={parent.error} />
              </div>
            )}
            {Object.entries(kinds).map(([key, kind]) => (
              <AttributeInput
                key={key}
                name={key}
                kind={kind}
                field={fields[key]}
                value={draft.attributes[key] ?? (kind === 'strings' && fields[key]?.choices ? [] : '')}
                error={errors[`/attributes/${key}`]}
                onChange={(value) => setDraft((old) => ({ ...old, attributes: { ...old.attributes, [key]: value } }))}
              />
            ))}
          </div>
          <button type="submit" className="btn btn-primary mt-3" disabled={save.isPending}>
            {t('listsSettings.submit')}
          </button>
        </form>
      </div>
    </section>
  )
}

/** The codes an attribute of codes picks from: the schools, or another list's entries. */
function useChoices(source: string | undefined) {
  const slug = useCurrentTenant().slug
  const schools = useSchools(slug)
  const entries = useEntries(slug, source && source !== 'schools' ? source : null)
  if (!source) return null
  if (source === 'schools') return (schools.data?.schools ?? []).map((s) => ({ code: s.code, name: s.name }))
  return (entries.data?.entries ?? []).map((e) => ({ code: e.code, name: e.name }))
}

/** An attribute in the list's table: the names of the codes it picks, or what it holds, or what none means. */
function AttributeValue({ value, field }: { value: unknown; field?: Field }) {
  const { lang } = useT()
  const options = useChoices(field?.choices)
  const empty = field?.empty?.[lang] ?? '–'
  if (Array.isArray(value)) {
    if (value.length === 0) return <>{empty}</>
    const name = (code: string) => options?.find((o) => o.code === code)?.name ?? code
    return <>{value.map((code) => name(String(code))).join(', ')}</>
  }
  return <>{value === undefined || value === null || value === '' ? empty : String(value)}</>
}

/**
 * One attribute of the entry in the form, as its kind asks: codes ticked from their list (or typed
 * with commas), a whole number of months, a text; the server's message at it when it refuses it.
 */
function AttributeInput(props: {
  name: string
  kind: AttributeKind
  field?: Field
  value: string | string[]
  error?: string
  onChange: (value: string | string[]) => void
}) {
  const { t, lang } = useT()
  const { name, kind, field, value, error, onChange } = props
  const options = useChoices(kind === 'strings' ? field?.choices : undefined)
  const id = `entry-attribute-${name}`
  const label = field?.label[lang] ?? name
  const hint = field?.hint?.[lang] ?? (kind === 'strings' && !options ? t('listsSettings.codesHint') : null)
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  if (options) {
    const picked = Array.isArray(value) ? value : []
    return (
      <fieldset className="col-12" aria-describedby={described} data-testid={id}>
        <legend className="form-label fs-6 fw-normal mb-2">{label}</legend>
        {hint && (
          <p id={`${id}-hint`} className="small mb-2">
            {hint}
          </p>
        )}
        <div className="d-flex flex-wrap gap-3">
          {options.map((o) => (
            <div className="form-check m-0" key={o.code}>
              <input
                id={`${id}-${o.code}`}
                type="checkbox"
                className="form-check-input"
                checked={picked.includes(o.code)}
                onChange={(event) =>
                  onChange(event.target.checked ? [...picked, o.code] : picked.filter((c) => c !== o.code))
                }
              />
              <label className="form-check-label" htmlFor={`${id}-${o.code}`}>
                {o.name}
              </label>
            </div>
          ))}
        </div>
        <FieldError id={`${id}-error`} message={error} />
      </fieldset>
    )
  }
  return (
    <div className="col-12 col-md-6">
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        type={kind === 'months' ? 'number' : 'text'}
        min={kind === 'months' ? 0 : undefined}
        className={`form-control${error ? ' is-invalid' : ''}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        value={Array.isArray(value) ? value.join(', ') : value}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <p id={`${id}-hint`} className="form-text mb-0">
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  )
}
