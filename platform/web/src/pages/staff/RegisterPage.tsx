import { useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router'
import type { EnrolmentSummaryDto } from '#shared/contract'
import { useRegister, useServices, type RegisterFilters } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { tenantBase } from '../../api/client'
import { ExportLinks } from '../../widgets/ExportLinks'
import { formatEuro, useT } from '../../i18n'
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

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const next = new URLSearchParams()
    for (const name of ['service', 'school_year', 'status']) {
      const value = String(form.get(name) ?? '')
      if (value) next.set(name, value)
    }
    setPage(1)
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
            <div className="col-12 col-md-4">
              <label className="form-label" htmlFor="register-service">
                {t('register.service')}
              </label>
              <select id="register-service" name="service" className="form-select" defaultValue={filters.service}>
                <option value="">{t('register.anyService')}</option>
                {(services.data ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name[lang] ?? s.name.it}
                  </option>
                ))}
              </select>
            </div>
            <div className="col-6 col-md-3">
              <label className="form-label" htmlFor="register-year">
                {t('register.schoolYear')}
              </label>
              <select id="register-year" name="school_year" className="form-select" defaultValue={filters.school_year}>
                <option value="">{t('register.anyYear')}</option>
                {recentSchoolYears().map((y) => (
                  <option key={y} value={y}>
                    {y}
                  </option>
                ))}
              </select>
            </div>
            <div className="col-6 col-md-3">
              <label className="form-label" htmlFor="register-status">
                {t('register.status')}
              </label>
              <select id="register-status" name="status" className="form-select" defaultValue={filters.status}>
                <option value="">{t('register.anyStatus')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`register.status_${s}`)}
                  </option>
                ))}
              </select>
            </div>
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
                    <Link to={`${base}/ufficio/iscritti/${e.id}`}>{childLabel(e)}</Link>
                    {e.child.fiscalCode && <span className="d-block small text-secondary">{e.child.fiscalCode}</span>}
                    {e.status !== 'active' && <span className="d-block small">{t(`register.status_${e.status}`)}</span>}
                  </td>
                  <td>{e.serviceName}</td>
                  <td>{e.schoolYear}</td>
                  <td className="d-none d-md-table-cell">
                    {[e.school.name ?? e.school.id, [e.school.classYear, e.school.section].filter(Boolean).join(' ')]
                      .filter(Boolean)
                      .join(' · ') || '–'}
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
