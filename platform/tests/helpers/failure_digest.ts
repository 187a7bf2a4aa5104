import type { PluginFn } from '@japa/runner/types'

/**
 * A short list of what failed, printed as the very last lines of a run. CI keeps only the end of a
 * long output, where the reporter's summary shows a failure's code frame and stack but has already
 * scrolled its message (a browser locator's call log, an assertion's expected and actual) away.
 */
type Failure = { title: string; file?: string; messages: string[] }

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g')

function firstLines(error: unknown, lines = 8, chars = 900) {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.replace(ANSI, '').split('\n').slice(0, lines).join('\n').slice(0, chars)
}

export class FailureDigest {
  #failures: Failure[] = []
  #retried: Failure[] = []

  /** The Japa plugin that collects the failures of a run. */
  plugin: PluginFn = ({ emitter }) => {
    emitter.on('test:end', (payload) => {
      // Attempts count from 1: a test that passed on a later one failed before it.
      if (!payload.hasError && (payload.retryAttempt ?? 1) > 1) {
        this.#retried.push({
          title: payload.title.expanded,
          file: typeof payload.meta.fileName === 'string' ? payload.meta.fileName : undefined,
          messages: [`passed on attempt ${payload.retryAttempt}`],
        })
      }
      if (!payload.hasError) return
      this.#failures.push({
        title: payload.title.expanded,
        file: typeof payload.meta.fileName === 'string' ? payload.meta.fileName : undefined,
        messages: payload.errors.map(({ phase, error }) => `[${phase}] ${firstLines(error)}`),
      })
    })
    // A group "has an error" when one of its tests failed; listed here only for its own hooks' errors.
    emitter.on('group:end', (payload) => {
      if (!payload.hasError || payload.errors.length === 0) return
      this.#failures.push({
        title: `group: ${payload.title}`,
        messages: payload.errors.map(({ phase, error }) => `[${phase}] ${firstLines(error)}`),
      })
    })
  }

  /** The digest, or nothing when every test passed. */
  print(write: (text: string) => void = (text) => process.stderr.write(text)) {
    const lines: string[] = []
    if (this.#retried.length > 0) lines.push(`\nPassed only after a failed attempt (${this.#retried.length}):`)
    for (const retried of this.#retried)
      lines.push(`↻ ${retried.file ?? ''} › ${retried.title}: ${retried.messages[0]}`)
    if (this.#failures.length > 0) lines.push(`\nFailed (${this.#failures.length}):`)
    for (const failure of this.#failures) {
      lines.push(`✖ ${failure.file ?? ''} › ${failure.title}`)
      for (const message of failure.messages) lines.push(message.replace(/^/gm, '    '))
    }
    if (lines.length > 0) write(lines.join('\n') + '\n')
  }
}

/** The one the test runner uses (tests/bootstrap.ts collects, bin/test.ts prints). */
export const runFailures = new FailureDigest()
