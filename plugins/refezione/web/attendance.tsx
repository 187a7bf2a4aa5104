/**
 * The canteen's attendance on the school's tablet (Allegato A, "Rilevazione presenze via tablet"):
 * the day's classes with those not yet closed at a glance, a class's children present by default
 * with the families' requests applied, marks (absent, plain meal, late entry, early exit), adults
 * by slot, closing the class. Every change goes through the outbox (outbox.ts), so it works the
 * same with or without a network, and the banner says whether everything is sent. The back office
 * uses the same page to copy a paper register (any day, recorded as `paper`).
 */
import { useEffect, useRef, useState } from 'react'
import { useQueryClient, type QueryClient } from '@tanstack/react-query'
import type { Lang, PluginScreenProps } from '@sportello/platform/sdk/web'
import { deviceId, deviceStamp, type OutboxEntry } from './outbox'
import { SyncStatus, useOutbox, type Outbox } from './sync'
import {
  Alerts,
  className,
  dietName,
  formatDay,
  keptViewKey,
  keptViewRead,
  useKeptView,
  type AlertDto,
  type Places,
  type SchoolDto,
} from './common'

const TEXT = {
  it: {
    loading: 'Caricamento…',
    failed: 'Non è stato possibile leggere i dati. Riprova quando c’è rete.',
    noSchool: 'Non sei assegnato a nessuna scuola: chiedi all’ufficio di assegnartene una.',
    school: 'Scuola',
    day: 'Giorno',
    paper: 'Inserimento da registro cartaceo',
    paperHint: 'Le segnature sono registrate come provenienti dal registro cartaceo.',
    offlineCopy: (at: string) => `Senza rete: dati letti alle ${at}.`,
    noYear: 'Nessun anno scolastico in corso in questo giorno.',
    toClose: (n: number, of: number) =>
      n === 0 ? `Tutte le ${of} classi sono chiuse` : `Classi da chiudere: ${n} su ${of}`,
    classes: 'Classi del giorno',
    open: 'Da chiudere',
    closed: 'Chiusa',
    closedLate: 'Chiusa dopo l’orario limite',
    noService: 'Senza mensa',
    meals: (m: number, of: number) => `${m} ${m === 1 ? 'pasto' : 'pasti'} su ${of}`,
    back: '← Tutte le classi',
    classTitle: (name: string) => `Classe ${name}`,
    children: 'Bambini',
    present: 'Presente',
    absent: 'Assente',
    plain: 'In bianco',
    lateEntry: 'Entrata posticipata',
    earlyExit: 'Uscita anticipata',
    familyCancel: 'Disdetto dalla famiglia',
    familyPlain: 'Bianco chiesto dalla famiglia',
    afterCutoff: 'Dopo l’orario limite',
    notSent: 'non inviato',
    noChildren: 'Nessun bambino iscritto alla mensa in questa classe.',
    closeClass: 'Chiudi la classe',
    closedNote: 'Classe chiusa: l’ordine conta queste presenze.',
    pendingClose: 'Chiusura non ancora inviata.',
    adults: 'Adulti a pranzo',
    adultsHint: 'Insegnanti a parte dagli altri adulti autorizzati, per turno.',
    slot: 'Turno',
    teachers: 'Insegnanti',
    others: 'Altri adulti',
    less: (what: string) => `Uno in meno: ${what}`,
    more: (what: string) => `Uno in più: ${what}`,
    saveAdults: 'Registra gli adulti',
    recorded: 'Registrati',
    none: 'nessuno',
    counts: (meals: number, plain: number, absent: number) =>
      `${meals} ${meals === 1 ? 'pasto' : 'pasti'}, di cui ${plain} in bianco; ${absent} ${absent === 1 ? 'assente' : 'assenti'}`,
  },
  en: {
    loading: 'Loading…',
    failed: 'The data could not be read. Try again when there is a network.',
    noSchool: 'You are not assigned to any school: ask the office to assign you one.',
    school: 'School',
    day: 'Day',
    paper: 'Entering from a paper register',
    paperHint: 'Marks are recorded as coming from the paper register.',
    offlineCopy: (at: string) => `No network: data read at ${at}.`,
    noYear: 'No school year runs on this day.',
    toClose: (n: number, of: number) => (n === 0 ? `All ${of} classes are closed` : `Classes to close: ${n} of ${of}`),
    classes: "The day's classes",
    open: 'To close',
    closed: 'Closed',
    closedLate: 'Closed after the cut-off',
    noService: 'No canteen',
    meals: (m: number, of: number) => `${m} ${m === 1 ? 'meal' : 'meals'} of ${of}`,
    back: '← All classes',
    classTitle: (name: string) => `Class ${name}`,
    children: 'Children',
    present: 'Present',
    absent: 'Absent',
    plain: 'Plain meal',
    lateEntry: 'Late entry',
    earlyExit: 'Early exit',
    familyCancel: 'Cancelled by the family',
    familyPlain: 'Plain meal asked by the family',
    afterCutoff: 'After the cut-off',
    notSent: 'not sent',
    noChildren: 'No child of this class is enrolled in the canteen.',
    closeClass: 'Close the class',
    closedNote: 'Class closed: the order counts these presences.',
    pendingClose: 'Closing not sent yet.',
    adults: 'Adults at lunch',
    adultsHint: 'Teachers apart from other authorised adults, by slot.',
    slot: 'Slot',
    teachers: 'Teachers',
    others: 'Other adults',
    less: (what: string) => `One less: ${what}`,
    more: (what: string) => `One more: ${what}`,
    saveAdults: 'Record the adults',
    recorded: 'Recorded',
    none: 'none',
    counts: (meals: number, plain: number, absent: number) =>
      `${meals} ${meals === 1 ? 'meal' : 'meals'}, ${plain} plain; ${absent} absent`,
  },
}
type Text = (typeof TEXT)['it']

interface ClassRow {
  class_year: string | null
  section: string
  served: boolean
  closed: boolean
  closed_after_cutoff: boolean
  enrolled: number
  meals: number
  plain: number
  absent: number
}

interface ClassesAnswer {
  day: string
  school_code: string
  school_year: string | null
  classes: ClassRow[]
  open_classes: number
  adults: Array<{ slot: string; kind: 'teacher' | 'other'; count: number }>
}

interface ChildRow {
  enrolment_id: number
  first_name: string
  last_name: string
  diet: string | null
  family_request: 'cancel' | 'plain' | null
  eats: boolean
  plain: boolean
  late_entry: boolean
  early_exit: boolean
  decided_by: string
  after_cutoff: boolean
}

interface ClassAnswer extends ClassRow {
  day: string
  school_code: string
  rule: string
  children: ChildRow[]
}

const BIG = { minHeight: '3rem', minWidth: '3rem' }
const classKey = (classYear: string | null | undefined, section: string) => `${classYear ?? ''}|${section}`

/** Where the marks go: a class of a school on a day, recorded as tablet or paper. */
interface Place {
  tenant: string
  day: string
  school: string
  source: 'tablet' | 'paper'
}

const entry = (place: Place, kind: OutboxEntry['kind'], body: Record<string, unknown>): OutboxEntry => {
  const stamp = deviceStamp()
  return {
    id: deviceId(kind),
    tenant: place.tenant,
    kind,
    source: place.source,
    createdAt: stamp,
    body: { day: place.day, school_code: place.school, ...body, marked_at: stamp },
  }
}

const classesPath = (day: string, school: string) =>
  `/refezione/attendance/${day}/classes?school_code=${encodeURIComponent(school)}`

function classPath(day: string, school: string, cls: { class_year: string | null; section: string }) {
  const query = new URLSearchParams({ school_code: school, section: cls.section })
  if (cls.class_year) query.set('class_year', cls.class_year)
  return `/refezione/attendance/${day}/class?${query}`
}

/** At most this many schools are copied to the device: a school's staff work in one or a few. */
const SCHOOLS_ON_DEVICE = 10

/**
 * While the network is there, the day's classes and every class's children of the user's schools
 * are read once and kept on the device (outbox.ts, `views`), so that after a reload without a
 * network any class opens and can be marked, not only those looked at before. One class after the
 * other, in the background; the back office (every school) copies nothing.
 */
async function keepDayOnDevice(
  api: PluginScreenProps['api'],
  client: QueryClient,
  tenant: string,
  day: string,
  schools: string[]
) {
  const read = <T,>(path: string) =>
    client.fetchQuery({
      queryKey: keptViewKey(tenant, path),
      queryFn: () => keptViewRead<T>(api, tenant, path),
      staleTime: 30_000,
    })
  for (const school of schools.slice(0, SCHOOLS_ON_DEVICE)) {
    const classes = await read<ClassesAnswer>(classesPath(day, school))
    if (classes.offlineSince) return
    for (const c of classes.data.classes) {
      if (!c.served || c.enrolled === 0) continue
      const answer = await read<ClassAnswer>(classPath(day, school, c))
      if (answer.offlineSince) return
    }
  }
}

function useDayOnDevice(api: PluginScreenProps['api'], tenant: string, day: string | null, schools: string[] | null) {
  const client = useQueryClient()
  const done = useRef(new Set<string>())
  const key = day && schools && schools.length ? `${day}|${schools.join(',')}` : null
  useEffect(() => {
    if (!key || done.current.has(key)) return
    done.current.add(key)
    keepDayOnDevice(api, client, tenant, day!, schools!).catch(() => {
      // Not kept this time (the network went): the next load of the page tries again.
      done.current.delete(key)
    })
    // `key` names the day and the schools; api and client do not change while the page is open.
  }, [key])
}

const pendingOf = (outbox: Outbox, place: Place) =>
  outbox.entries.filter((e) => e.body.day === place.day && e.body.school_code === place.school)

const timeOf = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleTimeString(lang === 'it' ? 'it-IT' : 'en-GB', { hour: '2-digit', minute: '2-digit' })

export function AttendanceScreen({ tenant, lang, roles, api }: PluginScreenProps) {
  const text = TEXT[lang]
  const queryClient = useQueryClient()
  const outbox = useOutbox(api, tenant.slug, () =>
    queryClient.invalidateQueries({ queryKey: ['refezione', 'view', tenant.slug] })
  )
  const backOffice = roles.includes('operator') || roles.includes('tenant_admin')
  const places = useKeptView<Places>(api, tenant.slug, '/refezione/my/places')
  const catalog = useKeptView<{ schools: SchoolDto[] }>(api, tenant.slug, '/catalog/schools?service=refezione')
  const [chosenSchool, setChosenSchool] = useState<string | null>(null)
  const [chosenDay, setChosenDay] = useState<string | null>(null)
  const [paper, setPaper] = useState(false)
  const [openClass, setOpenClass] = useState<{ class_year: string | null; section: string } | null>(null)
  // Read from the server just now (not a copy kept from before): the school staff's day goes to the device.
  const fresh = places.data && !places.data.offlineSince && !places.data.data.all_schools ? places.data.data : null
  useDayOnDevice(api, tenant.slug, fresh?.today ?? null, fresh?.schools ?? null)

  if (places.isPending || catalog.isPending) return <p role="status">{text.loading}</p>
  if (!places.data || !catalog.data) return <p className="text-danger">{text.failed}</p>
  const mine = places.data.data
  const schools = catalog.data.data.schools.filter((s) => mine.all_schools || mine.schools.includes(s.code))
  const school = schools.find((s) => s.code === chosenSchool) ?? schools[0]
  if (!school) return <p data-testid="refezione-no-school">{text.noSchool}</p>
  const place: Place = {
    tenant: tenant.slug,
    // Today by default; an earlier day can be looked at, and marked (then flagged as after the cut-off).
    day: chosenDay || mine.today,
    school: school.code,
    source: backOffice && paper ? 'paper' : 'tablet',
  }

  return (
    <div data-testid="refezione-attendance">
      <SyncStatus outbox={outbox} lang={lang} />
      <div className="row g-3 align-items-end mb-3">
        {schools.length > 1 && (
          <div className="col-12 col-md-6">
            <label htmlFor="refezione-school" className="form-label fw-semibold">
              {text.school}
            </label>
            <select
              id="refezione-school"
              className="form-select form-select-lg"
              value={school.code}
              onChange={(e) => {
                setChosenSchool(e.target.value)
                setOpenClass(null)
              }}
            >
              {schools.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="col-12 col-md-3">
          <label htmlFor="refezione-day" className="form-label fw-semibold">
            {text.day}
          </label>
          <input
            id="refezione-day"
            type="date"
            className="form-control form-control-lg"
            value={place.day}
            max={mine.today}
            onChange={(e) => setChosenDay(e.target.value || null)}
          />
        </div>
        {backOffice && (
          <div className="col-12 col-md-3">
            <div className="form-check">
              <input
                id="refezione-paper"
                type="checkbox"
                className="form-check-input"
                checked={paper}
                onChange={(e) => setPaper(e.target.checked)}
              />
              <label htmlFor="refezione-paper" className="form-check-label">
                {text.paper}
              </label>
            </div>
          </div>
        )}
      </div>
      <h2 className="h4">
        {school.name} · {formatDay(place.day, lang)}
      </h2>
      {place.source === 'paper' && <p className="text-muted">{text.paperHint}</p>}
      {openClass ? (
        <ClassScreen
          key={`${place.day}|${place.school}|${classKey(openClass.class_year, openClass.section)}`}
          api={api}
          lang={lang}
          text={text}
          place={place}
          cls={openClass}
          outbox={outbox}
          onBack={() => setOpenClass(null)}
        />
      ) : (
        <SchoolDay api={api} lang={lang} text={text} place={place} outbox={outbox} onOpen={setOpenClass} />
      )}
    </div>
  )
}

function SchoolDay({
  api,
  lang,
  text,
  place,
  outbox,
  onOpen,
}: {
  api: PluginScreenProps['api']
  lang: Lang
  text: Text
  place: Place
  outbox: Outbox
  onOpen: (c: { class_year: string | null; section: string }) => void
}) {
  const day = useKeptView<ClassesAnswer>(api, place.tenant, classesPath(place.day, place.school), 60_000)
  const alerts = useKeptView<{ alerts: AlertDto[] }>(api, place.tenant, `/refezione/alerts?day=${place.day}`, 60_000)
  if (day.isPending) return <p role="status">{text.loading}</p>
  if (!day.data) return <p className="text-danger">{day.error?.message ?? text.failed}</p>
  const answer = day.data.data
  const pending = pendingOf(outbox, place)
  const closing = new Set(
    pending.filter((e) => e.kind === 'close').map((e) => classKey(e.body.class_year as string, String(e.body.section)))
  )
  const served = answer.classes.filter((c) => c.served)
  const open = served.filter((c) => !c.closed && !closing.has(classKey(c.class_year, c.section)))
  return (
    <>
      {day.data.offlineSince && <p className="text-muted">{text.offlineCopy(timeOf(day.data.offlineSince, lang))}</p>}
      {alerts.data && (
        <Alerts
          alerts={alerts.data.data.alerts.filter((a) => !a.school_code || a.school_code === place.school)}
          lang={lang}
        />
      )}
      {!answer.school_year && <p>{text.noYear}</p>}
      <p
        className={`fs-4 fw-semibold ${open.length ? 'text-danger' : 'text-success'}`}
        data-testid="refezione-open-classes"
      >
        {text.toClose(open.length, served.length)}
      </p>
      <h3 className="visually-hidden">{text.classes}</h3>
      <ul className="row g-3 list-unstyled" data-testid="refezione-classes">
        {answer.classes.map((c) => {
          const key = classKey(c.class_year, c.section)
          const pendingClose = closing.has(key)
          const state = !c.served ? 'none' : c.closed ? 'closed' : pendingClose ? 'pending' : 'open'
          return (
            <li key={key} className="col-12 col-sm-6 col-lg-4">
              <button
                type="button"
                className={`btn w-100 text-start p-3 border-2 ${
                  state === 'open'
                    ? 'btn-outline-danger'
                    : state === 'none'
                      ? 'btn-outline-secondary'
                      : 'btn-outline-success'
                }`}
                style={{ minHeight: '6rem' }}
                disabled={!c.served}
                onClick={() => onOpen({ class_year: c.class_year, section: c.section })}
                data-testid={`class-${key}`}
              >
                <span className="d-flex justify-content-between align-items-center">
                  <span className="fs-3 fw-bold">{className(c.class_year, c.section)}</span>
                  <span
                    className={`badge fs-6 ${state === 'open' ? 'bg-danger' : state === 'none' ? 'bg-secondary' : 'bg-success'}`}
                  >
                    {state === 'open'
                      ? text.open
                      : state === 'none'
                        ? text.noService
                        : state === 'pending'
                          ? `${text.closed} (${text.notSent})`
                          : c.closed_after_cutoff
                            ? text.closedLate
                            : text.closed}
                  </span>
                </span>
                {c.served && <span className="d-block mt-2 fs-5">{text.meals(c.meals, c.enrolled)}</span>}
              </button>
            </li>
          )
        })}
      </ul>
      <Adults text={text} place={place} outbox={outbox} recorded={answer.adults} />
    </>
  )
}

function Counter({
  id,
  label,
  value,
  onChange,
  text,
}: {
  id: string
  label: string
  value: number
  onChange: (n: number) => void
  text: Text
}) {
  return (
    <div className="col-12 col-sm-4">
      <label htmlFor={id} className="form-label fw-semibold">
        {label}
      </label>
      <div className="input-group input-group-lg">
        <button
          type="button"
          className="btn btn-outline-primary"
          style={BIG}
          aria-label={text.less(label)}
          onClick={() => onChange(Math.max(0, value - 1))}
        >
          −
        </button>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={0}
          max={500}
          className="form-control text-center"
          value={value}
          onChange={(e) => onChange(Math.min(500, Math.max(0, Number(e.target.value) || 0)))}
        />
        <button
          type="button"
          className="btn btn-outline-primary"
          style={BIG}
          aria-label={text.more(label)}
          onClick={() => onChange(Math.min(500, value + 1))}
        >
          +
        </button>
      </div>
    </div>
  )
}

/** Adults by slot: each entry sets the count of its slot and kind (the last one counts). */
function Adults({
  text,
  place,
  outbox,
  recorded,
}: {
  text: Text
  place: Place
  outbox: Outbox
  recorded: ClassesAnswer['adults']
}) {
  const latest = new Map<string, number>()
  for (const a of recorded) latest.set(`${a.slot}|${a.kind}`, a.count)
  const pending = pendingOf(outbox, place).filter((e) => e.kind === 'adults')
  for (const e of pending) latest.set(`${String(e.body.slot)}|${String(e.body.kind)}`, Number(e.body.count))
  const [slot, setSlot] = useState('12:30')
  const [teachers, setTeachers] = useState<number | null>(null)
  const [others, setOthers] = useState<number | null>(null)
  const shownTeachers = teachers ?? latest.get(`${slot}|teacher`) ?? 0
  const shownOthers = others ?? latest.get(`${slot}|other`) ?? 0
  const slots = [...new Set([...latest.keys()].map((k) => k.split('|')[0]))].sort()
  return (
    <section className="mt-4" aria-labelledby="refezione-adults">
      <h3 id="refezione-adults" className="h4">
        {text.adults}
      </h3>
      <p className="text-muted">{text.adultsHint}</p>
      <form
        className="row g-3 align-items-end"
        onSubmit={(e) => {
          e.preventDefault()
          void outbox.add([
            entry(place, 'adults', { slot, kind: 'teacher', count: shownTeachers }),
            entry(place, 'adults', { slot, kind: 'other', count: shownOthers }),
          ])
          setTeachers(null)
          setOthers(null)
        }}
      >
        <div className="col-12 col-sm-4">
          <label htmlFor="refezione-slot" className="form-label fw-semibold">
            {text.slot}
          </label>
          <input
            id="refezione-slot"
            type="time"
            step={900}
            required
            className="form-control form-control-lg"
            value={slot}
            onChange={(e) => {
              setSlot(e.target.value)
              setTeachers(null)
              setOthers(null)
            }}
          />
        </div>
        <Counter
          id="refezione-teachers"
          label={text.teachers}
          value={shownTeachers}
          onChange={setTeachers}
          text={text}
        />
        <Counter id="refezione-others" label={text.others} value={shownOthers} onChange={setOthers} text={text} />
        <div className="col-12">
          <button type="submit" className="btn btn-primary btn-lg" style={BIG}>
            {text.saveAdults}
          </button>
        </div>
      </form>
      <p className="mt-3" data-testid="refezione-adults-recorded">
        {text.recorded}:{' '}
        {slots.length === 0
          ? text.none
          : slots
              .map(
                (s) =>
                  `${s} – ${text.teachers.toLowerCase()} ${latest.get(`${s}|teacher`) ?? 0}, ${text.others.toLowerCase()} ${latest.get(`${s}|other`) ?? 0}`
              )
              .join('; ')}
      </p>
    </section>
  )
}

interface ShownChild extends ChildRow {
  unsent: boolean
}

/** The server's view of a child, with the marks still on the device applied in the order they were made. */
function withPending(child: ChildRow, marks: OutboxEntry[]): ShownChild {
  const shown: ShownChild = { ...child, unsent: false }
  for (const m of marks) {
    if (m.body.enrolment_id !== child.enrolment_id) continue
    if (m.body.status) shown.eats = m.body.status === 'present'
    if (typeof m.body.plain === 'boolean') shown.plain = m.body.plain
    if (typeof m.body.late_entry === 'boolean') shown.late_entry = m.body.late_entry
    if (typeof m.body.early_exit === 'boolean') shown.early_exit = m.body.early_exit
    shown.unsent = true
  }
  if (!shown.eats) shown.plain = false
  return shown
}

function ClassScreen({
  api,
  lang,
  text,
  place,
  cls,
  outbox,
  onBack,
}: {
  api: PluginScreenProps['api']
  lang: Lang
  text: Text
  place: Place
  cls: { class_year: string | null; section: string }
  outbox: Outbox
  onBack: () => void
}) {
  const view = useKeptView<ClassAnswer>(api, place.tenant, classPath(place.day, place.school, cls), 60_000)
  const name = className(cls.class_year, cls.section)
  const header = (
    <div className="d-flex flex-wrap gap-3 align-items-center mb-3">
      <button type="button" className="btn btn-outline-primary btn-lg" style={BIG} onClick={onBack}>
        {text.back}
      </button>
      <h3 className="h3 mb-0">{text.classTitle(name)}</h3>
    </div>
  )
  if (view.isPending)
    return (
      <>
        {header}
        <p role="status">{text.loading}</p>
      </>
    )
  if (!view.data)
    return (
      <>
        {header}
        <p className="text-danger">{view.error?.message ?? text.failed}</p>
      </>
    )
  const answer = view.data.data
  const pending = pendingOf(outbox, place).filter(
    (e) =>
      classKey(e.body.class_year as string | null, String(e.body.section)) === classKey(cls.class_year, cls.section)
  )
  const marks = pending.filter((e) => e.kind === 'mark')
  const closingUnsent = pending.some((e) => e.kind === 'close')
  const children = answer.children.map((c) => withPending(c, marks))
  const meals = children.filter((c) => c.eats).length
  const plain = children.filter((c) => c.eats && c.plain).length
  const mark = (child: ShownChild, change: Record<string, unknown>) =>
    void outbox.add([
      entry(place, 'mark', {
        class_year: cls.class_year,
        section: cls.section,
        enrolment_id: child.enrolment_id,
        ...change,
      }),
    ])
  return (
    <>
      {header}
      {view.data.offlineSince && <p className="text-muted">{text.offlineCopy(timeOf(view.data.offlineSince, lang))}</p>}
      <p className="fs-5" data-testid="refezione-class-counts">
        {text.counts(meals, plain, children.length - meals)}
      </p>
      <p className="small text-muted">{answer.rule}</p>
      {children.length === 0 && <p>{text.noChildren}</p>}
      <ul className="list-unstyled" aria-label={text.children} data-testid="refezione-children-day">
        {children.map((c) => {
          const label = `${c.first_name} ${c.last_name}`
          return (
            <li
              key={c.enrolment_id}
              className={`border rounded p-3 mb-2 ${c.eats ? '' : 'bg-light'}`}
              data-testid={`child-${c.enrolment_id}`}
            >
              <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
                <span className="fs-4 fw-semibold me-2">{label}</span>
                <span className={`badge fs-6 ${c.eats ? 'bg-success' : 'bg-danger'}`} data-testid="child-state">
                  {c.eats ? text.present : text.absent}
                </span>
                {c.diet && <span className="badge fs-6 bg-primary">{dietName(c.diet, lang)}</span>}
                {c.eats && c.plain && <span className="badge fs-6 bg-dark">{text.plain}</span>}
                {c.family_request === 'cancel' && <span className="badge fs-6 bg-secondary">{text.familyCancel}</span>}
                {c.family_request === 'plain' && <span className="badge fs-6 bg-secondary">{text.familyPlain}</span>}
                {c.after_cutoff && <span className="badge fs-6 bg-dark">{text.afterCutoff}</span>}
                {c.unsent && (
                  <span
                    className="badge fs-6 border border-dark"
                    style={{ background: '#fff3cd', color: '#1a1a1a' }}
                    data-testid="child-unsent"
                  >
                    {text.notSent}
                  </span>
                )}
              </div>
              <div className="d-flex flex-wrap gap-2" role="group" aria-label={label}>
                <Toggle
                  pressed={!c.eats}
                  label={text.absent}
                  onClick={() => mark(c, { status: c.eats ? 'absent' : 'present' })}
                />
                <Toggle
                  pressed={c.eats && c.plain}
                  label={text.plain}
                  disabled={!c.eats}
                  onClick={() => mark(c, { plain: !c.plain })}
                />
                <Toggle
                  pressed={c.late_entry}
                  label={text.lateEntry}
                  onClick={() => mark(c, { late_entry: !c.late_entry })}
                />
                <Toggle
                  pressed={c.early_exit}
                  label={text.earlyExit}
                  onClick={() => mark(c, { early_exit: !c.early_exit })}
                />
              </div>
            </li>
          )
        })}
      </ul>
      <div className="d-flex flex-wrap gap-3 align-items-center mt-3">
        <button
          type="button"
          className="btn btn-success btn-lg px-5"
          style={{ minHeight: '3.5rem' }}
          onClick={() => void outbox.add([entry(place, 'close', { class_year: cls.class_year, section: cls.section })])}
        >
          {text.closeClass}
        </button>
        {closingUnsent ? (
          <span className="fw-semibold" data-testid="refezione-class-closed">
            {text.pendingClose}
          </span>
        ) : answer.closed ? (
          <span className="fw-semibold text-success" data-testid="refezione-class-closed">
            {text.closedNote}
          </span>
        ) : null}
      </div>
    </>
  )
}

function Toggle({
  pressed,
  label,
  disabled,
  onClick,
}: {
  pressed: boolean
  label: string
  disabled?: boolean
  onClick: () => void
}) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      disabled={disabled}
      className={`btn btn-lg ${pressed ? 'btn-primary' : 'btn-outline-primary'}`}
      style={{ minHeight: '3rem', minWidth: '9rem' }}
      onClick={onClick}
    >
      {label}
    </button>
  )
}
