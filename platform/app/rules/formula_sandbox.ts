/**
 * Formulas of a rule set.
 *
 * The normal path never runs JavaScript: the expression (`isee * percentuale`,
 * `assigned_fee * (21 - days) / 21`) is parsed here by a small Pratt parser into closures that
 * compute with decimal.js, so money never goes through binary floats. Anything outside the
 * grammar (+ - * / parentheses, numbers, identifiers, min/max/round/floor/ceil/abs) is rejected
 * when the rule set is compiled, with a message saying where.
 *
 * A designer who needs more can opt in with a `js:` prefix. Such formulas run in an isolated-vm
 * isolate with its own heap (8 MB) and a 50 ms time limit, with no Node globals; inputs are
 * passed as decimal strings and the result is read back as a decimal. An endless loop, an
 * unbounded allocation or a reference to process/require/globalThis ends in a FormulaError while
 * the engine keeps serving (the isolate is recreated when the memory limit kills it).
 */
import { createRequire } from 'node:module'
import type IvmModule from 'isolated-vm'
import { Dec, MAX_DECIMAL_EXPONENT, MAX_DECIMAL_LENGTH, roundingMode, toDecimal } from './decimal.js'
import { FormulaError } from './errors.js'

export const JS_PREFIX = 'js:'
export const SANDBOX_TIMEOUT_MS = 50
export const SANDBOX_MEMORY_MB = 8

export type Scope = Record<string, unknown>

export interface CompiledFormula {
  name: string
  expression: string
  /** Identifiers read from the scope at evaluation time (parameters excluded). */
  inputs: string[]
  evaluate(scope: Scope): Dec
}

// ---------------------------------------------------------------------------------------------
// Tokenizer and Pratt parser for decimal expressions.

type Token =
  | { type: 'num'; text: string; pos: number }
  | { type: 'id'; text: string; pos: number }
  | { type: 'op'; text: '+' | '-' | '*' | '/' | '(' | ')' | ','; pos: number }
  | { type: 'end'; text: ''; pos: number }

type Node =
  | { kind: 'num'; value: Dec }
  | { kind: 'id'; name: string }
  | { kind: 'neg'; arg: Node }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'call'; fn: string; args: Node[] }

const FUNCTIONS: Record<string, { min: number; max: number }> = {
  min: { min: 1, max: Number.POSITIVE_INFINITY },
  max: { min: 1, max: Number.POSITIVE_INFINITY },
  round: { min: 1, max: 2 },
  floor: { min: 1, max: 2 },
  ceil: { min: 1, max: 2 },
  abs: { min: 1, max: 1 },
}

function tokenize(name: string, source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const ch = source[i]
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++
      continue
    }
    const num = /^(\d+(\.\d+)?|\.\d+)/.exec(source.slice(i))
    if (num) {
      tokens.push({ type: 'num', text: num[0], pos: i })
      i += num[0].length
      continue
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))
    if (id) {
      tokens.push({ type: 'id', text: id[0], pos: i })
      i += id[0].length
      continue
    }
    if ('+-*/(),'.includes(ch)) {
      tokens.push({ type: 'op', text: ch as '+', pos: i })
      i++
      continue
    }
    throw new FormulaError(
      name,
      `il carattere "${ch}" in posizione ${i + 1} non è ammesso. Sono ammessi numeri, nomi di dati, ` +
        `+ - * / ( ) e le funzioni ${Object.keys(FUNCTIONS).join(', ')}; per altro usare il prefisso "js:".`
    )
  }
  tokens.push({ type: 'end', text: '', pos: source.length })
  return tokens
}

function parseExpression(name: string, source: string): Node {
  const tokens = tokenize(name, source)
  let index = 0
  const peek = () => tokens[index]
  const next = () => tokens[index++]
  const fail = (token: Token, what: string): never => {
    throw new FormulaError(name, `${what} in posizione ${token.pos + 1} di "${source}".`)
  }
  const expectOp = (text: string) => {
    const token = next()
    if (token.type !== 'op' || token.text !== text) fail(token, `atteso "${text}"`)
  }

  const bindingPower = (token: Token): number => {
    if (token.type !== 'op') return 0
    if (token.text === '+' || token.text === '-') return 10
    if (token.text === '*' || token.text === '/') return 20
    return 0
  }

  const prefix = (): Node => {
    const token = next()
    if (token.type === 'num') return { kind: 'num', value: new Dec(token.text) }
    if (token.type === 'id') {
      const after = peek()
      if (after.type === 'op' && after.text === '(') {
        const spec = FUNCTIONS[token.text]
        if (!spec) fail(token, `la funzione "${token.text}" non esiste`)
        next()
        const args: Node[] = []
        if (!(peek().type === 'op' && peek().text === ')')) {
          args.push(parse(0))
          while (peek().type === 'op' && peek().text === ',') {
            next()
            args.push(parse(0))
          }
        }
        expectOp(')')
        if (args.length < spec.min || args.length > spec.max) {
          fail(token, `numero di argomenti errato per "${token.text}"`)
        }
        return { kind: 'call', fn: token.text, args }
      }
      return { kind: 'id', name: token.text }
    }
    if (token.type === 'op' && token.text === '(') {
      const inner = parse(0)
      expectOp(')')
      return inner
    }
    if (token.type === 'op' && token.text === '-') return { kind: 'neg', arg: parse(30) }
    if (token.type === 'op' && token.text === '+') return parse(30)
    return fail(token, token.type === 'end' ? 'espressione incompleta' : `"${token.text}" inatteso`)
  }

  const parse = (minPower: number): Node => {
    let left = prefix()
    while (bindingPower(peek()) > minPower) {
      const op = next().text as '+' | '-' | '*' | '/'
      const right = parse(bindingPower({ type: 'op', text: op, pos: 0 }))
      left = { kind: 'bin', op, left, right }
    }
    return left
  }

  const tree = parse(0)
  if (peek().type !== 'end') fail(peek(), `"${peek().text}" inatteso`)
  return tree
}

type Evaluator = (scope: Scope) => Dec

function collectIdentifiers(node: Node, out: Set<string>): void {
  if (node.kind === 'id') out.add(node.name)
  else if (node.kind === 'neg') collectIdentifiers(node.arg, out)
  else if (node.kind === 'bin') {
    collectIdentifiers(node.left, out)
    collectIdentifiers(node.right, out)
  } else if (node.kind === 'call') node.args.forEach((a) => collectIdentifiers(a, out))
}

function decimalsArg(name: string, value: Dec): number {
  if (!value.isInteger() || value.isNegative() || value.greaterThan(10)) {
    throw new FormulaError(name, 'il numero di decimali deve essere un intero tra 0 e 10.')
  }
  return value.toNumber()
}

function compileNode(name: string, node: Node, constants: Record<string, Dec>): Evaluator {
  switch (node.kind) {
    case 'num': {
      const value = node.value
      return () => value
    }
    case 'id': {
      const id = node.name
      if (Object.prototype.hasOwnProperty.call(constants, id)) {
        const value = constants[id]
        return () => value
      }
      return (scope) => {
        const raw = Object.prototype.hasOwnProperty.call(scope, id) ? scope[id] : undefined
        const value = toDecimal(raw)
        if (value === null) {
          throw new FormulaError(
            name,
            raw === undefined || raw === null
              ? `il dato "${id}" manca: serve un numero.`
              : `il dato "${id}" vale ${JSON.stringify(raw)}, che non è un numero.`
          )
        }
        return value
      }
    }
    case 'neg': {
      const arg = compileNode(name, node.arg, constants)
      return (scope) => arg(scope).negated()
    }
    case 'bin': {
      const left = compileNode(name, node.left, constants)
      const right = compileNode(name, node.right, constants)
      switch (node.op) {
        case '+':
          return (scope) => left(scope).plus(right(scope))
        case '-':
          return (scope) => left(scope).minus(right(scope))
        case '*':
          return (scope) => left(scope).times(right(scope))
        case '/':
          return (scope) => {
            const divisor = right(scope)
            if (divisor.isZero()) throw new FormulaError(name, 'divisione per zero.')
            return left(scope).div(divisor)
          }
      }
    }
    // eslint-disable-next-line no-fallthrough -- every operator returns above
    case 'call': {
      const args = node.args.map((a) => compileNode(name, a, constants))
      switch (node.fn) {
        case 'min':
          return (scope) => Dec.min(...args.map((a) => a(scope)))
        case 'max':
          return (scope) => Dec.max(...args.map((a) => a(scope)))
        case 'abs':
          return (scope) => args[0](scope).abs()
        case 'round':
        case 'floor':
        case 'ceil': {
          const mode = roundingMode(
            node.fn === 'round' ? 'ROUND_HALF_UP' : node.fn === 'floor' ? 'ROUND_FLOOR' : 'ROUND_CEIL'
          )
          return (scope) => {
            const places = args.length > 1 ? decimalsArg(name, args[1](scope)) : 0
            return args[0](scope).toDecimalPlaces(places, mode)
          }
        }
      }
    }
  }
  throw new FormulaError(name, 'espressione non riconosciuta.')
}

// ---------------------------------------------------------------------------------------------
// isolated-vm sandbox for `js:` formulas.

// The native module is loaded only when a `js:` formula is actually used.
const requireNative = createRequire(import.meta.url)
let ivm: typeof IvmModule | null = null
let isolate: IvmModule.Isolate | null = null

const FORBIDDEN =
  /\b(process|require|globalThis|global|self|window|import|eval|Function|constructor|prototype|__proto__|module|exports|WebAssembly|SharedArrayBuffer|Atomics)\b/
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

function getIsolate(): IvmModule.Isolate {
  if (!ivm) ivm = requireNative('isolated-vm') as typeof IvmModule
  if (!isolate || isolate.isDisposed) {
    isolate = new ivm.Isolate({ memoryLimit: SANDBOX_MEMORY_MB })
  }
  return isolate
}

function sandboxMessage(error: unknown): string {
  // What a formula throws is the designer's text: cut it short before it is matched or echoed.
  const text = (error instanceof Error ? error.message : String(error)).slice(0, 200)
  if (/timed out/i.test(text)) {
    return `superato il tempo massimo di ${SANDBOX_TIMEOUT_MS} ms (ciclo senza fine?); formula interrotta.`
  }
  if (/memory limit|disposed/i.test(text)) {
    return `superato il limite di memoria di ${SANDBOX_MEMORY_MB} MB; formula interrotta.`
  }
  if (error instanceof Error && /ReferenceError|is not defined/.test(`${error.name} ${text}`)) {
    return `usa un nome non disponibile nel sandbox (${text}).`
  }
  return `errore durante l'esecuzione (${text}).`
}

/** Runs a `js:` formula body in a fresh context of the shared isolate. */
export function runInSandbox(name: string, body: string, inputs: Record<string, string>): Dec {
  const declarations = Object.entries(inputs)
    .filter(([key]) => IDENTIFIER.test(key))
    .map(([key, value]) => `const ${key} = ${JSON.stringify(value)};`)
    .join('\n')
  const code = `(function () {\n"use strict";\n${declarations}\nreturn (${body}\n);\n})()`
  let context: IvmModule.Context | null = null
  let result: unknown
  try {
    const iso = getIsolate()
    context = iso.createContextSync()
    result = context.evalSync(code, { timeout: SANDBOX_TIMEOUT_MS })
  } catch (error) {
    throw new FormulaError(name, sandboxMessage(error))
  } finally {
    try {
      context?.release()
    } catch {
      // The isolate may already be gone after a memory-limit stop; nothing left to release.
    }
  }
  return sandboxResult(name, result)
}

/**
 * The sandbox boundary: what a `js:` formula returns is looked at here, type and size first,
 * before anything else reads it. A formula returning '9'.repeat(1e6) used to reach the decimal
 * parser and the trace formatting outside the sandbox, where no time limit applies.
 */
export function sandboxResult(name: string, result: unknown): Dec {
  if (typeof result === 'string' && result.length > MAX_DECIMAL_LENGTH) {
    throw new FormulaError(
      name,
      `il risultato è un testo di ${result.length} caratteri: serve un numero di al massimo ${MAX_DECIMAL_LENGTH} caratteri.`
    )
  }
  if (typeof result !== 'string' && typeof result !== 'number') {
    throw new FormulaError(name, `il risultato è di tipo ${result === null ? 'null' : typeof result}: serve un numero.`)
  }
  const value = toDecimal(result)
  if (value === null) {
    throw new FormulaError(
      name,
      `il risultato ${JSON.stringify(result)} non è un numero (o è fuori dai limiti: esponente tra -${MAX_DECIMAL_EXPONENT} e ${MAX_DECIMAL_EXPONENT}).`
    )
  }
  return value
}

function compileSandboxed(name: string, source: string, constants: Record<string, Dec>): CompiledFormula {
  const body = source.slice(JS_PREFIX.length).trim()
  if (body.length === 0) throw new FormulaError(name, 'la formula "js:" è vuota.')
  const forbidden = FORBIDDEN.exec(body)
  if (forbidden) {
    throw new FormulaError(
      name,
      `usa "${forbidden[1]}", che non è consentito: le formule non possono accedere al sistema.`
    )
  }
  const constantStrings: Record<string, string> = {}
  for (const [key, value] of Object.entries(constants)) constantStrings[key] = value.toFixed()
  const inputs = [...new Set(body.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])].filter((id) => !(id in constantStrings))
  return {
    name,
    expression: source,
    inputs,
    evaluate(scope: Scope): Dec {
      const values: Record<string, string> = { ...constantStrings }
      for (const id of inputs) {
        if (!Object.prototype.hasOwnProperty.call(scope, id)) continue
        const raw = scope[id]
        const d = toDecimal(raw)
        if (d) values[id] = d.toFixed()
        else if (typeof raw === 'string') values[id] = raw
      }
      return runInSandbox(name, body, values)
    },
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Compiles a formula. `constants` are the rule set's parameters, resolved once; every other
 * identifier is read from the scope (facts and variables) at evaluation time.
 */
export function compileFormula(name: string, expression: string, constants: Record<string, Dec> = {}): CompiledFormula {
  if (typeof expression !== 'string' || expression.trim().length === 0) {
    throw new FormulaError(name, "l'espressione è vuota.")
  }
  const source = expression.trim()
  if (source.startsWith(JS_PREFIX)) return compileSandboxed(name, source, constants)
  const tree = parseExpression(name, source)
  const ids = new Set<string>()
  collectIdentifiers(tree, ids)
  const evaluator = compileNode(name, tree, constants)
  return {
    name,
    expression: source,
    inputs: [...ids].filter((id) => !Object.prototype.hasOwnProperty.call(constants, id)),
    evaluate: evaluator,
  }
}
