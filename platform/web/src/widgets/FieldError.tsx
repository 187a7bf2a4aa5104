/** The message the server gave for exactly one field (by its JSON Pointer), if any. */
export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null
  return (
    <div id={id} className="invalid-feedback d-block" role="alert">
      {message}
    </div>
  )
}
