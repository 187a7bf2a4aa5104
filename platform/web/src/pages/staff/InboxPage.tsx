import { FilterSelect } from '../../widgets/FilterSelect'
import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { INBOX_SORTS, INBOX_STATUSES, type InboxSort, type InboxStatus } from '#shared/contract'
import { useForms } from '../../api/queries'
import { inboxQueryString, useBulkAccept, useInbox, useSchools, type InboxFilters } from '../../api/staff_queries'
import { tenantBase } from '../../api/client'
import { ExportLinks } from '../../widgets/ExportLinks'
import { useCurrentTenant } from '../../app/tenant_context'
import { formatDateTime, useT } from '../../i18n'
import { StatusBadge } from '../../widgets/StatusBadge'
import { LoadError, Loading } from '../../widgets/status'
import { ApiRequestError } from '../../api/client'

const FILTER_NAMES = ['status', 'form', 'school', 'school_year', 'from', 'to', 'q', 'sort'] as const

/** The school years an operator looks at: the one whose calls are open now and the two before. */
function recentSchoolYears(today = new Date()): string[] {
  const start = today.getMonth() + 1 >= 3 ? today.getFullYear() : today.getFullYear() - 1
  return [0, 1, 2].map((n) => `${start - n}/${start - n + 1}`)
}

function filtersOf(params: URLSearchParams): InboxFilters {
  const status = params.get('status') ?? ''
  const sort = params.get('sort') ?? ''
  return {
    status: (INBOX_STATUSES as readonly string[]).includes(status) ? (status as InboxStatus) : '',
    form: params.get('form') ?? '',
    school: params.get('school') ?? '',
    school_year: params.get('school_year') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    q: params.get('q') ?? '',
    sort: (INBOX_SORTS as readonly string[]).includes(sort) ? (sort as InboxSort) : 'newest',
  }
}

/**
 * The offices' inbox: the applications of the tenant's services, filtered on the server (status,
 * form, school, school year, dates, a name or codice fiscale), with the count in each status, a page at a
 * time. The filters live in the address, so going back from an application returns to the same list.
 */
export function InboxPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const [params, setParams] = useSearchParams()
  const filters = filtersOf(params)
  // The cursors of the pages seen: going on adds one, "first page" empties it.
  const [cursors, setCursors] = useState<string[]>([])
  const after = cursors.at(-1) ?? null
  const inbox = useInbox(tenant.slug, filters, after, lang)
  const forms = useForms(tenant.slug)
  const schools = useSchools(tenant.slug)
  const base = `/t/${encodeURIComponent(tenant.slug)}`
  // The applications ticked for acceptance together (only protocolled ones can be accepted).
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set())
  const bulkAccept = useBulkAccept(tenant.slug)
  const navigate = useNavigate()
  const selectable = (inbox.data?.submissions ?? []).filter((s) => s.status === 'protocolled').map((s) => s.id)
  const allTicked = selectable.length > 0 && selectable.every((id) => selected.has(id))
  const toggle = (id: number) => {
    const next = new Set(selected)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setSelected(next)
  }
  const togglePage = () => {
    const next = new Set(selected)
    for (const id of selectable) {
      if (allTicked) next.delete(id)
      else next.add(id)
    }
    setSelected(next)
  }
  const acceptSelected = () =>
    bulkAccept.mutate([...selected], {
      onSuccess: (answer) => navigate(`${base}/ufficio/domande/accoglimenti/${answer.action.id}`),
    })

  const apply = (next: InboxFilters) => {
    const search = new URLSearchParams()
    for (const name of FILTER_NAMES) {
      const value = next[name]
      if (value && !(name === 'sort' && value === 'newest')) search.set(name, value)
    }
    setCursors([])
    setSelected(new Set())
    setParams(search)
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    apply(Object.fromEntries(FILTER_NAMES.map((n) => [n, String(form.get(n) ?? '')])) as InboxFilters)
  }

  const counts = inbox.data?.counts
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title" className="h2 mb-4">
        {t('inbox.title')}
      </h1>

      <form className="inbox-filters card card-bg mb-4" onSubmit={submit} key={params.toString()} role="search">
        <div className="card-body">
          <h2 className="h5 mb-3">{t('inbox.filters')}</h2>
          <div className="row g-3">
            <div className="col-12 col-lg-6">
              <label className="form-label" htmlFor="inbox-q">
                {t('inbox.search')}
              </label>
              <input
                id="inbox-q"
                name="q"
                type="search"
                className="form-control"
                defaultValue={filters.q}
                maxLength={100}
                aria-describedby="inbox-q-hint"
              />
              <small id="inbox-q-hint" className="form-text">
                {t('inbox.searchHint')}
              </small>
            </div>
            <FilterSelect
              className="col-12 col-md-6 col-lg-3"
              id="inbox-status"
              name="status"
              label={t('inbox.status')}
              any={t('inbox.anyStatus')}
              value={filters.status}
              options={INBOX_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
            />
            <FilterSelect
              className="col-12 col-md-6 col-lg-3"
              id="inbox-form"
              name="form"
              label={t('inbox.form')}
              any={t('inbox.anyForm')}
              value={filters.form}
              options={(forms.data ?? []).map((f) => ({ value: f.key, label: f.title[lang] ?? f.title.it }))}
            />
            <FilterSelect
              // Mounted again once the schools arrive, so that the one in the address is chosen.
              key={schools.data ? 'schools' : 'loading'}
              className="col-12 col-md-6 col-lg-3"
              id="inbox-school"
              name="school"
              label={t('inbox.school')}
              any={t('inbox.anySchool')}
              value={filters.school}
              options={(schools.data?.schools ?? []).map((s) => ({ value: s.code, label: s.name }))}
            />
            <FilterSelect
              className="col-12 col-md-6 col-lg-3"
              id="inbox-year"
              name="school_year"
              label={t('inbox.schoolYear')}
              any={t('inbox.anyYear')}
              value={filters.school_year}
              options={recentSchoolYears().map((y) => ({ value: y, label: y }))}
            />
            <div className="col-6 col-md-3 col-lg-3">
              <label className="form-label" htmlFor="inbox-from">
                {t('inbox.from')}
              </label>
              <input id="inbox-from" name="from" type="date" className="form-control" defaultValue={filters.from} />
            </div>
            <div className="col-6 col-md-3 col-lg-3">
              <label className="form-label" htmlFor="inbox-to">
                {t('inbox.to')}
              </label>
              <input id="inbox-to" name="to" type="date" className="form-control" defaultValue={filters.to} />
            </div>
            <div className="col-12 col-md-6 col-lg-3">
              <label className="form-label" htmlFor="inbox-sort">
                {t('inbox.sort')}
              </label>
              <select id="inbox-sort" name="sort" className="form-select" defaultValue={filters.sort}>
                {INBOX_SORTS.map((s) => (
                  <option key={s} value={s}>
                    {t(`inbox.sort_${s}`)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="d-flex flex-wrap gap-2 mt-3">
            <button type="submit" className="btn btn-primary">
              {t('inbox.apply')}
            </button>
            <button type="button" className="btn btn-outline-primary" onClick={() => apply({})}>
              {t('inbox.reset')}
            </button>
          </div>
        </div>
      </form>

      {counts && (
        <div className="mb-3">
          <h2 className="visually-hidden">{t('inbox.counts')}</h2>
          <ul className="list-unstyled d-flex flex-wrap gap-2 inbox-counts" data-testid="inbox-counts">
            <li>
              <button
                type="button"
                className={`btn btn-sm ${filters.status ? 'btn-outline-primary' : 'btn-primary'}`}
                aria-pressed={!filters.status}
                onClick={() => apply({ ...filters, status: '' })}
              >
                {t('inbox.countAll')} <span className="fw-bold">{inbox.data!.total}</span>
              </button>
            </li>
            {INBOX_STATUSES.map((s) => (
              <li key={s}>
                <button
                  type="button"
                  data-testid={`count-${s}`}
                  className={`btn btn-sm ${filters.status === s ? 'btn-primary' : 'btn-outline-primary'}`}
                  aria-pressed={filters.status === s}
                  onClick={() => apply({ ...filters, status: s })}
                >
                  {t(`status.${s}`)} <span className="fw-bold">{counts[s]}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <ExportLinks
        href={(format) =>
          `/api/v1${tenantBase(tenant.slug)}/inbox/export?${inboxQueryString({ ...filters, format } as InboxFilters)}`
        }
        what={t('inbox.title')}
      />
      {selectable.length > 0 && (
        <div className="d-flex flex-wrap align-items-center gap-3 mb-3" data-testid="inbox-bulk">
          <p className="mb-0 small" id="inbox-bulk-hint">
            {t('inbox.selectHint')}
          </p>
          <span aria-live="polite" data-testid="inbox-selected">
            {t('inbox.selected', { count: selected.size })}
          </span>
          <button
            type="button"
            className="btn btn-primary btn-sm"
            disabled={selected.size === 0 || bulkAccept.isPending}
            onClick={acceptSelected}
            aria-describedby="inbox-bulk-hint"
          >
            {t('inbox.acceptSelected')}
          </button>
        </div>
      )}
      {bulkAccept.isError && (
        <div className="alert alert-danger" role="alert">
          {t('inbox.acceptFailed')}{' '}
          {bulkAccept.error instanceof ApiRequestError
            ? bulkAccept.error.errors.map((e) => e.message).join(' ')
            : t('app.genericError')}
        </div>
      )}
      {inbox.isPending && <Loading />}
      {inbox.isError && <LoadError error={inbox.error} />}
      {inbox.data && inbox.data.submissions.length === 0 && <p data-testid="inbox-none">{t('inbox.none')}</p>}
      {inbox.data && inbox.data.submissions.length > 0 && (
        <div className="table-responsive">
          <table className="table inbox-table" data-testid="inbox-table">
            <caption className="visually-hidden">{t('inbox.title')}</caption>
            <thead>
              <tr>
                <th scope="col" className="inbox-select">
                  {selectable.length > 0 && (
                    <input
                      type="checkbox"
                      className="form-check-input"
                      checked={allTicked}
                      onChange={togglePage}
                      aria-label={t('inbox.selectPage')}
                    />
                  )}
                </th>
                <th scope="col">{t('inbox.number')}</th>
                <th scope="col">{t('inbox.applicant')}</th>
                <th scope="col">{t('inbox.child')}</th>
                <th scope="col" className="d-none d-lg-table-cell">
                  {t('inbox.form')}
                </th>
                <th scope="col">{t('inbox.status')}</th>
                <th scope="col" className="d-none d-md-table-cell">
                  {t('inbox.sent')}
                </th>
              </tr>
            </thead>
            <tbody>
              {inbox.data.submissions.map((s) => (
                <tr key={s.id} data-testid={`inbox-row-${s.id}`}>
                  <td className="inbox-select">
                    {s.status === 'protocolled' && (
                      <input
                        type="checkbox"
                        className="form-check-input"
                        checked={selected.has(s.id)}
                        onChange={() => toggle(s.id)}
                        aria-label={t('inbox.select', { id: s.id })}
                      />
                    )}
                  </td>
                  <td>
                    <Link to={`${base}/ufficio/domande/${s.id}`} aria-label={t('review.title', { id: s.id })}>
                      {s.id}
                    </Link>
                  </td>
                  <td>
                    {s.applicant.name ?? '–'}
                    {s.applicant.fiscalCode && (
                      <span className="d-block small text-secondary">{s.applicant.fiscalCode}</span>
                    )}
                    {s.onBehalf && <span className="d-block small">{t('inbox.onBehalf')}</span>}
                  </td>
                  <td>
                    {s.child?.name ?? '–'}
                    {s.child?.fiscalCode && <span className="d-block small text-secondary">{s.child.fiscalCode}</span>}
                  </td>
                  <td className="d-none d-lg-table-cell">{s.formTitle}</td>
                  <td>
                    <StatusBadge status={s.status} />
                    {s.hasWarnings && (
                      <span className="d-block small text-danger fw-semibold">{t('inbox.warning')}</span>
                    )}
                    {s.protocolNumber && (
                      <span className="d-block small text-secondary text-nowrap">
                        {t('inbox.protocol')} {s.protocolNumber}
                      </span>
                    )}
                  </td>
                  <td className="d-none d-md-table-cell">{formatDateTime(lang, s.submittedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {inbox.data && (cursors.length > 0 || inbox.data.next) && (
        <nav aria-label={t('inbox.pages')} className="d-flex flex-wrap gap-2">
          {cursors.length > 0 && (
            <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => setCursors([])}>
              {t('inbox.first')}
            </button>
          )}
          {inbox.data.next && (
            <button
              type="button"
              className="btn btn-outline-primary btn-sm"
              onClick={() => setCursors([...cursors, inbox.data!.next!])}
            >
              {t('inbox.next')}
            </button>
          )}
        </nav>
      )}
    </section>
  )
}
