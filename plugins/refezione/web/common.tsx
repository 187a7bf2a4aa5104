/**
 * What the canteen's pages share: the user's places and the server's day, reading a view with a
 * copy kept on the device (the page still opens without a network), diet names, alerts.
 */
import { useQuery } from '@tanstack/react-query'
import type { Lang, PluginScreenProps } from '@sportello/platform/sdk/web'
import { isNetworkFailure, readView, saveView } from './outbox'

type Api = PluginScreenProps['api']

export interface Places {
  today: string
  cutoff_time: string
  all_schools: boolean
  schools: string[]
  kitchens: string[]
}

export interface SchoolDto {
  code: string
  name: string
  order: string | null
}

/**
 * A GET whose last answer is kept on the device: without a network the page shows that copy and
 * says how old it is (`offlineSince`).
 */
export function useKeptView<T>(api: Api, tenant: string, path: string | null, refetchInterval?: number) {
  return useQuery({
    queryKey: keptViewKey(tenant, path),
    enabled: path !== null,
    refetchInterval,
    // Asked even when the browser says it is offline (after a reload without network): the copy answers.
    networkMode: 'always',
    queryFn: () => keptViewRead<T>(api, tenant, path!),
  })
}

export const keptViewKey = (tenant: string, path: string | null) => ['refezione', 'view', tenant, path]

/** One read of a kept view: the server's answer, saved on the device; without a network, the saved copy. */
export async function keptViewRead<T>(
  api: Api,
  tenant: string,
  path: string
): Promise<{ data: T; offlineSince: string | null }> {
  const key = `${tenant}|${path}`
  try {
    const data = await api<T>('GET', path)
    await saveView(key, data).catch(() => {})
    return { data, offlineSince: null }
  } catch (error) {
    if (!isNetworkFailure(error)) throw error
    const kept = await readView<T>(key)
    if (!kept) throw error
    return { data: kept.data, offlineSince: kept.savedAt }
  }
}

const DIETS: Record<string, { it: string; en: string }> = {
  ordinary: { it: 'Menu ordinario', en: 'Ordinary menu' },
  plain: { it: 'In bianco', en: 'Plain' },
  medical: { it: 'Dieta medica', en: 'Medical diet' },
  vegetarian: { it: 'Vegetariana', en: 'Vegetarian' },
  vegan: { it: 'Vegana', en: 'Vegan' },
  no_pork: { it: 'Senza maiale', en: 'No pork' },
  no_beef: { it: 'Senza manzo', en: 'No beef' },
  no_meat: { it: 'Senza carne', en: 'No meat' },
}

export const dietName = (diet: string, lang: Lang) => DIETS[diet]?.[lang] ?? diet

const ORDERS: Record<string, { it: string; en: string }> = {
  infanzia: { it: 'Infanzia', en: 'Pre-school' },
  primaria: { it: 'Primaria', en: 'Primary' },
  secondaria: { it: 'Secondaria', en: 'Secondary' },
}
export const orderName = (order: string | null, lang: Lang) => (order ? (ORDERS[order]?.[lang] ?? order) : '–')

/** "1ª A", or the section alone for a pre-school section. */
export const className = (classYear: string | null, section: string) =>
  classYear ? `${classYear}ª ${section}` : section

export const formatDay = (day: string, lang: Lang) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString(lang === 'it' ? 'it-IT' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })

export interface AlertDto {
  kind: string
  school_code: string | null
  kitchen_code: string | null
  class_year: string | null
  section: string | null
  message: string
}

const ALERT_TITLES: Record<string, { it: string; en: string }> = {
  class_not_closed: { it: 'Classe non chiusa all’orario limite', en: 'Class not closed by the cut-off' },
  order_unconfirmed: { it: 'Ordine non confermato', en: 'Order not confirmed' },
  school_without_kitchen: { it: 'Scuola senza centro cottura', en: 'School without a kitchen' },
}

/** The stored alerts say it in both languages ("italiano / English"): the reader's half. */
const inLang = (message: string, lang: Lang) => {
  const parts = message.split(' / ')
  return parts.length === 2 ? parts[lang === 'it' ? 0 : 1] : message
}

export function Alerts({ alerts, lang }: { alerts: AlertDto[]; lang: Lang }) {
  if (alerts.length === 0) return null
  return (
    <section className="alert alert-warning" aria-label={lang === 'it' ? 'Avvisi del giorno' : "The day's alerts"}>
      <ul className="mb-0 ps-3" data-testid="refezione-alerts">
        {alerts.map((a, i) => (
          <li key={i}>
            <strong>{ALERT_TITLES[a.kind]?.[lang] ?? a.kind}</strong>: {inLang(a.message, lang)}
          </li>
        ))}
      </ul>
    </section>
  )
}

/** What the server said of the last change: saved, or refused with its reason. */
export interface Outcome {
  ok: boolean
  message: string
}

/** The answer to the last change, read out as it arrives; a refusal is headed by `refused`. */
export function OutcomeAlert({
  outcome,
  testId,
  refused,
  className,
}: {
  outcome: Outcome | null
  testId: string
  refused?: string
  className?: string
}) {
  return (
    <div aria-live="polite">
      {outcome && (
        <div
          className={['alert', className, outcome.ok ? 'alert-success' : 'alert-danger'].filter(Boolean).join(' ')}
          role={outcome.ok ? 'status' : 'alert'}
          data-testid={testId}
        >
          {!outcome.ok && refused && <strong className="d-block">{refused}</strong>}
          {outcome.message}
        </div>
      )}
    </div>
  )
}
