import type { WidgetProps } from '@rjsf/utils'

/**
 * A codice fiscale as it is written on the card: capitals, no spaces. What the citizen types in
 * lower case is shown and kept in capitals, so a right code is never refused for its case.
 */
export function CodiceFiscaleWidget(props: WidgetProps) {
  const Text = props.registry.widgets.TextWidget
  const normalise = (value: unknown) => (typeof value === 'string' ? value.toUpperCase().replace(/\s+/g, '') : value)
  return (
    <Text
      {...props}
      value={normalise(props.value)}
      onChange={(value: unknown) => props.onChange(value === '' ? undefined : normalise(value))}
      options={{ ...props.options, inputType: 'text' }}
      autoComplete="off"
      className={`${props.className ?? ''} codice-fiscale-input`}
    />
  )
}

/** The project's own widgets, chosen by a field's `format`. */
export const portalWidgets = { 'codice-fiscale': CodiceFiscaleWidget }
