import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, tenantBase } from '../../api/client'
import { useTenant } from '../../api/queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT } from '../../i18n'
import { FieldError } from '../../widgets/FieldError'
import { LoadError, Loading } from '../../widgets/status'
import { errorsByPath } from './ProtocolSettingsForm'

type School = { code: string; name: string; order: string; services: string[]; address: string | null; active: boolean }
type SchoolClass = { id: number; year: string | null; section: string; active: boolean }
const ORDERS = ['nido', 'infanzia', 'primaria', 'secondaria_primo_grado'] as const

/** A labelled input whose refusal by the server (at `/<name>`) is shown under it. */
function Field(props: {
  form: string
  name: string
  label: string
  errors: Record<string, string>
  defaultValue?: string
  required?: boolean
}) {
  const id = `${props.form}-${props.name}`
  const error = props.errors[`/${props.name}`]
  return (
    <div className="col-12 col-md-6">
      <label className="form-label" htmlFor={id}>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type="text"
        className={`form-control${error ? ' is-invalid' : ''}`}
        defaultValue={props.defaultValue}
        aria-required={props.required ? true : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <FieldError id={`${id}-error`} message={error} />
    </div>
  )
}

/** Errors without a field of this form, shown above it. */
function General({ errors, fields, testId }: { errors: Record<string, string>; fields: string[]; testId: string }) {
  const { t } = useT()
  if (Object.keys(errors).length === 0) return null
  const other = Object.entries(errors).filter(([p]) => !fields.includes(p.slice(1)))
  return (
    <div className="alert alert-danger" data-testid={testId}>
      {t('settings.failed')}
      {other.map(([p, message]) => (
        <span key={p} className="d-block">
          {message}
        </span>
      ))}
    </div>
  )
}

function Classes({ school }: { school: School }) {
  const { t } = useT()
  const slug = useCurrentTenant().slug
  const client = useQueryClient()
  const base = `${tenantBase(slug)}/catalog/schools/${encodeURIComponent(school.code)}/classes`
  const key = ['catalog-classes', slug, school.code]
  const classes = useQuery({
    queryKey: key,
    queryFn: () => api<{ classes: SchoolClass[] }>('GET', `${base}?include_inactive=true`),
  })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) => api('POST', base, body),
    onSuccess: () => {
      setErrors({})
      void client.invalidateQueries({ queryKey: key })
    },
    onError: (error) => setErrors(errorsByPath(error)),
  })
  const toggle = useMutation({
    mutationFn: (c: SchoolClass) => api('PATCH', `${base}/${c.id}`, { active: !c.active }),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  })
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const year = String(data.get('year') ?? '').trim()
    add.mutate({ year: year === '' ? null : year, section: String(data.get('section') ?? '') })
  }
  const form = `class-${school.code}`
  return (
    <div className="mt-3" data-testid={`classes-${school.code}`}>
      <h3 className="h6">{t('catalogSettings.classesOf', { name: school.name })}</h3>
      {classes.isPending && <Loading />}
      {classes.isError && <LoadError error={classes.error} />}
      {classes.data && (
        <ul className="list-unstyled d-flex flex-wrap gap-2">
          {classes.data.classes.map((c) => (
            <li key={c.id} className="border rounded px-2 py-1">
              {[c.year, c.section].filter(Boolean).join(' ')}
              {!c.active && <span className="ms-1 small">({t('catalogSettings.inactive')})</span>}{' '}
              <button
                type="button"
                className="btn btn-link btn-sm p-0 ms-1"
                onClick={() => toggle.mutate(c)}
                aria-label={t(c.active ? 'catalogSettings.deactivateClass' : 'catalogSettings.reactivateClass', {
                  name: [c.year, c.section].filter(Boolean).join(' '),
                })}
              >
                {t(c.active ? 'catalogSettings.deactivate' : 'catalogSettings.reactivate')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} noValidate aria-label={t('catalogSettings.addClassTo', { name: school.name })}>
        <General errors={errors} fields={['year', 'section']} testId={`${form}-failed`} />
        <div className="row g-3">
          <Field form={form} name="year" label={t('catalogSettings.year')} errors={errors} />
          <Field form={form} name="section" label={t('catalogSettings.section')} errors={errors} required />
        </div>
        <button type="submit" className="btn btn-outline-primary btn-sm mt-2" disabled={add.isPending}>
          {t('catalogSettings.addClass')}
        </button>
      </form>
    </div>
  )
}

/**
 * The tenant's catalog of schools and their classes (what the forms offer to choose from): add a
 * school, change its name and address, deactivate or reactivate it (never deleted: applications
 * already sent keep naming it), and its class groups. The server checks; its refusals come back at
 * the field (`/code`, `/name`, `/section`...).
 */
export function CatalogSettings() {
  const { t } = useT()
  const slug = useCurrentTenant().slug
  const tenant = useTenant(slug)
  const client = useQueryClient()
  const key = ['catalog-schools-admin', slug]
  const schools = useQuery({
    queryKey: key,
    queryFn: () => api<{ schools: School[] }>('GET', `${tenantBase(slug)}/catalog/schools?include_inactive=true`),
  })
  const refresh = () => {
    void client.invalidateQueries({ queryKey: key })
    void client.invalidateQueries({ queryKey: ['catalog-schools', slug] })
  }
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [added, setAdded] = useState<string | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<{ school: School }>('POST', `${tenantBase(slug)}/catalog/schools`, body),
    onSuccess: (answer) => {
      setErrors({})
      setAdded(answer.school.name)
      refresh()
    },
    onError: (error) => {
      setAdded(null)
      setErrors(errorsByPath(error))
    },
  })
  const toggle = useMutation({
    mutationFn: (s: School) =>
      api('PATCH', `${tenantBase(slug)}/catalog/schools/${encodeURIComponent(s.code)}`, { active: !s.active }),
    onSuccess: refresh,
  })
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const address = String(data.get('address') ?? '').trim()
    create.mutate({
      code: String(data.get('code') ?? ''),
      name: String(data.get('name') ?? ''),
      order: String(data.get('order') ?? ''),
      services: data.getAll('services').map(String),
      address: address === '' ? null : address,
    })
  }
  const services = tenant.data?.plugins ?? []
  const orderError = errors['/order']
  const servicesError = Object.entries(errors)
    .filter(([p]) => p === '/services' || p.startsWith('/services/'))
    .map(([, m]) => m)
    .join(' ')

  return (
    <section className="card card-bg mb-4" aria-labelledby="catalog-title" data-testid="catalog-settings">
      <div className="card-body">
        <h2 className="h5" id="catalog-title">
          {t('catalogSettings.title')}
        </h2>
        <p className="small">{t('catalogSettings.intro')}</p>
        {schools.isPending && <Loading />}
        {schools.isError && <LoadError error={schools.error} />}
        {schools.data && (
          <div className="table-responsive">
            <table className="table" data-testid="catalog-schools">
              <caption className="visually-hidden">{t('catalogSettings.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('catalogSettings.name')}</th>
                  <th scope="col">{t('catalogSettings.code')}</th>
                  <th scope="col">{t('catalogSettings.order')}</th>
                  <th scope="col">{t('catalogSettings.state')}</th>
                  <th scope="col">{t('catalogSettings.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {schools.data.schools.map((s) => (
                  <tr key={s.code} data-testid={`school-${s.code}`}>
                    <td>
                      {s.name}
                      {s.address && <span className="d-block small text-secondary">{s.address}</span>}
                    </td>
                    <td>{s.code}</td>
                    <td>{t(`catalogSettings.order_${s.order as (typeof ORDERS)[number]}`)}</td>
                    <td>{t(s.active ? 'catalogSettings.active' : 'catalogSettings.inactive')}</td>
                    <td className="text-nowrap">
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0 me-3"
                        aria-expanded={open === s.code}
                        onClick={() => setOpen(open === s.code ? null : s.code)}
                      >
                        {t('catalogSettings.classes')}
                      </button>
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0"
                        onClick={() => toggle.mutate(s)}
                        aria-label={t(
                          s.active ? 'catalogSettings.deactivateSchool' : 'catalogSettings.reactivateSchool',
                          {
                            name: s.name,
                          }
                        )}
                      >
                        {t(s.active ? 'catalogSettings.deactivate' : 'catalogSettings.reactivate')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {open && schools.data?.schools.find((s) => s.code === open) && (
          <Classes school={schools.data.schools.find((s) => s.code === open)!} />
        )}

        <form onSubmit={submit} noValidate className="mt-4" aria-labelledby="school-add-title">
          <h3 className="h6" id="school-add-title">
            {t('catalogSettings.addSchool')}
          </h3>
          <div aria-live="polite">
            {added && (
              <div className="alert alert-success" data-testid="school-added">
                {t('catalogSettings.added', { name: added })}
              </div>
            )}
            <General errors={errors} fields={['code', 'name', 'order', 'services', 'address']} testId="school-failed" />
          </div>
          <div className="row g-3">
            <Field form="school" name="name" label={t('catalogSettings.name')} errors={errors} required />
            <Field form="school" name="code" label={t('catalogSettings.codeHint')} errors={errors} required />
            <div className="col-12 col-md-6">
              <label className="form-label" htmlFor="school-order">
                {t('catalogSettings.order')}
              </label>
              <select
                id="school-order"
                name="order"
                className={`form-select${orderError ? ' is-invalid' : ''}`}
                aria-invalid={orderError ? true : undefined}
                aria-describedby={orderError ? 'school-order-error' : undefined}
              >
                {ORDERS.map((o) => (
                  <option key={o} value={o}>
                    {t(`catalogSettings.order_${o}`)}
                  </option>
                ))}
              </select>
              <FieldError id="school-order-error" message={orderError} />
            </div>
            <Field form="school" name="address" label={t('catalogSettings.address')} errors={errors} />
            <fieldset className="col-12" aria-describedby={servicesError ? 'school-services-error' : undefined}>
              <legend className="form-label fs-6">{t('catalogSettings.services')}</legend>
              {services.map((service) => (
                <div className="form-check form-check-inline" key={service}>
                  <input
                    className="form-check-input"
                    type="checkbox"
                    id={`school-service-${service}`}
                    name="services"
                    value={service}
                  />
                  <label className="form-check-label" htmlFor={`school-service-${service}`}>
                    {service}
                  </label>
                </div>
              ))}
              <FieldError id="school-services-error" message={servicesError || undefined} />
            </fieldset>
          </div>
          <button type="submit" className="btn btn-primary mt-3" disabled={create.isPending}>
            {t('catalogSettings.addSchool')}
          </button>
        </form>
      </div>
    </section>
  )
}
