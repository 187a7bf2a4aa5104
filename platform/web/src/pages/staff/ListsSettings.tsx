import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, tenantBase } from '../../api/client'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT } from '../../i18n'
import { FieldError } from '../../widgets/FieldError'
import { LoadError, Loading } from '../../widgets/status'
import { errorsByPath } from './ProtocolSettingsForm'

type Source = { source: string; kind: string; title?: { it: string; en: string }; parent?: string | null }
type Entry = { code: string; name: string; parent: string | null; active: boolean }

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
 * stops...): pick a list, add an entry or rename one (its code stays), deactivate or reactivate it.
 * Entries are never deleted: applications already sent keep naming them.
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

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const parent = String(data.get('parent') ?? '')
    save.mutate({
      code: String(data.get('code') ?? '').trim(),
      body: { name: String(data.get('name') ?? ''), ...(list.parent ? { parent: parent || null } : {}) },
    })
  }
  const field = (name: string) => ({
    id: `entry-${name}`,
    error: errors[`/${name}`],
    described: errors[`/${name}`] ? `entry-${name}-error` : undefined,
  })
  const code = field('code')
  const name = field('name')
  const parent = field('parent')
  const general = Object.entries(errors).filter(([p]) => !['/code', '/name', '/parent'].includes(p))

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
                    <td>{t(e.active ? 'catalogSettings.active' : 'catalogSettings.inactive')}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0"
                        onClick={() =>
                          save.mutate({
                            code: e.code,
                            // The whole entry as it is, but for its state (a stop keeps its line).
                            body: { name: e.name, active: !e.active, ...(list.parent ? { parent: e.parent } : {}) },
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
          </div>
          <button type="submit" className="btn btn-primary mt-3" disabled={save.isPending}>
            {t('listsSettings.submit')}
          </button>
        </form>
      </div>
    </section>
  )
}
