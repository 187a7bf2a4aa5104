/**
 * The canteen's pages in the portal (see @sportello/platform/sdk/web): the offices' list of the
 * children enrolled in the canteen, with school, class and fee, fifty a page; the school's
 * attendance tablet (attendance.tsx, also the back office's paper mode) and the kitchen's order
 * (kitchen.tsx); the school calendar's months and closures (calendar.tsx); the families' page to cancel a meal or ask for a plain one (family.tsx), in the
 * navigation of families with a child enrolled; the families' meals of a month, in their payments page.
 */
import { useState } from 'react'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import {
  defineScreens,
  formatEuro,
  type EnrolmentSummaryDto,
  type PluginScreenProps,
} from '@sportello/platform/sdk/web'
import { AttendanceScreen } from './attendance'
import { KitchenScreen } from './kitchen'
import { FamilyCanteenScreen } from './family'
import { CalendarScreen } from './calendar'

const TEXT = {
  it: {
    caption: 'Bambini iscritti alla mensa',
    child: 'Bambino',
    school: 'Scuola e classe',
    year: 'Anno scolastico',
    fee: 'Tariffa',
    none: 'Nessun iscritto alla mensa.',
    loading: 'Caricamento…',
    failed: 'Non è stato possibile leggere gli iscritti. Riprova.',
    previous: 'Pagina precedente',
    next: 'Pagina successiva',
    page: (n: number, of: number) => `Pagina ${n} di ${of}`,
    pages: 'Pagine',
    noFee: 'non calcolata',
  },
  en: {
    caption: 'Children enrolled in the canteen',
    child: 'Child',
    school: 'School and class',
    year: 'School year',
    fee: 'Fee',
    none: 'No child is enrolled in the canteen.',
    loading: 'Loading…',
    failed: 'The enrolled children could not be read. Try again.',
    previous: 'Previous page',
    next: 'Next page',
    page: (n: number, of: number) => `Page ${n} of ${of}`,
    pages: 'Pages',
    noFee: 'not computed',
  },
}

interface Answer {
  enrolments: EnrolmentSummaryDto[]
  meta: { currentPage: number; lastPage: number; total: number }
}

function CanteenChildren({ tenant, lang, api }: PluginScreenProps) {
  const text = TEXT[lang]
  const [page, setPage] = useState(1)
  const answer = useQuery({
    queryKey: ['refezione', 'children', tenant.slug, page, lang],
    queryFn: () => api<Answer>('GET', `/enrolments?service=refezione&page=${page}`),
    placeholderData: keepPreviousData,
  })
  if (answer.isPending) return <p role="status">{text.loading}</p>
  if (answer.isError) return <p className="text-danger">{text.failed}</p>
  const { enrolments, meta } = answer.data
  if (enrolments.length === 0) return <p data-testid="refezione-children-none">{text.none}</p>
  return (
    <>
      <div className="table-responsive">
        <table className="table" data-testid="refezione-children">
          <caption className="visually-hidden">{text.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{text.child}</th>
              <th scope="col">{text.school}</th>
              <th scope="col">{text.year}</th>
              <th scope="col" className="text-end">
                {text.fee}
              </th>
            </tr>
          </thead>
          <tbody>
            {enrolments.map((e) => (
              <tr key={e.id}>
                <td>{[e.child.firstName, e.child.lastName].filter(Boolean).join(' ') || '–'}</td>
                <td>{[e.school.name ?? e.school.id, e.school.section].filter(Boolean).join(' · ') || '–'}</td>
                <td>{e.schoolYear}</td>
                <td className="text-end">{e.tariff.amount ? formatEuro(e.tariff.amount, lang) : text.noFee}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {meta.lastPage > 1 && (
        <nav aria-label={text.pages} className="d-flex gap-2 align-items-center">
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            {text.previous}
          </button>
          <span>{text.page(meta.currentPage, meta.lastPage)}</span>
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={page >= meta.lastPage}
            onClick={() => setPage(page + 1)}
          >
            {text.next}
          </button>
        </nav>
      )}
    </>
  )
}

const MEALS_TEXT = {
  it: {
    month: 'Mese',
    caption: (month: string) => `Pasti consumati a ${month}`,
    child: 'Bambino',
    meals: 'Pasti consumati',
    upTo: 'Il mese in corso è aggiornato a ieri.',
    none: 'Nessun bambino iscritto alla mensa.',
    loading: 'Caricamento…',
    failed: 'Non è stato possibile leggere i pasti. Riprova.',
  },
  en: {
    month: 'Month',
    caption: (month: string) => `Meals eaten in ${month}`,
    child: 'Child',
    meals: 'Meals eaten',
    upTo: 'The current month is updated to yesterday.',
    none: 'No child is enrolled in the canteen.',
    loading: 'Loading…',
    failed: 'The meals could not be read. Try again.',
  },
}

interface MyChild {
  enrolment_id: number
  first_name: string | null
  last_name: string | null
}

/** The last six months, newest first, as YYYY-MM in Italian time. */
function recentMonths(): string[] {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date())
  let year = Number(today.slice(0, 4))
  let month = Number(today.slice(5, 7))
  const out: string[] = []
  for (let i = 0; i < 6; i++) {
    out.push(`${year}-${String(month).padStart(2, '0')}`)
    month -= 1
    if (month === 0) {
      month = 12
      year -= 1
    }
  }
  return out
}

function monthLabel(period: string, lang: 'it' | 'en') {
  const [year, month] = period.split('-').map(Number)
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, 1)))
}

/**
 * The family's meals (on the Pagamenti page): for a month, each enrolled child and the meals eaten,
 * the current month up to yesterday, as billing counts them.
 */
function FamilyMeals({ tenant, lang, api }: PluginScreenProps) {
  const text = MEALS_TEXT[lang]
  const months = recentMonths()
  const [month, setMonth] = useState(months[0])
  const meals = useQuery({
    queryKey: ['refezione', 'my-meals', tenant.slug, month],
    queryFn: async () => {
      const { children } = await api<{ children: MyChild[] }>('GET', '/refezione/my/children')
      const counts = await Promise.all(
        children.map((c) =>
          api<{ meals: number }>('GET', `/refezione/my/children/${c.enrolment_id}/meals?month=${month}`)
        )
      )
      // The month travels with its answer: while the next month loads, the caption still names this one.
      return { month, children: children.map((c, i) => ({ ...c, meals: counts[i].meals })) }
    },
    placeholderData: keepPreviousData,
  })
  return (
    <>
      <div className="mb-3" style={{ maxWidth: '16rem' }}>
        <label className="form-label" htmlFor="refezione-meals-month">
          {text.month}
        </label>
        <select
          id="refezione-meals-month"
          className="form-select"
          value={month}
          onChange={(e) => setMonth(e.target.value)}
        >
          {months.map((m) => (
            <option key={m} value={m}>
              {monthLabel(m, lang)}
            </option>
          ))}
        </select>
      </div>
      {meals.isPending && <p role="status">{text.loading}</p>}
      {meals.isError && <p className="text-danger">{text.failed}</p>}
      {meals.data && meals.data.children.length === 0 && <p>{text.none}</p>}
      {meals.data && meals.data.children.length > 0 && (
        <table className="table" data-testid="refezione-meals">
          <caption>{text.caption(monthLabel(meals.data.month, lang))}</caption>
          <thead>
            <tr>
              <th scope="col">{text.child}</th>
              <th scope="col" className="text-end">
                {text.meals}
              </th>
            </tr>
          </thead>
          <tbody>
            {meals.data.children.map((c) => (
              <tr key={c.enrolment_id}>
                <th scope="row" className="fw-normal">
                  {[c.first_name, c.last_name].filter(Boolean).join(' ') || '–'}
                </th>
                <td className="text-end">{c.meals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {month === months[0] && <p className="small">{text.upTo}</p>}
    </>
  )
}

export default defineScreens({
  plugin: 'refezione',
  screens: [
    {
      path: 'iscritti',
      side: 'staff',
      roles: ['operator', 'tenant_admin'],
      title: { it: 'Mensa: bambini iscritti', en: 'Canteen: enrolled children' },
      nav: { label: { it: 'Mensa', en: 'Canteen' }, order: 60 },
      component: CanteenChildren,
    },
    {
      path: 'presenze',
      side: 'staff',
      roles: ['school_staff', 'operator', 'tenant_admin'],
      title: { it: 'Mensa: presenze del giorno', en: "Canteen: the day's attendance" },
      nav: { label: { it: 'Presenze', en: 'Attendance' }, order: 61 },
      component: AttendanceScreen,
    },
    {
      path: 'cucina',
      side: 'staff',
      roles: ['kitchen', 'operator', 'tenant_admin'],
      title: { it: 'Mensa: ordine del centro cottura', en: "Canteen: the kitchen's order" },
      nav: { label: { it: 'Ordine cucina', en: 'Kitchen order' }, order: 62 },
      component: KitchenScreen,
    },
    {
      path: 'calendario',
      side: 'staff',
      roles: ['operator', 'tenant_admin'],
      title: { it: 'Mensa: calendario scolastico', en: 'Canteen: school calendar' },
      nav: { label: { it: 'Calendario mensa', en: 'Canteen calendar' }, order: 63 },
      component: CalendarScreen,
    },
    {
      path: 'disdette',
      side: 'citizen',
      roles: ['citizen'],
      title: { it: 'Mensa: disdette e pasti in bianco', en: 'Canteen: cancellations and plain meals' },
      nav: { label: { it: 'Mensa', en: 'Canteen' }, order: 33, enrolled: true },
      component: FamilyCanteenScreen,
    },
    {
      path: 'pasti',
      side: 'citizen',
      roles: ['citizen'],
      title: { it: 'Mensa: pasti consumati', en: 'Canteen: meals eaten' },
      embed: 'payments',
      component: FamilyMeals,
    },
  ],
})
