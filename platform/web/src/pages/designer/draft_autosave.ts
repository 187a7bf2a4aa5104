/**
 * A draft saved as the designer goes: what the page says about it follows the latest change only.
 * Each change takes the next number; a save carries the number of the change it sends, and its
 * answer says "saved" (and shows its problems) only when no change came after it. Saves go one at a
 * time: a save asked while one is under way waits for its answer, then sends the latest change, so
 * an older save never reaches the server after a newer one.
 *
 * No timer, no React: the page debounces and calls `flush`; the unit tests drive it step by step.
 */
export type SaveState = { state: 'saved' | 'pending' | 'saving' | 'error'; at?: string; message?: string }

export interface AutosaveHooks<T, A> {
  send: (value: T) => Promise<A>
  onState: (state: SaveState) => void
  /** The answer to the latest change (its problems): never called for an older one. */
  onAnswer: (answer: A) => void
  savedAt: (answer: A) => string | undefined
}

export class DraftAutosave<T, A> {
  private latest: T | null = null
  /** The number of the latest change, and of the latest change the server has answered for. */
  private edit = 0
  private saved = 0
  private underWay: Promise<unknown> | null = null

  constructor(private readonly hooks: AutosaveHooks<T, A>) {}

  changed(value: T) {
    this.latest = value
    this.edit++
    this.hooks.onState({ state: 'pending' })
  }

  /** Whether a change has not been answered for yet. */
  get unsaved(): boolean {
    return this.saved < this.edit
  }

  /** The draft is thrown away: what was not saved is not to be saved any more. */
  forget() {
    this.saved = this.edit
  }

  /** Saves the latest change, after the save under way if any; resolves once it is answered. */
  async flush(): Promise<void> {
    while (this.underWay) await this.underWay.catch(() => undefined)
    if (this.latest === null || !this.unsaved) return
    const number = this.edit
    this.hooks.onState({ state: 'saving' })
    const saving = this.hooks.send(this.latest)
    this.underWay = saving
    try {
      const answer = await saving
      this.saved = Math.max(this.saved, number)
      if (number === this.edit) {
        this.hooks.onAnswer(answer)
        this.hooks.onState({ state: 'saved', at: this.hooks.savedAt(answer) })
      }
    } catch (error) {
      // A failed save of an older change is overtaken by the newer one, which is still to send.
      if (number === this.edit) {
        this.hooks.onState({ state: 'error', message: error instanceof Error ? error.message : String(error) })
      }
      throw error
    } finally {
      if (this.underWay === saving) this.underWay = null
    }
  }
}
