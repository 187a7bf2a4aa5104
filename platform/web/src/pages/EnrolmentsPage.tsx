import { useEffect, useState, type ReactNode } from 'react'
import { Badge } from 'design-react-kit'
import { api, setApiLanguage } from '../api'
import { formatEuro, useT, type Lang, type StringKey } from '../i18n'

/** What Allegato C shows a family about an enrolled child (see GET /enrolments). */
export interface EnrolmentSummary {
  id: number
  service: string
  serviceName: string
  formKey: string
  formTitle: string
  schoolYear: string
  submissionId: number
  status: 'active' | 'withdrawn' | 'ended'
  child: {
    firstName: string | null
    lastName: string | null
    fiscalCode: string | null
    unborn: boolean
    birthDate: string | null
  }
  school: {
    order: string | null
    orderLabel: string | null
    id: string | null
    /** The school's name in the comune's catalog, when the code is still there. */
    name: string | null
    classYear: string | null
    section: string | null
  }
  tariff: { amount: string | null; missingReason: string | null; missingText: string | null }
}

interface TraceLine {
  step: string
  kind: string
  message: string
  source: string | null
}

export interface EnrolmentDetail extends EnrolmentSummary {
  isee: { presented: boolean; value: string | null; inpsProtocol: string | null; kind: string | null } | null
  diet: { requested: boolean; type: string | null; typeLabel: string | null; authorised: boolean | null } | null
  details: Record<string, unknown> | null
  tariff: EnrolmentSummary['tariff'] & {
    title: string | null
    ruleset: string | null
    version: number | null
    at: string | null
    result: Record<string, string | number | boolean | null> | null
    /** Staff only: a family reads the summary's reasons instead. */
    trace: TraceLine[]
    summary: { reasons: string[]; text: string } | null
  }
}

/** A calendar day ("2017-03-04") in the reader's language, never shifted by the time zone. */
function formatDay(lang: Lang, iso: string | null): string {
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return '–'
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`)
  )
}

function childName(e: EnrolmentSummary, unbornLabel: string) {
  const name = [e.child.firstName, e.child.lastName].filter(Boolean).join(' ')
  return name || unbornLabel
}

function classOf(e: EnrolmentSummary) {
  return [e.school.classYear, e.school.section].filter(Boolean).join(' ')
}

function StatusBadge({ status }: { status: EnrolmentSummary['status'] }) {
  const { t } = useT()
  const key = `enrStatus_${status}` as StringKey
  return <Badge color={status === 'active' ? 'success' : 'secondary'}>{t(key)}</Badge>
}

function Fee({ tariff }: { tariff: EnrolmentSummary['tariff'] }) {
  if (tariff.amount === null) return <span>–</span>
  return <span className="text-nowrap">{formatEuro(tariff.amount)}</span>
}

/** "I miei iscritti": the children enrolled through the applications the citizen made. */
export function EnrolmentsPage({ tenant }: { tenant: string }) {
  const { t, lang } = useT()
  const [rows, setRows] = useState<EnrolmentSummary[] | null>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    // Labels and the trace come in the reader's language: this effect runs before the App's, which sets it too.
    setApiLanguage(lang)
    // An answer for a language (or tenant) no longer shown is dropped: answers may arrive out of order.
    let current = true
    api<{ enrolments: EnrolmentSummary[] }>('GET', `/t/${encodeURIComponent(tenant)}/enrolments`)
      .then((r) => current && setRows(r.enrolments))
      .catch(() => current && setFailed(true))
    return () => {
      current = false
    }
  }, [tenant, lang])

  return (
    <>
      <h1 className="h2 mb-3">{t('myEnrolments')}</h1>
      <p className="lead">{t('enrIntro')}</p>
      {failed && <p>{t('genericError')}</p>}
      {!rows && !failed && <p role="status">{t('loading')}</p>}
      {rows && rows.length === 0 && <p>{t('noEnrolments')}</p>}
      {rows && rows.length > 0 && (
        <div className="table-responsive">
          <table className="table enrolments-table">
            <caption className="visually-hidden">{t('myEnrolments')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('enrChild')}</th>
                <th scope="col">{t('enrSchoolYear')}</th>
                <th scope="col">{t('enrFee')}</th>
                <th scope="col">{t('status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <th scope="row" className="fw-normal">
                    <a className="fw-semibold" href={`#/t/${tenant}/iscritti/${e.id}`}>
                      {childName(e, t('enrUnborn'))}
                    </a>
                    <span className="d-block small">{e.serviceName}</span>
                    {(e.school.name || e.school.id || classOf(e)) && (
                      <span className="d-block small text-secondary">
                        {[e.school.name ?? e.school.id, classOf(e)].filter(Boolean).join(' · ')}
                      </span>
                    )}
                  </th>
                  <td className="text-nowrap">{e.schoolYear}</td>
                  <td>
                    <Fee tariff={e.tariff} />
                  </td>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="mt-4 d-flex gap-3 flex-wrap">
        <a href={`#/t/${tenant}/domande`}>{t('myApplications')}</a>
        <a href="#/">{t('backHome')}</a>
      </p>
    </>
  )
}

/** A `dl` row; nothing when there is no value to show. */
function Row({ label, children }: { label: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null
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
      <Row label={t('enrAttendedService')}>{text(details.attended_service)}</Row>
      <Row label={t('enrStructures')}>
        {structures.length > 0 && (
          <ol className="mb-0 ps-3">
            {structures.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        )}
      </Row>
      <Row label={t('enrWeeks')}>
        {weeks.length > 0 && (
          <ul className="mb-0 ps-3">
            {weeks.map((w) => (
              <li key={w.from}>
                {formatDay(lang, w.from)} – {formatDay(lang, w.to)}
              </li>
            ))}
          </ul>
        )}
      </Row>
      <Row label={t('enrDaysPerWeek')}>{text(details.days_per_week)}</Row>
      <Row label={t('enrAttendance')}>{text(details.attendance_time)}</Row>
      <Row label={t('enrLine')}>{text(details.transport_line)}</Row>
      <Row label={t('enrStop')}>{text(details.transport_stop)}</Row>
      <Row label={t('enrRoute')}>{text(details.route)}</Row>
      <Row label={t('enrPickup')}>
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

function Tariff({ tariff }: { tariff: EnrolmentDetail['tariff'] }) {
  const { t, lang } = useT()
  if (tariff.amount === null) {
    return (
      <p className="callout" data-testid="enrolment-tariff-missing">
        {tariff.missingText}
      </p>
    )
  }
  const band = tariff.result?.band
  // Staff get the engine's trace; a family, the plain reasons of the summary.
  const lines: Array<Pick<TraceLine, 'message' | 'source'>> =
    tariff.trace.length > 0
      ? tariff.trace
      : (tariff.summary?.reasons ?? []).map((message) => ({ message, source: null }))
  return (
    <>
      <div className="enrolment-fee mb-3">
        <span className="enrolment-fee-amount" data-testid="enrolment-tariff">
          {formatEuro(tariff.amount)}
        </span>
        {tariff.title && <span className="d-block">{tariff.title}</span>}
      </div>
      <dl className="row">
        <Row label={t('tariffBand')}>
          {typeof band === 'string' ? <span className="text-capitalize">{band}</span> : null}
        </Row>
        <Row label={t('enrTariffAt')}>{formatDay(lang, tariff.at)}</Row>
        <Row label={t('enrTariffRules')}>
          {tariff.ruleset && `${tariff.ruleset}, ${t('enrVersion')} ${tariff.version ?? '–'}`}
        </Row>
      </dl>
      {lines.length > 0 && (
        <>
          <h3 className="h5" id="trace-title">
            {t('enrTraceTitle')}
          </h3>
          <ol className="enrolment-trace" aria-labelledby="trace-title" data-testid="enrolment-trace">
            {lines.map((line, i) => (
              <li key={i}>
                {line.message}
                {line.source && <span className="d-block small text-secondary">{line.source}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  )
}

export function EnrolmentPage({ tenant, id }: { tenant: string; id: string }) {
  const { t, lang } = useT()
  const [e, setEnrolment] = useState<EnrolmentDetail | null>(null)
  const [failed, setFailed] = useState<number | null>(null)

  useEffect(() => {
    setApiLanguage(lang)
    let current = true
    api<{ enrolment: EnrolmentDetail }>('GET', `/t/${encodeURIComponent(tenant)}/enrolments/${encodeURIComponent(id)}`)
      .then((r) => current && setEnrolment(r.enrolment))
      .catch((error: { status?: number }) => current && setFailed(error.status ?? 500))
    return () => {
      current = false
    }
  }, [tenant, id, lang])

  if (failed) return <p>{failed === 404 ? t('enrNotFound') : t('genericError')}</p>
  if (!e) return <p role="status">{t('loading')}</p>
  const yes = (v: boolean) => (v ? t('enrYes') : t('enrNo'))

  return (
    <article aria-labelledby="enrolment-title">
      <p className="mb-1">
        <a href={`#/t/${tenant}/iscritti`}>← {t('myEnrolments')}</a>
      </p>
      <h1 id="enrolment-title" className="h2 mb-1">
        {childName(e, t('enrUnborn'))}
      </h1>
      <p className="mb-4 d-flex flex-wrap gap-2 align-items-center">
        <span>
          {e.serviceName} · {t('enrSchoolYear')} {e.schoolYear}
        </span>
        <StatusBadge status={e.status} />
      </p>

      <Section id="enr-child" title={t('enrChildTitle')}>
        <dl className="row">
          <Row label={t('enrName')}>{[e.child.firstName, e.child.lastName].filter(Boolean).join(' ') || null}</Row>
          <Row label={t('enrFiscalCode')}>{e.child.fiscalCode}</Row>
          {e.child.unborn ? (
            <Row label={t('enrExpectedBirth')}>{formatDay(lang, e.child.birthDate)}</Row>
          ) : (
            <Row label={t('enrBirthDate')}>{e.child.birthDate && formatDay(lang, e.child.birthDate)}</Row>
          )}
        </dl>
      </Section>

      <Section id="enr-school" title={t('enrSchoolTitle')}>
        <dl className="row">
          <Row label={t('enrSchoolOrder')}>{e.school.orderLabel ?? e.school.order}</Row>
          <Row label={t('enrSchool')}>{e.school.name ?? e.school.id}</Row>
          <Row label={t('enrClass')}>{e.school.classYear}</Row>
          <Row label={t('enrSection')}>{e.school.section}</Row>
        </dl>
        {e.details && <Details details={e.details} />}
      </Section>

      <Section id="enr-isee" title={t('enrIseeTitle')}>
        {!e.isee && <p>{t('enrIseeNotAsked')}</p>}
        {e.isee && !e.isee.presented && <p>{t('enrIseeNotPresented')}</p>}
        {e.isee?.presented && (
          <dl className="row">
            <Row label={t('enrIseeValue')}>{e.isee.value && formatEuro(e.isee.value)}</Row>
            <Row label={t('enrIseeKind')}>{e.isee.kind}</Row>
            <Row label={t('enrInpsProtocol')}>{e.isee.inpsProtocol}</Row>
          </dl>
        )}
      </Section>

      <Section id="enr-tariff" title={t('enrTariffTitle')}>
        <Tariff tariff={e.tariff} />
      </Section>

      {e.diet && (
        <Section id="enr-diet" title={t('enrDietTitle')}>
          {!e.diet.requested ? (
            <p>{t('enrDietNone')}</p>
          ) : (
            <dl className="row">
              <Row label={t('enrDietType')}>{e.diet.typeLabel ?? e.diet.type}</Row>
              <Row label={t('enrDietRequested')}>{yes(true)}</Row>
              <Row label={t('enrDietAuthorisation')}>
                {e.diet.authorised === null
                  ? t('enrDietPending')
                  : e.diet.authorised
                    ? t('enrDietAuthorised')
                    : t('enrDietRefused')}
              </Row>
            </dl>
          )}
        </Section>
      )}

      <p className="mt-4 d-flex gap-3 flex-wrap">
        <a href={`#/t/${tenant}/domande/${e.submissionId}`}>{t('enrSubmission')}</a>
        <a href={`#/t/${tenant}/iscritti`}>{t('myEnrolments')}</a>
      </p>
    </article>
  )
}
