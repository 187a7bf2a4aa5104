import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Attachment from '#models/attachment'
import Document from '#models/document'
import Submission from '#models/submission'
import { RequestContext } from '#services/infrastructure/request_context'
import { fileSubmissionDocuments } from '#services/documents/document_service'
import { findCurrentForm } from '#services/definitions/form_service'
import { loadDefaultForms } from '#services/content/default_content'
import { pluginService } from '#services/tenants/plugin_service'
import { linkToSubmission, storeUpload } from '#services/submissions/attachment_service'
import { submissionService } from '#services/submissions/submission_service'
import { refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '../../helpers/world.js'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
type Obj = Record<string, any> // form samples: JSON read from the forms' files

/**
 * The services' forms declare which of their attachments are documents of a person (`document_type`
 * and, for someone other than the child, `document_of` in their `attachments`): on acceptance the
 * platform files them in the Documents area, whichever service the form is of.
 */
test.group('Documents filed from the forms of every service', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('{form}: on acceptance its certificates are filed for the child, the identity document for {owner}')
    .with([
      {
        form: 'trasporto.iscrizione',
        plugin: 'trasporto',
        owner: 'the payer',
        expected: {
          '/disability_104_certificate': ['l104', '/student/fiscal_code'],
          '/foster_care_document': ['foster_care', '/student/fiscal_code'],
          '/identity_document': ['identity', '/payer/fiscal_code'],
        },
      },
      {
        form: 'nidi.iscrizione',
        plugin: 'nidi',
        owner: 'the applicant',
        expected: {
          '/disability_104_certificate': ['l104', '/child/fiscal_code'],
          '/foster_care_document': ['foster_care', '/child/fiscal_code'],
          '/identity_document': ['identity', '/applicant/fiscal_code'],
          '/other_certificates': ['other', '/child/fiscal_code'],
        },
      },
      {
        form: 'edugate.iscrizione',
        plugin: 'nidi',
        owner: 'the applicant',
        expected: {
          '/disability_104_certificate': ['l104', '/child/fiscal_code'],
          '/foster_care_document': ['foster_care', '/child/fiscal_code'],
          '/identity_document': ['identity', '/applicant/fiscal_code'],
          '/other_certificates': ['other', '/child/fiscal_code'],
        },
      },
    ])
    .run(async ({ assert }, row) => {
      const world = await refezioneTenant()
      await pluginService.enable(world.tenant, row.plugin)
      const data = structuredClone((await loadDefaultForms()).get(row.form)!.json.sample as Obj)
      const submission = await RequestContext.withTenant(world.tenant.ref, async () => {
        const current = (await findCurrentForm(row.form))!
        const fileIds: string[] = []
        // A file for every attachment field of the form, as the family would upload them.
        for (const field of Object.keys(current.definition.attachments ?? {})) {
          const stored = await storeUpload({
            tenantId: world.tenant.id,
            userId: world.citizen.id,
            form: current.definition,
            field,
            fileName: `${field.slice(1)}.pdf`,
            bytes: PDF,
            lang: 'it',
          })
          fileIds.push(stored.fileId)
          const name = field.slice(1)
          data[name] = Array.isArray(data[name]) ? [stored.reference] : stored.reference
        }
        const sent = await Submission.create({
          formId: current.form.id,
          formVersionId: current.version.id,
          formKey: row.form,
          applicantUserId: world.citizen.id,
          submittedByUserId: world.citizen.id,
          onBehalf: false,
          status: 'protocolled',
          statusReason: null,
          data,
          protocolNumber: '2026/0000042',
          submittedAt: DateTime.fromISO('2026-05-10T10:00:00', { zone: 'Europe/Rome' }),
        })
        await linkToSubmission(fileIds, sent)
        return sent
      })
      const before = await RequestContext.withTenant(world.tenant.ref, () =>
        Document.query().where('submission_id', submission.id)
      )
      assert.lengthOf(before, 0, 'nothing is filed before the acceptance')

      await RequestContext.withTenant(world.tenant.ref, () =>
        submissionService.changeStatus(submission, 'accepted', null, world.operator.id)
      )

      const filed = await RequestContext.withTenant(world.tenant.ref, async () => {
        const documents = await Document.query().where('submission_id', submission.id)
        const files = await Attachment.query().whereIn(
          'id',
          documents.map((d) => d.attachmentId)
        )
        const fieldOf = new Map(files.map((f) => [f.id, f.fieldPath]))
        return Object.fromEntries(
          documents.map((d) => [fieldOf.get(d.attachmentId)!, [d.type, d.subjectFiscalCode]] as const)
        )
      })
      const at = (pointer: string) =>
        pointer
          .slice(1)
          .split('/')
          .reduce((v: Obj, k) => v?.[k], data) as unknown as string
      const expected = Object.fromEntries(
        Object.entries(row.expected).map(([field, [type, owner]]) => [field, [type, at(owner).toUpperCase()]])
      )
      assert.deepEqual(filed, expected, `the documents filed from ${row.form}, by field: [type, whose]`)
      // Accepted once more (a move back and forth): nothing filed twice.
      const again = await RequestContext.withTenant(world.tenant.ref, async () => {
        return db.transaction((trx) => fileSubmissionDocuments(trx, submission))
      })
      assert.lengthOf(again, 0, 'a file already filed is not filed again')
    })
})
