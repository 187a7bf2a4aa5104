/**
 * The school calendar in the back office: a school's month, day by day, with canteen or why not
 * (weekday, holiday, closure, strike, trip) and the classes that differ from their school; the
 * closures of the school year that touch the school, each with its reason and a way to remove it;
 * a form to add a closure for every school, one school or one class. Writes go through the
 * calendar's API (audited there); attendance, orders and billing read the same calendar.
 */
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Lang, PluginScreenProps } from '@sportello/platform/sdk/web'
import { className, formatDay, OutcomeAlert, type Outcome, type Places, type SchoolDto } from './common'

type Reason = 'no_school_year' | 'weekday' | 'holiday' | 'closure' | 'strike' | 'trip'
type ClosureKind = 'holiday' | 'closure' | 'strike' | 'trip'

const REASONS: Record<Reason, { it: string; en: string }> = {
  no_school_year: { it: 'Fuori dall’anno scolastico', en: 'Outside the school year' },
  weekday: { it: 'Senza mensa', en: 'No canteen' },
  holiday: { it: 'Festività', en: 'Holiday' },
  closure: { it: 'Chiusura', en: 'Closure' },
  strike: { it: 'Sciopero', en: 'Strike' },
  trip: { it: 'Gita', en: 'Trip' },
}

const TEXT = {
  it: {
    year: 'Anno scolastico',
    school: 'Scuola',
    previous: '← Mese precedente',
    next: 'Mese successivo →',
    monthCaption: (month: string, school: string) => `Giorni di mensa di ${month}, ${school}`,
    weekdays: ['Lunedì', 'Martedì', 'Mercoledì', 'Giovedì', 'Venerdì', 'Sabato', 'Domenica'],
    served: 'Mensa',
    legend: 'Ogni giorno dice se la scuola ha la mensa e, se no, perché; sotto, le classi che fanno diversamente.',
    closures: (year: string) => `Chiusure dell’anno ${year}`,
    closuresCaption: 'Chiusure che riguardano la scuola',
    noClosures: 'Nessuna chiusura per questa scuola nell’anno scolastico.',
    dates: 'Giorni',
    kind: 'Tipo',
    who: 'Per',
    reason: 'Motivo',
    actions: 'Azioni',
    remove: 'Elimina',
    removeLabel: (what: string) => `Elimina la chiusura: ${what}`,
    allSchools: 'Tutte le scuole',
    wholeSchool: 'Tutta la scuola',
    classOf: (cls: string) => `Classe ${cls}`,
    add: 'Nuova chiusura',
    from: 'Dal',
    to: 'Al (compreso)',
    save: 'Aggiungi la chiusura',
    saving: 'Salvataggio…',
    added: (what: string) => `Chiusura aggiunta: ${what}.`,
    removed: (what: string) => `Chiusura eliminata: ${what}.`,
    refused: 'Non salvato',
    needFrom: 'Indica il primo giorno della chiusura.',
    needReason: 'Scrivi il motivo della chiusura (ad esempio «Sciopero del personale»).',
    demo: 'demo',
    weekdaysTitle: 'Giorni della settimana con la mensa',
    weekdaysWho: 'Scuola o classe',
    weekdaysIntro:
      'Una classe con i suoi giorni fa diversamente dalla sua scuola; una scuola senza, come l’impostazione del Comune.',
    weekdaysSave: 'Salva i giorni',
    weekdaysSaved: (who: string) => `Giorni di mensa salvati: ${who}.`,
    weekdaysNone: 'Scegli almeno un giorno.',
    noYears: 'Nessun anno scolastico nel calendario.',
    yearDates: (code: string) => `Date dell’anno ${code}`,
    yearIntro: 'Fuori da queste date la mensa non c’è; le chiusure stanno dentro l’anno.',
    newYear: 'Nuovo anno scolastico',
    newYearIntro: 'Il codice è «AAAA/AAAA+1»; l’anno inizia nel primo dei due e dura meno di un anno.',
    yearCode: 'Codice dell’anno',
    yearStarts: 'Primo giorno di mensa',
    yearEnds: 'Ultimo giorno di mensa',
    yearSave: 'Salva le date',
    yearCreate: 'Crea l’anno',
    yearSaved: (code: string, from: string, to: string) => `Anno ${code} salvato: dal ${from} al ${to}.`,
    needCode: 'Scrivi il codice dell’anno come «2027/2028».',
    needStart: 'Indica il primo giorno di mensa dell’anno.',
    needEnd: 'Indica l’ultimo giorno di mensa dell’anno.',
    endAfterStart: 'L’ultimo giorno deve venire dopo il primo: correggi una delle due date.',
    yearExists: (code: string) => `L’anno ${code} è già nel calendario: cambiane le date qui sopra.`,
    loading: 'Caricamento…',
    failed: 'Non è stato possibile leggere il calendario. Riprova.',
  },
  en: {
    year: 'School year',
    school: 'School',
    previous: '← Previous month',
    next: 'Next month →',
    monthCaption: (month: string, school: string) => `Canteen days in ${month}, ${school}`,
    weekdays: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    served: 'Canteen',
    legend: 'Each day says whether the school has canteen and, if not, why; below, the classes that differ.',
    closures: (year: string) => `Closures of ${year}`,
    closuresCaption: 'Closures that concern the school',
    noClosures: 'No closure for this school in the school year.',
    dates: 'Days',
    kind: 'Kind',
    who: 'For',
    reason: 'Reason',
    actions: 'Actions',
    remove: 'Remove',
    removeLabel: (what: string) => `Remove the closure: ${what}`,
    allSchools: 'All schools',
    wholeSchool: 'The whole school',
    classOf: (cls: string) => `Class ${cls}`,
    add: 'New closure',
    from: 'From',
    to: 'To (included)',
    save: 'Add the closure',
    saving: 'Saving…',
    added: (what: string) => `Closure added: ${what}.`,
    removed: (what: string) => `Closure removed: ${what}.`,
    refused: 'Not saved',
    needFrom: 'Give the first day of the closure.',
    needReason: 'Write the reason for the closure (for example "Staff strike").',
    demo: 'demo',
    weekdaysTitle: 'Weekdays with canteen',
    weekdaysWho: 'School or class',
    weekdaysIntro: 'A class with its own days differs from its school; a school without, as the comune’s setting.',
    weekdaysSave: 'Save the days',
    weekdaysSaved: (who: string) => `Canteen days saved: ${who}.`,
    weekdaysNone: 'Choose at least one day.',
    noYears: 'No school year in the calendar.',
    yearDates: (code: string) => `Dates of ${code}`,
    yearIntro: 'Outside these dates there is no canteen; closures fall within the year.',
    newYear: 'New school year',
    newYearIntro: 'The code is "YYYY/YYYY+1"; the year starts in the first of the two and lasts less than a year.',
    yearCode: 'Code of the year',
    yearStarts: 'First canteen day',
    yearEnds: 'Last canteen day',
    yearSave: 'Save the dates',
    yearCreate: 'Create the year',
    yearSaved: (code: string, from: string, to: string) => `Year ${code} saved: from ${from} to ${to}.`,
    needCode: 'Write the code of the year as "2027/2028".',
    needStart: 'Give the first canteen day of the year.',
    needEnd: 'Give the last canteen day of the year.',
    endAfterStart: 'The last day must come after the first: correct one of the two dates.',
    yearExists: (code: string) => `Year ${code} is already in the calendar: change its dates above.`,
    loading: 'Loading…',
    failed: 'The calendar could not be read. Try again.',
  },
}

interface YearDto {
  code: string
  starts_on: string
  ends_on: string
}

interface ClosureDto {
  id: number
  school_year: string
  kind: ClosureKind
  starts_on: string
  ends_on: string
  school_code: string | null
  class_year: string | null
  section: string | null
  reason: string
  demo: boolean
}

interface MonthDay {
  day: string
  weekday: number
  served: boolean
  reason: Reason | null
  note: string | null
  classes: Array<{ class_year: string | null; section: string; served: boolean; reason: Reason | null }>
}

interface ClassDto {
  id: number
  year: string | null
  section: string
  active: boolean
}

function shiftMonth(month: string, by: number) {
  const [y, m] = month.split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 1 + by, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

function monthLabel(month: string, lang: Lang) {
  const text = new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${month}-01T12:00:00Z`))
  return text.charAt(0).toUpperCase() + text.slice(1)
}

const shortDay = (day: string, lang: Lang) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString(lang === 'it' ? 'it-IT' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  })

/** Weeks from Monday to Sunday, the days outside the month left empty. */
function weeksOf(days: MonthDay[]): Array<Array<MonthDay | null>> {
  if (days.length === 0) return []
  const cells: Array<MonthDay | null> = [...Array(days[0].weekday - 1).fill(null), ...days]
  while (cells.length % 7) cells.push(null)
  const weeks: Array<Array<MonthDay | null>> = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

export function CalendarScreen({ tenant, lang, api }: PluginScreenProps) {
  const text = TEXT[lang]
  const places = useQuery({
    queryKey: ['refezione', 'places', tenant.slug],
    queryFn: () => api<Places>('GET', '/refezione/my/places'),
  })
  const years = useQuery({
    queryKey: ['refezione', 'calendar-years', tenant.slug],
    queryFn: () => api<{ years: YearDto[] }>('GET', '/refezione/calendar/years'),
  })
  const schools = useQuery({
    queryKey: ['refezione', 'calendar-schools', tenant.slug],
    queryFn: () => api<{ schools: SchoolDto[] }>('GET', '/catalog/schools?service=refezione'),
  })
  const [chosenYear, setChosenYear] = useState<string | null>(null)
  const [chosenSchool, setChosenSchool] = useState<string | null>(null)
  const [chosenMonth, setChosenMonth] = useState<string | null>(null)
  if (places.isPending || years.isPending || schools.isPending) return <p role="status">{text.loading}</p>
  if (!places.data || !years.data || !schools.data) return <p className="text-danger">{text.failed}</p>
  const today = places.data.today
  const list = years.data.years
  if (list.length === 0) {
    return (
      <>
        <p>{text.noYears}</p>
        <SchoolYearForm api={api} tenant={tenant.slug} lang={lang} next={nextYear(today)} onSaved={setChosenYear} />
      </>
    )
  }
  const year =
    list.find((y) => y.code === chosenYear) ??
    list.find((y) => y.starts_on <= today && today <= y.ends_on) ??
    list[list.length - 1]
  const school = schools.data.schools.find((s) => s.code === chosenSchool) ?? schools.data.schools[0]
  const inYear = (m: string) => m >= year.starts_on.slice(0, 7) && m <= year.ends_on.slice(0, 7)
  const month =
    chosenMonth && inYear(chosenMonth)
      ? chosenMonth
      : inYear(today.slice(0, 7))
        ? today.slice(0, 7)
        : year.starts_on.slice(0, 7)
  if (!school) return <p>{text.failed}</p>
  return (
    <>
      <div className="row g-3 mb-4">
        <div className="col-12 col-md-4">
          <label className="form-label" htmlFor="refezione-calendar-year">
            {text.year}
          </label>
          <select
            id="refezione-calendar-year"
            className="form-select"
            value={year.code}
            onChange={(e) => setChosenYear(e.target.value)}
          >
            {list.map((y) => (
              <option key={y.code} value={y.code}>
                {y.code}
              </option>
            ))}
          </select>
        </div>
        <div className="col-12 col-md-8">
          <label className="form-label" htmlFor="refezione-calendar-school">
            {text.school}
          </label>
          <select
            id="refezione-calendar-school"
            className="form-select"
            value={school.code}
            onChange={(e) => setChosenSchool(e.target.value)}
          >
            {schools.data.schools.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="row g-4 mb-5">
        <div className="col-12 col-lg-6">
          <SchoolYearForm
            key={year.code}
            api={api}
            tenant={tenant.slug}
            lang={lang}
            year={year}
            onSaved={setChosenYear}
          />
        </div>
        <div className="col-12 col-lg-6">
          <SchoolYearForm
            api={api}
            tenant={tenant.slug}
            lang={lang}
            next={nextYear(list[list.length - 1].ends_on)}
            taken={list.map((y) => y.code)}
            onSaved={setChosenYear}
          />
        </div>
      </div>
      <SchoolMonth
        api={api}
        tenant={tenant.slug}
        lang={lang}
        school={school}
        month={month}
        canGoBack={inYear(shiftMonth(month, -1))}
        canGoOn={inYear(shiftMonth(month, 1))}
        onMonth={(by) => setChosenMonth(shiftMonth(month, by))}
      />
      <ServiceWeekdays api={api} tenant={tenant.slug} lang={lang} school={school} year={year} month={month} />
      <SchoolClosures api={api} tenant={tenant.slug} lang={lang} school={school} year={year} />
    </>
  )
}

interface MonthAnswer {
  weekdays: number[]
  days: MonthDay[]
}

const useMonth = (api: PluginScreenProps['api'], tenant: string, school: string, month: string) =>
  useQuery({
    queryKey: ['refezione', 'calendar-month', tenant, school, month],
    queryFn: () => api<MonthAnswer>('GET', `/refezione/calendar/month?month=${month}&school_code=${school}`),
  })

interface ServiceDaysDto {
  id: number
  school_code: string
  class_year: string | null
  section: string | null
  weekdays: number[]
}

/** The weekdays with canteen of the school or of one of its classes (a class's row wins over its school's). */
function ServiceWeekdays({
  api,
  tenant,
  lang,
  school,
  year,
  month,
}: {
  api: PluginScreenProps['api']
  tenant: string
  lang: Lang
  school: SchoolDto
  year: YearDto
  month: string
}) {
  const text = TEXT[lang]
  const client = useQueryClient()
  const monthAnswer = useMonth(api, tenant, school.code, month)
  const rowsKey = ['refezione', 'calendar-service-days', tenant, year.code]
  const rows = useQuery({
    queryKey: rowsKey,
    queryFn: () =>
      api<{ service_days: ServiceDaysDto[] }>('GET', `/refezione/calendar/service-days?school_year=${year.code}`),
  })
  const classes = useQuery({
    queryKey: ['refezione', 'calendar-classes', tenant, school.code],
    queryFn: () => api<{ classes: ClassDto[] }>('GET', `/catalog/schools/${encodeURIComponent(school.code)}/classes`),
  })
  const [scope, setScope] = useState('school')
  const [edited, setEdited] = useState<number[] | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const target = classes.data?.classes.find((c) => String(c.id) === scope)
  const row = (rows.data?.service_days ?? []).find(
    (r) =>
      r.school_code === school.code &&
      (target ? (r.class_year ?? '') === (target.year ?? '') && r.section === target.section : !r.section)
  )
  const current = edited ?? row?.weekdays ?? monthAnswer.data?.weekdays ?? []
  const who = target ? text.classOf(className(target.year, target.section)) : `${text.wholeSchool} (${school.name})`
  const save = useMutation({
    mutationFn: () =>
      api('PUT', '/refezione/calendar/service-days', {
        school_year: year.code,
        school_code: school.code,
        ...(target ? { section: target.section, ...(target.year ? { class_year: target.year } : {}) } : {}),
        weekdays: current,
      }),
    onSuccess: () => {
      setOutcome({ ok: true, message: text.weekdaysSaved(who) })
      setEdited(null)
    },
    onError: (error) => setOutcome({ ok: false, message: error.message }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: rowsKey })
      void client.invalidateQueries({ queryKey: ['refezione', 'calendar-month', tenant] })
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setOutcome(null)
    if (current.length === 0) setOutcome({ ok: false, message: text.weekdaysNone })
    else save.mutate()
  }
  return (
    <section aria-labelledby="refezione-calendar-weekdays" className="mb-5">
      <h2 id="refezione-calendar-weekdays" className="h4">
        {text.weekdaysTitle}
      </h2>
      <p className="small">{text.weekdaysIntro}</p>
      <form onSubmit={submit} noValidate className="row g-3 align-items-end">
        <div className="col-12 col-md-4">
          <label className="form-label" htmlFor="refezione-weekdays-scope">
            {text.weekdaysWho}
          </label>
          <select
            id="refezione-weekdays-scope"
            className="form-select"
            value={scope}
            onChange={(e) => {
              setScope(e.target.value)
              setEdited(null)
              setOutcome(null)
            }}
          >
            <option value="school">
              {text.wholeSchool} ({school.name})
            </option>
            {(classes.data?.classes ?? [])
              .filter((c) => c.active)
              .map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {text.classOf(className(c.year, c.section))}
                </option>
              ))}
          </select>
        </div>
        <fieldset className="col-12 col-md-5">
          <legend className="visually-hidden">{text.weekdaysTitle}</legend>
          <div className="d-flex flex-wrap gap-3">
            {text.weekdays.slice(0, 6).map((name, i) => (
              <div className="form-check my-0" key={name}>
                <input
                  className="form-check-input"
                  type="checkbox"
                  id={`refezione-weekday-${i + 1}`}
                  checked={current.includes(i + 1)}
                  onChange={(e) =>
                    setEdited(
                      e.target.checked ? [...current, i + 1].sort((a, b) => a - b) : current.filter((d) => d !== i + 1)
                    )
                  }
                />
                <label className="form-check-label" htmlFor={`refezione-weekday-${i + 1}`}>
                  {name}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <div className="col-12 col-md-3">
          <button type="submit" className="btn btn-primary w-100" disabled={save.isPending}>
            {text.weekdaysSave}
          </button>
        </div>
      </form>
      <OutcomeAlert outcome={outcome} testId="refezione-weekdays-outcome" className="mt-3" />
    </section>
  )
}

function SchoolMonth({
  api,
  tenant,
  lang,
  school,
  month,
  canGoBack,
  canGoOn,
  onMonth,
}: {
  api: PluginScreenProps['api']
  tenant: string
  lang: Lang
  school: SchoolDto
  month: string
  canGoBack: boolean
  canGoOn: boolean
  onMonth: (by: number) => void
}) {
  const text = TEXT[lang]
  const answer = useMonth(api, tenant, school.code, month)
  const label = monthLabel(month, lang)
  return (
    <section aria-labelledby="refezione-calendar-month" className="mb-5">
      <div className="d-flex flex-wrap align-items-center justify-content-between gap-2 mb-2">
        <h2 id="refezione-calendar-month" className="h4 mb-0" aria-live="polite">
          {label}
        </h2>
        <div className="d-flex gap-2">
          <button type="button" className="btn btn-outline-primary" disabled={!canGoBack} onClick={() => onMonth(-1)}>
            {text.previous}
          </button>
          <button type="button" className="btn btn-outline-primary" disabled={!canGoOn} onClick={() => onMonth(1)}>
            {text.next}
          </button>
        </div>
      </div>
      <p className="small">{text.legend}</p>
      {answer.isPending && <p role="status">{text.loading}</p>}
      {answer.isError && <p className="text-danger">{text.failed}</p>}
      {answer.data && (
        <div className="table-responsive" tabIndex={0} role="region" aria-label={text.monthCaption(label, school.name)}>
          <table
            className="table table-bordered"
            style={{ tableLayout: 'fixed', overflowWrap: 'break-word', fontSize: '0.8rem' }}
            data-testid="refezione-calendar-month"
          >
            <caption className="visually-hidden">{text.monthCaption(label, school.name)}</caption>
            <thead>
              <tr>
                {text.weekdays.map((w) => (
                  <th key={w} scope="col" className="small">
                    <abbr title={w}>{w.slice(0, 3)}</abbr>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeksOf(answer.data.days).map((week, i) => (
                <tr key={i}>
                  {week.map((d, j) =>
                    d ? (
                      <td
                        key={d.day}
                        data-testid={`refezione-day-${d.day}`}
                        className={d.served ? '' : 'bg-light'}
                        style={{ verticalAlign: 'top', padding: '0.25rem' }}
                      >
                        <span className="d-block fw-semibold">
                          {Number(d.day.slice(8))}
                          <span className="visually-hidden"> {formatDay(d.day, lang)}</span>
                        </span>
                        <span className="d-block">
                          {d.served ? text.served : REASONS[d.reason ?? 'weekday'][lang]}
                          {d.note && d.reason !== 'weekday' ? `: ${d.note}` : ''}
                        </span>
                        {d.classes.map((c) => (
                          <span className="d-block" key={`${c.class_year}|${c.section}`}>
                            {className(c.class_year, c.section)}:{' '}
                            {c.served ? text.served : REASONS[c.reason ?? 'weekday'][lang]}
                          </span>
                        ))}
                      </td>
                    ) : (
                      <td key={`empty-${j}`} aria-hidden="true" />
                    )
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function SchoolClosures({
  api,
  tenant,
  lang,
  school,
  year,
}: {
  api: PluginScreenProps['api']
  tenant: string
  lang: Lang
  school: SchoolDto
  year: YearDto
}) {
  const text = TEXT[lang]
  const client = useQueryClient()
  const closuresKey = ['refezione', 'calendar-closures', tenant, year.code]
  const closures = useQuery({
    queryKey: closuresKey,
    queryFn: () => api<{ closures: ClosureDto[] }>('GET', `/refezione/calendar/closures?school_year=${year.code}`),
  })
  const classes = useQuery({
    queryKey: ['refezione', 'calendar-classes', tenant, school.code],
    queryFn: () => api<{ classes: ClassDto[] }>('GET', `/catalog/schools/${encodeURIComponent(school.code)}/classes`),
  })
  const [kind, setKind] = useState<ClosureKind>('closure')
  const [scope, setScope] = useState('school')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [reason, setReason] = useState('')
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const changed = () => {
    void client.invalidateQueries({ queryKey: closuresKey })
    void client.invalidateQueries({ queryKey: ['refezione', 'calendar-month', tenant] })
  }
  const who = (c: Pick<ClosureDto, 'school_code' | 'class_year' | 'section'>) =>
    !c.school_code ? text.allSchools : c.section ? text.classOf(className(c.class_year, c.section)) : text.wholeSchool
  const describe = (c: Pick<ClosureDto, 'starts_on' | 'ends_on' | 'reason'>) =>
    `${c.reason}, ${c.starts_on === c.ends_on ? formatDay(c.starts_on, lang) : `${formatDay(c.starts_on, lang)} – ${formatDay(c.ends_on, lang)}`}`
  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<{ closure: ClosureDto }>('POST', '/refezione/calendar/closures', body),
    onSuccess: ({ closure }) => {
      setOutcome({ ok: true, message: text.added(`${who(closure)}, ${describe(closure)}`) })
      setReason('')
    },
    onError: (error) => setOutcome({ ok: false, message: error.message }),
    onSettled: changed,
  })
  const remove = useMutation({
    mutationFn: (c: ClosureDto) => api('DELETE', `/refezione/calendar/closures/${c.id}`),
    onSuccess: (_answer, c) => setOutcome({ ok: true, message: text.removed(`${who(c)}, ${describe(c)}`) }),
    onError: (error) => setOutcome({ ok: false, message: error.message }),
    onSettled: changed,
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setOutcome(null)
    if (!from || !reason.trim()) {
      setOutcome({ ok: false, message: !from ? text.needFrom : text.needReason })
      return
    }
    const target = classes.data?.classes.find((c) => String(c.id) === scope)
    add.mutate({
      school_year: year.code,
      kind,
      starts_on: from,
      ends_on: to || from,
      ...(scope === 'all' ? {} : { school_code: school.code }),
      ...(target ? { section: target.section, ...(target.year ? { class_year: target.year } : {}) } : {}),
      reason,
    })
  }
  const mine = (closures.data?.closures ?? []).filter((c) => !c.school_code || c.school_code === school.code)
  return (
    <div className="row g-4">
      <div className="col-12 col-xl-4">
        <section aria-labelledby="refezione-calendar-add" className="card card-bg">
          <div className="card-body">
            <h2 id="refezione-calendar-add" className="h4">
              {text.add}
            </h2>
            <form onSubmit={submit} noValidate>
              <div className="mb-3">
                <label className="form-label" htmlFor="refezione-closure-scope">
                  {text.who}
                </label>
                <select
                  id="refezione-closure-scope"
                  className="form-select"
                  value={scope}
                  onChange={(e) => setScope(e.target.value)}
                >
                  <option value="school">
                    {text.wholeSchool} ({school.name})
                  </option>
                  {(classes.data?.classes ?? [])
                    .filter((c) => c.active)
                    .map((c) => (
                      <option key={c.id} value={String(c.id)}>
                        {text.classOf(className(c.year, c.section))}
                      </option>
                    ))}
                  <option value="all">{text.allSchools}</option>
                </select>
              </div>
              <div className="mb-3">
                <label className="form-label" htmlFor="refezione-closure-kind">
                  {text.kind}
                </label>
                <select
                  id="refezione-closure-kind"
                  className="form-select"
                  value={kind}
                  onChange={(e) => setKind(e.target.value as ClosureKind)}
                >
                  {(['closure', 'strike', 'trip', 'holiday'] as const).map((k) => (
                    <option key={k} value={k}>
                      {REASONS[k][lang]}
                    </option>
                  ))}
                </select>
              </div>
              <div className="row g-2 mb-3">
                <div className="col-6">
                  <label className="form-label" htmlFor="refezione-closure-from">
                    {text.from}
                  </label>
                  <input
                    id="refezione-closure-from"
                    type="date"
                    className="form-control"
                    required
                    min={year.starts_on}
                    max={year.ends_on}
                    value={from}
                    onChange={(e) => setFrom(e.target.value)}
                  />
                </div>
                <div className="col-6">
                  <label className="form-label" htmlFor="refezione-closure-to">
                    {text.to}
                  </label>
                  <input
                    id="refezione-closure-to"
                    type="date"
                    className="form-control"
                    min={from || year.starts_on}
                    max={year.ends_on}
                    value={to}
                    onChange={(e) => setTo(e.target.value)}
                  />
                </div>
              </div>
              <div className="mb-3">
                <label className="form-label" htmlFor="refezione-closure-reason">
                  {text.reason}
                </label>
                <input
                  id="refezione-closure-reason"
                  type="text"
                  className="form-control"
                  required
                  maxLength={200}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
              </div>
              <button type="submit" className="btn btn-primary w-100" disabled={add.isPending}>
                {add.isPending ? text.saving : text.save}
              </button>
            </form>
          </div>
        </section>
      </div>
      <div className="col-12 col-xl-8">
        <section aria-labelledby="refezione-calendar-closures">
          <h2 id="refezione-calendar-closures" className="h4">
            {text.closures(year.code)}
          </h2>
          <OutcomeAlert outcome={outcome} testId="refezione-calendar-outcome" refused={text.refused} />
          {closures.isPending && <p role="status">{text.loading}</p>}
          {closures.isError && <p className="text-danger">{text.failed}</p>}
          {closures.data && mine.length === 0 && <p>{text.noClosures}</p>}
          {mine.length > 0 && (
            <div className="table-responsive">
              <table className="table align-middle" data-testid="refezione-calendar-closures">
                <caption className="visually-hidden">{text.closuresCaption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{text.dates}</th>
                    <th scope="col">{text.kind}</th>
                    <th scope="col">{text.who}</th>
                    <th scope="col">{text.reason}</th>
                    <th scope="col" className="text-end">
                      {text.actions}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {mine.map((c) => (
                    <tr key={c.id} data-testid={`refezione-closure-${c.id}`}>
                      <td className="text-nowrap">
                        {c.starts_on === c.ends_on
                          ? shortDay(c.starts_on, lang)
                          : `${shortDay(c.starts_on, lang)} – ${shortDay(c.ends_on, lang)}`}
                      </td>
                      <td>{REASONS[c.kind][lang]}</td>
                      <td>{who(c)}</td>
                      <td>
                        {c.reason}
                        {c.demo && <span className="badge bg-secondary ms-2">{text.demo}</span>}
                      </td>
                      <td className="text-end">
                        <button
                          type="button"
                          className="btn btn-outline-danger"
                          aria-label={text.removeLabel(`${who(c)}, ${describe(c)}`)}
                          disabled={remove.isPending}
                          onClick={() => {
                            setOutcome(null)
                            remove.mutate(c)
                          }}
                        >
                          {text.remove}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </div>
  )
}

/** The school year that follows a day: "2027/2028" after any day of 2027 up to August, else the next. */
function nextYear(after: string) {
  const [y, m] = after.split('-').map(Number)
  const first = m >= 9 ? y + 1 : y
  return `${first}/${first + 1}`
}

interface FieldError {
  path?: string
  message: string
}

/**
 * The dates of a school year (`year` given) or a new one (`next`, the code it proposes): checked
 * here for what the page can tell (dates given, last after first), then by the server, whose
 * refusals land at the field they name.
 */
function SchoolYearForm({
  api,
  tenant,
  lang,
  year,
  next,
  taken = [],
  onSaved,
}: {
  api: PluginScreenProps['api']
  tenant: string
  lang: Lang
  year?: YearDto
  next?: string
  taken?: string[]
  onSaved: (code: string) => void
}) {
  const text = TEXT[lang]
  const client = useQueryClient()
  const id = year ? 'refezione-year' : 'refezione-new-year'
  const [code, setCode] = useState(year?.code ?? next ?? '')
  const [from, setFrom] = useState(year?.starts_on ?? '')
  const [to, setTo] = useState(year?.ends_on ?? '')
  const [errors, setErrors] = useState<FieldError[]>([])
  const [saved, setSaved] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: (body: { code: string; starts_on: string; ends_on: string }) =>
      api<{ year: YearDto }>('PUT', '/refezione/calendar/years', body),
    onSuccess: ({ year: answer }) => {
      setSaved(text.yearSaved(answer.code, formatDay(answer.starts_on, lang), formatDay(answer.ends_on, lang)))
      if (!year) {
        setCode(nextYear(answer.ends_on))
        setFrom('')
        setTo('')
      }
      onSaved(answer.code)
    },
    onError: (error) => {
      const list = (error as { errors?: FieldError[] }).errors
      // Editing a year, its code is fixed: a refused code means a first day outside its first calendar year.
      const own = (e: FieldError) => (year && e.path === '/code' ? { ...e, path: '/starts_on' } : e)
      setErrors(Array.isArray(list) && list.length > 0 ? list.map(own) : [{ message: error.message }])
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ['refezione', 'calendar-years', tenant] })
      void client.invalidateQueries({ queryKey: ['refezione', 'calendar-month', tenant] })
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved(null)
    const found: FieldError[] = []
    const trimmed = code.trim()
    if (!year && !/^\d{4}\/\d{4}$/.test(trimmed)) found.push({ path: '/code', message: text.needCode })
    else if (!year && taken.includes(trimmed)) found.push({ path: '/code', message: text.yearExists(trimmed) })
    if (!from) found.push({ path: '/starts_on', message: text.needStart })
    if (!to) found.push({ path: '/ends_on', message: text.needEnd })
    else if (from && to <= from) found.push({ path: '/ends_on', message: text.endAfterStart })
    setErrors(found)
    if (found.length === 0) save.mutate({ code: trimmed, starts_on: from, ends_on: to })
  }
  const at = (path: string) => errors.filter((e) => e.path === path).map((e) => e.message)
  const known = ['/starts_on', '/ends_on', ...(year ? [] : ['/code'])]
  const general = errors.filter((e) => !e.path || !known.includes(e.path))
  const field = (path: string, label: string, value: string, set: (v: string) => void, type: 'date' | 'text') => {
    const messages = at(path)
    const name = path.slice(1)
    return (
      <div className={type === 'text' ? 'col-12' : 'col-12 col-sm-6'}>
        <label className="form-label" htmlFor={`${id}-${name}`}>
          {label}
        </label>
        <input
          id={`${id}-${name}`}
          type={type}
          className={`form-control${messages.length ? ' is-invalid' : ''}`}
          required
          value={value}
          maxLength={type === 'text' ? 9 : undefined}
          aria-invalid={messages.length > 0}
          aria-describedby={messages.length ? `${id}-${name}-error` : undefined}
          onChange={(e) => set(e.target.value)}
        />
        {messages.length > 0 && (
          <div id={`${id}-${name}-error`} className="invalid-feedback" data-testid={`${id}-${name}-error`}>
            {messages.join(' ')}
          </div>
        )}
      </div>
    )
  }
  const title = year ? text.yearDates(year.code) : text.newYear
  return (
    <section aria-labelledby={`${id}-title`} className="card card-bg h-100">
      <div className="card-body">
        <h2 id={`${id}-title`} className="h4">
          {title}
        </h2>
        <p className="small">{year ? text.yearIntro : text.newYearIntro}</p>
        <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className="row g-3">
          {!year && field('/code', text.yearCode, code, setCode, 'text')}
          {field('/starts_on', text.yearStarts, from, setFrom, 'date')}
          {field('/ends_on', text.yearEnds, to, setTo, 'date')}
          <div className="col-12">
            <button type="submit" className="btn btn-primary" disabled={save.isPending}>
              {save.isPending ? text.saving : year ? text.yearSave : text.yearCreate}
            </button>
          </div>
        </form>
        <div aria-live="polite">
          {general.length > 0 && (
            <div className="alert alert-danger mt-3" role="alert" data-testid={`${id}-outcome`}>
              <strong className="d-block">{text.refused}</strong>
              {general.map((e) => e.message).join(' ')}
            </div>
          )}
          {saved && (
            <div className="alert alert-success mt-3" role="status" data-testid={`${id}-outcome`}>
              {saved}
            </div>
          )}
        </div>
      </div>
    </section>
  )
}
