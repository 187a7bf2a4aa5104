import { BaseSchema } from '@adonisjs/lucid/schema'
import { backfillSearchTerms } from '#services/submissions/submission_search'

/**
 * The inbox searches applications by name and codice fiscale through their keyed hashes, written at
 * each sending since migration 0016. The applications sent before had none: the search never found
 * them. This computes them under the current key (submission_search.ts, `backfillSearchTerms`:
 * idempotent, only the sent applications without terms).
 */
export default class extends BaseSchema {
  async up() {
    this.defer(async (client) => {
      await backfillSearchTerms(client)
    })
  }

  async down() {
    // The terms stay: they are what a sending since 0016 would have written anyway.
  }
}
