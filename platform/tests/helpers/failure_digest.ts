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
  /** Milliseconds spent per test file, hooks of its tests included. */
  #timeByFile = new Map<string, number>()
  #tests = 0

  /** The Japa plugin that collects the failures of a run. */
  plugin: PluginFn = ({ emitter }) => {
    emitter.on('test:end', (payload) => {
      this.#tests += 1
      const file = typeof payload.meta.fileName === 'string' ? payload.meta.fileName : '(no file)'
      this.#timeByFile.set(file, (this.#timeByFile.get(file) ?? 0) + (payload.duration ?? 0))
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

  /**
   * The files that took longest, in a run of many tests: where to look when the suite grows slow.
   * Nothing for a run of a few tests.
   */
  slowest(count = 10, minimumTests = 50) {
    if (this.#tests < minimumTests) return []
    const total = [...this.#timeByFile.values()].reduce((sum, ms) => sum + ms, 0)
    const files = [...this.#timeByFile.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)
    return [
      `\nSlowest test files (of ${this.#tests} tests, ${(total / 1000).toFixed(0)} s in tests):`,
      ...files.map(([file, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`),
    ]
  }

  /** The slowest files, then the digest of failures (nothing more when every test passed). */
  print(write: (text: string) => void = (text) => process.stderr.write(text)) {
    const lines: string[] = [...this.slowest()]
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
