/**
 * One filter of a staff list: a labelled select whose first choice, empty, means "any". The lists
 * (inbox, register, people) send their filters as a plain form, so the select only needs its name.
 */
export function FilterSelect(props: {
  className: string
  id: string
  name: string
  label: string
  any: string
  value: string | undefined
  options: ReadonlyArray<{ value: string; label: string }>
}) {
  return (
    <div className={props.className}>
      <label className="form-label" htmlFor={props.id}>
        {props.label}
      </label>
      <select id={props.id} name={props.name} className="form-select" defaultValue={props.value}>
        <option value="">{props.any}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  )
}
