/**
 * The designer's autosave (web/src/pages/designer/draft_autosave.ts): "saved" is said only when the
 * answer is that of the latest change; an older answer arriving while a newer change waits leaves
 * the state pending and its problems unshown; saves go one at a time, so an older one never lands
 * on the server after a newer one.
 */
import { test } from '@japa/runner'
import { DraftAutosave, type SaveState } from '../../../web/src/pages/designer/draft_autosave.js'

interface Answer {
  value: number
  at: string
}

/** A save whose answer the test releases (or fails) when it wants. */
function harness() {
  const sent: Array<{ value: number; answer: () => void; fail: (error: Error) => void }> = []
  const states: SaveState[] = []
  const answers: Answer[] = []
  const autosave = new DraftAutosave<number, Answer>({
    send: (value) =>
      new Promise<Answer>((resolve, reject) => {
        sent.push({ value, answer: () => resolve({ value, at: `t${value}` }), fail: reject })
      }),
    onState: (state) => states.push(state),
    onAnswer: (answer) => answers.push(answer),
    savedAt: (answer) => answer.at,
  })
  const last = () => states.at(-1)
  return { autosave, sent, states, answers, last }
}

/** Lets the promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

test.group('Designer: autosave follows the latest change', () => {
  test('an older answer arriving while a newer change waits does not say "saved"', async ({ assert }) => {
    const { autosave, sent, answers, last } = harness()
    autosave.changed(1)
    const first = autosave.flush()
    await settle()
    assert.deepEqual(last(), { state: 'saving' })
    autosave.changed(2)
    assert.deepEqual(last(), { state: 'pending' })
    sent[0].answer()
    await first
    await settle()
    assert.deepEqual(last(), { state: 'pending' }, 'the answer to change 1 came while change 2 waits')
    assert.deepEqual(answers, [], 'the problems of an older save are not shown')

    const second = autosave.flush()
    await settle()
    assert.deepEqual(
      sent.map((s) => s.value),
      [1, 2]
    )
    sent[1].answer()
    await second
    assert.deepEqual(last(), { state: 'saved', at: 't2' })
    assert.deepEqual(answers, [{ value: 2, at: 't2' }])
  })

  test('saves go one at a time, the latest value each time: an older save never overtakes a newer one', async ({
    assert,
  }) => {
    const { autosave, sent, last } = harness()
    autosave.changed(1)
    const first = autosave.flush()
    await settle()
    autosave.changed(2)
    autosave.changed(3)
    const second = autosave.flush()
    await settle()
    assert.deepEqual(
      sent.map((s) => s.value),
      [1],
      'the next save waits for the answer of the one under way'
    )
    sent[0].answer()
    await first
    await settle()
    assert.deepEqual(
      sent.map((s) => s.value),
      [1, 3],
      'then the latest change is sent, once'
    )
    assert.deepEqual(last(), { state: 'saving' })
    sent[1].answer()
    await second
    assert.deepEqual(last(), { state: 'saved', at: 't3' })
    // Nothing new: a flush (before publishing, comparing or trying) sends nothing.
    await autosave.flush()
    assert.lengthOf(sent, 2)
  })

  test('an older save that fails while a newer change waits is not reported; the latest failing is', async ({
    assert,
  }) => {
    const { autosave, sent, last } = harness()
    autosave.changed(1)
    const first = autosave.flush()
    await settle()
    autosave.changed(2)
    sent[0].fail(new Error('offline'))
    await first.catch(() => undefined)
    await settle()
    assert.deepEqual(last(), { state: 'pending' })
    const second = autosave.flush()
    await settle()
    sent[1].fail(new Error('offline'))
    await assert.rejects(() => second, 'offline')
    assert.deepEqual(last(), { state: 'error', message: 'offline' })
    // Tried again, the same change is sent again.
    const third = autosave.flush()
    await settle()
    assert.equal(sent[2].value, 2)
    sent[2].answer()
    await third
    assert.deepEqual(last(), { state: 'saved', at: 't2' })
  })

  test('a draft thrown away has nothing left to save', async ({ assert }) => {
    const { autosave, sent } = harness()
    autosave.changed(1)
    assert.isTrue(autosave.unsaved)
    autosave.forget()
    assert.isFalse(autosave.unsaved, 'leaving the page then saves nothing')
    await autosave.flush()
    assert.lengthOf(sent, 0)
  })
})
