/**
 * The canonical form (JSON Schema 2020-12 + uiSchema + BLOCCO rules, forms/README.md) to and from
 * Form.io's component JSON, for the components the forms use. No maintained converter exists, so
 * this one is ours; `tests/unit/forms/formio_converter.spec.ts` checks that canonical → Form.io →
 * canonical is the identity on every shipped form and on generated ones.
 *
 * What Form.io has a place for goes there: `key`, `label`, `description`, `validate.*`, the options
 * of radios and selects, a select's catalog URL and filter, a file's accepted types, nesting. What it
 * has none for (translations, a shared definition's `$ref`, the plausible date range, conditional
 * requirements, `visible_when`, the other renderer options) travels with the component under
 * `sportello`, untouched, and comes back as it was. The form's own parts (identity, BLOCCO rules,
 * attachments rules, tariff preview, sample, steps, the schema's `$defs` and root conditionals) travel
 * in `settings.sportello`: the BLOCCO rules stay the canonical array, so the condition editor reads
 * and writes them as they are.
 *
 * Anything outside this list is refused with an error naming the component (its path of keys) and
 * what could not be mapped, never dropped: a schema keyword the converter does not know, a Form.io
 * component type or a Form.io feature (logic, calculated values, custom validation, …) that the
 * canonical form cannot hold.
 */
import type { Localized } from '#shared/contract'
import { texts, type MessageKey, type MessageParams } from '#i18n/catalogue'
import type { FormDefinition } from '#forms/types'

type Obj = { [key: string]: unknown }

/** A Form.io component as the builder stores it (only the properties this converter reads or writes). */
export interface FormioComponent {
  type: string
  key: string
  label?: string
  description?: string
  input?: boolean
  multiple?: boolean
  validate?: Obj
  values?: Array<{ label: string; value: string }>
  data?: { values?: Array<{ label: string; value: string }>; url?: string }
  dataSrc?: 'values' | 'url'
  dataType?: 'boolean' | 'string'
  filter?: string
  decimalLimit?: number
  currency?: string
  html?: string
  filePattern?: string
  storage?: string
  enableTime?: boolean
  format?: string
  properties?: Record<string, string>
  components?: FormioComponent[]
  /** What Form.io has no place for, kept as the canonical form had it. */
  sportello?: ComponentExtras
  [property: string]: unknown
}

/** Canonical parts of a field that Form.io cannot hold. */
export interface ComponentExtras {
  /** Schema keywords kept as they are (`$ref`, `x-i18n`, `const`, `x-date-range`, `allOf`, …). */
  schema?: Obj
  /** uiSchema entries of the field not expressed by the component (`ui:widget` aside). */
  ui?: Obj
  /** For a field defined by a shared `$ref`: the mapped keywords that were written locally. */
  local?: string[]
  /** Order of `required` in an object (kept so that a round trip gives the same array). */
  required?: string[]
  /** `ui:order` was present on the object. */
  ordered?: boolean
  /** A list of values (`multiple`): the array's own keywords; the component describes an item. */
  array?: { schema: Obj; ui: Obj; local?: string[]; itemLabel?: string; itemDescription?: string }
  /** A repeated group: the keywords of its item object and the item's uiSchema, children aside. */
  item?: { schema: Obj; ui: Obj; required?: string[]; ordered?: boolean }
}

export interface FormioForm {
  display: 'form' | 'wizard'
  title: string
  name: string
  path: string
  components: FormioComponent[]
  settings: { sportello: FormEnvelope }
}

/** The form's parts that are not fields. */
export interface FormEnvelope {
  form: Obj
  schema: Obj
  ui: Obj
  required: string[]
  ordered: boolean
}

export interface ConversionIssue {
  /** Keys from the root to the component, joined with "." ("" for the form itself). */
  component: string
  message: Localized
}

/** The form cannot be converted: every problem found, each naming its component. */
export class FormioConversionError extends Error {
  constructor(readonly issues: ConversionIssue[]) {
    super(issues.map((i) => `${i.component || '(form)'}: ${i.message.en}`).join('\n'))
    this.name = 'FormioConversionError'
  }
}

/* ---------- what the converter knows ---------- */

/** Schema keywords the converter maps to a component property. */
const MAPPED = new Set([
  'type',
  'title',
  'description',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'x-currency',
])
/** Schema keywords with no Form.io place: carried as they are. */
const CARRIED = new Set([
  '$ref',
  'x-i18n',
  'const',
  'x-declaration',
  'x-date-range',
  'additionalProperties',
  'allOf',
  'if',
  'then',
  'else',
  'uniqueItems',
])
/** Structure keywords, handled by nesting. */
const STRUCTURE = new Set(['properties', 'required', 'items', 'minItems', 'maxItems'])

/** Form.io properties that carry meaning the canonical form cannot hold: refused when set. */
const FORMIO_UNSUPPORTED = [
  'logic',
  'conditional',
  'customConditional',
  'calculateValue',
  'defaultValue',
  'customDefaultValue',
  'validations',
]
const VALIDATE_KEYS = new Set([
  'required',
  'minLength',
  'maxLength',
  'pattern',
  'min',
  'max',
  'minItems',
  'maxItems',
  'custom',
  'customPrivate',
  'json',
  'strictDateValidation',
  'multiple',
  'unique',
  'onlyAvailableItems',
])

/** The uiSchema widgets each component stands for (any other is refused, never dropped). */
const WIDGETS: Record<string, string[]> = {
  radio: ['radio'],
  textarea: ['textarea'],
  number: ['updown', 'range'],
  currency: ['updown', 'range'],
  datetime: ['date'],
}

export const PHONE_PATTERN = '^\\+?[0-9][0-9 ]{5,18}$'
const CATALOG_URL = /^\/api\/v1\/t\/\{\{ *tenant *\}\}\/catalog\/sources\/([a-z][a-z0-9_]{0,63})$/
const TYPED_TEXT_FORMATS = new Set(['codice-fiscale', 'iban'])

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Deep equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]))
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined)
    const kb = Object.keys(b).filter((k) => b[k] !== undefined)
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
  }
  return false
}

function pick(node: Obj, keys: (k: string) => boolean): Obj {
  const out: Obj = {}
  for (const [k, v] of Object.entries(node)) if (keys(k)) out[k] = v
  return out
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function unescapeHtml(html: string): string | null {
  if (/[<>]/.test(html)) return null
  return html
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

class Issues {
  list: ConversionIssue[] = []
  add(component: string, key: MessageKey, params: MessageParams = {}): void {
    this.list.push({ component, message: texts(key, { component: component || '-', ...params }) })
  }
}

/* ---------- canonical → Form.io ---------- */

class ToFormio {
  constructor(
    private defs: Obj,
    private issues: Issues
  ) {}

  /** The definition a local `$ref` names, followed through chains (bounded). */
  resolve(node: Obj, path: string): Obj | null {
    let current = node
    for (let depth = 0; typeof current.$ref === 'string'; depth++) {
      const match = /^#\/\$defs\/([^/]+)$/.exec(current.$ref as string)
      const target = match ? this.defs[match[1].replace(/~1/g, '/').replace(/~0/g, '~')] : undefined
      if (!isObj(target) || depth > 8) {
        this.issues.add(path, 'formio.unresolvedRef', { ref: String(current.$ref) })
        return null
      }
      const { $ref: _ref, ...local } = current
      current = { ...target, ...local }
    }
    return current
  }

  object(node: Obj, ui: Obj, path: string): { components: FormioComponent[]; required: string[]; ordered: boolean } {
    const properties = isObj(node.properties) ? node.properties : {}
    const required = Array.isArray(node.required) ? (node.required as string[]) : []
    const order = Array.isArray(ui['ui:order']) ? (ui['ui:order'] as string[]) : null
    const keys = Object.keys(properties)
    if (order && (order.length !== keys.length || !keys.every((k) => order.includes(k)))) {
      this.issues.add(path, 'formio.orderMismatch')
    }
    const sorted = order && order.length === keys.length ? order.filter((k) => keys.includes(k)) : keys
    const components: FormioComponent[] = []
    for (const key of sorted) {
      const child = properties[key]
      const childPath = path ? `${path}.${key}` : key
      if (!isObj(child)) {
        this.issues.add(childPath, 'formio.notAnObject')
        continue
      }
      const childUi = isObj(ui[key]) ? (ui[key] as Obj) : {}
      const component = this.field(key, child, childUi, required.includes(key), childPath)
      if (component) components.push(component)
    }
    return { components, required, ordered: order !== null }
  }

  field(key: string, node: Obj, ui: Obj, required: boolean, path: string): FormioComponent | null {
    for (const k of Object.keys(node)) {
      if (!MAPPED.has(k) && !CARRIED.has(k) && !STRUCTURE.has(k))
        this.issues.add(path, 'formio.unknownKeyword', { keyword: k })
    }
    for (const k of Object.keys(ui)) {
      if (k.startsWith('ui:') && !['ui:widget', 'ui:options', 'ui:order', 'ui:field'].includes(k)) {
        this.issues.add(path, 'formio.unknownUi', { keyword: k })
      }
    }
    const effective = this.resolve(node, path)
    if (!effective) return null
    const isRef = typeof node.$ref === 'string'
    const widget = typeof ui['ui:widget'] === 'string' ? (ui['ui:widget'] as string) : undefined
    const options = isObj(ui['ui:options']) ? (ui['ui:options'] as Obj) : {}

    if (effective.type === 'array' && isObj(effective.items))
      return this.array(key, node, effective, ui, required, path)

    const component: FormioComponent = { type: '', key, input: true }
    const label = typeof effective.title === 'string' ? effective.title : ''
    component.label = label
    if (typeof effective.description === 'string') component.description = effective.description
    const validate: Obj = {}
    if (required) validate.required = true
    if (typeof effective.minLength === 'number') validate.minLength = effective.minLength
    if (typeof effective.maxLength === 'number') validate.maxLength = effective.maxLength
    if (typeof effective.pattern === 'string') validate.pattern = effective.pattern
    if (typeof effective.minimum === 'number') validate.min = effective.minimum
    if (typeof effective.maximum === 'number') validate.max = effective.maximum

    const extras: ComponentExtras = {}
    const carried = pick(node, (k) => CARRIED.has(k))
    if (Object.keys(carried).length) extras.schema = carried
    if (isRef) extras.local = Object.keys(node).filter((k) => MAPPED.has(k) || k === 'minItems' || k === 'maxItems')
    const children = effective.type === 'object' && isObj(effective.properties) ? effective.properties : {}
    const uiRest: Obj = pick(
      ui,
      (k) => k !== 'ui:options' && !(effective.type === 'object' && (k === 'ui:order' || Object.hasOwn(children, k)))
    )
    // Options a component property expresses are taken below; the others travel as they are.
    const consumed = new Set<string>()
    const enumValues = Array.isArray(effective.enum) ? (effective.enum as unknown[]) : null
    const itLabels = this.enumLabels(effective)

    const type = effective.type
    if (type === 'null') {
      component.type = 'content'
      component.input = false
      component.html = `<p>${escapeHtml(typeof effective.description === 'string' ? effective.description : '')}</p>`
      delete component.description
    } else if (type === 'object' && (ui['ui:field'] === 'attachment' || this.isAttachment(effective))) {
      component.type = 'file'
      component.storage = 'sportello'
      if (Array.isArray(options.accept) && options.accept.every((a) => typeof a === 'string' && !a.includes(','))) {
        component.filePattern = (options.accept as string[]).join(',')
        consumed.add('accept')
      }
      if (!isRef) extras.item = { schema: pick(node, (k) => k === 'properties' || k === 'required'), ui: {} }
    } else if (type === 'object') {
      component.type = 'container'
      component.input = true
      const nested = this.object(effective, ui, path)
      component.components = nested.components
      if (nested.required.length) extras.required = nested.required
      if (nested.ordered) extras.ordered = true
      delete validate.minLength
      delete validate.maxLength
    } else if (type === 'boolean') {
      if (widget === 'radio') {
        component.type = 'radio'
        component.dataType = 'boolean'
        component.values = [
          { label: 'Sì', value: 'true' },
          { label: 'No', value: 'false' },
        ]
      } else component.type = 'checkbox'
    } else if ((type === 'string' || type === undefined) && enumValues) {
      if (!enumValues.every((v) => typeof v === 'string')) this.issues.add(path, 'formio.enumNotText')
      const values = enumValues.map((v) => ({ label: itLabels[String(v)] ?? String(v), value: String(v) }))
      if (widget === 'radio') {
        component.type = 'radio'
        component.values = values
      } else {
        component.type = 'select'
        component.dataSrc = 'values'
        component.data = { values }
      }
    } else if (
      type === 'string' &&
      typeof options.source === 'string' &&
      /^[a-z][a-z0-9_]{0,63}$/.test(options.source)
    ) {
      component.type = 'select'
      component.dataSrc = 'url'
      component.data = { url: `/api/v1/t/{{ tenant }}/catalog/sources/${options.source}` }
      consumed.add('source')
      if (options.filter !== undefined) {
        const filter = this.filterQuery(options.filter, path)
        if (filter !== null) component.filter = filter
        consumed.add('filter')
      }
    } else if (type === 'string' && effective.format === 'date') {
      component.type = 'datetime'
      component.enableTime = false
      component.format = 'dd/MM/yyyy'
    } else if (type === 'string' && effective.format === 'email') {
      component.type = 'email'
    } else if (type === 'string' && effective.pattern === PHONE_PATTERN && effective.format === undefined) {
      component.type = 'phoneNumber'
    } else if (type === 'string' && widget === 'textarea') {
      component.type = 'textarea'
    } else if (type === 'string') {
      component.type = 'textfield'
      if (typeof effective.format === 'string') {
        if (TYPED_TEXT_FORMATS.has(effective.format)) component.properties = { format: effective.format }
        else this.issues.add(path, 'formio.unknownFormat', { format: effective.format })
      }
    } else if (type === 'number' || type === 'integer') {
      if (effective['x-currency'] !== undefined) {
        component.type = 'currency'
        component.currency = String(effective['x-currency'])
      } else component.type = 'number'
      if (type === 'integer') component.decimalLimit = 0
    } else {
      this.issues.add(path, 'formio.unmappable', { what: JSON.stringify(type ?? null) })
      return null
    }
    if (widget !== undefined && !(WIDGETS[component.type] ?? []).includes(widget)) {
      this.issues.add(path, 'formio.unknownUi', { keyword: `ui:widget ${widget}` })
    }
    if (Object.keys(validate).length) component.validate = validate
    const optionsRest = pick(options, (k) => !consumed.has(k))
    if (Object.keys(optionsRest).length) uiRest['ui:options'] = optionsRest
    if (Object.keys(uiRest).length) extras.ui = uiRest
    for (const k of Object.keys(component)) if (component[k] === undefined) delete component[k]
    if (Object.keys(extras).length) component.sportello = extras
    return component
  }

  /** A list: of objects, a repeated group (`editgrid`); of values, the item's component with `multiple`. */
  array(key: string, node: Obj, effective: Obj, ui: Obj, required: boolean, path: string): FormioComponent | null {
    const itemsNode = effective.items as Obj
    const itemUi = isObj(ui.items) ? (ui.items as Obj) : {}
    const items = this.resolve(itemsNode, path)
    if (!items) return null
    const arraySchema = pick(node, (k) => CARRIED.has(k))
    const uiRest = pick(ui, (k) => k !== 'items' && k !== 'ui:widget')
    const validate: Obj = {}
    if (required) validate.required = true
    if (typeof effective.minItems === 'number') validate.minItems = effective.minItems
    if (typeof effective.maxItems === 'number') validate.maxItems = effective.maxItems
    const local =
      typeof node.$ref === 'string'
        ? Object.keys(node).filter((k) => MAPPED.has(k) || k === 'minItems' || k === 'maxItems')
        : undefined
    const label = typeof effective.title === 'string' ? effective.title : ''

    if (items.type === 'object' && ui['ui:field'] !== 'attachment' && !this.isAttachment(items)) {
      const nested = this.object(items, itemUi, path)
      const component: FormioComponent = { type: 'editgrid', key, label, input: true, components: nested.components }
      if (typeof effective.description === 'string') component.description = effective.description
      if (Object.keys(validate).length) component.validate = validate
      const extras: ComponentExtras = {
        item: {
          schema: pick(itemsNode, (k) => k !== 'properties' && k !== 'required' && k !== 'type'),
          ui: pick(itemUi, (k) => k !== 'ui:order' && !isObj(itemUi[k])),
        },
      }
      if (typeof itemsNode.$ref !== 'string' && itemsNode.type !== undefined) extras.item!.schema.type = itemsNode.type
      if (nested.required.length) extras.item!.required = nested.required
      if (nested.ordered) extras.item!.ordered = true
      if (Object.keys(arraySchema).length) extras.schema = arraySchema
      if (Object.keys(uiRest).length || ui['ui:widget'] !== undefined) {
        extras.ui = pick(ui, (k) => k !== 'items')
      }
      if (local) extras.local = local
      for (const k of Object.keys(itemsNode)) {
        if (!MAPPED.has(k) && !CARRIED.has(k) && !STRUCTURE.has(k))
          this.issues.add(path, 'formio.unknownKeyword', { keyword: k })
      }
      component.sportello = extras
      return component
    }
    if (items.type === 'array') {
      this.issues.add(path, 'formio.nestedList')
      return null
    }
    // A list of values: the item is the component, `multiple` says it is a list.
    const inner = this.field(
      key,
      itemsNode,
      {
        ...itemUi,
        ...(ui['ui:widget'] === undefined
          ? {}
          : { 'ui:widget': ui['ui:widget'] === 'checkboxes' ? 'radio' : ui['ui:widget'] }),
      },
      false,
      path
    )
    if (!inner) return null
    const component: FormioComponent = { ...inner, multiple: true, label }
    if (ui['ui:widget'] === 'checkboxes' && inner.type === 'radio') {
      component.type = 'selectboxes'
    } else if (ui['ui:widget'] === 'checkboxes') {
      this.issues.add(path, 'formio.badOption', { option: 'ui:widget' })
    }
    if (typeof effective.description === 'string') component.description = effective.description
    else delete component.description
    component.validate = { ...validate }
    const itemValidate = inner.validate ?? {}
    // The item's own checks stay with the item, kept apart from the list's.
    const extras: ComponentExtras = { ...(inner.sportello ?? {}) }
    extras.array = { schema: arraySchema, ui: uiRest }
    if (inner.label) extras.array.itemLabel = inner.label
    if (typeof inner.description === 'string') extras.array.itemDescription = inner.description
    if (local) extras.array.local = local
    if (Object.keys(itemValidate).length) component.validate.item = itemValidate
    if (Object.keys(component.validate).length === 0) delete component.validate
    component.sportello = extras
    return component
  }

  isAttachment(node: Obj): boolean {
    return isObj(node.properties) && 'file_id' in node.properties && 'sha256' in node.properties
  }

  enumLabels(node: Obj): Record<string, string> {
    const i18n = isObj(node['x-i18n']) ? node['x-i18n'] : {}
    const it = isObj(i18n.it) && isObj(i18n.it.enum) ? (i18n.it.enum as Record<string, string>) : {}
    return it
  }

  /** `{ order: "/school_order", service: "<form key>" }` as Form.io's filter query. */
  filterQuery(filter: unknown, path: string): string | null {
    if (!isObj(filter)) {
      this.issues.add(path, 'formio.badOption', { option: 'filter' })
      return null
    }
    const parts: string[] = []
    for (const [name, value] of Object.entries(filter)) {
      if (typeof value !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name)) {
        this.issues.add(path, 'formio.badOption', { option: 'filter' })
        return null
      }
      if (value.startsWith('/')) {
        if (!/^(\/[a-z][a-z0-9_]*)+$/.test(value)) {
          this.issues.add(path, 'formio.badOption', { option: 'filter' })
          return null
        }
        parts.push(`${name}={{ data.${value.slice(1).split('/').join('.')} }}`)
      } else parts.push(`${name}=${encodeURIComponent(value)}`)
    }
    return parts.join('&')
  }
}

/** The canonical form as Form.io JSON. Throws FormioConversionError naming what cannot be mapped. */
export function canonicalToFormio(form: FormDefinition): FormioForm {
  const issues = new Issues()
  const schema = form.schema as Obj
  const ui = (form.uiSchema ?? {}) as Obj
  const defs = isObj(schema.$defs) ? schema.$defs : {}
  const converter = new ToFormio(defs, issues)
  for (const k of Object.keys(schema)) {
    if (
      !['properties', 'required'].includes(k) &&
      ![
        '$schema',
        '$id',
        'title',
        'x-i18n',
        'type',
        'additionalProperties',
        'allOf',
        'if',
        'then',
        'else',
        '$defs',
        'description',
      ].includes(k)
    ) {
      issues.add('', 'formio.unknownKeyword', { keyword: k })
    }
  }
  for (const k of Object.keys(ui)) {
    if (k.startsWith('ui:') && !['ui:order', 'ui:steps', 'ui:options'].includes(k))
      issues.add('', 'formio.unknownUi', { keyword: k })
  }
  const root = converter.object(schema, ui, '')
  if (issues.list.length) throw new FormioConversionError(issues.list)
  const { schema: _s, uiSchema: _u, ...rest } = form
  const envelope: FormEnvelope = {
    form: rest as Obj,
    schema: pick(schema, (k) => k !== 'properties' && k !== 'required'),
    ui: pick(ui, (k) => k.startsWith('ui:') && k !== 'ui:order'),
    required: root.required,
    ordered: root.ordered,
  }
  const steps = Array.isArray(ui['ui:steps']) && ui['ui:steps'].length > 0
  return {
    display: steps ? 'wizard' : 'form',
    title: form.title.it,
    name: form.id,
    path: form.id,
    components: root.components,
    settings: { sportello: structuredClone(envelope) },
  }
}

/* ---------- Form.io → canonical ---------- */

const IGNORED_FORMIO = new Set([
  'type',
  'key',
  'label',
  'description',
  'input',
  'multiple',
  'validate',
  'values',
  'data',
  'dataSrc',
  'dataType',
  'filter',
  'decimalLimit',
  'currency',
  'html',
  'filePattern',
  'storage',
  'enableTime',
  'format',
  'properties',
  'components',
  'sportello',
  // Presentation and builder bookkeeping: no meaning for the data.
  'id',
  'tableView',
  'persistent',
  'hideLabel',
  'placeholder',
  'tooltip',
  'prefix',
  'suffix',
  'autofocus',
  'hidden',
  'disabled',
  'clearOnHide',
  'protected',
  'unique',
  'labelPosition',
  'widget',
  'inputType',
  'inputMask',
  'spellcheck',
  'customClass',
  'tabindex',
  'attributes',
  'legend',
  'title',
  'collapsible',
  'theme',
  'rows',
  'delimiter',
  'requireDecimal',
  'inline',
  'optionsLabelPosition',
  'datePicker',
  'timePicker',
  'template',
  'lazyLoad',
  'searchEnabled',
  'valueProperty',
  'selectValues',
  'disableLimit',
  'openWhenEmpty',
  'keyModified',
  'tree',
  'lockKey',
])

class FromFormio {
  constructor(
    private defs: Obj,
    private issues: Issues
  ) {}

  resolve(node: Obj): Obj | null {
    let current = node
    for (let depth = 0; typeof current.$ref === 'string'; depth++) {
      const match = /^#\/\$defs\/([^/]+)$/.exec(current.$ref as string)
      const target = match ? this.defs[match[1].replace(/~1/g, '/').replace(/~0/g, '~')] : undefined
      if (!isObj(target) || depth > 8) return null
      const { $ref: _ref, ...local } = current
      current = { ...target, ...local }
    }
    return current
  }

  object(
    components: unknown,
    originalRequired: string[],
    ordered: boolean,
    path: string
  ): { properties: Obj; required: string[]; ui: Obj } {
    const properties: Obj = {}
    const ui: Obj = {}
    const requiredNow: string[] = []
    const order: string[] = []
    if (!Array.isArray(components)) {
      this.issues.add(path, 'formio.notAnObject')
      return { properties, required: [], ui }
    }
    for (const raw of components) {
      if (!isObj(raw) || typeof raw.key !== 'string' || typeof raw.type !== 'string') {
        this.issues.add(path, 'formio.notAnObject')
        continue
      }
      const c = raw as FormioComponent
      const childPath = path ? `${path}.${c.key}` : c.key
      // Layout-only groups (a page of a wizard, a panel, a fieldset) hold fields of the same object.
      if (['panel', 'fieldset', 'well'].includes(c.type)) {
        this.issues.add(childPath, 'formio.layoutGroup', { type: c.type })
        continue
      }
      if (!/^[a-z][a-z0-9_]{0,63}$/.test(c.key)) {
        this.issues.add(childPath, 'formio.badKey')
        continue
      }
      if (Object.hasOwn(properties, c.key)) {
        this.issues.add(childPath, 'formio.duplicateKey')
        continue
      }
      const field = this.field(c, childPath)
      if (!field) continue
      properties[c.key] = field.schema
      if (Object.keys(field.ui).length) ui[c.key] = field.ui
      if (isObj(c.validate) && c.validate.required === true) requiredNow.push(c.key)
      order.push(c.key)
    }
    const required = [
      ...originalRequired.filter((k) => requiredNow.includes(k)),
      ...requiredNow.filter((k) => !originalRequired.includes(k)),
    ]
    if (ordered) ui['ui:order'] = order
    return { properties, required, ui }
  }

  checkComponent(c: FormioComponent, path: string): void {
    for (const k of FORMIO_UNSUPPORTED) {
      const v = c[k]
      const empty =
        v === undefined ||
        v === null ||
        v === '' ||
        (Array.isArray(v) && v.length === 0) ||
        (isObj(v) && Object.values(v).every((x) => x === undefined || x === null || x === '' || x === false))
      if (!empty) this.issues.add(path, 'formio.unsupportedFeature', { feature: k })
    }
    for (const k of Object.keys(c)) {
      if (!IGNORED_FORMIO.has(k) && !FORMIO_UNSUPPORTED.includes(k))
        this.issues.add(path, 'formio.unsupportedFeature', { feature: k })
    }
    if (isObj(c.validate)) {
      for (const [k, v] of Object.entries(c.validate)) {
        if (k === 'item') continue
        if (!VALIDATE_KEYS.has(k)) this.issues.add(path, 'formio.unsupportedFeature', { feature: `validate.${k}` })
        else if (
          ['custom', 'json', 'customPrivate'].includes(k) &&
          v !== '' &&
          v !== undefined &&
          v !== false &&
          !(isObj(v) && Object.keys(v).length === 0)
        ) {
          this.issues.add(path, 'formio.unsupportedFeature', { feature: `validate.${k}` })
        }
      }
    }
  }

  /** The schema keywords a component states. */
  mapped(c: FormioComponent, path: string): { type?: string; keywords: Obj; widget?: string } | null {
    const v = isObj(c.validate) ? c.validate : {}
    const k: Obj = {}
    const text = () => {
      if (typeof v.minLength === 'number') k.minLength = v.minLength
      if (typeof v.maxLength === 'number') k.maxLength = v.maxLength
      if (typeof v.pattern === 'string' && v.pattern !== '') k.pattern = v.pattern
    }
    const values = (list: unknown) => {
      if (
        !Array.isArray(list) ||
        list.some((o) => !isObj(o) || typeof o.value !== 'string' || typeof o.label !== 'string')
      ) {
        this.issues.add(path, 'formio.badValues')
        return
      }
      k.enum = list.map((o) => (o as { value: string }).value)
    }
    if (c.label !== undefined && c.label !== '') k.title = c.label
    if (typeof c.description === 'string' && c.description !== '') k.description = c.description
    switch (c.type) {
      case 'textfield': {
        text()
        const format = c.properties?.format
        if (format !== undefined) {
          if (!TYPED_TEXT_FORMATS.has(format)) this.issues.add(path, 'formio.unknownFormat', { format })
          else k.format = format
        }
        return { type: 'string', keywords: k }
      }
      case 'textarea':
        text()
        return { type: 'string', keywords: k, widget: 'textarea' }
      case 'email':
        text()
        k.format = 'email'
        return { type: 'string', keywords: k }
      case 'phoneNumber':
        text()
        if (k.pattern === undefined) k.pattern = PHONE_PATTERN
        return { type: 'string', keywords: k }
      case 'datetime':
        text()
        if (c.enableTime === true) this.issues.add(path, 'formio.unsupportedFeature', { feature: 'enableTime' })
        k.format = 'date'
        return { type: 'string', keywords: k }
      case 'number':
      case 'currency':
        if (typeof v.min === 'number') k.minimum = v.min
        if (typeof v.max === 'number') k.maximum = v.max
        if (c.type === 'currency') k['x-currency'] = typeof c.currency === 'string' ? c.currency : 'EUR'
        return { type: c.decimalLimit === 0 ? 'integer' : 'number', keywords: k }
      case 'checkbox':
        return { type: 'boolean', keywords: k }
      case 'radio':
        if (c.dataType === 'boolean') return { type: 'boolean', keywords: k, widget: 'radio' }
        values(c.values)
        return { type: 'string', keywords: k, widget: 'radio' }
      case 'selectboxes':
        values(c.values)
        return { type: 'string', keywords: k, widget: 'checkboxes' }
      case 'select':
        if (c.dataSrc === 'url') {
          text()
          return { type: 'string', keywords: k }
        }
        values(c.data?.values)
        return { type: 'string', keywords: k }
      case 'content':
        delete k.description
        if (typeof c.html === 'string' && c.html !== '<p></p>') {
          const inner = /^<p>([\s\S]*)<\/p>$/.exec(c.html)
          const plain = inner ? unescapeHtml(inner[1]) : null
          if (plain === null) this.issues.add(path, 'formio.richContent')
          else k.description = plain
        }
        return { type: 'null', keywords: k }
      case 'file':
      case 'container':
      case 'editgrid':
        return { type: c.type === 'editgrid' ? 'array' : 'object', keywords: k }
      default:
        this.issues.add(path, 'formio.unknownComponent', { type: c.type })
        return null
    }
  }

  /** Writes the mapped keywords: all of them for a field of its own; for a shared one, what differs. */
  apply(schema: Obj, mapped: Obj, base: Obj | null, local: string[] | undefined): void {
    for (const [key, value] of Object.entries(mapped)) {
      if (!base || local?.includes(key) || !jsonEqual(base[key], value)) schema[key] = value
    }
    if (base) {
      for (const key of local ?? [])
        if (!(key in mapped) && key !== 'type' && key !== 'minItems' && key !== 'maxItems') delete schema[key]
    }
  }

  /** Updates the Italian labels of an enum from the component's options. */
  labels(schema: Obj, c: FormioComponent, base: Obj | null, list: unknown): void {
    if (!Array.isArray(list)) return
    const from = base ?? schema
    const i18n = isObj(from['x-i18n']) ? structuredClone(from['x-i18n']) : {}
    const it = isObj(i18n.it) ? i18n.it : {}
    const labels = isObj(it.enum) ? { ...(it.enum as Obj) } : {}
    let changed = false
    for (const o of list as Array<{ label: string; value: string }>) {
      const current = typeof labels[o.value] === 'string' ? labels[o.value] : o.value
      if (current !== o.label) {
        labels[o.value] = o.label
        changed = true
      }
    }
    if (!changed) return
    it.enum = labels
    i18n.it = it
    schema['x-i18n'] = i18n
    void c
  }

  field(c: FormioComponent, path: string): { schema: Obj; ui: Obj } | null {
    this.checkComponent(c, path)
    const extras: ComponentExtras = isObj(c.sportello) ? (c.sportello as ComponentExtras) : {}
    if ((c.multiple === true || c.type === 'selectboxes') && c.type !== 'editgrid') return this.list(c, extras, path)
    const mapped = this.mapped(c, path)
    if (!mapped) return null
    const schema: Obj = { ...(extras.schema ?? {}) }
    const base = typeof schema.$ref === 'string' ? this.resolve(schema) : null
    if (typeof schema.$ref === 'string' && !base) {
      this.issues.add(path, 'formio.unresolvedRef', { ref: String(schema.$ref) })
      return null
    }
    if (base && base.type !== undefined && mapped.type !== undefined && base.type !== mapped.type) {
      this.issues.add(path, 'formio.sharedType', { ref: String(schema.$ref) })
      return null
    }
    const keywords: Obj = { ...mapped.keywords }
    if (mapped.type) keywords.type = mapped.type
    // Keyword order as a form file writes it: type first.
    const ordered: Obj = {}
    if (keywords.type !== undefined && (!base || extras.local?.includes('type') || base.type !== keywords.type))
      ordered.type = keywords.type
    const out: Obj = { ...ordered, ...schema }
    delete keywords.type
    this.apply(out, keywords, base, extras.local)
    if (c.type === 'radio' && c.dataType !== 'boolean') this.labels(out, c, base, c.values)
    if (c.type === 'select' && c.dataSrc !== 'url') this.labels(out, c, base, c.data?.values)
    const ui: Obj = { ...(extras.ui ?? {}) }
    this.widget(ui, mapped.widget, c.type)
    const options: Obj = isObj(ui['ui:options']) ? { ...(ui['ui:options'] as Obj) } : {}
    if (c.type === 'select' && c.dataSrc === 'url') {
      const url = typeof c.data?.url === 'string' ? CATALOG_URL.exec(c.data.url) : null
      if (!url) {
        this.issues.add(path, 'formio.badCatalogUrl')
        return null
      }
      options.source = url[1]
      if (typeof c.filter === 'string' && c.filter !== '') {
        const filter = this.parseFilter(c.filter, path)
        if (filter) options.filter = filter
      }
    }
    if (c.type === 'file') {
      if (typeof c.filePattern === 'string' && c.filePattern !== '') options.accept = c.filePattern.split(',')
    }
    if (Object.keys(options).length) ui['ui:options'] = this.optionsOrder(options, extras.ui)
    else delete ui['ui:options']

    if (c.type === 'container') {
      const nested = this.object(c.components, extras.required ?? [], extras.ordered === true, path)
      for (const [k, v] of Object.entries(nested.ui)) ui[k] = v
      if (base) {
        if (!this.sameFields(base, nested)) this.issues.add(path, 'formio.sharedFields', { ref: String(schema.$ref) })
      } else {
        out.type = 'object'
        out.properties = nested.properties
        if (nested.required.length || extras.required) out.required = nested.required
      }
    } else if (c.type === 'editgrid') {
      const item = extras.item ?? { schema: { type: 'object', additionalProperties: false }, ui: {} }
      const nested = this.object(c.components, item.required ?? [], item.ordered === true, path)
      const itemUi: Obj = { ...item.ui, ...nested.ui }
      const itemBase = typeof item.schema.$ref === 'string' ? this.resolve(item.schema) : null
      let items: Obj
      if (itemBase) {
        if (!this.sameFields(itemBase, nested))
          this.issues.add(path, 'formio.sharedFields', { ref: String(item.schema.$ref) })
        items = { ...item.schema }
      } else {
        items = { ...item.schema, properties: nested.properties }
        if (nested.required.length || item.required) items.required = nested.required
      }
      const v = isObj(c.validate) ? c.validate : {}
      const listKeywords: Obj = {}
      if (typeof v.minItems === 'number') listKeywords.minItems = v.minItems
      if (typeof v.maxItems === 'number') listKeywords.maxItems = v.maxItems
      if (!base) {
        out.type = 'array'
        out.items = items
        this.apply(out, listKeywords, null, undefined)
      } else {
        this.apply(out, listKeywords, base, extras.local)
        const baseItems = isObj(base.items) ? base.items : {}
        if (!jsonEqual(baseItems, items)) this.issues.add(path, 'formio.sharedFields', { ref: String(schema.$ref) })
      }
      if (Object.keys(itemUi).length) ui.items = itemUi
    } else if (c.type === 'file' && !base) {
      const item = extras.item?.schema ?? {}
      out.type = 'object'
      Object.assign(out, item)
    }
    return { schema: out, ui }
  }

  /** A list of values: the array's keywords around the item the component describes. */
  list(c: FormioComponent, extras: ComponentExtras, path: string): { schema: Obj; ui: Obj } | null {
    const arrayExtras = extras.array ?? { schema: {}, ui: {} }
    const v = isObj(c.validate) ? c.validate : {}
    const itemValidate = isObj(v.item) ? v.item : {}
    const { array: _a, ...itemExtras } = extras
    const itemType = c.type === 'selectboxes' ? 'radio' : c.type
    const itemComponent: FormioComponent = {
      ...c,
      type: itemType,
      multiple: false,
      label: arrayExtras.itemLabel ?? '',
      validate: itemValidate,
      sportello: itemExtras,
    }
    if (arrayExtras.itemDescription !== undefined) itemComponent.description = arrayExtras.itemDescription
    else delete itemComponent.description
    if (c.type === 'selectboxes') itemComponent.values = c.values
    const item = this.field(itemComponent, path)
    if (!item) return null
    const schema: Obj = { ...arrayExtras.schema }
    const base = typeof schema.$ref === 'string' ? this.resolve(schema) : null
    const keywords: Obj = {}
    if (c.label !== undefined && c.label !== '') keywords.title = c.label
    if (typeof c.description === 'string' && c.description !== '') keywords.description = c.description
    if (typeof v.minItems === 'number') keywords.minItems = v.minItems
    if (typeof v.maxItems === 'number') keywords.maxItems = v.maxItems
    const out: Obj = base ? {} : { type: 'array' }
    Object.assign(out, schema)
    this.apply(out, keywords, base, arrayExtras.local)
    if (!base) out.items = item.schema
    else if (!jsonEqual(base.items, item.schema))
      this.issues.add(path, 'formio.sharedFields', { ref: String(schema.$ref) })
    const ui: Obj = { ...arrayExtras.ui }
    const itemUi = { ...item.ui }
    if (c.type === 'selectboxes') {
      delete itemUi['ui:widget']
      ui['ui:widget'] = 'checkboxes'
    } else if (itemUi['ui:widget'] !== undefined) {
      ui['ui:widget'] = itemUi['ui:widget']
      delete itemUi['ui:widget']
    }
    if (Object.keys(itemUi).length) ui.items = itemUi
    return { schema: out, ui }
  }

  sameFields(base: Obj, nested: { properties: Obj; required: string[] }): boolean {
    const baseRequired = Array.isArray(base.required) ? (base.required as string[]) : []
    return (
      jsonEqual(base.properties ?? {}, nested.properties) &&
      baseRequired.length === nested.required.length &&
      baseRequired.every((k) => nested.required.includes(k))
    )
  }

  /** The widget: the one the component needs, or the one the field had if the component allows it. */
  widget(ui: Obj, needed: string | undefined, type: string): void {
    const had = ui['ui:widget']
    if (needed) ui['ui:widget'] = needed
    else if (typeof had === 'string' && (WIDGETS[type] ?? []).includes(had)) ui['ui:widget'] = had
    else delete ui['ui:widget']
  }

  optionsOrder(options: Obj, original: Obj | undefined): Obj {
    void original
    return options
  }

  parseFilter(query: string, path: string): Obj | null {
    const filter: Obj = {}
    for (const part of query.split('&')) {
      const m = /^([a-z][a-z0-9_]*)=(.*)$/.exec(part)
      if (!m) {
        this.issues.add(path, 'formio.badOption', { option: 'filter' })
        return null
      }
      const pointer = /^\{\{ *data\.([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*) *\}\}$/.exec(m[2])
      if (pointer) filter[m[1]] = `/${pointer[1].split('.').join('/')}`
      else if (m[2].includes('{{')) {
        this.issues.add(path, 'formio.badOption', { option: 'filter' })
        return null
      } else {
        try {
          filter[m[1]] = decodeURIComponent(m[2])
        } catch {
          this.issues.add(path, 'formio.badOption', { option: 'filter' })
          return null
        }
      }
    }
    return filter
  }
}

/** The canonical form of Form.io JSON made by canonicalToFormio (and edited in the builder). */
export function formioToCanonical(formio: FormioForm): FormDefinition {
  const issues = new Issues()
  const envelope =
    isObj(formio?.settings) && isObj(formio.settings.sportello) ? (formio.settings.sportello as FormEnvelope) : null
  if (!envelope || !isObj(envelope.form) || !isObj(envelope.schema)) {
    issues.add('', 'formio.noEnvelope')
    throw new FormioConversionError(issues.list)
  }
  const defs = isObj(envelope.schema.$defs) ? envelope.schema.$defs : {}
  const converter = new FromFormio(defs, issues)
  const root = converter.object(formio.components, envelope.required ?? [], envelope.ordered === true, '')
  if (issues.list.length) throw new FormioConversionError(issues.list)
  const { $defs, ...schemaHead } = envelope.schema
  const schema: Obj = { ...structuredClone(schemaHead), properties: root.properties }
  if (root.required.length || envelope.required?.length) schema.required = root.required
  if ($defs !== undefined) schema.$defs = structuredClone($defs)
  const uiSchema: Obj = { ...structuredClone(envelope.ui ?? {}), ...root.ui }
  const form = structuredClone(envelope.form) as Obj
  return { ...form, schema, uiSchema } as unknown as FormDefinition
}
