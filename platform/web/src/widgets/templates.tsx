import { createContext, useContext } from 'react'
import { getDefaultRegistry } from '@rjsf/core'
import {
  getUiOptions,
  TranslatableString,
  type ArrayFieldTemplateProps,
  type FieldTemplateProps,
  type IconButtonProps,
  type TemplatesType,
} from '@rjsf/utils'
import { Hidden } from '../forms/form_support'

/**
 * RJSF templates for accessible forms:
 * - a radio group is a fieldset named by its legend (RJSF puts a `<label for>` on the group's
 *   container, which names nothing: WCAG 1.3.1 and 4.1.2);
 * - the button adding an item to a list says what it adds, in words ("Aggiungi fratello o
 *   sorella"), instead of a bare "+".
 */
const defaults = getDefaultRegistry().templates

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, required, displayLabel, description, errors, help, children, hidden, uiSchema, registry } = props
  // A field of another step, or hidden by its condition: no wrapper, no margin, nothing on screen.
  if (uiSchema?.['ui:field'] === Hidden) return null
  const DefaultFieldTemplate = defaults.FieldTemplate
  if (hidden || getUiOptions(uiSchema).widget !== 'radio') return <DefaultFieldTemplate {...props} />
  const Wrap = registry.templates.WrapIfAdditionalTemplate
  return (
    <Wrap {...props}>
      <fieldset className="radio-fieldset">
        {displayLabel && label && (
          <legend id={`${id}__legend`} className="control-label">
            {label}
            {required && <span className="required">*</span>}
          </legend>
        )}
        {displayLabel && description ? description : null}
        {children}
        {errors}
        {help}
      </fieldset>
    </Wrap>
  )
}

/** The title of one item of the list being rendered, for its add button. */
const ItemTitle = createContext<string | undefined>(undefined)

function ArrayFieldTemplate(props: ArrayFieldTemplateProps) {
  const DefaultArrayFieldTemplate = defaults.ArrayFieldTemplate
  const items = props.schema.items
  const itemSchema =
    items && typeof items === 'object' && !Array.isArray(items)
      ? props.registry.schemaUtils.retrieveSchema(items, undefined)
      : undefined
  return (
    <ItemTitle.Provider value={typeof itemSchema?.title === 'string' ? itemSchema.title : undefined}>
      <DefaultArrayFieldTemplate {...props} />
    </ItemTitle.Provider>
  )
}

function AddButton({ id, className, onClick, disabled, registry }: IconButtonProps) {
  const itemTitle = useContext(ItemTitle)
  const add = registry.translateString(TranslatableString.AddButton)
  const text = itemTitle ? `${add} ${itemTitle.charAt(0).toLowerCase()}${itemTitle.slice(1)}` : add
  return (
    <p className={`mt-2 ${className ?? ''}`}>
      <button
        type="button"
        id={id}
        className="btn btn-outline-primary btn-sm btn-add"
        onClick={onClick}
        disabled={disabled}
      >
        <span aria-hidden="true" className="me-1">
          +
        </span>
        {text}
      </button>
    </p>
  )
}

export const accessibleTemplates: Partial<TemplatesType> = {
  FieldTemplate,
  ArrayFieldTemplate,
  ButtonTemplates: { ...defaults.ButtonTemplates, AddButton },
}
