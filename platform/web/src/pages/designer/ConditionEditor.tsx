import { useEffect, useId, useMemo, useRef, useState } from 'react'
import type { Operator } from '#shared/conditions'
import {
  fieldFor,
  fieldKey,
  hasRaw,
  LIST_OPERATORS,
  moveNode,
  negate,
  newId,
  newLeaf,
  operatorsFor,
  parseAmount,
  toCondition,
  toModel,
  UNARY_OPERATORS,
  updateNode,
  valueForOperator,
  type EditorNode,
  type FieldOption,
  type LeafValue,
  type Scalar,
} from '#shared/condition_model'
import { describeModel } from '#shared/condition_text'
import { useT } from '../../i18n'
import { JsonField } from './JsonField'

type Leaf = Extract<EditorNode, { kind: 'leaf' }>

interface Ctx {
  fields: readonly FieldOption[]
  named: readonly string[]
  readOnly: boolean
  update: (id: string, change: (node: EditorNode) => EditorNode | null) => void
  move: (id: string, by: -1 | 1) => void
}

/**
 * A json-rules-engine condition edited point and click: groups (all / any), negations, named
 * conditions and comparisons of a field with a value, a list of values or another field, each
 * input suited to the field's type. The fields come from a form's schema (BLOCCO rules) or a rule
 * set's facts (named conditions): fieldsFromSchema in shared/condition_model.ts. What the controls
 * cannot show stays as JSON in its place, with the reason; the whole condition can be edited as
 * JSON with the toggle. The condition is said in words below it, in the page's language.
 */
export function ConditionEditor({
  label,
  value,
  onChange,
  fields,
  named = [],
  readOnly = false,
  testId,
}: {
  label: string
  value: unknown
  onChange?: (condition: unknown) => void
  fields: readonly FieldOption[]
  /** Names usable as `{ "condition": name }`. */
  named?: readonly string[]
  readOnly?: boolean
  testId?: string
}) {
  const { t, lang } = useT()
  const id = useId()
  const [model, setModel] = useState<EditorNode>(() => toModel(value))
  const [asJson, setAsJson] = useState(false)
  const outside = JSON.stringify(value)
  const mine = useRef(JSON.stringify(toCondition(model)))
  // A value changed from outside (a version switched, the JSON edited) is read afresh.
  useEffect(() => {
    if (outside !== mine.current) {
      const next = toModel(outside === undefined ? undefined : JSON.parse(outside))
      mine.current = outside
      setModel(next)
    }
  }, [outside])
  const commit = (next: EditorNode) => {
    setModel(next)
    const condition = toCondition(next)
    mine.current = JSON.stringify(condition)
    onChange?.(condition)
  }
  const ctx: Ctx = {
    fields,
    named,
    readOnly,
    update: (target, change) => commit(updateNode(model, target, change)),
    move: (target, by) => commit(moveNode(model, target, by)),
  }
  const words = useMemo(() => describeModel(model, fields, lang), [model, fields, lang])
  return (
    <fieldset className="condition-editor border rounded p-2 mb-3" data-testid={testId}>
      <legend className="float-none w-auto px-1 fs-6 fw-semibold mb-0">{label}</legend>
      <div className="d-flex justify-content-end mb-1">
        <button
          type="button"
          className="btn btn-sm btn-outline-secondary"
          aria-pressed={asJson}
          onClick={() => setAsJson(!asJson)}
        >
          {asJson ? t('conditionEditor.jsonHide') : t('conditionEditor.jsonShow')}
        </button>
      </div>
      {asJson ? (
        <JsonField
          label={t('conditionEditor.jsonLabel', { label })}
          value={toCondition(model)}
          readOnly={readOnly}
          rows={6}
          onChange={(next) => commit(toModel(next))}
        />
      ) : (
        <>
          {hasRaw(model) && (
            <p className="small alert alert-warning py-1 px-2" role="status">
              {t('conditionEditor.hasRaw')}
            </p>
          )}
          <NodeView node={model} pos="1" ctx={ctx} root />
          {!readOnly && model.kind !== 'group' && fields[0] && (
            <button
              type="button"
              className="btn btn-sm py-0 btn-outline-primary"
              onClick={() =>
                commit({
                  kind: 'group',
                  id: newId(),
                  combinator: 'all',
                  children: [model, newLeaf(fields[0])],
                  extra: {},
                })
              }
            >
              <span aria-hidden="true">+</span> {t('conditionEditor.addLeaf')}
            </button>
          )}
        </>
      )}
      <p className="small mb-0 mt-1" id={`${id}-words`} data-testid={testId ? `${testId}-words` : undefined}>
        <span className="fw-semibold">{t('conditionEditor.words')}:</span> {words}
      </p>
    </fieldset>
  )
}

function NodeView({ node, pos, ctx, root = false }: { node: EditorNode; pos: string; ctx: Ctx; root?: boolean }) {
  switch (node.kind) {
    case 'group':
      return <GroupView node={node} pos={pos} ctx={ctx} root={root} />
    case 'not':
      return <NotView node={node} pos={pos} ctx={ctx} root={root} />
    case 'ref':
      return <RefView node={node} pos={pos} ctx={ctx} root={root} />
    case 'leaf':
      return <LeafView node={node} pos={pos} ctx={ctx} root={root} />
    case 'raw':
      return <RawView node={node} pos={pos} ctx={ctx} root={root} />
  }
}

/** Negate, move, remove: the same buttons on every part. */
function NodeActions({ node, pos, ctx, root }: { node: EditorNode; pos: string; ctx: Ctx; root: boolean }) {
  const { t } = useT()
  if (ctx.readOnly) return null
  return (
    <span className="condition-actions d-inline-flex gap-1 flex-wrap">
      {node.kind !== 'not' && (
        <button
          type="button"
          className="btn btn-sm py-0 btn-outline-secondary"
          aria-label={t('conditionEditor.negateThe', { pos })}
          onClick={() => ctx.update(node.id, negate)}
        >
          {t('conditionEditor.negate')}
        </button>
      )}
      {!root && (
        <>
          <button
            type="button"
            className="btn btn-sm py-0 btn-outline-secondary"
            aria-label={t('conditionEditor.up', { pos })}
            onClick={() => ctx.move(node.id, -1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn btn-sm py-0 btn-outline-secondary"
            aria-label={t('conditionEditor.down', { pos })}
            onClick={() => ctx.move(node.id, 1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="btn btn-sm py-0 btn-outline-danger"
            aria-label={t('conditionEditor.removeThe', { pos })}
            onClick={() => ctx.update(node.id, () => null)}
          >
            {t('conditionEditor.remove')}
          </button>
        </>
      )}
    </span>
  )
}

function GroupView({
  node,
  pos,
  ctx,
  root,
}: {
  node: Extract<EditorNode, { kind: 'group' }>
  pos: string
  ctx: Ctx
  root: boolean
}) {
  const { t } = useT()
  const add = (child: EditorNode) =>
    ctx.update(node.id, (n) => (n.kind === 'group' ? { ...n, children: [...n.children, child] } : n))
  const first = ctx.fields[0]
  return (
    <div className="condition-group border-start border-3 ps-2 mb-2" data-condition-pos={pos}>
      <div className="d-flex flex-wrap gap-2 align-items-center mb-1">
        <select
          className="form-select form-select-sm w-auto"
          aria-label={t('conditionEditor.combinator', { pos })}
          value={node.combinator}
          disabled={ctx.readOnly}
          onChange={(e) => ctx.update(node.id, (n) => ({ ...n, combinator: e.target.value as 'all' | 'any' }))}
        >
          <option value="all">{t('conditionEditor.all')}</option>
          <option value="any">{t('conditionEditor.any')}</option>
        </select>
        <NodeActions node={node} pos={pos} ctx={ctx} root={root} />
      </div>
      {node.children.length === 0 ? (
        <p className="small text-secondary mb-1">{t('conditionEditor.empty')}</p>
      ) : (
        <ol className="list-unstyled mb-1">
          {node.children.map((child, i) => (
            <li key={child.id}>
              <NodeView node={child} pos={`${pos}.${i + 1}`} ctx={ctx} />
            </li>
          ))}
        </ol>
      )}
      {!ctx.readOnly && (
        <div className="d-flex flex-wrap gap-1">
          {first && (
            <button
              type="button"
              className="btn btn-sm py-0 btn-outline-primary"
              aria-label={t('conditionEditor.addLeafTo', { pos })}
              onClick={() => add(newLeaf(first))}
            >
              <span aria-hidden="true">+</span> {t('conditionEditor.addLeaf')}
            </button>
          )}
          <button
            type="button"
            className="btn btn-sm py-0 btn-outline-primary"
            aria-label={t('conditionEditor.addGroupTo', { pos })}
            onClick={() =>
              add({
                kind: 'group',
                id: newId(),
                combinator: node.combinator === 'all' ? 'any' : 'all',
                children: first ? [newLeaf(first)] : [],
                extra: {},
              })
            }
          >
            <span aria-hidden="true">+</span> {t('conditionEditor.addGroup')}
          </button>
          {ctx.named.length > 0 && (
            <button
              type="button"
              className="btn btn-sm py-0 btn-outline-primary"
              aria-label={t('conditionEditor.addRefTo', { pos })}
              onClick={() => add({ kind: 'ref', id: newId(), name: ctx.named[0], extra: {} })}
            >
              <span aria-hidden="true">+</span> {t('conditionEditor.addRef')}
            </button>
          )}
        </div>
      )}
    </div>
  )
}

function NotView({
  node,
  pos,
  ctx,
  root,
}: {
  node: Extract<EditorNode, { kind: 'not' }>
  pos: string
  ctx: Ctx
  root: boolean
}) {
  const { t } = useT()
  return (
    <div className="condition-not border border-warning rounded p-2 mb-2" data-condition-pos={pos}>
      <div className="d-flex flex-wrap gap-2 align-items-center mb-1">
        <span className="fw-semibold small">{t('conditionEditor.notTitle')}</span>
        {!ctx.readOnly && (
          <button
            type="button"
            className="btn btn-sm py-0 btn-outline-secondary"
            aria-label={t('conditionEditor.unnegateThe', { pos })}
            onClick={() => ctx.update(node.id, (n) => (n.kind === 'not' ? n.child : n))}
          >
            {t('conditionEditor.unnegate')}
          </button>
        )}
        <NodeActions node={node} pos={pos} ctx={ctx} root={root} />
      </div>
      <NodeView node={node.child} pos={`${pos}.1`} ctx={ctx} root />
    </div>
  )
}

function RefView({
  node,
  pos,
  ctx,
  root,
}: {
  node: Extract<EditorNode, { kind: 'ref' }>
  pos: string
  ctx: Ctx
  root: boolean
}) {
  const { t } = useT()
  const names = ctx.named.includes(node.name) ? ctx.named : [node.name, ...ctx.named]
  return (
    <div className="d-flex flex-wrap gap-2 align-items-center mb-2" data-condition-pos={pos}>
      <select
        className="form-select form-select-sm w-auto"
        aria-label={t('conditionEditor.ref', { pos })}
        value={node.name}
        disabled={ctx.readOnly}
        onChange={(e) => ctx.update(node.id, (n) => ({ ...n, name: e.target.value }))}
      >
        {names.map((name) => (
          <option key={name} value={name}>
            {ctx.named.includes(name) ? name : t('conditionEditor.refUnknown', { name })}
          </option>
        ))}
      </select>
      <NodeActions node={node} pos={pos} ctx={ctx} root={root} />
    </div>
  )
}

function RawView({
  node,
  pos,
  ctx,
  root,
}: {
  node: Extract<EditorNode, { kind: 'raw' }>
  pos: string
  ctx: Ctx
  root: boolean
}) {
  const { t } = useT()
  const reason = t(`conditionEditor.raw_${node.reason}`, { detail: node.detail })
  return (
    <div className="border border-warning rounded p-2 mb-2" data-condition-pos={pos} data-testid="condition-raw">
      <p className="small mb-1">{t('conditionEditor.rawIntro', { reason })}</p>
      <JsonField
        label={t('conditionEditor.rawTitle', { pos })}
        value={node.json}
        readOnly={ctx.readOnly}
        rows={3}
        onChange={(next) => ctx.update(node.id, () => toModel(next))}
      />
      <NodeActions node={node} pos={pos} ctx={ctx} root={root} />
    </div>
  )
}

const optionValue = (v: Scalar) => JSON.stringify(v)

function LeafView({ node, pos, ctx, root }: { node: Leaf; pos: string; ctx: Ctx; root: boolean }) {
  const { t, lang } = useT()
  const field = fieldFor(ctx.fields, node.fact, node.path)
  const known = ctx.fields.some((f) => fieldKey(f.fact, f.path) === fieldKey(node.fact, node.path))
  const operators = operatorsFor(field.type)
  if (!operators.includes(node.operator)) operators.unshift(node.operator)
  const change = (next: Partial<Leaf>) => ctx.update(node.id, (n) => ({ ...(n as Leaf), ...next }))
  const unary = (UNARY_OPERATORS as readonly string[]).includes(node.operator)
  const isList = (LIST_OPERATORS as readonly string[]).includes(node.operator)
  const kind = node.value.kind === 'fact' ? 'fact' : node.value.kind === 'null' ? 'null' : 'constant'
  return (
    <div className="condition-leaf d-flex flex-wrap gap-2 align-items-start mb-2" data-condition-pos={pos}>
      <select
        className="form-select form-select-sm w-auto mw-100"
        aria-label={t('conditionEditor.field', { pos })}
        value={fieldKey(node.fact, node.path)}
        disabled={ctx.readOnly}
        onChange={(e) => {
          const next = ctx.fields.find((f) => fieldKey(f.fact, f.path) === e.target.value)
          if (!next) return
          const fresh = newLeaf(next) as Leaf
          // The comparison stays when the new field allows it; the value when it still fits its type.
          const sameType = next.type === field.type && !next.options && !field.options
          const operator = operatorsFor(next.type).includes(node.operator) ? node.operator : fresh.operator
          ctx.update(node.id, (n) => {
            const leaf: Leaf = { ...(n as Leaf), fact: next.fact, operator }
            if (next.path === undefined) delete leaf.path
            else leaf.path = next.path
            leaf.value = sameType
              ? valueForOperator(operator, node.value, next)
              : valueForOperator(operator, { kind: 'none' }, next)
            return leaf
          })
        }}
      >
        {!known && (
          <option value={fieldKey(node.fact, node.path)}>
            {t('conditionEditor.notInSchema', { name: field.label[lang] })}
          </option>
        )}
        {ctx.fields.map((f) => (
          <option key={fieldKey(f.fact, f.path)} value={fieldKey(f.fact, f.path)}>
            {f.label[lang]}
          </option>
        ))}
      </select>
      <select
        className="form-select form-select-sm w-auto"
        aria-label={t('conditionEditor.operator', { pos })}
        value={node.operator}
        disabled={ctx.readOnly}
        onChange={(e) => {
          const operator = e.target.value as Operator
          change({ operator, value: valueForOperator(operator, node.value, field) })
        }}
      >
        {operators.map((op) => (
          <option key={op} value={op}>
            {t(`conditionEditor.op_${op}`)}
          </option>
        ))}
      </select>
      {!unary && (
        <select
          className="form-select form-select-sm w-auto"
          aria-label={t('conditionEditor.valueKind', { pos })}
          value={kind}
          disabled={ctx.readOnly}
          onChange={(e) => {
            const to = e.target.value
            if (to === 'fact') {
              const other = ctx.fields.find((f) => fieldKey(f.fact, f.path) !== fieldKey(node.fact, node.path)) ?? field
              change({
                value:
                  other.path === undefined
                    ? { kind: 'fact', fact: other.fact }
                    : { kind: 'fact', fact: other.fact, path: other.path },
              })
            } else if (to === 'null') change({ value: { kind: 'null' } })
            else change({ value: valueForOperator(node.operator, { kind: 'none' }, field) })
          }}
        >
          <option value="constant">{isList ? t('conditionEditor.kindList') : t('conditionEditor.kindConstant')}</option>
          <option value="fact">{t('conditionEditor.kindFact')}</option>
          {(kind === 'null' || node.operator === 'equal' || node.operator === 'notEqual') && (
            <option value="null">{t('conditionEditor.kindNull')}</option>
          )}
        </select>
      )}
      {!unary && node.value.kind === 'fact' && (
        <FactChoice value={node.value} pos={pos} ctx={ctx} onChange={(value) => change({ value })} />
      )}
      {!unary && isList && node.value.kind === 'list' && (
        <ListInput
          field={field}
          values={node.value.value}
          pos={pos}
          readOnly={ctx.readOnly}
          onChange={(value) => change({ value: { kind: 'list', value } })}
        />
      )}
      {!unary && !isList && node.value.kind === 'constant' && (
        <ValueInput
          field={field}
          value={node.value.value}
          pos={pos}
          readOnly={ctx.readOnly}
          onChange={(value) => change({ value: { kind: 'constant', value } })}
        />
      )}
      <NodeActions node={node} pos={pos} ctx={ctx} root={root} />
    </div>
  )
}

function FactChoice({
  value,
  pos,
  ctx,
  onChange,
}: {
  value: Extract<LeafValue, { kind: 'fact' }>
  pos: string
  ctx: Ctx
  onChange: (value: LeafValue) => void
}) {
  const { t, lang } = useT()
  const key = fieldKey(value.fact, value.path)
  const known = ctx.fields.some((f) => fieldKey(f.fact, f.path) === key)
  return (
    <select
      className="form-select form-select-sm w-auto mw-100"
      aria-label={t('conditionEditor.otherField', { pos })}
      value={key}
      disabled={ctx.readOnly}
      onChange={(e) => {
        const f = ctx.fields.find((x) => fieldKey(x.fact, x.path) === e.target.value)
        if (f)
          onChange(f.path === undefined ? { kind: 'fact', fact: f.fact } : { kind: 'fact', fact: f.fact, path: f.path })
      }}
    >
      {!known && (
        <option value={key}>
          {t('conditionEditor.notInSchema', { name: fieldFor(ctx.fields, value.fact, value.path).label[lang] })}
        </option>
      )}
      {ctx.fields.map((f) => (
        <option key={fieldKey(f.fact, f.path)} value={fieldKey(f.fact, f.path)}>
          {f.label[lang]}
        </option>
      ))}
    </select>
  )
}

/** The input suited to the field: yes/no, a choice, a date, an amount or a text. */
function ValueInput({
  field,
  value,
  pos,
  readOnly,
  onChange,
}: {
  field: FieldOption
  value: Scalar
  pos: string
  readOnly: boolean
  onChange: (value: Scalar) => void
}) {
  const { t, lang } = useT()
  const label = t('conditionEditor.value', { pos })
  if (field.type === 'boolean' || typeof value === 'boolean') {
    return (
      <select
        className="form-select form-select-sm w-auto"
        aria-label={label}
        value={String(value)}
        disabled={readOnly}
        onChange={(e) =>
          onChange(e.target.value === 'true' ? true : e.target.value === 'false' ? false : e.target.value)
        }
      >
        {typeof value !== 'boolean' && <option value={String(value)}>{String(value)}</option>}
        <option value="true">{t('conditionEditor.yes')}</option>
        <option value="false">{t('conditionEditor.no')}</option>
      </select>
    )
  }
  if (field.options && field.options.length > 0) {
    const options = field.options.some((o) => o.value === value)
      ? field.options
      : [{ value, label: { it: String(value), en: String(value) } }, ...field.options]
    return (
      <select
        className="form-select form-select-sm w-auto mw-100"
        aria-label={label}
        value={optionValue(value)}
        disabled={readOnly}
        onChange={(e) => onChange(JSON.parse(e.target.value) as Scalar)}
      >
        {options.map((o) => (
          <option key={optionValue(o.value)} value={optionValue(o.value)}>
            {o.label[lang]}
          </option>
        ))}
      </select>
    )
  }
  if (field.type === 'number' || field.type === 'integer' || typeof value === 'number') {
    return <AmountInput label={label} value={value} readOnly={readOnly} onChange={onChange} />
  }
  return (
    <input
      type={field.type === 'date' ? 'date' : 'text'}
      className="form-control form-control-sm w-auto"
      aria-label={label}
      value={String(value)}
      readOnly={readOnly}
      onChange={(e) => onChange(e.target.value)}
    />
  )
}

/** An amount typed with a point or a comma; what is not a number stays in the box, marked, and is not kept. */
function AmountInput({
  label,
  value,
  readOnly,
  onChange,
}: {
  label: string
  value: Scalar
  readOnly: boolean
  onChange: (value: Scalar) => void
}) {
  const { t } = useT()
  const id = useId()
  const [typed, setTyped] = useState(String(value))
  const [invalid, setInvalid] = useState(false)
  useEffect(() => {
    setTyped((current) => (parseAmount(current) === value ? current : String(value)))
  }, [value])
  return (
    <span>
      <input
        type="text"
        inputMode="decimal"
        className={`form-control form-control-sm${invalid ? ' is-invalid' : ''}`}
        style={{ maxWidth: '10rem' }}
        aria-label={label}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : undefined}
        value={typed}
        readOnly={readOnly}
        onChange={(e) => {
          setTyped(e.target.value)
          const parsed = parseAmount(e.target.value)
          setInvalid(parsed === null)
          if (parsed !== null) onChange(parsed)
        }}
      />
      {invalid && (
        <span id={`${id}-error`} className="invalid-feedback d-block">
          {t('conditionEditor.amountInvalid')}
        </span>
      )}
    </span>
  )
}

/** The values of "is one of": ticked among a field's choices, or one per line. */
function ListInput({
  field,
  values,
  pos,
  readOnly,
  onChange,
}: {
  field: FieldOption
  values: Scalar[]
  pos: string
  readOnly: boolean
  onChange: (values: Scalar[]) => void
}) {
  const { t, lang } = useT()
  const id = useId()
  const [typed, setTyped] = useState(values.map(String).join('\n'))
  if (field.options && field.options.length > 0) {
    const extra = values.filter((v) => !field.options!.some((o) => o.value === v))
    const options = [...extra.map((v) => ({ value: v, label: { it: String(v), en: String(v) } })), ...field.options]
    return (
      <fieldset className="border rounded px-2 py-1">
        <legend className="visually-hidden">{t('conditionEditor.values', { pos })}</legend>
        {options.map((o, i) => (
          <div className="form-check mb-0" key={optionValue(o.value)}>
            <input
              className="form-check-input"
              type="checkbox"
              id={`${id}-${i}`}
              checked={values.includes(o.value)}
              disabled={readOnly}
              onChange={(e) => onChange(e.target.checked ? [...values, o.value] : values.filter((v) => v !== o.value))}
            />
            <label className="form-check-label small" htmlFor={`${id}-${i}`}>
              {o.label[lang]}
            </label>
          </div>
        ))}
      </fieldset>
    )
  }
  const numeric =
    field.type === 'number' ||
    field.type === 'integer' ||
    (values.length > 0 && values.every((v) => typeof v === 'number'))
  return (
    <span>
      <textarea
        className="form-control form-control-sm"
        rows={Math.min(6, Math.max(2, values.length))}
        aria-label={t('conditionEditor.values', { pos })}
        aria-describedby={`${id}-hint`}
        value={typed}
        readOnly={readOnly}
        onChange={(e) => {
          setTyped(e.target.value)
          const lines = e.target.value
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l.length > 0)
          const parsed = lines.map((l) => (numeric ? parseAmount(l) : l))
          if (parsed.every((p) => p !== null)) onChange(parsed as Scalar[])
        }}
      />
      <span id={`${id}-hint`} className="form-text d-block">
        {t('conditionEditor.valuesHint')}
      </span>
    </span>
  )
}
