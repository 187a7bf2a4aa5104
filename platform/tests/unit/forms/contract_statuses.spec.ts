import { test } from '@japa/runner'
import { INBOX_STATUSES, SUBMISSION_STATUSES } from '#shared/contract'
import { STATUSES, TRANSITIONS } from '#services/submissions/submission_service'
import { it as italian } from '../../../web/src/i18n/it.js'

test.group('Contract: submission statuses are one list for server and portal', () => {
  test('the server moves submissions among exactly the shared statuses, and the portal names each', ({ assert }) => {
    assert.deepEqual([...STATUSES], [...SUBMISSION_STATUSES])
    assert.sameMembers(Object.keys(TRANSITIONS), [...SUBMISSION_STATUSES])
    for (const targets of Object.values(TRANSITIONS)) {
      for (const to of targets) assert.include(SUBMISSION_STATUSES, to)
    }
    assert.include(SUBMISSION_STATUSES, 'needs_completion')
    // The inbox shows every status but the citizen's own drafts.
    assert.sameMembers(
      [...INBOX_STATUSES],
      SUBMISSION_STATUSES.filter((s) => s !== 'draft')
    )
    // The English strings are typed by the Italian ones: a status missing there fails the type check.
    assert.sameMembers(Object.keys(italian.status), [...SUBMISSION_STATUSES])
  })
})
