import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, ApiRequestError } from '../api/client'
import { useMe } from '../api/queries'
import { useT } from '../i18n'
import { Loading, Problem } from '../widgets/status'

interface PlatformTenant {
  slug: string
  name: string
  fiscalCode: string
}

interface Created {
  tenant: PlatformTenant
  from: string
  plugins: string[]
  forms: string[]
  rulesets: string[]
  settings: string[]
}

/**
 * The platform's tenants, for its administrators, and a new tenant from another one's
 * configuration: services, forms, rule sets and settings come along; people and submissions do not.
 */
export function PlatformTenantsPage() {
  const { t } = useT()
  const { data: me } = useMe()
  const client = useQueryClient()
  const tenants = useQuery({
    queryKey: ['platform-tenants'],
    queryFn: () => api<{ tenants: PlatformTenant[] }>('GET', '/platform/tenants'),
    enabled: me?.isPlatformAdmin === true,
  })
  const create = useMutation({
    mutationFn: (input: { slug: string; name: string; fiscal_code: string; from: string }) =>
      api<Created>('POST', '/platform/tenants', input),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['platform-tenants'] })
      void client.invalidateQueries({ queryKey: ['me'] })
    },
  })
  const [form, setForm] = useState({ slug: '', name: '', fiscal_code: '', from: '' })
  const [errors, setErrors] = useState<Record<string, string>>({})
  if (!me) return <Loading />
  if (!me.isPlatformAdmin) return <Problem>{t('app.noAccess')}</Problem>
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setErrors({})
    try {
      await create.mutateAsync(form)
    } catch (error) {
      const found: Record<string, string> = {}
      if (error instanceof ApiRequestError) {
        for (const e of error.errors as Array<{ path?: string; message: string }>)
          found[e.path?.replace(/^\//, '') || 'form'] = e.message
      } else found.form = (error as Error).message
      setErrors(found)
    }
  }
  const field = (name: 'slug' | 'name' | 'fiscal_code', label: string, hint?: string) => (
    <div className="col-md-6">
      <label htmlFor={`new-${name}`} className="form-label">
        {label}
      </label>
      <input
        id={`new-${name}`}
        className={`form-control${errors[name] ? ' is-invalid' : ''}`}
        required
        value={form[name]}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={`new-${name}-hint${errors[name] ? ` new-${name}-error` : ''}`}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
      <div id={`new-${name}-hint`} className="form-text">
        {hint}
      </div>
      {errors[name] && (
        <div id={`new-${name}-error`} className="invalid-feedback d-block">
          {errors[name]}
        </div>
      )}
    </div>
  )
  const done = create.data
  return (
    <section aria-labelledby="platform-title">
      <h1 id="platform-title" className="h2 mb-3">
        {t('platform.title')}
      </h1>
      {tenants.isPending ? (
        <Loading />
      ) : (
        <ul data-testid="platform-tenants">
          {(tenants.data?.tenants ?? []).map((x) => (
            <li key={x.slug}>
              <Link to={`/t/${encodeURIComponent(x.slug)}`}>{x.name}</Link>{' '}
              <span className="text-secondary">({x.slug})</span>
            </li>
          ))}
        </ul>
      )}
      <h2 className="h4 mt-4">{t('platform.newTitle')}</h2>
      <p>{t('platform.newIntro')}</p>
      <form className="row g-3" onSubmit={submit} noValidate>
        <div className="col-md-6">
          <label htmlFor="new-from" className="form-label">
            {t('platform.from')}
          </label>
          <select
            id="new-from"
            className={`form-select${errors.from ? ' is-invalid' : ''}`}
            required
            value={form.from}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
          >
            <option value="">{t('platform.choose')}</option>
            {(tenants.data?.tenants ?? []).map((x) => (
              <option key={x.slug} value={x.slug}>
                {x.name}
              </option>
            ))}
          </select>
          {errors.from && <div className="invalid-feedback d-block">{errors.from}</div>}
        </div>
        {field('name', t('platform.name'))}
        {field('slug', t('platform.slug'), t('platform.slugHint'))}
        {field('fiscal_code', t('platform.fiscalCode'), t('platform.fiscalCodeHint'))}
        <div className="col-12">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {t('platform.create')}
          </button>
        </div>
        {errors.form && (
          <p className="text-danger col-12" role="alert">
            {errors.form}
          </p>
        )}
      </form>
      {done && (
        <div className="alert alert-success mt-3" role="status" data-testid="platform-created">
          <p className="mb-1">{t('platform.created', { name: done.tenant.name, from: done.from })}</p>
          <ul className="mb-1">
            <li>{t('platform.createdPlugins', { list: done.plugins.join(', ') || '–' })}</li>
            <li>{t('platform.createdForms', { list: done.forms.join(', ') || '–' })}</li>
            <li>{t('platform.createdRulesets', { list: done.rulesets.join(', ') || '–' })}</li>
            <li>{t('platform.createdSettings', { list: done.settings.join(', ') || '–' })}</li>
          </ul>
          <p className="mb-0">{t('platform.notCopied')}</p>
          <Link to={`/t/${encodeURIComponent(done.tenant.slug)}`}>
            {t('platform.open', { name: done.tenant.name })}
          </Link>
        </div>
      )}
    </section>
  )
}
