import i18next from 'i18next'
import { useMemo } from 'react'
import { initReactI18next, useTranslation } from 'react-i18next'
import type { FeeUnit, Lang } from '#shared/contract'
import { it } from './it'
import { en } from './en'

export type { Lang }

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation'
    resources: { translation: typeof it }
  }
}

const STORAGE_KEY = 'sportello.lang'

function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'it'
  } catch {
    return 'it'
  }
}

/** The page's language: the `lang` attribute and the title follow the chosen language. */
function applyToDocument(lang: Lang) {
  document.documentElement.lang = lang
  document.title = i18next.t('app.name')
}

export function initI18n() {
  void i18next.use(initReactI18next).init({
    resources: { it: { translation: it }, en: { translation: en } },
    lng: storedLang(),
    fallbackLng: 'it',
    supportedLngs: ['it', 'en'],
    // React escapes what it renders; i18next must not escape it a second time.
    interpolation: { escapeValue: false },
    returnNull: false,
    // The strings are in the bundle: ready at once, so the first render is already in the right language.
    initAsync: false,
  })
  applyToDocument(currentLang())
  i18next.on('languageChanged', (lng) => {
    const lang: Lang = lng === 'en' ? 'en' : 'it'
    try {
      localStorage.setItem(STORAGE_KEY, lang)
    } catch {
      // Private browsing: the choice lasts for the page only.
    }
    applyToDocument(lang)
  })
  return i18next
}

/** The language requests are made in (the `Accept-Language` of every API call). */
export function currentLang(): Lang {
  return i18next.language === 'en' ? 'en' : 'it'
}

/** `t` with the current language, typed by the Italian strings. */
export function useT() {
  const { t, i18n } = useTranslation()
  const lang: Lang = i18n.language === 'en' ? 'en' : 'it'
  return { t, lang, setLang: (l: Lang) => void i18n.changeLanguage(l) }
}

/**
 * The strings of a form's own widgets (upload, catalog selects), in the language the form is drawn
 * in (`formContext.lang`): the citizen's, and in the designer's preview the one chosen for it,
 * whatever the page's own.
 */
export function useFormT(formContext: unknown) {
  const { t: pageT, i18n } = useTranslation()
  const own = (formContext as { lang?: unknown } | null | undefined)?.lang
  const lang: Lang = own === 'en' || own === 'it' ? own : i18n.language === 'en' ? 'en' : 'it'
  const t = useMemo(() => i18n.getFixedT(lang) as unknown as typeof pageT, [i18n, lang])
  return { t, lang }
}

import { formatEuro } from '#shared/money_text'

export { formatCents, formatEuro } from '#shared/money_text'

/** "€ 3,43 a pasto", "€39.03 per month": the amount with its unit when the server names one. */
export function feeText(amount: string, unit: FeeUnit | null | undefined, lang: Lang): string {
  const money = formatEuro(amount, lang)
  return unit ? `${money} ${i18next.t(`fee.unit_${unit}`, { lng: lang })}` : money
}

/** A calendar day (YYYY-MM-DD) as people write it: 30/06/2026 in both languages. */
export function formatDay(isoDay: string | null | undefined): string {
  if (!isoDay || !/^\d{4}-\d{2}-\d{2}/.test(isoDay)) return '–'
  const [y, m, d] = isoDay.slice(0, 10).split('-')
  return `${d}/${m}/${y}`
}

/** A calendar day in words ("4 marzo 2017", "4 March 2017"), never shifted by the time zone. */
export function formatLongDay(lang: Lang, isoDay: string | null | undefined): string {
  if (!isoDay || !/^\d{4}-\d{2}-\d{2}$/.test(isoDay)) return '–'
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${isoDay}T00:00:00Z`)
  )
}

/** A moment (ISO timestamp) in the reader's language, in Italy's time. */
export function formatDateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–'
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Rome',
  }).format(new Date(iso))
}

/** What the portal says about a call that is not open (or closes on a known day). */
export function windowLabel(
  t: ReturnType<typeof useT>['t'],
  w: { state: string; opens: string | null; closes: string | null }
): string | null {
  const values = { opens: formatDay(w.opens), closes: formatDay(w.closes) }
  if (w.state === 'closed' && w.closes) return t('window.closedOn', values)
  if (w.state === 'not_yet' && w.opens) return w.closes ? t('window.fromTo', values) : t('window.from', values)
  if (w.state === 'open' && w.closes) return t('window.openUntil', values)
  return null
}
