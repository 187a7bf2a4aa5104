import vine from '@vinejs/vine'
import { LocalizedMessages } from '#i18n/vine_messages'
import { SCHOOL_ORDERS } from '#forms/school_catalog'
import { plainText } from '#validators/plain_text'

/** Requests of the school catalog API; every message in Italian and English, like the other validators. */
const orders = SCHOOL_ORDERS.join(', ')

const messages = new LocalizedMessages({
  it: {
    'code.required': 'Indicare il codice della scuola in "code".',
    'code.regex': '"code" può contenere solo lettere minuscole, cifre e trattini (al massimo 64)',
    'name.required': 'Indicare il nome della scuola in "name".',
    'name.minLength': '"name" deve avere almeno 2 caratteri.',
    'name.maxLength': '"name" può avere al massimo 200 caratteri.',
    'order.required': `Indicare l'ordine di scuola in "order" (${orders})`,
    'order.enum': `"order" deve essere uno di: ${orders}.`,
    'services.required':
      'Indicare in "services" i servizi che servono la scuola, con gli identificativi dati da GET /api/v1/plugins.',
    'services.array': '"services" deve essere un elenco di servizi.',
    'services.*.regex': "Ogni servizio è l'identificativo di un servizio, come lo dà GET /api/v1/plugins.",
    'services.maxLength': '"services" può contenere al massimo 20 servizi.',
    'address.maxLength': '"address" può avere al massimo 200 caratteri.',
    'active.boolean': '"active" deve essere true o false.',
    'year.maxLength': '"year" può avere al massimo 20 caratteri.',
    'year.minLength': '"year" non può essere vuoto: usa null.',
    'section.required': 'Indicare la sezione in "section".',
    'section.minLength': '"section" non può essere vuoto.',
    'section.maxLength': '"section" può avere al massimo 20 caratteri.',
    'service.regex': '"service" deve essere l\'identificativo di un servizio.',
    'parent.regex': '"parent" è il codice di un\'altra voce: lettere minuscole, cifre, "_" e "-".',
    'attributes.record': '"attributes" deve essere un oggetto.',
    'position.number': '"position" deve essere un numero intero.',
    'position.withoutDecimals': '"position" deve essere un numero intero.',
    'position.range': '"position" va da 0 a 10000.',
  },
  en: {
    'code.required': '"code" is required.',
    'code.regex': '"code" may hold only lower-case letters, digits and dashes (64 at most)',
    'name.required': '"name" is required.',
    'name.minLength': '"name" needs at least 2 characters.',
    'name.maxLength': '"name" may have 200 characters at most.',
    'order.required': `"order" is required (${orders})`,
    'order.enum': `"order" must be one of: ${orders}.`,
    'services.required': '"services" is required: the ids GET /api/v1/plugins gives.',
    'services.array': '"services" must be a list of services.',
    'services.*.regex': 'Each service is a service id, as GET /api/v1/plugins gives it.',
    'services.maxLength': '"services" may list 20 services at most.',
    'address.maxLength': '"address" may have 200 characters at most.',
    'active.boolean': '"active" must be true or false.',
    'year.maxLength': '"year" may have 20 characters at most.',
    'year.minLength': '"year" cannot be empty: use null.',
    'section.required': '"section" is required.',
    'section.minLength': '"section" cannot be empty.',
    'section.maxLength': '"section" may have 20 characters at most.',
    'service.regex': '"service" must be a service id.',
    'parent.regex': '"parent" is the code of another entry.',
    'attributes.record': '"attributes" must be an object.',
    'position.number': '"position" must be a whole number.',
    'position.withoutDecimals': '"position" must be a whole number.',
    'position.range': '"position" goes from 0 to 10000.',
  },
})

const code = () =>
  vine
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
const name = () => vine.string().trim().minLength(2).maxLength(200).use(plainText())
const order = () => vine.enum(SCHOOL_ORDERS)
const services = () =>
  vine
    .array(
      vine
        .string()
        .trim()
        .regex(/^[a-z][a-z0-9-]{0,63}$/)
    )
    .maxLength(20)
const address = () => vine.string().trim().maxLength(200).use(plainText()).nullable()

export const createSchoolValidator = vine.compile(
  vine.object({
    code: code(),
    name: name(),
    order: order(),
    services: services(),
    address: address().optional(),
    active: vine.boolean().optional(),
  })
)
createSchoolValidator.messagesProvider = messages

export const updateSchoolValidator = vine.compile(
  vine.object({
    name: name().optional(),
    order: order().optional(),
    services: services().optional(),
    address: address().optional(),
    active: vine.boolean().optional(),
  })
)
updateSchoolValidator.messagesProvider = messages

const year = () => vine.string().trim().minLength(1).maxLength(20).use(plainText()).nullable()
const section = () => vine.string().trim().minLength(1).maxLength(20).use(plainText())

export const createClassValidator = vine.compile(
  vine.object({ year: year().optional(), section: section(), active: vine.boolean().optional() })
)
createClassValidator.messagesProvider = messages

export const updateClassValidator = vine.compile(
  vine.object({ year: year().optional(), section: section().optional(), active: vine.boolean().optional() })
)
updateClassValidator.messagesProvider = messages

/** GET /catalog/schools?order=&service=&include_inactive= */
export const listSchoolsValidator = vine.compile(
  vine.object({
    order: order().optional(),
    service: vine
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9-]{0,63}$/)
      .optional(),
    include_inactive: vine.boolean().optional(),
  })
)
listSchoolsValidator.messagesProvider = messages

/** PUT /catalog/sources/:source/:code: one entry of a list; its attributes are checked by its source. */
export const entryValidator = vine.compile(
  vine.object({
    name: name(),
    parent: vine
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)
      .nullable()
      .optional(),
    attributes: vine.record(vine.any()).nullable().optional(),
    position: vine.number().withoutDecimals().range([0, 10000]).optional(),
    active: vine.boolean().optional(),
  })
)
entryValidator.messagesProvider = messages
