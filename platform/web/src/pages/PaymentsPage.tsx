import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { api, tenantBase } from '../api/client'
import { PluginScreenPanel, embeddedScreens } from '../app/plugin_screens'
import { pluginOff, useCurrentTenant } from '../app/tenant_context'
import { formatCents, useT, type Lang } from '../i18n'
import { LoadError, Loading } from '../widgets/status'
import { italianToday } from '../app/italian_day'

/** A position as `GET /payments/positions` gives it to its payer (billing_controller.ts). */
interface PositionLine {
  enrolment_id: number | null
  child_name: string | null
  quantity: string | null
  unit_cents: number | null
  amount_cents: number
  description: string
}
interface FamilyPosition {
  id: number
  service_name: string
  period: string
  amount_cents: number
  paid_cents: number
  due_date: string
  status: 'pending' | 'published' | 'partially_paid' | 'paid' | 'cancelled'
  notice_code: string
  paid_at: string | null
  notice_url: string | null
  pay_url: string | null
  lines: PositionLine[]
  /** Set when the position is an injunction's: one notice for the total of the months it replaces. */
  injunction: { label: string; replaces: Array<{ service_name: string; period: string }> } | null
  /** The injunction that replaced this position, if one did. */
  replaced_by: string | null
}
interface PaymentsAnswer {
  positions: FamilyPosition[]
  balance: { balanceCents: number; chargedCents: number; paidCents: number }
}

type Shown = 'to_pay' | 'overdue' | 'paid' | 'partly' | 'pending' | 'cancelled'
const COLOURS: Record<Shown, string> = {
  to_pay: 'primary',
  overdue: 'danger',
  paid: 'success',
  partly: 'warning',
  pending: 'secondary',
  cancelled: 'secondary',
}

/** What the family reads: paid, to pay, or past its due date and still unpaid. */
function shownStatus(p: FamilyPosition, today: string): Shown {
  if (p.status === 'paid') return 'paid'
  if (p.status === 'cancelled') return 'cancelled'
  if (p.status === 'pending') return 'pending'
  if (p.due_date < today) return 'overdue'
  return p.status === 'partially_paid' ? 'partly' : 'to_pay'
}

function monthName(period: string, lang: Lang) {
  const [year, month] = period.split('-').map(Number)
  const name = new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, 1)))
  return name.charAt(0).toUpperCase() + name.slice(1)
}

function dayText(date: string, lang: Lang) {
  const [y, m, d] = date.split('-')
  return lang === 'it' ? `${d}/${m}/${y}` : `${Number(d)} ${monthName(`${y}-${m}`, lang)}`
}

/**
 * "Pagamenti": the family's pagoPA notices, month by month and child by child, with the amount, the
 * due date, the notice code as printed on the AgID notice, whether it is paid, to pay or overdue,
 * the button to pay it and its PDF; the balance, the yearly statement for the tax return, and what
 * the services add (the canteen: the meals consumed, month by month).
 */
export function PaymentsPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const answer = useQuery({
    queryKey: ['payments', tenant.slug, lang],
    queryFn: () => api<PaymentsAnswer>('GET', `${tenantBase(tenant.slug)}/payments/positions`),
  })
  const thisYear = Number(italianToday().slice(0, 4))
  const [year, setYear] = useState(thisYear)
  const today = italianToday()
  const panels = embeddedScreens('payments').filter(({ plugin }) => !pluginOff(plugin, tenant.plugins))

  return (
    <>
      <h1 className="h2 mb-3">{t('payments.title')}</h1>
      <p className="lead">{t('payments.intro')}</p>
      {answer.isPending && <Loading />}
      {answer.isError && <LoadError error={answer.error} />}
      {answer.data && (
        <>
          <section aria-labelledby="payments-balance" className="card card-bg mb-4">
            <div className="card-body">
              <h2 id="payments-balance" className="h5">
                {t('payments.balance')}
              </h2>
              <p className="h4 mb-1" data-testid="payments-balance">
                {answer.data.balance.balanceCents > 0
                  ? t('payments.owed', { amount: formatCents(answer.data.balance.balanceCents, lang) })
                  : answer.data.balance.balanceCents < 0
                    ? t('payments.credit', { amount: formatCents(-answer.data.balance.balanceCents, lang) })
                    : t('payments.settled')}
              </p>
              <p className="small mb-0">
                {t('payments.totals', {
                  charged: formatCents(answer.data.balance.chargedCents, lang),
                  paid: formatCents(Math.abs(answer.data.balance.paidCents), lang),
                })}
              </p>
            </div>
          </section>

          <h2 className="h4">{t('payments.notices')}</h2>
          {answer.data.positions.length === 0 && <p data-testid="payments-none">{t('payments.none')}</p>}
          {answer.data.positions.length > 0 && (
            <div className="table-responsive mb-4">
              <table className="table payments-table" data-testid="payments-table">
                <caption className="visually-hidden">{t('payments.notices')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('payments.month')}</th>
                    <th scope="col">{t('payments.children')}</th>
                    <th scope="col" className="text-end">
                      {t('payments.amount')}
                    </th>
                    <th scope="col">{t('payments.due')}</th>
                    <th scope="col">{t('payments.code')}</th>
                    <th scope="col">{t('payments.status')}</th>
                    <th scope="col">{t('payments.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.data.positions.map((p) => {
                    const shown = shownStatus(p, today)
                    // An injunction's position is named as such, with the months it replaces.
                    const month = p.injunction
                      ? t('payments.injunction', { number: p.injunction.label })
                      : monthName(p.period, lang)
                    const services = p.injunction
                      ? [...new Set(p.injunction.replaces.map((r) => r.service_name))].join(', ')
                      : p.service_name
                    return (
                      <tr key={p.id} data-testid={`position-${p.id}`}>
                        <th scope="row" className="fw-normal">
                          <span className="fw-semibold d-block" data-testid="position-title">
                            {month}
                          </span>
                          {p.injunction && (
                            <span className="small d-block" data-testid="injunction-replaces">
                              {t('payments.injunctionReplaces', {
                                months: p.injunction.replaces.map((r) => monthName(r.period, lang)).join(', '),
                              })}
                            </span>
                          )}
                          <span className="small">{services}</span>
                        </th>
                        <td>
                          <ul className="list-unstyled mb-0 small">
                            {p.lines.map((l, i) => (
                              <li key={i}>
                                {l.child_name && <span className="fw-semibold">{l.child_name}: </span>}
                                {l.quantity && l.unit_cents !== null
                                  ? t('payments.line', {
                                      quantity: l.quantity,
                                      unit: formatCents(l.unit_cents, lang),
                                      amount: formatCents(l.amount_cents, lang),
                                    })
                                  : formatCents(l.amount_cents, lang)}
                              </li>
                            ))}
                          </ul>
                        </td>
                        <td className="text-end text-nowrap">{formatCents(p.amount_cents, lang)}</td>
                        <td className="text-nowrap">{dayText(p.due_date, lang)}</td>
                        <td className="text-nowrap">
                          <span className="font-monospace" data-testid="notice-code">
                            {p.notice_code}
                          </span>
                        </td>
                        <td>
                          <span className={`badge status-badge bg-${COLOURS[shown]}`} data-testid="position-status">
                            {t(`payments.status_${shown}`)}
                          </span>
                          {shown === 'paid' && p.paid_at && (
                            <span className="d-block small">
                              {t('payments.paidOn', { date: dayText(p.paid_at.slice(0, 10), lang) })}
                            </span>
                          )}
                          {p.replaced_by && (
                            <span className="d-block small" data-testid="replaced-by">
                              {t('payments.replacedBy', { number: p.replaced_by })}
                            </span>
                          )}
                        </td>
                        <td>
                          <div className="d-flex flex-column gap-1">
                            {p.pay_url && (
                              <a
                                className="btn btn-primary btn-sm"
                                href={p.pay_url}
                                aria-label={t('payments.payLabel', {
                                  month,
                                  amount: formatCents(p.amount_cents, lang),
                                })}
                              >
                                {t('payments.pay')}
                              </a>
                            )}
                            {p.notice_url && (
                              <a
                                className="btn btn-outline-primary btn-sm"
                                href={`${p.notice_url}?lang=${lang}`}
                                target="_blank"
                                rel="noopener"
                                aria-label={t('payments.noticeLabel', { month })}
                              >
                                {t('payments.notice')}
                              </a>
                            )}
                          </div>
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}

      <section aria-labelledby="payments-statement" className="card card-bg mb-4">
        <div className="card-body">
          <h2 id="payments-statement" className="h5">
            {t('payments.statement')}
          </h2>
          <p className="small">{t('payments.statementHint')}</p>
          <div className="d-flex flex-wrap gap-2 align-items-end">
            <div>
              <label className="form-label" htmlFor="statement-year">
                {t('payments.year')}
              </label>
              <select
                id="statement-year"
                className="form-select"
                value={year}
                onChange={(e) => setYear(Number(e.target.value))}
              >
                {[0, 1, 2, 3, 4].map((back) => (
                  <option key={back} value={thisYear - back}>
                    {thisYear - back}
                  </option>
                ))}
              </select>
            </div>
            <a
              className="btn btn-outline-primary"
              href={`/api/v1${tenantBase(tenant.slug)}/payments/statement.pdf?year=${year}`}
              target="_blank"
              rel="noopener"
              data-testid="statement-link"
            >
              {t('payments.statementLink', { year })}
            </a>
          </div>
        </div>
      </section>

      {panels.map(({ plugin, screen }) => (
        <section key={`${plugin}/${screen.path}`} aria-labelledby={`panel-${plugin}`} className="mb-4">
          <h2 id={`panel-${plugin}`} className="h4">
            {screen.title[lang] ?? screen.title.it}
          </h2>
          <PluginScreenPanel screen={screen} />
        </section>
      ))}
    </>
  )
}
