import { Link } from 'react-router'
import { useForms, useSubmissions } from '../api/queries'
import { useCurrentTenant } from '../app/tenant_context'
import { formatDateTime, useT } from '../i18n'
import { StatusBadge } from '../widgets/StatusBadge'
import { LoadError, Loading } from '../widgets/status'

/**
 * "Le mie domande": each application with its status in words and colour, the reason when the
 * offices sent it back or rejected it, and what the citizen can do next. Three columns, so the
 * table fits a phone; the date of the last change joins them from tablet width.
 */
export function SubmissionsPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const rows = useSubmissions(tenant.slug)
  // Titles are a nicety: without them the list shows the form keys.
  const forms = useForms(tenant.slug)
  const titles = new Map((forms.data ?? []).map((f) => [f.key, f.title]))
  const base = `/t/${encodeURIComponent(tenant.slug)}`

  return (
    <>
      <h1 className="h2 mb-4">{t('submissions.title')}</h1>
      {rows.isPending && <Loading />}
      {rows.isError && <LoadError error={rows.error} />}
      {rows.data?.length === 0 && <p>{t('submissions.none')}</p>}
      {rows.data && rows.data.length > 0 && (
        <table className="table submissions-table">
          <caption className="visually-hidden">{t('submissions.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('submissions.form')}</th>
              <th scope="col">{t('submissions.status')}</th>
              <th scope="col" className="d-none d-md-table-cell">
                {t('submissions.updated')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map((s) => {
              const title = titles.get(s.formKey)?.[lang] ?? s.formKey
              const sentBack = s.status === 'needs_completion' || s.status === 'rejected'
              return (
                <tr key={s.id} data-testid={`submission-${s.id}`}>
                  <td>
                    {s.status === 'draft' ? (
                      <Link to={`${base}/moduli/${encodeURIComponent(s.formKey)}?bozza=${s.id}`}>
                        {title}
                        <span className="d-block small">{t('submissions.resume')}</span>
                      </Link>
                    ) : (
                      <Link to={`${base}/domande/${s.id}`}>
                        {title}
                        {s.status === 'needs_completion' && s.editable && (
                          <span className="d-block small">{t('submissions.complete')}</span>
                        )}
                      </Link>
                    )}
                    {s.childName && (
                      <span className="d-block small" data-testid="submission-child">
                        {t('submissions.for', { name: s.childName })}
                      </span>
                    )}
                    {sentBack && s.statusReason && (
                      <span className="d-block small submission-reason" data-testid="submission-reason">
                        {s.statusReason}
                      </span>
                    )}
                    <span className="d-block small text-secondary">
                      {t('submissions.number', { id: s.id })}
                      {s.protocolNumber && (
                        <>
                          {' · '}
                          <span className="text-nowrap">{t('submissions.protocol', { number: s.protocolNumber })}</span>
                        </>
                      )}
                    </span>
                    <span className="d-block d-md-none small text-secondary">
                      {formatDateTime(lang, s.updatedAt ?? s.createdAt)}
                    </span>
                  </td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td className="d-none d-md-table-cell">{formatDateTime(lang, s.updatedAt ?? s.createdAt)}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </>
  )
}
