/**
 * The families' canteen page in the citizen portal: for one of their enrolled children, cancel a
 * day's meal or ask for a plain one (today until the cut-off, later days up to the horizon, both the
 * tenant's settings, read from the server so that a phone with a wrong clock offers the right days),
 * the requests still ahead with a way to withdraw them, and the meals eaten this month up to yesterday.
 */
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Lang, PluginScreenProps } from '@sportello/platform/sdk/web'
import { className, formatDay, OutcomeAlert, type Outcome } from './common'

const TEXT = {
  it: {
    intro: (cutoff: string, last: string) =>
      `Puoi disdire il pasto di un giorno o chiedere un pasto in bianco: per oggi fino alle ${cutoff}, per i giorni seguenti fino a ${last}.`,
    todayClosed: (cutoff: string) =>
      `Per oggi le richieste si sono chiuse alle ${cutoff}: per un'urgenza chiama la scuola.`,
    child: 'Bambino o bambina',
    schoolClass: (school: string, cls: string) => `${school}, classe ${cls}`,
    newRequest: 'Nuova richiesta',
    day: 'Giorno',
    dayHint: (first: string, last: string) => `Dal ${first} al ${last}.`,
    kind: 'Richiesta',
    cancel: 'Disdetta del pasto',
    plain: 'Pasto in bianco',
    send: 'Invia la richiesta',
    sending: 'Invio in corso…',
    saved: (kind: string, day: string) => `Registrato: ${kind.toLowerCase()} per ${day}.`,
    withdrawn: (day: string) => `Richiesta per ${day} ritirata: il pasto è come di consueto.`,
    refused: 'Richiesta non accolta',
    requests: (name: string) => `Le richieste per ${name}`,
    requestsCaption: 'Richieste da oggi in avanti',
    noRequests: 'Nessuna richiesta da oggi in avanti: il pasto è come di consueto.',
    withdraw: 'Ritira',
    withdrawLabel: (day: string) => `Ritira la richiesta per ${day}`,
    closed: 'Chiusa',
    actions: 'Azioni',
    meals: 'Pasti consumati',
    mealsCount: (name: string, n: number, month: string) =>
      `${name} ha consumato ${n} ${n === 1 ? 'pasto' : 'pasti'} a ${month}.`,
    mealsUpTo: (day: string) => `Aggiornato a ieri, ${day}. I mesi precedenti sono nella pagina Pagamenti.`,
    none: 'Nessun bambino iscritto alla mensa: la pagina serve alle famiglie con un figlio iscritto.',
    loading: 'Caricamento…',
    failed: 'Non è stato possibile leggere i dati della mensa. Riprova.',
  },
  en: {
    intro: (cutoff: string, last: string) =>
      `You can cancel a day's meal or ask for a plain meal: for today until ${cutoff}, for the following days up to ${last}.`,
    todayClosed: (cutoff: string) => `Requests for today closed at ${cutoff}: in an emergency, call the school.`,
    child: 'Child',
    schoolClass: (school: string, cls: string) => `${school}, class ${cls}`,
    newRequest: 'New request',
    day: 'Day',
    dayHint: (first: string, last: string) => `From ${first} to ${last}.`,
    kind: 'Request',
    cancel: 'Cancel the meal',
    plain: 'Plain meal',
    send: 'Send the request',
    sending: 'Sending…',
    saved: (kind: string, day: string) => `Recorded: ${kind.toLowerCase()} for ${day}.`,
    withdrawn: (day: string) => `Request for ${day} withdrawn: the meal is as usual.`,
    refused: 'Request not accepted',
    requests: (name: string) => `Requests for ${name}`,
    requestsCaption: 'Requests from today on',
    noRequests: 'No request from today on: the meal is as usual.',
    withdraw: 'Withdraw',
    withdrawLabel: (day: string) => `Withdraw the request for ${day}`,
    closed: 'Closed',
    actions: 'Actions',
    meals: 'Meals eaten',
    mealsCount: (name: string, n: number, month: string) =>
      `${name} ate ${n} ${n === 1 ? 'meal' : 'meals'} in ${month}.`,
    mealsUpTo: (day: string) => `Updated to yesterday, ${day}. Earlier months are on the Payments page.`,
    none: 'No child is enrolled in the canteen: this page is for families with a child enrolled.',
    loading: 'Loading…',
    failed: 'The canteen data could not be read. Try again.',
  },
}

type Kind = 'cancel' | 'plain'

interface Booking {
  today: string
  today_open: boolean
  cutoff_time: string
  last_day: string
  horizon_days: number
}

interface Child {
  enrolment_id: number
  first_name: string | null
  last_name: string | null
  school_code: string
  school_name: string | null
  class_year: string | null
  section: string
}

interface RequestDto {
  enrolment_id: number
  day: string
  kind: Kind
}

const nameOf = (c: Child) => [c.first_name, c.last_name].filter(Boolean).join(' ') || `#${c.enrolment_id}`

/** The day before `day` (YYYY-MM-DD), by the calendar. */
function dayBefore(day: string) {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

function dayAfter(day: string) {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

function monthLabel(day: string, lang: Lang) {
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${day.slice(0, 7)}-01T12:00:00Z`))
}

export function FamilyCanteenScreen({ tenant, lang, api }: PluginScreenProps) {
  const text = TEXT[lang]
  const children = useQuery({
    queryKey: ['refezione', 'family', tenant.slug],
    queryFn: () => api<{ booking: Booking; children: Child[] }>('GET', '/refezione/my/children'),
  })
  const [chosen, setChosen] = useState<number | null>(null)
  if (children.isPending) return <p role="status">{text.loading}</p>
  if (children.isError) return <p className="text-danger">{text.failed}</p>
  const { booking, children: list } = children.data
  if (list.length === 0) return <p data-testid="refezione-family-none">{text.none}</p>
  const child = list.find((c) => c.enrolment_id === chosen) ?? list[0]
  return (
    <>
      <p className="lead" data-testid="refezione-family-window">
        {text.intro(booking.cutoff_time, formatDay(booking.last_day, lang))}
      </p>
      {!booking.today_open && (
        <p className="alert alert-info" data-testid="refezione-family-today-closed">
          {text.todayClosed(booking.cutoff_time)}
        </p>
      )}
      {list.length > 1 && (
        <div className="mb-4">
          <label className="form-label" htmlFor="refezione-family-child">
            {text.child}
          </label>
          <select
            id="refezione-family-child"
            className="form-select"
            value={child.enrolment_id}
            onChange={(e) => setChosen(Number(e.target.value))}
          >
            {list.map((c) => (
              <option key={c.enrolment_id} value={c.enrolment_id}>
                {nameOf(c)}
              </option>
            ))}
          </select>
        </div>
      )}
      <ChildCanteen
        key={child.enrolment_id}
        child={child}
        booking={booking}
        lang={lang}
        api={api}
        tenant={tenant.slug}
      />
    </>
  )
}

function ChildCanteen({
  child,
  booking,
  lang,
  api,
  tenant,
}: {
  child: Child
  booking: Booking
  lang: Lang
  api: PluginScreenProps['api']
  tenant: string
}) {
  const text = TEXT[lang]
  const client = useQueryClient()
  const first = booking.today_open ? booking.today : dayAfter(booking.today)
  const [day, setDay] = useState(first <= booking.last_day ? first : booking.last_day)
  const [kind, setKind] = useState<Kind>('cancel')
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const base = `/refezione/my/children/${child.enrolment_id}`
  const requestsKey = ['refezione', 'family-requests', tenant, child.enrolment_id, booking.today]
  const requests = useQuery({
    queryKey: requestsKey,
    queryFn: () =>
      api<{ requests: RequestDto[] }>('GET', `${base}/requests?from=${booking.today}&to=${booking.last_day}`),
  })
  const yesterday = dayBefore(booking.today)
  const meals = useQuery({
    queryKey: ['refezione', 'family-meals', tenant, child.enrolment_id, yesterday],
    queryFn: () => api<{ meals: number }>('GET', `${base}/meals?month=${yesterday.slice(0, 7)}`),
  })
  const afterAnswer = () => {
    void client.invalidateQueries({ queryKey: requestsKey })
    // The window moves with the clock (the cut-off may have passed meanwhile): read it again.
    void client.invalidateQueries({ queryKey: ['refezione', 'family', tenant] })
  }
  const ask = useMutation({
    mutationFn: (input: { day: string; kind: Kind }) => api('PUT', `${base}/days/${input.day}`, { kind: input.kind }),
    onSuccess: (_answer, input) =>
      setOutcome({ ok: true, message: text.saved(kindName(input.kind, lang), formatDay(input.day, lang)) }),
    onError: (error) => setOutcome({ ok: false, message: error.message }),
    onSettled: afterAnswer,
  })
  const withdraw = useMutation({
    mutationFn: (target: string) => api('DELETE', `${base}/days/${target}`),
    onSuccess: (_answer, target) => setOutcome({ ok: true, message: text.withdrawn(formatDay(target, lang)) }),
    onError: (error) => setOutcome({ ok: false, message: error.message }),
    onSettled: afterAnswer,
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setOutcome(null)
    ask.mutate({ day, kind })
  }
  const name = nameOf(child)
  const open = (d: string) => d > booking.today || (d === booking.today && booking.today_open)
  return (
    <>
      <p className="mb-4" data-testid="refezione-family-class">
        <strong>{name}</strong> ·{' '}
        {text.schoolClass(child.school_name ?? child.school_code, className(child.class_year, child.section))}
      </p>
      <div className="row g-4">
        <div className="col-12 col-lg-5">
          <section aria-labelledby="refezione-family-new" className="card card-bg h-100">
            <div className="card-body">
              <h2 id="refezione-family-new" className="h4">
                {text.newRequest}
              </h2>
              <form onSubmit={submit} noValidate>
                <div className="mb-3">
                  <label className="form-label" htmlFor="refezione-family-day">
                    {text.day}
                  </label>
                  <input
                    id="refezione-family-day"
                    type="date"
                    className="form-control"
                    required
                    min={booking.today}
                    max={booking.last_day}
                    value={day}
                    aria-describedby="refezione-family-day-hint"
                    onChange={(e) => setDay(e.target.value)}
                  />
                  <p id="refezione-family-day-hint" className="form-text mb-0">
                    {text.dayHint(formatDay(booking.today, lang), formatDay(booking.last_day, lang))}
                  </p>
                </div>
                <fieldset className="mb-3">
                  <legend className="form-label fs-6 fw-semibold">{text.kind}</legend>
                  {(['cancel', 'plain'] as const).map((k) => (
                    <div className="form-check" key={k}>
                      <input
                        className="form-check-input"
                        type="radio"
                        name="refezione-family-kind"
                        id={`refezione-family-kind-${k}`}
                        checked={kind === k}
                        onChange={() => setKind(k)}
                      />
                      <label className="form-check-label" htmlFor={`refezione-family-kind-${k}`}>
                        {kindName(k, lang)}
                      </label>
                    </div>
                  ))}
                </fieldset>
                <button type="submit" className="btn btn-primary w-100" disabled={ask.isPending || !day}>
                  {ask.isPending ? text.sending : text.send}
                </button>
              </form>
            </div>
          </section>
        </div>
        <div className="col-12 col-lg-7">
          <section aria-labelledby="refezione-family-requests">
            <h2 id="refezione-family-requests" className="h4">
              {text.requests(name)}
            </h2>
            <OutcomeAlert outcome={outcome} testId="refezione-family-outcome" refused={text.refused} />
            {requests.isPending && <p role="status">{text.loading}</p>}
            {requests.isError && <p className="text-danger">{text.failed}</p>}
            {requests.data && requests.data.requests.length === 0 && (
              <p data-testid="refezione-family-no-requests">{text.noRequests}</p>
            )}
            {requests.data && requests.data.requests.length > 0 && (
              <div className="table-responsive">
                <table className="table align-middle" data-testid="refezione-family-requests">
                  <caption className="visually-hidden">{text.requestsCaption}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{text.day}</th>
                      <th scope="col">{text.kind}</th>
                      <th scope="col" className="text-end">
                        {text.actions}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {requests.data.requests.map((r) => (
                      <tr key={r.day} data-testid={`refezione-family-request-${r.day}`}>
                        <th scope="row" className="fw-normal">
                          {formatDay(r.day, lang)}
                        </th>
                        <td>{kindName(r.kind, lang)}</td>
                        <td className="text-end">
                          {open(r.day) ? (
                            <button
                              type="button"
                              className="btn btn-outline-primary"
                              aria-label={text.withdrawLabel(formatDay(r.day, lang))}
                              disabled={withdraw.isPending}
                              onClick={() => {
                                setOutcome(null)
                                withdraw.mutate(r.day)
                              }}
                            >
                              {text.withdraw}
                            </button>
                          ) : (
                            <span className="text-secondary">{text.closed}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="refezione-family-meals" className="mt-4">
            <h2 id="refezione-family-meals" className="h4">
              {text.meals}
            </h2>
            {meals.isPending && <p role="status">{text.loading}</p>}
            {meals.isError && <p className="text-danger">{text.failed}</p>}
            {meals.data && (
              <p className="mb-1" data-testid="refezione-family-meals">
                {text.mealsCount(name, meals.data.meals, monthLabel(yesterday, lang))}
              </p>
            )}
            <p className="small">{text.mealsUpTo(formatDay(yesterday, lang))}</p>
          </section>
        </div>
      </div>
    </>
  )
}

const kindName = (kind: Kind, lang: Lang) => TEXT[lang][kind]
