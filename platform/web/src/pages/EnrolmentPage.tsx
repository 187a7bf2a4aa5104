import type { ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import type { EnrolmentDetailDto } from '#shared/contract'
import { useEnrolment } from '../api/queries'
import { useCurrentTenant } from '../app/tenant_context'
import { feeText, formatEuro, formatLongDay, useT } from '../i18n'
import { bandLabel } from '../widgets/Fee'
import { LoadError, Loading } from '../widgets/status'
import { childName, EnrolmentFee, EnrolmentStatus } from './EnrolmentsPage'

/** One page per enrolment: another address is another child, never the previous one's data. */
export function EnrolmentRoute() {
  const { id = '' } = useParams()
  const tenant = useCurrentTenant()
  return <EnrolmentPage key={`${tenant.slug}/${id}`} id={id} />
}

/** A `dl` row; nothing when there is no value to show. */
function Row({ label, children }: { label: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '' || children === false) return null
  return (
    <>
      <dt className="col-sm-4">{label}</dt>
      <dd className="col-sm-8">{children}</dd>
    </>
  )
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="enrolment-section mb-4" aria-labelledby={id}>
      <h2 id={id} className="h4">
        {title}
      </h2>
      {children}
    </section>
  )
}

function isWeek(value: unknown): value is { from: string; to: string } {
  return typeof value === 'object' && value !== null && 'from' in value && 'to' in value
}

/** Service-specific data (attendance weeks, transport line and stop), as the family entered it. */
function Details({ details }: { details: Record<string, unknown> }) {
  const { t, lang } = useT()
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null)
  const weeks = Array.isArray(details.weeks) ? details.weeks.filter(isWeek) : []
  const structures = Array.isArray(details.structure_preferences) ? details.structure_preferences.map(String) : []
  const pickup = Array.isArray(details.authorised_pickup_persons)
    ? (details.authorised_pickup_persons as Array<Record<string, unknown>>)
    : []
  return (
    <dl className="row">
      <Row label={t('enrolments.attendedService')}>{text(details.attended_service)}</Row>
      <Row label={t('enrolments.structures')}>
        {structures.length > 0 && (
          <ol className="mb-0 ps-3">
            {structures.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        )}
      </Row>
      <Row label={t('enrolments.weeks')}>
        {weeks.length > 0 && (
          <ul className="mb-0 ps-3">
            {weeks.map((w) => (
              <li key={w.from}>
                {formatLongDay(lang, w.from)} – {formatLongDay(lang, w.to)}
              </li>
            ))}
          </ul>
        )}
      </Row>
      <Row label={t('enrolments.daysPerWeek')}>{text(details.days_per_week)}</Row>
      <Row label={t('enrolments.attendance')}>{text(details.attendance_time)}</Row>
      <Row label={t('enrolments.line')}>{text(details.transport_line)}</Row>
      <Row label={t('enrolments.stop')}>{text(details.transport_stop)}</Row>
      <Row label={t('enrolments.route')}>{text(details.route)}</Row>
      <Row label={t('enrolments.pickup')}>
        {pickup.length > 0 && (
          <ul className="mb-0 ps-3">
            {pickup.map((p, i) => (
              <li key={i}>
                {[p.first_name, p.last_name].filter(Boolean).join(' ')}
                {p.relationship ? ` (${String(p.relationship)})` : ''}
              </li>
            ))}
          </ul>
        )}
      </Row>
    </dl>
  )
}

/**
 * The fee as a family reads it: the amount with its unit, the band and why. The operator's trace
 * (table cells, roundings, rule versions) is never shown here: it stays for staff and in the PDF.
 */
function Tariff({ tariff }: { tariff: EnrolmentDetailDto['tariff'] }) {
  const { t, lang } = useT()
  if (tariff.amount === null && !tariff.summary?.amount) {
    return (
      <p className="callout" data-testid="enrolment-tariff-missing">
        {tariff.missingText}
      </p>
    )
  }
  const summary = tariff.summary ?? null
  const amount = summary?.amount ?? tariff.amount!
  const unit = summary?.unit ?? tariff.unit ?? null
  const rawBand = tariff.result?.band
  const band = summary ? summary.band : typeof rawBand === 'string' && rawBand ? rawBand : null
  const exempt = summary ? summary.exempt : tariff.result?.exempt === true
  const reasons = summary?.reasons ?? []
  const lines = [
    // The band is in the list only when no reason says how it came about.
    ...(band && reasons.length === 0 ? [t('enrolments.explanationBand', { band: bandLabel(band) })] : []),
    ...reasons,
    ...(exempt ? [t('enrolments.explanationExempt')] : []),
  ]
  return (
    <>
      <div className="enrolment-fee mb-3">
        <span className="enrolment-fee-amount">
          <EnrolmentFee tariff={tariff} testId="enrolment-tariff" />
        </span>
        {tariff.title && <span className="d-block">{tariff.title}</span>}
      </div>
      <dl className="row">
        <Row label={t('fee.band')}>{band && bandLabel(band)}</Row>
        <Row label={t('enrolments.tariffAt')}>{tariff.at && formatLongDay(lang, tariff.at)}</Row>
      </dl>
      <h3 className="h5" id="explanation-title">
        {t('enrolments.explanationTitle')}
      </h3>
      {/* The family's sentence repeats the list below: shown only when there is no list of reasons. */}
      {summary?.text && reasons.length === 0 && <p data-testid="enrolment-summary-text">{summary.text}</p>}
      <ul className="enrolment-explanation" aria-labelledby="explanation-title" data-testid="enrolment-explanation">
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
        <li>{t('enrolments.explanationAmount', { amount: feeText(amount, unit, lang) })}</li>
      </ul>
    </>
  )
}

function EnrolmentPage({ id }: { id: string }) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const query = useEnrolment(tenant.slug, id, lang)
  const base = `/t/${encodeURIComponent(tenant.slug)}`

  if (query.isPending) return <Loading />
  if (query.isError) return <LoadError error={query.error} notFound={t('enrolments.notFound')} />
  const e = query.data
  const yes = (v: boolean) => (v ? t('app.yes') : t('app.no'))

  return (
    <article aria-labelledby="enrolment-title">
      <p className="mb-1">
        <Link to={`${base}/iscritti`}>← {t('enrolments.title')}</Link>
      </p>
      <h1 id="enrolment-title" className="h2 mb-1">
        {childName(e, t('enrolments.unborn'))}
      </h1>
      <p className="mb-4 d-flex flex-wrap gap-2 align-items-center">
        <span>
          {e.serviceName} · {t('enrolments.schoolYear')} {e.schoolYear}
        </span>
        <EnrolmentStatus status={e.status} />
      </p>

      <Section id="enr-child" title={t('enrolments.childTitle')}>
        <dl className="row">
          <Row label={t('enrolments.name')}>
            {[e.child.firstName, e.child.lastName].filter(Boolean).join(' ') || null}
          </Row>
          <Row label={t('enrolments.fiscalCode')}>{e.child.fiscalCode}</Row>
          {e.child.unborn ? (
            <Row label={t('enrolments.expectedBirth')}>{formatLongDay(lang, e.child.birthDate)}</Row>
          ) : (
            <Row label={t('enrolments.birthDate')}>{e.child.birthDate && formatLongDay(lang, e.child.birthDate)}</Row>
          )}
        </dl>
      </Section>

      <Section id="enr-school" title={t('enrolments.schoolTitle')}>
        <dl className="row">
          <Row label={t('enrolments.schoolOrder')}>{e.school.orderLabel ?? e.school.order}</Row>
          <Row label={t('enrolments.school')}>{e.school.name ?? e.school.id}</Row>
          <Row label={t('enrolments.class')}>{e.school.classYear}</Row>
          <Row label={t('enrolments.section')}>{e.school.section}</Row>
        </dl>
        {e.details && <Details details={e.details} />}
      </Section>

      <Section id="enr-isee" title={t('enrolments.iseeTitle')}>
        {!e.isee && <p>{t('enrolments.iseeNotAsked')}</p>}
        {e.isee && !e.isee.presented && <p>{t('enrolments.iseeNotPresented')}</p>}
        {e.isee?.presented && (
          <dl className="row">
            <Row label={t('enrolments.iseeValue')}>{e.isee.value && formatEuro(e.isee.value, lang)}</Row>
            <Row label={t('enrolments.iseeKind')}>{e.isee.kind}</Row>
            <Row label={t('enrolments.inpsProtocol')}>{e.isee.inpsProtocol}</Row>
          </dl>
        )}
      </Section>

      <Section id="enr-tariff" title={t('enrolments.tariffTitle')}>
        <Tariff tariff={e.tariff} />
      </Section>

      {e.diet && (
        <Section id="enr-diet" title={t('enrolments.dietTitle')}>
          {!e.diet.requested ? (
            <p>{t('enrolments.dietNone')}</p>
          ) : (
            <dl className="row">
              <Row label={t('enrolments.dietType')}>{e.diet.typeLabel ?? e.diet.type}</Row>
              <Row label={t('enrolments.dietRequested')}>{yes(true)}</Row>
              <Row label={t('enrolments.dietAuthorisation')}>
                {e.diet.authorised === null
                  ? t('enrolments.dietPending')
                  : e.diet.authorised
                    ? t('enrolments.dietAuthorised')
                    : t('enrolments.dietRefused')}
              </Row>
            </dl>
          )}
        </Section>
      )}

      <p className="mt-4 d-flex gap-3 flex-wrap">
        <Link to={`${base}/domande/${e.submissionId}`}>{t('enrolments.submission')}</Link>
        <Link to={`${base}/iscritti`}>{t('enrolments.title')}</Link>
      </p>
    </article>
  )
}
