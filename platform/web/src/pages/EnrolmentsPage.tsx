import { Link } from 'react-router'
import type { EnrolmentSummaryDto } from '#shared/contract'
import { useEnrolments } from '../api/queries'
import { useCurrentTenant } from '../app/tenant_context'
import { useT } from '../i18n'
import { FeeAmount } from '../widgets/Fee'
import { LoadError, Loading } from '../widgets/status'

export function childName(e: EnrolmentSummaryDto, unbornLabel: string) {
  const name = [e.child.firstName, e.child.lastName].filter(Boolean).join(' ')
  return name || unbornLabel
}

export function classOf(e: EnrolmentSummaryDto) {
  return e.school.section ?? ''
}

export function EnrolmentStatus({ status }: { status: EnrolmentSummaryDto['status'] }) {
  const { t } = useT()
  return (
    <span className={`badge status-badge bg-${status === 'active' ? 'success' : 'secondary'}`}>
      {t(`enrolments.status_${status}`)}
    </span>
  )
}

/** The fee with its unit: the family's summary when the server gives one, the amount otherwise. */
export function EnrolmentFee({ tariff, testId }: { tariff: EnrolmentSummaryDto['tariff']; testId?: string }) {
  const amount = tariff.summary?.amount ?? tariff.amount
  if (amount === null) return <span>–</span>
  return <FeeAmount amount={amount} unit={tariff.summary?.unit ?? tariff.unit ?? null} testId={testId} />
}

/** "I miei iscritti": the children enrolled through the applications the citizen made. */
export function EnrolmentsPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  // Labels come in the reader's language: the list is read again when the language changes.
  const rows = useEnrolments(tenant.slug, lang)
  const base = `/t/${encodeURIComponent(tenant.slug)}`

  return (
    <>
      <h1 className="h2 mb-3">{t('enrolments.title')}</h1>
      <p className="lead">{t('enrolments.intro')}</p>
      {rows.isPending && <Loading />}
      {rows.isError && <LoadError error={rows.error} />}
      {rows.data?.length === 0 && <p>{t('enrolments.none')}</p>}
      {rows.data && rows.data.length > 0 && (
        <table className="table enrolments-table">
          <caption className="visually-hidden">{t('enrolments.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('enrolments.child')}</th>
              <th scope="col" className="d-none d-sm-table-cell">
                {t('enrolments.schoolYear')}
              </th>
              <th scope="col">{t('enrolments.fee')}</th>
              <th scope="col">{t('submissions.status')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map((e) => (
              <tr key={e.id}>
                <th scope="row" className="fw-normal">
                  <Link className="fw-semibold" to={`${base}/iscritti/${e.id}`}>
                    {childName(e, t('enrolments.unborn'))}
                  </Link>
                  <span className="d-block small">{e.serviceName}</span>
                  {(e.school.name || e.school.id || classOf(e)) && (
                    <span className="d-block small text-secondary">
                      {[e.school.name ?? e.school.id, classOf(e)].filter(Boolean).join(' · ')}
                    </span>
                  )}
                  <span className="d-block d-sm-none small text-secondary">
                    {t('enrolments.schoolYear')} {e.schoolYear}
                  </span>
                </th>
                <td className="text-nowrap d-none d-sm-table-cell">{e.schoolYear}</td>
                <td>
                  <EnrolmentFee tariff={e.tariff} />
                </td>
                <td>
                  <EnrolmentStatus status={e.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="mt-4 d-flex gap-3 flex-wrap">
        <Link to={base}>{t('app.backHome')}</Link>
      </p>
    </>
  )
}
