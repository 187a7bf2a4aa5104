import { createContext, useContext } from 'react'

export type Lang = 'it' | 'en'

/** Portal strings. Italian is the default language; English follows every key. */
const STRINGS = {
  appName: { it: 'Sportello – Servizi online', en: 'Sportello – Online services' },
  skipToContent: { it: 'Vai al contenuto', en: 'Skip to content' },
  language: { it: 'Lingua', en: 'Language' },
  login: { it: 'Accedi', en: 'Log in' },
  loginTitle: { it: 'Accedi ai servizi', en: 'Log in to the services' },
  email: { it: 'Indirizzo email', en: 'Email address' },
  password: { it: 'Password', en: 'Password' },
  loginFailed: { it: 'Email o password non corretti.', en: 'Wrong email or password.' },
  logout: { it: 'Esci', en: 'Log out' },
  loading: { it: 'Caricamento…', en: 'Loading…' },
  services: { it: 'Servizi disponibili', en: 'Available services' },
  noForms: { it: 'Nessun servizio attivo per questo ente.', en: 'No service is active for this body.' },
  fill: { it: 'Compila la domanda', en: 'Fill in the application' },
  myApplications: { it: 'Le mie domande', en: 'My applications' },
  noApplications: { it: 'Non hai ancora presentato domande.', en: 'You have not submitted any application yet.' },
  home: { it: 'Servizi', en: 'Services' },
  saveDraft: { it: 'Salva bozza', en: 'Save draft' },
  submit: { it: 'Invia', en: 'Submit' },
  draftSaved: { it: 'Bozza salvata.', en: 'Draft saved.' },
  errorsTitle: { it: 'La domanda non può essere inviata:', en: 'The application cannot be submitted:' },
  blocksTitle: { it: "Da correggere prima dell'invio", en: 'To be fixed before submitting' },
  tariffTitle: { it: 'Tariffa prevista', en: 'Expected fee' },
  tariffPerMeal: { it: 'a pasto', en: 'per meal' },
  tariffBand: { it: 'Fascia', en: 'Band' },
  tariffExempt: { it: 'Esente', en: 'Exempt' },
  tariffUnavailable: { it: 'Completa i dati per vedere la tariffa.', en: 'Complete the data to see the fee.' },
  receiptTitle: { it: 'Domanda inviata', en: 'Application submitted' },
  receiptNumber: { it: 'Numero domanda', en: 'Application number' },
  protocol: { it: 'Protocollo', en: 'Protocol' },
  protocolWaiting: { it: 'Registrazione al protocollo in corso…', en: 'Registering in the protocol…' },
  protocolDone: {
    it: 'Domanda registrata al protocollo con il numero',
    en: 'Application registered with protocol number',
  },
  protocolLater: {
    it: 'Il numero di protocollo non è ancora disponibile: lo troverai tra poco in "Le mie domande".',
    en: 'The protocol number is not available yet: you will find it shortly in "My applications".',
  },
  receiptPdf: { it: 'Scarica la ricevuta (PDF)', en: 'Download the receipt (PDF)' },
  status: { it: 'Stato', en: 'Status' },
  form: { it: 'Modulo', en: 'Form' },
  updated: { it: 'Ultima modifica', en: 'Last change' },
  open: { it: 'Apri', en: 'Open' },
  resume: { it: 'Riprendi la bozza', en: 'Resume the draft' },
  genericError: { it: 'Si è verificato un errore. Riprova.', en: 'Something went wrong. Please try again.' },
  backHome: { it: 'Torna ai servizi', en: 'Back to the services' },
  // Enrolled children (Allegato C): pages/EnrolmentsPage.tsx
  myEnrolments: { it: 'I miei iscritti', en: 'My enrolled children' },
  enrIntro: {
    it: 'I bambini iscritti ai servizi con le domande accolte: dati, scuola, ISEE, dieta e retta assegnata.',
    en: 'The children enrolled in the services through accepted applications: data, school, ISEE, diet and assigned fee.',
  },
  noEnrolments: {
    it: 'Non ci sono ancora iscrizioni: compaiono qui quando una domanda viene accolta.',
    en: 'There are no enrolments yet: they appear here once an application is accepted.',
  },
  enrNotFound: { it: 'Iscrizione non trovata.', en: 'Enrolment not found.' },
  enrChild: { it: 'Bambino/a', en: 'Child' },
  enrChildTitle: { it: 'Dati del bambino', en: "Child's details" },
  enrName: { it: 'Nome e cognome', en: 'Name' },
  enrUnborn: { it: 'Nascituro', en: 'Child not yet born' },
  enrFiscalCode: { it: 'Codice fiscale', en: 'Tax code (codice fiscale)' },
  enrBirthDate: { it: 'Data di nascita', en: 'Date of birth' },
  enrExpectedBirth: { it: 'Data presunta del parto', en: 'Expected date of birth' },
  enrSchoolYear: { it: 'Anno scolastico', en: 'School year' },
  enrFee: { it: 'Retta', en: 'Fee' },
  enrSchoolTitle: { it: 'Scuola e classe', en: 'School and class' },
  enrSchoolOrder: { it: 'Ordine di scuola', en: 'School level' },
  enrSchool: { it: 'Scuola o struttura', en: 'School or facility' },
  enrClass: { it: 'Classe', en: 'Class' },
  enrSection: { it: 'Sezione', en: 'Section' },
  enrAttendedService: { it: 'Servizio frequentato', en: 'Service attended' },
  enrStructures: { it: 'Strutture scelte', en: 'Chosen facilities' },
  enrWeeks: { it: 'Settimane di frequenza', en: 'Weeks of attendance' },
  enrDaysPerWeek: { it: 'Giorni a settimana', en: 'Days a week' },
  enrAttendance: { it: 'Frequenza', en: 'Attendance' },
  enrLine: { it: 'Linea', en: 'Line' },
  enrStop: { it: 'Fermata', en: 'Stop' },
  enrRoute: { it: 'Percorso', en: 'Route' },
  enrPickup: { it: 'Persone autorizzate al ritiro', en: 'People allowed to pick up the child' },
  enrIseeTitle: { it: 'ISEE dichiarato', en: 'Declared ISEE' },
  enrIseeValue: { it: 'Valore ISEE', en: 'ISEE value' },
  enrIseeKind: { it: 'Tipo di ISEE', en: 'ISEE type' },
  enrInpsProtocol: { it: 'Protocollo INPS della DSU', en: 'INPS protocol number of the DSU' },
  enrIseeNotPresented: {
    it: 'ISEE non presentato: si applica la tariffa massima.',
    en: 'ISEE not presented: the highest fee applies.',
  },
  enrIseeNotAsked: {
    it: "La domanda di questo servizio non chiede l'ISEE.",
    en: 'The application for this service does not ask for the ISEE.',
  },
  enrTariffTitle: { it: 'Retta assegnata', en: 'Assigned fee' },
  enrTariffAt: { it: 'Calcolata alla data del', en: 'Computed as of' },
  enrTariffRules: { it: 'Regole applicate', en: 'Rules applied' },
  enrVersion: { it: 'versione', en: 'version' },
  enrTraceTitle: { it: 'Come è stata calcolata', en: 'How it was computed' },
  enrDietTitle: { it: 'Dieta speciale', en: 'Special diet' },
  enrDietNone: { it: 'Nessuna dieta speciale richiesta.', en: 'No special diet requested.' },
  enrDietType: { it: 'Tipo di dieta', en: 'Diet type' },
  enrDietRequested: { it: 'Richiesta', en: 'Requested' },
  enrDietAuthorisation: { it: 'Autorizzazione', en: 'Authorisation' },
  enrDietPending: { it: 'In attesa di verifica da parte degli uffici', en: 'Awaiting the check of the offices' },
  enrDietAuthorised: { it: 'Autorizzata', en: 'Authorised' },
  enrDietRefused: { it: 'Non autorizzata', en: 'Not authorised' },
  enrYes: { it: 'Sì', en: 'Yes' },
  enrNo: { it: 'No', en: 'No' },
  enrSubmission: { it: 'Vedi la domanda', en: 'See the application' },
  enrStatus_active: { it: 'Attiva', en: 'Active' },
  enrStatus_withdrawn: { it: 'Ritirata', en: 'Withdrawn' },
  enrStatus_ended: { it: 'Conclusa', en: 'Ended' },
  // Enrolment windows: pages/HomePage.tsx and pages/FormPage.tsx ({opens} and {closes} are dd/mm/yyyy)
  winFromTo: { it: 'Iscrizioni dal {opens} al {closes}', en: 'Enrolment from {opens} to {closes}' },
  winFrom: { it: 'Iscrizioni dal {opens}', en: 'Enrolment from {opens}' },
  winClosed: { it: 'Iscrizioni chiuse il {closes}', en: 'Enrolment closed on {closes}' },
  winOpenUntil: { it: 'Iscrizioni aperte fino al {closes}', en: 'Enrolment open until {closes}' },
  winNotOpenTitle: { it: 'Iscrizioni non ancora aperte', en: 'Enrolment not open yet' },
  winClosedTitle: { it: 'Iscrizioni chiuse', en: 'Enrolment closed' },
  winNotOpenText: {
    it: 'Potrai presentare la domanda quando si aprono le iscrizioni.',
    en: 'You can apply once enrolment opens.',
  },
  winClosedText: {
    it: 'Il termine per presentare la domanda è scaduto. Per una domanda tardiva rivolgiti allo sportello del Comune.',
    en: 'The deadline to apply has passed. For a late application, please contact the municipal office.',
  },
} as const

export type StringKey = keyof typeof STRINGS

const STATUS: Record<string, { it: string; en: string }> = {
  draft: { it: 'Bozza', en: 'Draft' },
  submitted: { it: 'Inviata', en: 'Submitted' },
  protocolled: { it: 'Protocollata', en: 'Registered' },
  in_review: { it: 'In istruttoria', en: 'Under review' },
  accepted: { it: 'Accolta', en: 'Accepted' },
  approved: { it: 'Accolta', en: 'Approved' },
  rejected: { it: 'Respinta', en: 'Rejected' },
  withdrawn: { it: 'Ritirata', en: 'Withdrawn' },
}

export function translate(lang: Lang, key: StringKey): string {
  return STRINGS[key][lang]
}

export function statusLabel(lang: Lang, status: string): string {
  return STATUS[status]?.[lang] ?? status
}

/** Euro amounts the Italian way in both languages ("€ 5,12"): the fee is set in Italian regulations. */
export function formatEuro(amount: string | number): string {
  const value = typeof amount === 'number' ? amount : Number(amount)
  // Grouping always, as the calls print amounts ("4.300,00"): CLDR's Italian groups from 10.000 only.
  // (`'always'` is newer than this TypeScript's Intl types.)
  const options = { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: 'always' }
  return `€ ${new Intl.NumberFormat('it-IT', options as unknown as Intl.NumberFormatOptions).format(value)}`
}

/** A calendar day (YYYY-MM-DD) as the calls print it, 30/06/2026, in both languages. */
export function formatDay(isoDay: string): string {
  const [y, m, d] = isoDay.split('-')
  return `${d}/${m}/${y}`
}

/** What the portal says about a call that is not open (or closes on a known day). */
export function windowLabel(
  lang: Lang,
  w: { state: string; opens: string | null; closes: string | null }
): string | null {
  const fill = (key: StringKey) =>
    translate(lang, key)
      .replace('{opens}', w.opens ? formatDay(w.opens) : '')
      .replace('{closes}', w.closes ? formatDay(w.closes) : '')
  if (w.state === 'closed' && w.closes) return fill('winClosed')
  if (w.state === 'not_yet' && w.opens) return fill(w.closes ? 'winFromTo' : 'winFrom')
  if (w.state === 'open' && w.closes) return fill('winOpenUntil')
  return null
}

export function formatDate(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–'
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso)
  )
}

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({ lang: 'it', setLang: () => {} })

export function useT() {
  const { lang } = useContext(LangContext)
  return { lang, t: (key: StringKey) => translate(lang, key) }
}
