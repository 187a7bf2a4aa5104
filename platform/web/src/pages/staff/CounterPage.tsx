import type { FormEvent } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import type { ApiError } from '#shared/contract'
import { ApiRequestError } from '../../api/client'
import { useForms } from '../../api/queries'
import { useAddCitizen, useCounterCitizen, useCounterLookup } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT, windowLabel } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'
import { FormLoader } from '../FormPage'

function errorsOf(error: unknown): ApiError[] {
  return error instanceof ApiRequestError ? error.errors : []
}

/**
 * The counter (procura): the operator looks the citizen up by codice fiscale (in the address, so
 * going back from the form finds them again), adds the person when unknown, then picks the form
 * to fill on their behalf.
 */
export function CounterPage() {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const [params, setParams] = useSearchParams()
  const code = (params.get('cf') ?? '').trim().toUpperCase()
  const lookup = useCounterLookup(tenant.slug, code)
  const add = useAddCitizen(tenant.slug)
  const lookupErrors = errorsOf(lookup.error)
  const unknown = lookup.error instanceof ApiRequestError && lookup.error.status === 404
  const addErrors = errorsOf(add.error)
  const fieldError = (path: string) => addErrors.find((e) => e.path === path)?.message

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const value = String(new FormData(event.currentTarget).get('cf') ?? '').trim()
    add.reset()
    setParams(value ? { cf: value } : {})
  }
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    add.mutate({
      fiscal_code: code,
      full_name: String(form.get('full_name') ?? ''),
      email: String(form.get('email') ?? ''),
    })
  }
  const citizen = lookup.data ?? add.data?.citizen ?? null

  return (
    <section aria-labelledby="counter-title">
      <h1 id="counter-title" className="h2 mb-3">
        {t('counter.title')}
      </h1>
      <p className="lead mb-4">{t('counter.intro')}</p>
      <form className="card card-bg mb-4" onSubmit={search} role="search" key={code}>
        <div className="card-body">
          <label className="form-label" htmlFor="counter-cf">
            {t('counter.fiscalCode')}
          </label>
          <div className="d-flex flex-wrap gap-2">
            <input
              id="counter-cf"
              name="cf"
              className="form-control text-uppercase"
              style={{ maxWidth: '22rem' }}
              defaultValue={code}
              maxLength={16}
              autoComplete="off"
              aria-invalid={lookupErrors.length > 0 && !unknown}
              aria-describedby={lookupErrors.length > 0 && !unknown ? 'counter-cf-error' : undefined}
            />
            <button type="submit" className="btn btn-primary">
              {t('counter.find')}
            </button>
          </div>
          {lookupErrors.length > 0 && !unknown && (
            <p id="counter-cf-error" className="text-danger mt-2 mb-0" role="alert">
              {lookupErrors.map((e) => e.message).join(' ')}
            </p>
          )}
        </div>
      </form>

      {code && lookup.isPending && <Loading />}
      {unknown && !citizen && (
        <div className="card card-bg mb-4" data-testid="counter-new">
          <div className="card-body">
            <h2 className="h4">{t('counter.newTitle')}</h2>
            <p>{t('counter.newText', { code })}</p>
            <form onSubmit={create} noValidate>
              <div className="mb-3">
                <label className="form-label" htmlFor="counter-name">
                  {t('counter.fullName')}
                </label>
                <input
                  id="counter-name"
                  name="full_name"
                  className="form-control"
                  maxLength={200}
                  autoComplete="off"
                  aria-invalid={Boolean(fieldError('/full_name'))}
                  aria-describedby={fieldError('/full_name') ? 'counter-name-error' : undefined}
                />
                {fieldError('/full_name') && (
                  <p id="counter-name-error" className="text-danger small mb-0">
                    {fieldError('/full_name')}
                  </p>
                )}
              </div>
              <div className="mb-3">
                <label className="form-label" htmlFor="counter-email">
                  {t('counter.email')}
                </label>
                <input
                  id="counter-email"
                  name="email"
                  type="email"
                  className="form-control"
                  maxLength={254}
                  autoComplete="off"
                  aria-invalid={Boolean(fieldError('/email'))}
                  aria-describedby={fieldError('/email') ? 'counter-email-error' : 'counter-email-hint'}
                />
                <small id="counter-email-hint" className="form-text">
                  {t('counter.emailHint')}
                </small>
                {fieldError('/email') && (
                  <p id="counter-email-error" className="text-danger small mb-0">
                    {fieldError('/email')}
                  </p>
                )}
              </div>
              {addErrors.some((e) => e.path === '/fiscal_code' || !e.path) && (
                <p className="text-danger" role="alert">
                  {addErrors
                    .filter((e) => e.path === '/fiscal_code' || !e.path)
                    .map((e) => e.message)
                    .join(' ')}
                </p>
              )}
              <button type="submit" className="btn btn-primary" disabled={add.isPending}>
                {t('counter.add')}
              </button>
            </form>
          </div>
        </div>
      )}
      {citizen && <CitizenForms citizen={citizen} />}
    </section>
  )
}

function CitizenForms({
  citizen,
}: {
  citizen: { id: number; fullName: string; fiscalCode: string | null; email: string }
}) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const forms = useForms(tenant.slug)
  const base = `/t/${encodeURIComponent(tenant.slug)}/ufficio/sportello/${citizen.id}`
  return (
    <div className="card card-bg" data-testid="counter-citizen">
      <div className="card-body">
        <h2 className="h4">{citizen.fullName}</h2>
        <p className="mb-3">
          {t('counter.fiscalCode')}: <strong>{citizen.fiscalCode}</strong> · {t('counter.email')}:{' '}
          <strong>{citizen.email}</strong>
        </p>
        <h3 className="h5">{t('counter.chooseForm')}</h3>
        {forms.isPending && <Loading />}
        <ul className="list-unstyled" data-testid="counter-forms">
          {(forms.data ?? []).map((f) => {
            const closed = f.enrolment && !f.enrolment.open
            return (
              <li key={f.key} className="mb-2">
                <Link to={`${base}/${encodeURIComponent(f.key)}`}>{f.title[lang] ?? f.title.it}</Link>
                {closed && f.enrolment && (
                  <span className="d-block small text-secondary">
                    {windowLabel(t, f.enrolment)} — {t('counter.lateAllowed')}
                  </span>
                )}
              </li>
            )
          })}
        </ul>
      </div>
    </div>
  )
}

/**
 * `ufficio/sportello/:citizenId/:formKey`: the citizen's form, filled by the operator for them
 * (`?bozza=<id>` resumes a draft saved at the counter).
 */
export function CounterFormRoute() {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const { citizenId = '', formKey = '' } = useParams()
  const [search] = useSearchParams()
  const draft = search.get('bozza') ?? undefined
  const citizen = useCounterCitizen(tenant.slug, citizenId)
  if (citizen.isPending) return <Loading />
  if (citizen.isError) return <LoadError error={citizen.error} notFound={t('counter.notFound')} />
  return (
    <>
      <Link to={`/t/${encodeURIComponent(tenant.slug)}/ufficio/sportello?cf=${citizen.data.fiscalCode ?? ''}`}>
        {t('counter.back')}
      </Link>
      <FormLoader
        key={`${tenant.slug}/${citizenId}/${formKey}/${draft ?? ''}`}
        formKey={formKey}
        submissionId={draft}
        completing={false}
        onBehalfOf={citizen.data}
      />
    </>
  )
}
