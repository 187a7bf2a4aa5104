import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'
import type { Lang } from '#shared/contract'
import { currentLanguage } from '#i18n/catalogue'

/** Italian wording of VineJS's commonest rules; the others keep VineJS's English. */
const ITALIAN: Record<string, string> = {
  'required': 'Il campo {{ field }} è obbligatorio',
  'string': 'Il campo {{ field }} deve essere un testo',
  'email': 'Il campo {{ field }} deve essere un indirizzo email valido',
  'regex': 'Il campo {{ field }} non ha il formato atteso',
  'minLength': 'Il campo {{ field }} deve avere almeno {{ min }} caratteri',
  'maxLength': 'Il campo {{ field }} non può superare {{ max }} caratteri',
  'fixedLength': 'Il campo {{ field }} deve avere {{ size }} caratteri',
  'in': 'Il valore di {{ field }} non è tra quelli ammessi',
  'enum': 'Il valore di {{ field }} non è tra quelli ammessi',
  'boolean': 'Il valore deve essere vero o falso',
  'number': 'Il campo {{ field }} deve essere un numero',
  'min': 'Il campo {{ field }} deve essere almeno {{ min }}',
  'max': 'Il campo {{ field }} non può superare {{ max }}',
  'range': 'Il campo {{ field }} deve essere tra {{ min }} e {{ max }}',
  'positive': 'Il campo {{ field }} deve essere positivo',
  'withoutDecimals': 'Il campo {{ field }} deve essere un numero intero',
  'object': 'Il campo {{ field }} deve essere un oggetto',
  'array': 'Il campo {{ field }} deve essere un elenco',
  'array.minLength': 'Il campo {{ field }} deve avere almeno {{ min }} elementi',
  'array.maxLength': 'Il campo {{ field }} non può avere più di {{ max }} elementi',
  'date': 'Il campo {{ field }} deve essere una data',
  'literal': 'Il campo {{ field }} deve valere {{ expectedValue }}',
  'record': 'Il campo {{ field }} deve essere un oggetto',
}

/** A validator's own messages (`<field>.<rule>`), in each language. */
export interface ValidatorMessages {
  it: Record<string, string>
  en: Record<string, string>
}

/**
 * Validation messages in the language of the request under way: the validator's own table over
 * the Italian wording above (VineJS's English when the request asks for English).
 */
export class LocalizedMessages implements MessagesProviderContact {
  readonly #providers: Record<Lang, SimpleMessagesProvider>

  constructor(tables: ValidatorMessages = { it: {}, en: {} }) {
    this.#providers = {
      it: new SimpleMessagesProvider({ ...ITALIAN, ...tables.it }, { '': 'dati' }),
      en: new SimpleMessagesProvider(tables.en),
    }
  }

  in(lang: Lang): MessagesProviderContact {
    return this.#providers[lang]
  }

  getMessage(rawMessage: string, rule: string, field: FieldContext, args?: Record<string, unknown>): string {
    return this.#providers[currentLanguage()].getMessage(rawMessage, rule, field, args)
  }
}

const defaults = new LocalizedMessages()

/** The default messages in one language (a plugin route validates in the language it was asked in). */
export function vineMessagesIn(lang: Lang): MessagesProviderContact {
  return defaults.in(lang)
}

/** Every validator without its own table speaks the request's language. */
vine.messagesProvider = defaults
