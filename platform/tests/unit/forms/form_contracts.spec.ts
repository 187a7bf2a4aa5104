/**
 * Every form file under forms/ runs the shared contract tests.
 */
import { test } from '@japa/runner'
import { formContractTests } from '#sdk/testing'
import { loadFormFiles } from '#forms/load_forms'

const loaded = await loadFormFiles()

test('the repository ships the Piacenza enrolment forms', ({ assert }) => {
  const ids = loaded.map((f) => f.form.id).sort()
  for (const id of [
    'refezione.iscrizione',
    'trasporto.iscrizione',
    'nidi.iscrizione',
    'edugate.iscrizione',
    'tempo-prolungato.iscrizione',
    'nido-estivo.iscrizione',
  ]) {
    assert.include(ids, id)
  }
})

for (const { form } of loaded) formContractTests(form)
