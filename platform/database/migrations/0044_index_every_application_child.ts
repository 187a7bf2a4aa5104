import { BaseSchema } from '@adonisjs/lucid/schema'
import { indexApplicationChildren } from '#services/submissions/child_identity'

/**
 * The duplicate check looks an application's child up by its index alone (`whereChildMayBe`):
 * asking for rows without one too made the query planner read every application of the form, at
 * each sending. Any row still without an index (none is written so since 0019) gets it here.
 */
export default class extends BaseSchema {
  async up() {
    this.defer((client) => indexApplicationChildren(client, { everyRow: false }))
  }

  async down() {
    // Nothing to undo: the index is what the model writes for every row.
  }
}
