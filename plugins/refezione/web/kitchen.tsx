/**
 * The kitchen's page (centro cottura): the day's order frozen at the cut-off, with totals per diet,
 * the lines per class (estimated ones marked), adults per slot with teachers apart, the named list
 * of special diets, and the confirmation; the PDF and CSV for the emergency path.
 */
import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Lang, PluginScreenProps } from '@sportello/platform/sdk/web'
import { Alerts, className, dietName, formatDay, orderName, type AlertDto, type Places } from './common'

const TEXT = {
  it: {
    loading: 'Caricamento…',
    failed: 'Non è stato possibile leggere i dati. Riprova.',
    noKitchen: 'Non sei assegnato a nessun centro cottura: chiedi all’ufficio di assegnartene uno.',
    kitchen: 'Centro cottura',
    day: 'Giorno',
    noOrder: (cutoff: string) => `L'ordine di questo giorno non c'è ancora: si congela all'orario limite (${cutoff}).`,
    frozen: 'Da confermare',
    confirmed: (at: string) => `Confermato alle ${at}`,
    confirm: 'Conferma l’ordine',
    confirming: 'Conferma in corso…',
    revision: (n: number) => `Revisione ${n}`,
    estimated: 'Contiene classi non chiuse, contate per stima (iscritti meno disdette).',
    meals: 'Pasti',
    plain: 'In bianco',
    teachers: 'Insegnanti',
    others: 'Altri adulti',
    byDiet: 'Pasti per dieta',
    diet: 'Dieta',
    count: 'Numero',
    lines: 'Pasti per classe',
    school: 'Scuola',
    order: 'Ordine',
    cls: 'Classe',
    diets: 'Diete speciali',
    line: 'Riga',
    estimatedBadge: 'stimata',
    markedBadge: 'rilevata',
    named: 'Diete speciali nominative',
    child: 'Bambino',
    noNamed: 'Nessuna dieta speciale.',
    adults: 'Adulti per turno',
    slot: 'Turno',
    noAdults: 'Nessun adulto.',
    pdf: 'Scarica il PDF',
    csv: 'Scarica il CSV',
    changes: 'Modifiche dopo l’orario limite',
  },
  en: {
    loading: 'Loading…',
    failed: 'The data could not be read. Try again.',
    noKitchen: 'You are not assigned to any kitchen: ask the office to assign you one.',
    kitchen: 'Kitchen',
    day: 'Day',
    noOrder: (cutoff: string) => `There is no order for this day yet: it freezes at the cut-off (${cutoff}).`,
    frozen: 'To confirm',
    confirmed: (at: string) => `Confirmed at ${at}`,
    confirm: 'Confirm the order',
    confirming: 'Confirming…',
    revision: (n: number) => `Revision ${n}`,
    estimated: 'Includes classes not closed, counted by estimate (enrolled minus cancellations).',
    meals: 'Meals',
    plain: 'Plain',
    teachers: 'Teachers',
    others: 'Other adults',
    byDiet: 'Meals by diet',
    diet: 'Diet',
    count: 'Number',
    lines: 'Meals by class',
    school: 'School',
    order: 'Order',
    cls: 'Class',
    diets: 'Special diets',
    line: 'Line',
    estimatedBadge: 'estimated',
    markedBadge: 'marked',
    named: 'Named special diets',
    child: 'Child',
    noNamed: 'No special diet.',
    adults: 'Adults by slot',
    slot: 'Slot',
    noAdults: 'No adult.',
    pdf: 'Download the PDF',
    csv: 'Download the CSV',
    changes: 'Changes after the cut-off',
  },
}

interface KitchenDto {
  code: string
  name: string
  schools: string[]
}

interface OrderDetail {
  day: string
  kitchen_code: string
  status: 'frozen' | 'confirmed'
  meals: number
  estimated: boolean
  revision: number
  confirmed_at: string | null
  totals: {
    meals: number
    plain: number
    by_diet: Record<string, number>
    adults: { teachers: number; others: number }
  }
  classes: Array<{
    school_code: string
    school_name: string
    order: string | null
    class_year: string | null
    section: string
    meals: number
    plain: number
    diets: Record<string, number>
    estimated: boolean
  }>
  adults: Array<{ school_code: string; slot: string; teachers: number; others: number }>
  special_diets: Array<{
    school_code: string
    class_year: string | null
    section: string
    first_name: string
    last_name: string
    diet: string
    plain: boolean
  }>
  changes: Array<{ revision: number; reason: string; meals_before: number; meals_after: number; at: string }>
}

const timeOf = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleTimeString(lang === 'it' ? 'it-IT' : 'en-GB', { hour: '2-digit', minute: '2-digit' })

export function KitchenScreen({ tenant, lang, api }: PluginScreenProps) {
  const text = TEXT[lang]
  const places = useQuery({
    queryKey: ['refezione', 'places', tenant.slug],
    queryFn: () => api<Places>('GET', '/refezione/my/places'),
  })
  const kitchens = useQuery({
    queryKey: ['refezione', 'kitchens', tenant.slug],
    queryFn: () => api<{ kitchens: KitchenDto[] }>('GET', '/refezione/kitchens'),
  })
  const [chosen, setChosen] = useState<string | null>(null)
  const [chosenDay, setChosenDay] = useState<string | null>(null)
  if (places.isPending || kitchens.isPending) return <p role="status">{text.loading}</p>
  if (!places.data || !kitchens.data) return <p className="text-danger">{text.failed}</p>
  const mine = kitchens.data.kitchens.filter((k) => places.data.all_schools || places.data.kitchens.includes(k.code))
  const kitchen = mine.find((k) => k.code === chosen) ?? mine[0]
  if (!kitchen) return <p data-testid="refezione-no-kitchen">{text.noKitchen}</p>
  const day = chosenDay ?? places.data.today
  return (
    <div data-testid="refezione-kitchen">
      <div className="row g-3 align-items-end mb-3">
        {mine.length > 1 && (
          <div className="col-12 col-md-6">
            <label htmlFor="refezione-kitchen-code" className="form-label fw-semibold">
              {text.kitchen}
            </label>
            <select
              id="refezione-kitchen-code"
              className="form-select form-select-lg"
              value={kitchen.code}
              onChange={(e) => setChosen(e.target.value)}
            >
              {mine.map((k) => (
                <option key={k.code} value={k.code}>
                  {k.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="col-12 col-md-4">
          <label htmlFor="refezione-kitchen-day" className="form-label fw-semibold">
            {text.day}
          </label>
          <input
            id="refezione-kitchen-day"
            type="date"
            className="form-control form-control-lg"
            value={day}
            onChange={(e) => setChosenDay(e.target.value || null)}
          />
        </div>
      </div>
      <h2 className="h4">
        {kitchen.name} · {formatDay(day, lang)}
      </h2>
      <OrderView
        key={`${kitchen.code}|${day}`}
        api={api}
        tenant={tenant.slug}
        lang={lang}
        day={day}
        kitchen={kitchen.code}
        cutoff={places.data.cutoff_time}
      />
    </div>
  )
}

function OrderView({
  api,
  tenant,
  lang,
  day,
  kitchen,
  cutoff,
}: {
  api: PluginScreenProps['api']
  tenant: string
  lang: Lang
  day: string
  kitchen: string
  cutoff: string
}) {
  const text = TEXT[lang]
  const queryClient = useQueryClient()
  const path = `/refezione/orders/${day}/${encodeURIComponent(kitchen)}`
  const order = useQuery({
    queryKey: ['refezione', 'order', tenant, day, kitchen],
    queryFn: async () => {
      try {
        return (await api<{ order: OrderDetail }>('GET', path)).order
      } catch (error) {
        // No order yet (before the cut-off): the page says when it comes, and looks again.
        if ((error as { status?: number }).status === 404) return null
        throw error
      }
    },
    refetchInterval: 60_000,
  })
  const alerts = useQuery({
    queryKey: ['refezione', 'alerts', tenant, day],
    queryFn: () => api<{ alerts: AlertDto[] }>('GET', `/refezione/alerts?day=${day}`),
  })
  const confirm = useMutation({
    mutationFn: () => api<{ order: OrderDetail }>('POST', `${path}/confirm`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['refezione', 'order', tenant, day, kitchen] }),
  })
  if (order.isPending) return <p role="status">{text.loading}</p>
  if (order.isError) return <p className="text-danger">{order.error.message}</p>
  const o = order.data
  const relevant = (alerts.data?.alerts ?? []).filter((a) => !a.kitchen_code || a.kitchen_code === kitchen)
  if (!o) {
    return (
      <>
        <Alerts alerts={relevant} lang={lang} />
        <p className="fs-5" data-testid="refezione-no-order">
          {text.noOrder(cutoff)}
        </p>
      </>
    )
  }
  const file = `/api/v1/t/${encodeURIComponent(tenant)}${path}`
  const diets = Object.entries(o.totals.by_diet).filter(([, n]) => n > 0)
  return (
    <div data-testid="refezione-order">
      <Alerts alerts={relevant} lang={lang} />
      <div className="d-flex flex-wrap gap-3 align-items-center mb-3">
        <span
          className={`badge fs-5 ${o.status === 'confirmed' ? 'bg-success' : 'bg-danger'}`}
          data-testid="refezione-order-status"
        >
          {o.status === 'confirmed' && o.confirmed_at ? text.confirmed(timeOf(o.confirmed_at, lang)) : text.frozen}
        </span>
        {o.revision > 1 && <span className="badge fs-6 bg-secondary">{text.revision(o.revision)}</span>}
        {o.status !== 'confirmed' && (
          <button
            type="button"
            className="btn btn-success btn-lg px-5"
            style={{ minHeight: '3.5rem' }}
            disabled={confirm.isPending}
            onClick={() => confirm.mutate()}
          >
            {confirm.isPending ? text.confirming : text.confirm}
          </button>
        )}
        <a className="btn btn-outline-primary btn-lg" href={`${file}/pdf`}>
          {text.pdf}
        </a>
        <a className="btn btn-outline-primary btn-lg" href={`${file}/csv`}>
          {text.csv}
        </a>
      </div>
      {confirm.isError && <p className="text-danger">{confirm.error.message}</p>}
      {o.estimated && (
        <p className="alert alert-warning" data-testid="refezione-order-estimated">
          {text.estimated}
        </p>
      )}
      <div className="row g-2 fs-5 mb-4" data-testid="refezione-order-totals">
        {(
          [
            [text.meals, o.totals.meals],
            [text.plain, o.totals.plain],
            [text.teachers, o.totals.adults.teachers],
            [text.others, o.totals.adults.others],
          ] as const
        ).map(([label, value]) => (
          <div key={label} className="col-6 col-md-3">
            <dl className="border rounded p-3 h-100 mb-0">
              <dt className="fw-normal">{label}</dt>
              <dd className="fs-2 fw-bold mb-0">{value}</dd>
            </dl>
          </div>
        ))}
      </div>
      <div className="row g-4">
        <div className="col-12 col-lg-5">
          <h3 className="h5">{text.byDiet}</h3>
          <table className="table" data-testid="refezione-order-diets">
            <thead>
              <tr>
                <th scope="col">{text.diet}</th>
                <th scope="col" className="text-end">
                  {text.count}
                </th>
              </tr>
            </thead>
            <tbody>
              {diets.map(([diet, n]) => (
                <tr key={diet}>
                  <td>{dietName(diet, lang)}</td>
                  <td className="text-end">{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3 className="h5 mt-4">{text.adults}</h3>
          {o.adults.length === 0 ? (
            <p>{text.noAdults}</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{text.school}</th>
                  <th scope="col">{text.slot}</th>
                  <th scope="col" className="text-end">
                    {text.teachers}
                  </th>
                  <th scope="col" className="text-end">
                    {text.others}
                  </th>
                </tr>
              </thead>
              <tbody>
                {o.adults.map((a) => (
                  <tr key={`${a.school_code}|${a.slot}`}>
                    <td>{o.classes.find((c) => c.school_code === a.school_code)?.school_name ?? a.school_code}</td>
                    <td>{a.slot}</td>
                    <td className="text-end">{a.teachers}</td>
                    <td className="text-end">{a.others}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="col-12 col-lg-7">
          <h3 className="h5">{text.named}</h3>
          {o.special_diets.length === 0 ? (
            <p>{text.noNamed}</p>
          ) : (
            <table className="table" data-testid="refezione-order-named">
              <thead>
                <tr>
                  <th scope="col">{text.child}</th>
                  <th scope="col">{text.cls}</th>
                  <th scope="col">{text.diet}</th>
                </tr>
              </thead>
              <tbody>
                {o.special_diets.map((d, i) => (
                  <tr key={i}>
                    <td>
                      {d.last_name} {d.first_name}
                    </td>
                    <td>
                      {className(d.class_year, d.section)} · {d.school_code}
                    </td>
                    <td>
                      {dietName(d.diet, lang)}
                      {d.plain ? ` (${text.plain.toLowerCase()})` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      <h3 className="h5 mt-4">{text.lines}</h3>
      <div className="table-responsive">
        <table className="table" data-testid="refezione-order-lines">
          <thead>
            <tr>
              <th scope="col">{text.school}</th>
              <th scope="col">{text.order}</th>
              <th scope="col">{text.cls}</th>
              <th scope="col" className="text-end">
                {text.meals}
              </th>
              <th scope="col" className="text-end">
                {text.plain}
              </th>
              <th scope="col">{text.diets}</th>
              <th scope="col">{text.line}</th>
            </tr>
          </thead>
          <tbody>
            {o.classes.map((l) => (
              <tr key={`${l.school_code}|${l.class_year}|${l.section}`} className={l.estimated ? 'table-warning' : ''}>
                <td>{l.school_name}</td>
                <td>{orderName(l.order, lang)}</td>
                <td>{className(l.class_year, l.section)}</td>
                <td className="text-end">{l.meals}</td>
                <td className="text-end">{l.plain}</td>
                <td>
                  {Object.entries(l.diets)
                    .filter(([, n]) => n > 0)
                    .map(([d, n]) => `${dietName(d, lang)} ${n}`)
                    .join(', ') || '–'}
                </td>
                <td>{l.estimated ? text.estimatedBadge : text.markedBadge}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {o.changes.length > 0 && (
        <>
          <h3 className="h5 mt-4">{text.changes}</h3>
          <ul>
            {o.changes.map((c) => (
              <li key={c.revision}>
                {text.revision(c.revision)}: {c.meals_before} → {c.meals_after} · {c.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}
