import Form from '#models/form'
import FormVersion from '#models/form_version'
import type { FormDefinition } from '#forms/types'

/**
 * Finding a tenant's form and the version submissions are made on. Runs in
 * the current tenant context (the model scope filters by tenant).
 */
export interface CurrentForm {
  form: Form
  version: FormVersion
  definition: FormDefinition
}

/** A form is named by its numeric id or by its key ("<service>.iscrizione"). */
export async function findForm(ref: string): Promise<Form | null> {
  if (/^\d{1,9}$/.test(ref)) return Form.query().where('id', Number(ref)).first()
  if (ref.length > 128) return null
  return Form.query().where('key', ref).first()
}

/**
 * The version in force: the highest published one. Versions are immutable
 * and a change is a new version (DESIGN.md, "Form engine"), so the highest
 * number is the newest publication.
 */
export async function currentVersion(form: Form): Promise<FormVersion | null> {
  return FormVersion.query().where('form_id', form.id).orderBy('version', 'desc').first()
}

export async function findCurrentForm(ref: string): Promise<CurrentForm | null> {
  const form = await findForm(ref)
  if (!form) return null
  const version = await currentVersion(form)
  if (!version) return null
  return { form, version, definition: version.definition as unknown as FormDefinition }
}
