import { FilterSelect } from '../../widgets/FilterSelect'
import { useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router'
import type { EnrolmentSummaryDto } from '#shared/contract'
import { useRegister, useRenewEnrolments, useServices, type RegisterFilters } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { tenantBase } from '../../api/client'
import { ExportLinks } from '../../widgets/ExportLinks'
import { DocumentAlert } from '../../widgets/DocumentAlert'
import { formatDay, formatEuro, useT } from '../../i18n'
import { ApiRequestError } from '../../api/client'
import { LoadError, Loading } from '../../widgets/status'

const STATUSES = ['active', 'withdrawn', 'ended'] as const

/** The school years of the register: the current one and the two before. */
function recentSchoolYears(today = new Date()): string[] {
  const start = today.getMonth() + 1 >= 3 ? today.getFullYear() : today.getFullYear() - 1
  return [0, 1, 2].map((n) => `${start - n}/${start - n + 1}`)
}

export function childLabel(e: EnrolmentSummaryDto) {
  return [e.child.firstName, e.child.lastName].filter(Boolean).join(' ') || '–'
}

/** The fee a register row shows: the one set by hand when there is one, else the computed one. */
export function RegisterFee({ e }: { e: EnrolmentSummaryDto }) {
  const { t, lang } = useT()
  if (e.tariff.override) {
    return (
      <>
        {formatEuro(e.tariff.override.amount, lang)}
        <span className="d-block small fw-semibold">{t('register.overridden')}</span>
      </>
    )
  }
  return <>{e.tariff.amount ? formatEuro(e.tariff.amount, lang) : t('register.noFee')}</>
}

/**
 * The register of enrolled children (Allegato A, "gestione anagrafica"; Allegato C): child,
 * service, school year, school and class, the fee (computed, or set by hand), fifty a page.
 */
export function RegisterPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const [params, setParams] = useSearchParams()
  const filters: RegisterFilters = {
    service: params.get('service') ?? '',
    school_year: params.get('school_year') ?? '',
    status: params.get('status') ?? '',
  }
  const [page, setPage] = useState(1)
  const register = useRegister(tenant.slug, filters, page, lang)
  const services = useServices(tenant.slug)
  const base = `/t/${encodeURIComponent(tenant.slug)}`
  // Active enrolments ticked for renewal into the next school year.
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set())
  const renew = useRenewEnrolments(tenant.slug)
  const renewable = (register.data?.enrolments ?? []).filter((e) => e.status === 'active').map((e) => e.id)
  const allTicked = renewable.length > 0 && renewable.every((id) => selected.has(id))
  const toggle = (id: number) => {
    const next = new Set(selected)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setSelected(next)
  }
  const togglePage = () => {
    const next = new Set(selected)
    for (const id of renewable) {
      if (allTicked) next.delete(id)
      else next.add(id)
    }
    setSelected(next)
  }
  const results = renew.data?.results ?? []
  const renewedCount = results.filter((r) => r.outcome === 'renewed').length

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const next = new URLSearchParams()
    for (const name of ['service', 'school_year', 'status']) {
      const value = String(form.get(name) ?? '')
      if (value) next.set(name, value)
    }
    setPage(1)
    setSelected(new Set())
    setParams(next)
  }

  return (
    <section aria-labelledby="register-title">
      <h1 id="register-title" className="h2 mb-4">
        {t('register.title')}
      </h1>
      <form className="card card-bg mb-4" onSubmit={submit} key={params.toString()} role="search">
        <div className="card-body">
          <div className="row g-3 align-items-end">
            <FilterSelect
              className="col-12 col-md-4"
              id="register-service"
              name="service"
              label={t('register.service')}
              any={t('register.anyService')}
              value={filters.service}
              options={(services.data ?? []).map((s) => ({ value: s.id, label: s.name[lang] ?? s.name.it }))}
            />
            <FilterSelect
              className="col-6 col-md-3"
              id="register-year"
              name="school_year"
              label={t('register.schoolYear')}
              any={t('register.anyYear')}
              value={filters.school_year}
              options={recentSchoolYears().map((y) => ({ value: y, label: y }))}
            />
            <FilterSelect
              className="col-6 col-md-3"
              id="register-status"
              name="status"
              label={t('register.status')}
              any={t('register.anyStatus')}
              value={filters.status}
              options={STATUSES.map((s) => ({ value: s, label: t(`register.status_${s}`) }))}
            />
            <div className="col-12 col-md-2">
              <button type="submit" className="btn btn-primary w-100">
                {t('register.apply')}
              </button>
            </div>
          </div>
        </div>
      </form>

      <ExportLinks
        href={(format) => {
          const query = new URLSearchParams({ format })
          for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value)
          return `/api/v1${tenantBase(tenant.slug)}/enrolments/export?${query.toString()}`
        }}
        what={t('register.title')}
      />
      {renewable.length > 0 && (
        <div className="d-flex flex-wrap align-items-center gap-3 mb-3" data-testid="register-renew">
          <p className="mb-0 small" id="register-renew-hint">
            {t('register.renewHint')}
          </p>
          <span aria-live="polite" data-testid="register-selected">
            {t('register.selected', { count: selected.size })}
          </span>
          <button
            type="button"
            className="btn btn-primary btn-sm"
            disabled={selected.size === 0 || renew.isPending}
            aria-describedby="register-renew-hint"
            onClick={() => renew.mutate([...selected], { onSuccess: () => setSelected(new Set()) })}
          >
            {t('register.renew')}
          </button>
        </div>
      )}
      {renew.isError && (
        <div className="alert alert-danger" role="alert">
          {renew.error instanceof ApiRequestError
            ? renew.error.errors.map((e) => e.message).join(' ')
            : t('app.genericError')}
        </div>
      )}
      {results.length > 0 && (
        <div className="alert alert-info" role="status" data-testid="renew-results">
          <p className="fw-semibold mb-1">{t('register.renewed', { count: renewedCount })}</p>
          {results.some((r) => r.message) && (
            <ul className="mb-0">
              {results
                .filter((r) => r.message)
                .map((r) => (
                  <li key={r.enrolmentId}>
                    <Link to={`${base}/ufficio/iscritti/${r.enrolmentId}`}>
                      {t('register.enrolmentNo', { id: r.enrolmentId })}
                    </Link>
                    : {r.message}
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
      {register.isPending && <Loading />}
      {register.isError && <LoadError error={register.error} />}
      {register.data && (
        <p className="fw-semibold" data-testid="register-total">
          {t('register.total', { count: register.data.meta.total })}
        </p>
      )}
      {register.data?.enrolments.length === 0 && <p>{t('register.none')}</p>}
      {register.data && register.data.enrolments.length > 0 && (
        <div className="table-responsive">
          <table className="table" data-testid="register-table">
            <caption className="visually-hidden">{t('register.title')}</caption>
            <thead>
              <tr>
                <th scope="col">
                  {renewable.length > 0 && (
                    <input
                      type="checkbox"
                      className="form-check-input"
                      checked={allTicked}
                      onChange={togglePage}
                      aria-label={t('register.selectPage')}
                    />
                  )}
                </th>
                <th scope="col">{t('register.child')}</th>
                <th scope="col">{t('register.service')}</th>
                <th scope="col">{t('register.schoolYear')}</th>
                <th scope="col" className="d-none d-md-table-cell">
                  {t('register.school')}
                </th>
                <th scope="col" className="text-end">
                  {t('register.fee')}
                </th>
              </tr>
            </thead>
            <tbody>
              {register.data.enrolments.map((e) => (
                <tr key={e.id} data-testid={`register-row-${e.id}`}>
                  <td>
                    {e.status === 'active' && (
                      <input
                        type="checkbox"
                        className="form-check-input"
                        checked={selected.has(e.id)}
                        onChange={() => toggle(e.id)}
                        aria-label={t('register.select', { name: childLabel(e), year: e.schoolYear })}
                      />
                    )}
                  </td>
                  <td>
                    <Link to={`${base}/ufficio/iscritti/${e.id}`}>{childLabel(e)}</Link>
                    {e.child.fiscalCode && <span className="d-block small text-secondary">{e.child.fiscalCode}</span>}
                    <DocumentAlert alert={e.documents} />
                    {e.child.fiscalCode && (
                      <Link className="d-block small" to={`${base}/ufficio/iscritti/${e.id}#documenti`}>
                        {t('documents.registerLink')}
                      </Link>
                    )}
                    {e.status !== 'active' && <span className="d-block small">{t(`register.status_${e.status}`)}</span>}
                    {e.withdrawnFrom && (
                      <span className="d-block small">
                        {t('register.withdrawnFrom', { day: formatDay(e.withdrawnFrom) })}
                      </span>
                    )}
                  </td>
                  <td>{e.serviceName}</td>
                  <td>{e.schoolYear}</td>
                  <td className="d-none d-md-table-cell">
                    {[e.school.name ?? e.school.id, e.school.section].filter(Boolean).join(' · ') || '–'}
                  </td>
                  <td className="text-end">
                    <RegisterFee e={e} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {register.data && register.data.meta.lastPage > 1 && (
        <nav aria-label={t('register.pages')} className="d-flex flex-wrap gap-2 align-items-center">
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            {t('register.previous')}
          </button>
          <span>
            {t('register.page', { current: register.data.meta.currentPage, last: register.data.meta.lastPage })}
          </span>
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={page >= register.data.meta.lastPage}
            onClick={() => setPage(page + 1)}
          >
            {t('register.next')}
          </button>
        </nav>
      )}
    </section>
  )
}
