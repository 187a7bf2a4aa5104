import { BaseSchema } from '@adonisjs/lucid/schema'
import { currentDataCipher } from '#services/infrastructure/data_cipher'
import { schoolOfData } from '#services/submissions/submission_school'

/**
 * The back office's inbox filters applications by school (Allegato A, "Portale di BackOffice").
 * The school is inside the encrypted data: its catalog code is kept beside them, in clear as the
 * enrolments keep it (a school names no one), indexed with the form and status so that the counts
 * per status under a school filter read the index alone. Existing rows are filled in here.
 */
const BATCH = 500

export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('submissions', (table) => {
      table.string('school_code', 64).nullable()
      table.index(['tenant_id', 'school_code', 'form_key', 'status'], 'submissions_school_index')
    })
    this.defer(async (client) => {
      const cipher = currentDataCipher()
      let last = 0
      for (;;) {
        const rows = await client
          .from('submissions')
          .select('id', 'data')
          .where('id', '>', last)
          .orderBy('id')
          .limit(BATCH)
        if (rows.length === 0) break
        for (const row of rows) {
          const clear = cipher.clearJson(row.data)
          const code = schoolOfData(clear)
          if (code) await client.from('submissions').where('id', row.id).update({ school_code: code })
        }
        last = rows[rows.length - 1].id
      }
    })
  }

  async down() {
    // The index first: SQLite refuses to drop an indexed column (as in 0019).
    this.schema.alterTable('submissions', (table) => {
      table.dropIndex(['tenant_id', 'school_code', 'form_key', 'status'], 'submissions_school_index')
    })
    this.schema.raw('ALTER TABLE submissions DROP COLUMN school_code')
  }
}
