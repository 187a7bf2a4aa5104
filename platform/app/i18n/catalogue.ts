import { RequestContext, type LanguageSource } from '#services/infrastructure/request_context'
import type { Lang, Localized } from '#shared/contract'

/**
 * Server text a person reads, in one place and in both languages. A message is an entry of a
 * catalogue: its Italian and its English, with `{name}` placeholders; the answer picks the
 * language of the request (`?lang=`, else `Accept-Language`, else Italian). Never write a message as
 * "italiano / English": the scan in tests/unit/i18n refuses it. Plugins ship their own catalogue
 * in their manifest (`messages`) and read it with `ctx.t(key, params)`.
 */

export type MessageParams = Record<string, string | number>

/** Identity that types a catalogue: every entry has its Italian and its English. */
export function defineMessages<const T extends Record<string, Localized>>(messages: T): T {
  return messages
}

/** `{name}` placeholders filled from params; a placeholder without a value stays as written. */
export function fill(text: string, params?: MessageParams): string {
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole
  )
}

/** Both languages of an entry, placeholders filled: for errors raised before the language is known. */
export function localize(entry: Localized, params?: MessageParams): Localized {
  return { it: fill(entry.it, params), en: fill(entry.en, params) }
}

/** The language of the request under way (Italian outside a request, e.g. in a job or the CLI). */
export function currentLanguage(): Lang {
  return languageOf(RequestContext.request())
}

/** The language a request asks for (`?lang=`, else Accept-Language); Italian without a request. */
export function languageOf(request: LanguageSource | undefined): Lang {
  if (!request) return 'it'
  const query = request.qs().lang
  if (query === 'it' || query === 'en') return query
  return request.language(['it', 'en']) === 'en' ? 'en' : 'it'
}

export const MESSAGES = defineMessages({
  // The exception handler and the middleware: what every route may answer.
  'http.loginRequired': {
    it: 'Accesso richiesto: entra con le tue credenziali.',
    en: 'Login required: sign in first.',
  },
  'http.invalidCredentials': {
    it: 'Credenziali non valide: controlla e-mail e password.',
    en: 'Invalid credentials: check e-mail and password.',
  },
  'http.forbiddenRole': {
    it: 'Operazione non consentita al tuo ruolo.',
    en: 'This operation is not allowed for your role.',
  },
  'http.notFound': { it: 'Risorsa non trovata.', en: 'Not found.' },
  'http.tooLarge': {
    it: 'Richiesta troppo grande: il limite è {limit}.',
    en: 'Request body too large: the limit is {limit}.',
  },
  'http.invalidJson': {
    it: 'Il corpo della richiesta non è JSON valido.',
    en: 'The request body is not valid JSON.',
  },
  'http.notAnObject': {
    it: 'Il corpo della richiesta deve essere un oggetto JSON.',
    en: 'The request body must be a JSON object.',
  },
  'http.invalidMultipart': {
    it: 'Il caricamento si è interrotto o non è leggibile: allegare di nuovo il file.',
    en: 'The upload was cut off or cannot be read: attach the file again.',
  },
  'http.uploadParts': {
    it: 'Un caricamento porta un solo file e al più {fields} campi.',
    en: 'An upload carries one file and at most {fields} fields.',
  },
  'http.uploadFieldLong': {
    it: 'Il campo "{name}" è più lungo di {max} byte, il massimo in un caricamento.',
    en: 'Field "{name}" is longer than the {max} bytes an upload allows.',
  },
  'http.uploadFieldName': {
    it: 'Campo "{name}" non ammesso in un caricamento: i nomi sono lettere, cifre e "_", ciascuno una volta.',
    en: 'Field "{name}" not accepted in an upload: names are letters, digits and "_", each used once.',
  },
  'http.tooDeep': {
    it: 'Il corpo della richiesta è annidato oltre {max} livelli.',
    en: 'The request body is nested more than {max} levels deep.',
  },
  'http.mediaType': {
    it: 'Tipo di contenuto "{type}" non accettato: inviare {expected}.',
    en: 'Content type "{type}" not accepted: send {expected}.',
  },
  'http.mediaTypeMissing': {
    it: 'Tipo di contenuto assente: inviare {expected}.',
    en: 'No content type: send {expected}.',
  },
  'http.internal': {
    it: "Errore interno: riprova più tardi. Se si ripete, comunica all'ente il riferimento {reference}.",
    en: 'Internal error: please retry later. If it happens again, give the office the reference {reference}.',
  },
  'http.crossSite': {
    it: "Richiesta rifiutata: proviene da un altro sito. Usa il portale dall'indirizzo ufficiale.",
    en: 'Request refused: it comes from another site. Use the portal from its official address.',
  },
  'http.tooManyRequests': {
    it: 'Troppe richieste: riprova tra {wait}.',
    en: 'Too many requests: try again in {wait}.',
  },
  'http.tooManyLogins': {
    it: 'Troppi tentativi di accesso: riprova tra {wait}.',
    en: 'Too many login attempts: try again in {wait}.',
  },
  'auth.accountDisabled': {
    it: "Account disabilitato: rivolgersi all'ente per riattivarlo.",
    en: 'Account disabled: ask the administration to enable it again.',
  },
  'tenant.notFound': { it: 'Ente "{slug}" non trovato.', en: 'Tenant "{slug}" not found.' },
  'tenant.noAccess': {
    it: 'Non sei abilitato all\'ente "{slug}".',
    en: 'You have no access to the tenant "{slug}".',
  },
  // Resources.
  'form.notFound': { it: 'Modulo non trovato.', en: 'Form not found.' },
  'form.factsApplicant': {
    it: 'Indica in "applicant" il numero dell\'utente per cui presenti la domanda; solo l\'ufficio può farlo.',
    en: 'Give in "applicant" the number of the user you file for; only the office may do so.',
  },
  'attachment.notFound': { it: 'Allegato non trovato.', en: 'Attachment not found.' },
  // A person's documents (documents_controller.ts).
  'document.notFound': { it: 'Documento non trovato.', en: 'Document not found.' },
  'document.subject': {
    it: 'Indica di chi sono i documenti: "person_id" (una persona dell\'anagrafica) o "enrolment_id" (un\'iscrizione).',
    en: 'Say whose documents these are: "person_id" (a person in the register) or "enrolment_id" (an enrolment).',
  },
  'document.subjectNotFound': {
    it: "La persona o l'iscrizione indicata non esiste: scegline una dall'anagrafica o dal registro.",
    en: 'The person or enrolment given does not exist: pick one from the register of people or of enrolments.',
  },
  'document.noFiscalCode': {
    it: 'Questa iscrizione non ha il codice fiscale del minore: i documenti si conservano per codice fiscale.',
    en: 'This enrolment has no codice fiscale for the child: documents are kept by codice fiscale.',
  },
  'document.type': {
    it: '"type" deve essere uno tra: {types}.',
    en: '"type" must be one of: {types}.',
  },
  'document.date': {
    it: '"{field}" deve essere una data valida (AAAA-MM-GG).',
    en: '"{field}" must be a valid date (YYYY-MM-DD).',
  },
  'document.expiryRequired': {
    it: 'Un documento di identità ha una scadenza: indica "expires_on".',
    en: 'An identity document has an expiry date: give "expires_on".',
  },
  'document.expiryBeforeIssue': {
    it: 'La scadenza non può precedere la data di rilascio.',
    en: 'The expiry date cannot come before the issuing date.',
  },
  'document.notes': {
    it: 'Le note vanno da 0 a 1000 caratteri, senza caratteri di controllo.',
    en: 'Notes take 0 to 1000 characters, with no control characters.',
  },
  'document.missing': {
    it: 'Allega il documento nella parte "file".',
    en: 'Attach the document in the "file" part.',
  },
  'document.empty': {
    it: 'Il file è vuoto: scegli il documento da caricare.',
    en: 'The file is empty: pick the document to upload.',
  },
  'document.size': {
    it: 'Il file supera {mb} MB: riducilo (ad esempio scansionandolo a risoluzione più bassa) e riprova.',
    en: 'The file is larger than {mb} MB: make it smaller (for instance by scanning it at a lower resolution) and try again.',
  },
  'document.fileType': {
    it: 'Questo file non è un PDF, un JPEG o un PNG (lo si riconosce dal contenuto, non dal nome): carica uno di questi formati.',
    en: 'This file is not a PDF, JPEG or PNG (it is recognised by its content, not its name): upload one of these formats.',
  },
  'document.reason': {
    it: 'Scrivi perché il documento viene eliminato (da 3 a 500 caratteri).',
    en: 'Write why the document is deleted (3 to 500 characters).',
  },
  'document.unknownField': { it: 'Campo sconosciuto "{name}".', en: 'Unknown field "{name}".' },
  'document.settings': {
    it: 'deve essere un oggetto "retention_days" con, per tipo ({types}), un numero intero di giorni tra 1 e {max}',
    en: 'must be an object "retention_days" with, per type ({types}), a whole number of days between 1 and {max}',
  },
  'school.notFound': { it: 'Scuola non trovata.', en: 'School not found.' },
  'class.notFound': { it: 'Classe non trovata.', en: 'Class not found.' },
  'plugin.notFound': { it: 'Servizio "{plugin}" inesistente.', en: 'No such service "{plugin}".' },
  'plugin.noSettings': {
    it: 'Nessun servizio "{plugin}" con impostazioni.',
    en: 'No service "{plugin}" with settings.',
  },
  'plugin.disabled': {
    it: 'Il servizio "{plugin}" non è attivo per questo ente.',
    en: 'The service "{plugin}" is not enabled for this tenant.',
  },
  'enrolment.missing': { it: 'Iscrizione {id} inesistente.', en: 'No enrolment {id}.' },
  'catalog.unknownSource': {
    it: 'Nessun elenco "{source}" per questo ente.',
    en: 'No list "{source}" in this tenant.',
  },
  'submission.receiptBeforeSending': {
    it: "La ricevuta esiste dopo l'invio della domanda: inviala prima.",
    en: 'The receipt exists once the application is sent: send it first.',
  },
  // Rule sets.
  'ruleset.notFound': {
    it: 'Regole "{key}" inesistenti per questo ente.',
    en: 'No rule set "{key}" in this tenant.',
  },
  'ruleset.invalidFacts': {
    it: 'Dati non validi per "{ruleset}": correggere i dati indicati e ripetere il calcolo.',
    en: 'Invalid facts for "{ruleset}": correct the data listed and evaluate again.',
  },
  'ruleset.badDate': {
    it: 'La data "{at}" non è valida: usare il formato AAAA-MM-GG, per esempio 2021-10-01.',
    en: 'The date "{at}" is not valid: write it YYYY-MM-DD, for example 2021-10-01.',
  },
  'ruleset.noVersionInForce': {
    it: 'Nessuna versione di "{key}" è in vigore il {at}: scegliere una data coperta da una versione o pubblicarne una per quel periodo.',
    en: 'No version of "{key}" is in force on {at}: choose a date a version covers, or publish one for that period.',
  },
  'ruleset.noVersionAtDate': {
    it: 'Nessuna versione di queste regole è in vigore a quella data: scegliere una data coperta da una versione.',
    en: 'No version of this rule set is in force at that date: choose a date a version covers.',
  },
  'ruleset.cannotEvaluate': {
    it: 'Le regole non possono essere calcolate: {detail}',
    en: 'The rule set could not be evaluated: {detail}',
  },
  'ruleset.noSuchVersion': {
    it: 'La versione {version} di "{key}" non esiste.',
    en: 'The rule set "{key}" has no version {version}.',
  },
  'ruleset.startClash': {
    it: "La versione {version} inizia già il {validFrom}: scegliere un'altra data di inizio (valid_from).",
    en: 'Version {version} already starts on {validFrom}: choose another valid_from.',
  },
  'ruleset.testsRequired': {
    it: 'La nuova versione deve contenere almeno un caso di prova in "tests" (name, at, facts, expected).',
    en: 'The new version needs at least one test case in "tests" (name, at, facts, expected).',
  },
  'ruleset.invalidVersion': {
    it: 'La nuova versione non è valida: correggere gli errori indicati.',
    en: 'The new version is invalid: fix the errors listed.',
  },
  'ruleset.testsFail': {
    it: 'Pubblicazione rifiutata: {failed} casi di prova non superati su {total}.',
    en: 'Publishing refused: {failed} of {total} test cases fail.',
  },
  'ruleset.publishedMeanwhile': {
    it: 'Un\'altra versione di "{key}" è stata pubblicata nel frattempo: ricaricare e riprovare.',
    en: 'Another version of "{key}" was published meanwhile: reload and retry.',
  },
  'ruleset.tooManyFacts': {
    it: 'Troppi insiemi di dati in una richiesta: al massimo {max}, dividerli in più richieste.',
    en: 'Too many fact sets in one request: {max} at most, split them over several requests.',
  },
  // Drafts of rule set versions (the designer).
  'draft.startRequired': {
    it: 'Indicare la data di inizio della nuova versione (AAAA-MM-GG).',
    en: "Give the new version's start date (YYYY-MM-DD).",
  },
  'draft.startInPast': {
    it: 'La nuova versione non può iniziare nel passato ({validFrom}): le valutazioni passate restano quelle di allora.',
    en: 'A new version cannot start in the past ({validFrom}): past evaluations stay as they were.',
  },
  'draft.bodyNotObject': {
    it: '"body" deve essere un oggetto (la versione).',
    en: '"body" must be an object (the version).',
  },
  'draft.tooLarge': {
    it: 'Bozza troppo grande: al massimo {kb} KB.',
    en: 'Draft too large: {kb} KB at most.',
  },
  'draft.exists': {
    it: "Esiste già una bozza di queste regole: continuarla, oppure scartarla prima di iniziarne un'altra.",
    en: 'A draft of this rule set already exists: continue it or discard it first.',
  },
  'draft.noVersions': { it: '"{key}" non ha versioni.', en: '"{key}" has no versions.' },
  'draft.none': {
    it: 'Nessuna bozza di "{key}": iniziarne una da una data.',
    en: 'No draft of "{key}": start one from a date.',
  },
  'draft.formulaTooLong': {
    it: 'La formula deve essere un testo di al massimo 2000 caratteri.',
    en: 'A formula is a text of 2000 characters at most.',
  },
  'draft.oneFactSet': { it: 'Un solo insieme di dati per prova.', en: 'One fact set per try.' },
  // Login from a tenant's directory.
  'directory.unavailable': {
    it: "Accesso con le credenziali dell'ente non disponibile ora: riprova tra qualche minuto o avvisa l'assistenza.",
    en: "Login with the administration's credentials is not available now: try again in a few minutes or tell the help desk.",
  },
  'directory.none': {
    it: "Questo ente non usa l'accesso con le credenziali dell'ente.",
    en: 'This administration has no directory login.',
  },
  'directory.noRole': {
    it: "Nessun tuo gruppo dell'ente dà accesso a Sportello: chiedi all'amministratore di sistema di aggiungerti al gruppo giusto.",
    en: 'None of your groups gives access to Sportello: ask the system administrator to add you to the right group.',
  },
  'directory.accountConflict': {
    it: "Esiste già un account con la tua e-mail che non accede con le credenziali dell'ente: chiedi all'assistenza di collegarlo.",
    en: "An account with your e-mail already exists and does not log in with the administration's credentials: ask the help desk to link it.",
  },
  // A tenant made from another's configuration.
  'tenantCopy.noSource': {
    it: 'Ente di partenza "{slug}" inesistente.',
    en: 'No tenant "{slug}" to copy from.',
  },
  'tenantCopy.slugTaken': {
    it: 'L\'indirizzo "{slug}" è già di un altro ente: sceglierne un altro.',
    en: '"{slug}" is already taken: choose another.',
  },
  // The form builder's converter (canonical form to and from Form.io): each names its component.
  'formio.unknownKeyword': {
    it: '"{component}": la parola chiave "{keyword}" dello schema non è gestita dal costruttore di moduli.',
    en: '"{component}": the schema keyword "{keyword}" is not handled by the form builder.',
  },
  'formio.unknownUi': {
    it: '"{component}": l\'indicazione di presentazione "{keyword}" non è gestita dal costruttore di moduli.',
    en: '"{component}": the presentation setting "{keyword}" is not handled by the form builder.',
  },
  'formio.unresolvedRef': {
    it: '"{component}": la definizione condivisa "{ref}" non esiste nel modulo.',
    en: '"{component}": the shared definition "{ref}" does not exist in the form.',
  },
  'formio.orderMismatch': {
    it: '"{component}": "ui:order" deve elencare ogni campo una volta sola.',
    en: '"{component}": "ui:order" must list every field exactly once.',
  },
  'formio.notAnObject': {
    it: '"{component}": la definizione del campo non è un oggetto.',
    en: '"{component}": the field definition is not an object.',
  },
  'formio.badOption': {
    it: '"{component}": l\'opzione "{option}" non ha una forma che il costruttore sa rappresentare.',
    en: '"{component}": the option "{option}" has a shape the builder cannot represent.',
  },
  'formio.enumNotText': {
    it: '"{component}": le scelte di un elenco devono essere testi.',
    en: '"{component}": the choices of a list must be texts.',
  },
  'formio.unknownFormat': {
    it: '"{component}": il formato "{format}" non è gestito (ammessi: data, e-mail, codice fiscale, IBAN).',
    en: '"{component}": the format "{format}" is not handled (allowed: date, e-mail, codice fiscale, IBAN).',
  },
  'formio.unmappable': {
    it: '"{component}": un campo di tipo {what} non ha un componente corrispondente nel costruttore.',
    en: '"{component}": a field of type {what} has no matching component in the builder.',
  },
  'formio.nestedList': {
    it: '"{component}": un elenco di elenchi non è gestito dal costruttore.',
    en: '"{component}": a list of lists is not handled by the builder.',
  },
  'formio.noEnvelope': {
    it: 'Il modulo non viene dal costruttore di Sportello: mancano le sue impostazioni ("settings.sportello").',
    en: 'The form does not come from the Sportello builder: its settings ("settings.sportello") are missing.',
  },
  'formio.layoutGroup': {
    it: '"{component}": un gruppo "{type}" solo grafico non è gestito; usare un gruppo di campi (container).',
    en: '"{component}": a layout-only "{type}" group is not handled; use a group of fields (container).',
  },
  'formio.badKey': {
    it: '"{component}": il nome del campo deve essere in minuscolo, con lettere, cifre e trattini bassi (al massimo 64).',
    en: '"{component}": the field name must be lower case letters, digits and underscores (64 at most).',
  },
  'formio.duplicateKey': {
    it: '"{component}": due campi con lo stesso nome nello stesso gruppo.',
    en: '"{component}": two fields with the same name in the same group.',
  },
  'formio.unsupportedFeature': {
    it: '"{component}": "{feature}" di Form.io non si può rappresentare nel modulo; toglierlo (le condizioni si scrivono come regole BLOCCO o "visible_when").',
    en: '"{component}": Form.io\'s "{feature}" cannot be represented in the form; remove it (conditions are written as BLOCCO rules or "visible_when").',
  },
  'formio.badValues': {
    it: '"{component}": ogni scelta deve avere un\'etichetta e un valore testuale.',
    en: '"{component}": every choice needs a label and a text value.',
  },
  'formio.unknownComponent': {
    it: '"{component}": il componente "{type}" non è gestito dal modulo.',
    en: '"{component}": the component "{type}" is not handled by the form.',
  },
  'formio.richContent': {
    it: '"{component}": il testo statico può essere solo un paragrafo semplice, senza marcatori HTML.',
    en: '"{component}": static content can only be a plain paragraph, without HTML tags.',
  },
  'formio.sharedType': {
    it: '"{component}": il tipo viene dalla definizione condivisa "{ref}" e non si può cambiare qui.',
    en: '"{component}": its type comes from the shared definition "{ref}" and cannot be changed here.',
  },
  'formio.sharedFields': {
    it: '"{component}": i campi vengono dalla definizione condivisa "{ref}" e non si possono cambiare qui (solo la presentazione).',
    en: '"{component}": its fields come from the shared definition "{ref}" and cannot be changed here (only their presentation).',
  },
  'formio.badCatalogUrl': {
    it: '"{component}": le scelte da un elenco dell\'ente devono venire da /api/v1/t/{{ tenant }}/catalog/sources/<elenco>.',
    en: '"{component}": choices from a tenant list must come from /api/v1/t/{{ tenant }}/catalog/sources/<list>.',
  },
  // Forms in the designer: drafts, publication, export and import.
  'formDraft.notAnObject': {
    it: 'Il modulo deve essere un oggetto JSON (schema, uiSchema, regole BLOCCO, ...).',
    en: 'The form must be a JSON object (schema, uiSchema, BLOCCO rules, ...).',
  },
  'formDraft.tooLarge': { it: 'Modulo troppo grande: al massimo {kb} KB.', en: 'Form too large: {kb} KB at most.' },
  'formDraft.wrongId': {
    it: 'L\'identificativo del modulo deve restare "{key}".',
    en: 'The form id must stay "{key}".',
  },
  'formDraft.wrongService': {
    it: 'Il servizio del modulo deve restare "{service}".',
    en: 'The form\'s service must stay "{service}".',
  },
  'formDraft.title': {
    it: 'Il titolo del modulo serve in italiano e in inglese.',
    en: 'The form title is needed in Italian and in English.',
  },
  'formDraft.schemaShape': {
    it: 'Lo schema deve essere un oggetto JSON Schema di tipo "object" con i suoi campi ("properties").',
    en: 'The schema must be a JSON Schema of type "object" with its fields ("properties").',
  },
  'formDraft.partShape': {
    it: 'La parte "{part}" del modulo non ha la forma prevista (vedi forms/README.md).',
    en: 'The "{part}" part of the form does not have the expected shape (see forms/README.md).',
  },
  'formDraft.schemaCompile': {
    it: 'Lo schema non è valido: {detail}',
    en: 'The schema is not valid: {detail}',
  },
  'formDraft.ruleId': {
    it: 'Ogni regola BLOCCO ha un identificativo in minuscolo (lettere, cifre, trattini bassi).',
    en: 'Every BLOCCO rule has a lower-case id (letters, digits, underscores).',
  },
  'formDraft.ruleDuplicate': {
    it: 'Due regole BLOCCO con lo stesso identificativo "{id}": rinominarne una.',
    en: 'Two BLOCCO rules with the same id "{id}": rename one.',
  },
  'formDraft.ruleMessage': {
    it: 'Il messaggio della regola BLOCCO serve in italiano e in inglese.',
    en: "The BLOCCO rule's message is needed in Italian and in English.",
  },
  'formDraft.ruleReference': {
    it: 'Indicare il riferimento nel bando (articolo, allegato) da cui viene la regola BLOCCO.',
    en: 'Give the tender reference (article, annex) the BLOCCO rule comes from.',
  },
  'formDraft.ruleDescription': {
    it: 'La descrizione della regola BLOCCO, se scritta, serve in italiano e in inglese.',
    en: "The BLOCCO rule's description, when written, is needed in Italian and in English.",
  },
  'formDraft.rulePaths': {
    it: 'Indicare almeno un campo che la regola BLOCCO blocca.',
    en: 'Name at least one field the BLOCCO rule blocks.',
  },
  'formDraft.unknownField': {
    it: 'Il campo "{field}" non esiste nel modulo: aggiungerlo o correggere il nome.',
    en: 'The field "{field}" does not exist in the form: add it or correct the name.',
  },
  'formDraft.unknownFact': {
    it: 'La condizione legge il campo "{field}", che non esiste nel modulo.',
    en: 'The condition reads the field "{field}", which does not exist in the form.',
  },
  'formDraft.condition': {
    it: 'La condizione non è valida: {detail}',
    en: 'The condition is not valid: {detail}',
  },
  'formDraft.noVersion': {
    it: 'Il modulo "{key}" non ha la versione {version}.',
    en: 'The form "{key}" has no version {version}.',
  },
  'formDraft.badVersion': {
    it: '"{version}" non è un numero di versione (oppure "draft" per la bozza).',
    en: '"{version}" is not a version number (or "draft" for the draft).',
  },
  'formDraft.exists': {
    it: 'Esiste già una bozza di questo modulo: continuarla, oppure scartarla prima.',
    en: 'A draft of this form already exists: continue it, or discard it first.',
  },
  'formDraft.none': {
    it: 'Nessuna bozza del modulo "{key}": iniziarne una.',
    en: 'No draft of the form "{key}": start one.',
  },
  'formDraft.startRequired': {
    it: 'Indicare il giorno da cui la nuova versione vale (AAAA-MM-GG).',
    en: 'Give the day the new version applies from (YYYY-MM-DD).',
  },
  'formDraft.startInPast': {
    it: 'La nuova versione non può valere da un giorno passato ({validFrom}): le domande già fatte restano sulla loro versione.',
    en: 'A new version cannot apply from a past day ({validFrom}): applications already made keep their version.',
  },
  'formDraft.startBeforeLatest': {
    it: 'Una versione già pubblicata vale dal {validFrom}: scegliere quel giorno o uno successivo.',
    en: 'A version already published applies from {validFrom}: choose that day or a later one.',
  },
  'formDraft.notAnExport': {
    it: 'Il file non è un modulo esportato da Sportello.',
    en: 'The file is not a form exported from Sportello.',
  },
  'formDraft.exportVersion': {
    it: 'Il file è in un formato di esportazione diverso: questo ente legge la versione {version}.',
    en: 'The file is in another export format: this installation reads version {version}.',
  },
  'formDraft.importKey': {
    it: 'Il modulo del file non ha un identificativo ("<servizio>.<nome>") e un servizio validi.',
    en: 'The form in the file has no valid id ("<service>.<name>") and service.',
  },
  'formDraft.importService': {
    it: 'Qui il modulo "{key}" appartiene al servizio "{service}": il file non può sostituirlo.',
    en: 'Here the form "{key}" belongs to the service "{service}": the file cannot replace it.',
  },
  // Text fields.
  'text.forbiddenCharacter': {
    it: '"{field}" contiene un carattere non ammesso ({code}, di controllo o di direzione del testo): toglilo.',
    en: '"{field}" holds a character that is not allowed ({code}, a control or text-direction character): remove it.',
  },
  'web.portalNotBuilt': {
    it: 'Portale non compilato: eseguire "npm run build:web".',
    en: 'Portal not built: run "npm run build:web".',
  },
  'audit.undecipherable': { it: '[non decifrabile]', en: '[cannot be decrypted]' },
  // The offices' register of people (people_controller.ts).
  'people.kind': { it: '"kind" deve essere parent o child.', en: '"kind" must be parent or child.' },
  'people.firstName': {
    it: 'Scrivi il nome (da 1 a 100 caratteri, senza caratteri di controllo).',
    en: 'Write the first name (1 to 100 characters, no control characters).',
  },
  'people.lastName': {
    it: 'Scrivi il cognome (da 1 a 100 caratteri, senza caratteri di controllo).',
    en: 'Write the last name (1 to 100 characters, no control characters).',
  },
  'people.fiscalCode': {
    it: 'Scrivi un codice fiscale di 16 caratteri valido (con il carattere di controllo giusto).',
    en: 'Write a valid 16-character codice fiscale (with the right check character).',
  },
  'people.birthDate': {
    it: 'La data di nascita deve essere una data valida (AAAA-MM-GG).',
    en: 'The birth date must be a valid date (YYYY-MM-DD).',
  },
  'people.unknownField': { it: 'Campo sconosciuto "{name}".', en: 'Unknown field "{name}".' },
  'people.taken': {
    it: "Questo codice fiscale è già nell'anagrafica: cerca la persona invece di inserirla di nuovo.",
    en: 'This codice fiscale is already in the register: look the person up instead of adding them again.',
  },
  'people.notFound': { it: 'Persona non trovata.', en: 'Person not found.' },
  'people.parent': {
    it: '"parent_id" deve essere un genitore dell\'anagrafica, e la persona un figlio.',
    en: '"parent_id" must be a parent in the register, and the person a child.',
  },
  'people.inUse': {
    it: 'Non si può eliminare: {what}. Togli prima questi legami.',
    en: 'It cannot be deleted: {what}. Remove these links first.',
  },
  'people.inUse.relations': { it: 'è legata a genitori o figli', en: 'it is linked to parents or children' },
  'people.inUse.enrolments': { it: 'ha iscrizioni ai servizi', en: 'it has enrolments in the services' },
  // Trying a form's BLOCCO rules on sample data (the designer).
  'blocchiTry.dataRequired': {
    it: 'Indicare in "data" i dati di prova: un oggetto con i campi del modulo.',
    en: '"data" is required: an object with the fields of the form.',
  },
  'blocchiTry.versionInvalid': {
    it: '"version" deve essere il numero di una versione pubblicata del modulo (un intero da 1).',
    en: '"version" must be the number of a published version of the form (an integer from 1).',
  },
  'blocchiTry.versionNotFound': {
    it: 'Il modulo non ha una versione {version}: scegliere una delle versioni pubblicate.',
    en: 'The form has no version {version}: choose one of its published versions.',
  },
  'blocchiTry.both': {
    it: 'Indicare "version" oppure "draft", non entrambi.',
    en: 'Give "version" or "draft", not both.',
  },
  'blocchiTry.draftInvalid': {
    it: 'La bozza non è nella forma attesa in {path}: "blocchi" è una lista di regole, ciascuna con "id" (da 1 a 128 caratteri), "paths" (al più {max} JSON Pointer), "message" con "it" ed "en", "condition"; "conditions" è un oggetto.',
    en: 'The draft is not in the expected shape at {path}: "blocchi" is a list of rules, each with "id" (1 to 128 characters), "paths" (at most {max} JSON Pointers), "message" with "it" and "en", "condition"; "conditions" is an object.',
  },
  'blocchiTry.atInvalid': {
    it: '"at" deve essere un giorno nella forma AAAA-MM-GG (per esempio 2026-09-01).',
    en: '"at" must be a day written YYYY-MM-DD (for example 2026-09-01).',
  },
  'blocchiTry.atExclusive': {
    it: '"at" sceglie la versione in vigore quel giorno: non indicarlo insieme a "version" o "draft".',
    en: '"at" picks the version in force on that day: do not give it with "version" or "draft".',
  },
  'blocchiTry.noVersionAt': {
    it: "Nessuna versione del modulo è in vigore il {at}: scegliere un giorno dall'inizio della prima versione.",
    en: 'No version of the form is in force on {at}: choose a day from the start of the first version.',
  },
  'blocchiTry.tooMany': {
    it: 'Troppe regole in una prova: al massimo {max}.',
    en: 'Too many rules in one try: {max} at most.',
  },
  // Injunctions and coercive-collection records.
  'injunction.officeOnly': {
    it: "Solo l'ufficio (operatore o amministratore dell'ente) gestisce ingiunzioni e riscossione coattiva.",
    en: 'Only the office (operator or tenant administrator) handles injunctions and coercive collection.',
  },
  'injunction.afterDays': {
    it: 'Indica i giorni ("after_days") come numero intero da 0 a 3650.',
    en: 'Give the days ("after_days") as a whole number from 0 to 3650.',
  },
  'injunction.payerIds': {
    it: 'Indica i pagatori ("payer_ids") come elenco di identificativi numerici, da 1 a {max}.',
    en: 'Give the payers ("payer_ids") as a list of numeric ids, from 1 to {max} of them.',
  },
  'injunction.notFound': { it: 'Ingiunzione non trovata.', en: 'No such injunction.' },
  'collectionRecord.notFound': { it: 'Ruolo non trovato.', en: 'No such collection record.' },
  'collectionRecord.format': {
    it: 'Formato non valido: usa "txt" (tracciato a lunghezza fissa) o "csv".',
    en: 'Invalid format: use "txt" (the fixed-width record) or "csv".',
  },
  // The back office's inbox (inbox_controller.ts): its query parameters, its export.
  'inbox.query.status': { it: '"status" deve essere uno di: {values}.', en: '"status" must be one of: {values}.' },
  'inbox.query.sort': { it: '"sort" deve essere uno di: {values}.', en: '"sort" must be one of: {values}.' },
  'inbox.query.day': {
    it: '"{name}" deve essere una data nella forma AAAA-MM-GG, ad esempio 2026-03-01.',
    en: '"{name}" must be a date written YYYY-MM-DD, e.g. 2026-03-01.',
  },
  'inbox.query.range': {
    it: '"from" viene dopo "to": scambia le due date.',
    en: '"from" comes after "to": swap the two dates.',
  },
  'inbox.query.schoolYear': {
    it: '"school_year" deve essere un anno scolastico come 2026/2027.',
    en: '"school_year" must be a school year such as 2026/2027.',
  },
  'inbox.query.q': {
    it: '"q" deve essere un testo di al massimo {max} caratteri (nome, cognome o codice fiscale).',
    en: '"q" must be a text of at most {max} characters (first name, last name or codice fiscale).',
  },
  'inbox.query.after': {
    it: '"after" non è un segno di pagina valido: ricomincia dalla prima pagina.',
    en: '"after" is not a valid page marker: start again from the first page.',
  },
  'inbox.query.form': { it: '"form" deve essere la chiave di un modulo.', en: '"form" must be the key of a form.' },
  'inbox.query.school': {
    it: '"school" deve essere il codice di una scuola del catalogo (lettere minuscole, cifre e trattini).',
    en: '"school" must be the code of a school of the catalog (lower-case letters, digits and dashes).',
  },
  'inbox.notFound': { it: 'Domanda non trovata.', en: 'Submission not found.' },
  'inbox.export.title': { it: 'Domande ricevute', en: 'Applications received' },
  'inbox.export.file': { it: 'domande', en: 'applications' },
  'inbox.column.id': { it: 'Numero', en: 'Number' },
  'inbox.column.status': { it: 'Stato', en: 'Status' },
  'inbox.column.form': { it: 'Modulo', en: 'Form' },
  'inbox.column.applicant': { it: 'Richiedente', en: 'Applicant' },
  'inbox.column.applicantFiscalCode': { it: 'Codice fiscale richiedente', en: "Applicant's codice fiscale" },
  'inbox.column.child': { it: 'Bambino', en: 'Child' },
  'inbox.column.childFiscalCode': { it: 'Codice fiscale bambino', en: "Child's codice fiscale" },
  'inbox.column.sent': { it: 'Inviata il', en: 'Sent on' },
  'inbox.column.protocol': { it: 'Protocollo', en: 'Protocol' },
  'inbox.column.onBehalf': { it: 'Allo sportello', en: 'At the counter' },
  // Reports and list exports (app/reports, reports_controller.ts).
  'report.param.day': {
    it: 'Il parametro "{name}" deve essere una data nella forma AAAA-MM-GG, per esempio 2026-09-15.',
    en: 'The parameter "{name}" must be a date written YYYY-MM-DD, for example 2026-09-15.',
  },
  'report.param.schoolYear': {
    it: 'Il parametro "{name}" deve essere un anno scolastico nella forma AAAA/AAAA, per esempio 2026/2027.',
    en: 'The parameter "{name}" must be a school year written YYYY/YYYY, for example 2026/2027.',
  },
  'report.param.other': {
    it: 'Il parametro "{name}" non è scritto nella forma richiesta: correggilo.',
    en: 'The parameter "{name}" is not written in the required form: correct it.',
  },
  'report.param.required': { it: 'Il parametro "{name}" è obbligatorio.', en: 'The parameter "{name}" is required.' },
  'report.param.unknown': { it: 'Parametro sconosciuto "{name}".', en: 'Unknown parameter "{name}".' },
  'report.param.invalid': { it: 'Parametro {name} non valido: {reason}.', en: 'Invalid parameter {name}: {reason}.' },
  'report.params.notObject': {
    it: 'I parametri ("params") devono essere un oggetto.',
    en: 'The parameters ("params") must be an object.',
  },
  'report.tooMany': {
    it: 'Hai già {max} report in preparazione: attendi che finiscano prima di chiederne altri.',
    en: 'You already have {max} reports being prepared: wait for them to finish before asking for more.',
  },
  'report.notFound': { it: 'Report non trovato per questo ente.', en: 'No such report in this tenant.' },
  'report.role': { it: 'Il tuo ruolo non permette questo report.', en: 'Your role does not allow this report.' },
  'report.format': { it: 'Formato non valido: usa "xlsx" o "csv".', en: 'Invalid format: use "xlsx" or "csv".' },
  'report.runNotFound': { it: 'Esecuzione non trovata.', en: 'No such run.' },
  'report.notReady': {
    it: 'Il file non è ancora pronto: riprova più tardi.',
    en: 'The file is not ready yet: try again later.',
  },
  'report.expired': {
    it: 'Il file non è più disponibile: richiedi di nuovo il report.',
    en: 'The file is no longer available: request the report again.',
  },
  'report.yes': { it: 'Sì', en: 'Yes' },
  'report.no': { it: 'No', en: 'No' },
})

export type MessageKey = keyof typeof MESSAGES

/** The text of a platform message in a language, placeholders filled. */
export function t(lang: Lang, key: MessageKey, params?: MessageParams): string {
  return fill(MESSAGES[key][lang], params)
}

/** Both languages of a platform message: what an error carries until the answer picks one. */
export function texts(key: MessageKey, params?: MessageParams): Localized {
  return localize(MESSAGES[key], params)
}

/**
 * A refusal a person reads, in both languages until the exception handler answers it in the
 * request's language, with its status (4xx, or 5xx when something it needs is down, such as a
 * directory that does not answer) and, when it has them, the rule and the JSON Pointer.
 */
export class LocalizedError extends Error {
  constructor(
    readonly status: number,
    readonly messages: Localized,
    readonly rule?: string,
    readonly path?: string
  ) {
    super(messages.en)
    this.name = 'LocalizedError'
  }
}
