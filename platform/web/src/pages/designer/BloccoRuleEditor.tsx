import { useId, useMemo, useState } from 'react'
import type { Blocco, FormDefinition } from '#forms/types'
import { blockableFields, bloccoProblems, type BloccoProblem } from '#shared/blocco_rule'
import { bloccoFields } from '#shared/condition_model'
import { describeCondition } from '#shared/condition_text'
import { useT } from '../../i18n'
import { ConditionEditor } from './ConditionEditor'
import { JsonField } from './JsonField'

/** What the server says of each problem, keyed by the part of the rule it belongs to. */
function problemsByPart(problems: BloccoProblem[]) {
  const at = (key: BloccoProblem['key']) => problems.filter((p) => p.key === key)
  return {
    id: [...at('id'), ...at('idTaken')],
    condition: at('condition'),
    paths: [...at('paths'), ...at('pathUnknown')],
    messageIt: at('messageIt'),
    messageEn: at('messageEn'),
    reference: at('reference'),
    description: at('description'),
  }
}

/**
 * One BLOCCO rule of a form, as the designer shapes it: its id, the condition that blocks (the
 * point-and-click editor on the form's fields), the fields it blocks chosen from the form, the
 * message in Italian and English, the tender reference, and the rule said in words. It takes the
 * canonical form and the rule and gives the rule back on every change, whole, with what is still
 * wrong (`onProblems`), so the page that embeds it (the form builder) decides when to save.
 */
export function BloccoRuleEditor({
  form,
  rule,
  onChange,
  onProblems,
  otherIds = [],
  readOnly = false,
}: {
  form: Pick<FormDefinition, 'schema' | 'uiSchema' | 'conditions'>
  rule: Blocco
  onChange?: (rule: Blocco) => void
  onProblems?: (problems: BloccoProblem[]) => void
  /** The ids of the form's other rules: an id is used once. */
  otherIds?: readonly string[]
  readOnly?: boolean
}) {
  const { t, lang } = useT()
  const id = useId()
  const fields = useMemo(() => bloccoFields(form.schema, form.uiSchema), [form.schema, form.uiSchema])
  const blockable = useMemo(() => blockableFields(fields), [fields])
  const named = useMemo(() => Object.keys(form.conditions ?? {}), [form.conditions])
  const [filter, setFilter] = useState('')
  const problems = bloccoProblems(rule, form, otherIds)
  const parts = problemsByPart(problems)
  const change = (next: Blocco) => {
    onChange?.(next)
    onProblems?.(bloccoProblems(next, form, otherIds))
  }
  const problemText = (p: BloccoProblem) =>
    p.key === 'condition' || p.key === 'pathUnknown'
      ? t(`bloccoEditor.problem_${p.key}`, { detail: p.detail })
      : t(`bloccoEditor.problem_${p.key}`)
  const errorFor = (part: keyof typeof parts, htmlId: string) =>
    parts[part].length > 0 ? (
      <div id={htmlId} className="invalid-feedback d-block">
        {parts[part].map(problemText).join(' ')}
      </div>
    ) : null
  const shown = blockable.filter(
    (f) =>
      filter.trim() === '' ||
      f.label[lang].toLowerCase().includes(filter.trim().toLowerCase()) ||
      f.pointer.includes(filter.trim())
  )
  // Blocked paths the form does not offer stay listed (ticked), so none disappears unseen.
  const missing = rule.paths.filter((p) => !blockable.some((f) => f.pointer === p))
  const label = (pointer: string) => blockable.find((f) => f.pointer === pointer)?.label[lang] ?? pointer
  const togglePath = (pointer: string, on: boolean) =>
    change({ ...rule, paths: on ? [...rule.paths, pointer] : rule.paths.filter((p) => p !== pointer) })

  return (
    <div className="blocco-rule-editor" data-testid="blocco-rule-editor">
      <div className="row g-3">
        <div className="col-md-4">
          <label htmlFor={`${id}-id`} className="form-label small fw-semibold">
            {t('bloccoEditor.id')}
          </label>
          <input
            id={`${id}-id`}
            className={`form-control form-control-sm font-monospace${parts.id.length ? ' is-invalid' : ''}`}
            value={rule.id}
            readOnly={readOnly}
            aria-invalid={parts.id.length > 0 || undefined}
            aria-describedby={parts.id.length ? `${id}-id-error` : undefined}
            onChange={(e) => change({ ...rule, id: e.target.value })}
          />
          {errorFor('id', `${id}-id-error`)}
        </div>
        <div className="col-md-8">
          <label htmlFor={`${id}-reference`} className="form-label small fw-semibold">
            {t('bloccoEditor.reference')}
          </label>
          <input
            id={`${id}-reference`}
            className={`form-control form-control-sm${parts.reference.length ? ' is-invalid' : ''}`}
            value={rule.reference}
            readOnly={readOnly}
            aria-invalid={parts.reference.length > 0 || undefined}
            aria-describedby={parts.reference.length ? `${id}-reference-error` : undefined}
            onChange={(e) => change({ ...rule, reference: e.target.value })}
          />
          {errorFor('reference', `${id}-reference-error`)}
        </div>
      </div>

      <div className="mt-3">
        <ConditionEditor
          label={t('bloccoEditor.condition')}
          value={rule.condition}
          fields={fields}
          named={named}
          readOnly={readOnly}
          testId="blocco-condition"
          onChange={(condition) => change({ ...rule, condition: condition as Blocco['condition'] })}
        />
        {errorFor('condition', `${id}-condition-error`)}
      </div>

      <fieldset className="mb-3" aria-describedby={parts.paths.length ? `${id}-paths-error` : undefined}>
        <legend className="fs-6 fw-semibold">{t('bloccoEditor.paths')}</legend>
        <label htmlFor={`${id}-filter`} className="form-label small">
          {t('bloccoEditor.pathsFilter')}
        </label>
        <input
          id={`${id}-filter`}
          type="search"
          className="form-control form-control-sm mb-2"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <div className="border rounded p-2" style={{ maxHeight: '16rem', overflowY: 'auto' }}>
          {[
            ...missing.map((pointer) => ({ pointer, label: { it: pointer, en: pointer }, unknown: true })),
            ...shown,
          ].map((f, i) => (
            <div className="form-check" key={f.pointer}>
              <input
                id={`${id}-path-${i}`}
                className="form-check-input"
                type="checkbox"
                checked={rule.paths.includes(f.pointer)}
                disabled={readOnly}
                onChange={(e) => togglePath(f.pointer, e.target.checked)}
              />
              <label className="form-check-label small" htmlFor={`${id}-path-${i}`}>
                {'unknown' in f ? t('bloccoEditor.pathUnknown', { path: f.pointer }) : f.label[lang]}{' '}
                <code className="text-secondary">{f.pointer}</code>
              </label>
            </div>
          ))}
        </div>
        {errorFor('paths', `${id}-paths-error`)}
      </fieldset>

      <div className="row g-3">
        {(['it', 'en'] as const).map((l) => {
          const part = l === 'it' ? 'messageIt' : 'messageEn'
          return (
            <div className="col-md-6" key={l}>
              <label htmlFor={`${id}-message-${l}`} className="form-label small fw-semibold">
                {t(l === 'it' ? 'bloccoEditor.messageIt' : 'bloccoEditor.messageEn')}
              </label>
              <textarea
                id={`${id}-message-${l}`}
                rows={3}
                className={`form-control form-control-sm${parts[part].length ? ' is-invalid' : ''}`}
                value={rule.message?.[l] ?? ''}
                readOnly={readOnly}
                aria-invalid={parts[part].length > 0 || undefined}
                aria-describedby={parts[part].length ? `${id}-message-${l}-error` : undefined}
                onChange={(e) =>
                  change({
                    ...rule,
                    message: {
                      ...rule.message,
                      it: rule.message?.it ?? '',
                      en: rule.message?.en ?? '',
                      [l]: e.target.value,
                    },
                  })
                }
              />
              {errorFor(part, `${id}-message-${l}-error`)}
            </div>
          )
        })}
      </div>

      <fieldset className="mt-3" aria-describedby={parts.description.length ? `${id}-description-error` : undefined}>
        <legend className="fs-6 fw-semibold mb-1">{t('bloccoEditor.description')}</legend>
        <p className="small text-secondary mb-2">{t('bloccoEditor.descriptionHint')}</p>
        <div className="row g-3">
          {(['it', 'en'] as const).map((l) => (
            <div className="col-md-6" key={l}>
              <label htmlFor={`${id}-description-${l}`} className="form-label small fw-semibold">
                {t(l === 'it' ? 'bloccoEditor.descriptionIt' : 'bloccoEditor.descriptionEn')}
              </label>
              <textarea
                id={`${id}-description-${l}`}
                rows={2}
                className={`form-control form-control-sm${parts.description.length ? ' is-invalid' : ''}`}
                value={rule.description?.[l] ?? ''}
                readOnly={readOnly}
                aria-invalid={parts.description.length > 0 || undefined}
                onChange={(e) => {
                  const description = {
                    it: rule.description?.it ?? '',
                    en: rule.description?.en ?? '',
                    [l]: e.target.value,
                  }
                  const { description: _old, ...rest } = rule
                  // Both languages emptied: the rule has no description (it is optional).
                  change(description.it === '' && description.en === '' ? rest : { ...rest, description })
                }}
              />
            </div>
          ))}
        </div>
        {errorFor('description', `${id}-description-error`)}
      </fieldset>

      <p className="mt-3 small" data-testid="blocco-summary">
        <span className="fw-semibold">{t('bloccoEditor.summary')}:</span>{' '}
        {t('bloccoEditor.summaryText', {
          when: describeCondition(rule.condition, fields, lang),
          fields: rule.paths.map(label).join(', ') || '–',
        })}
      </p>

      <details>
        <summary className="small">{t('bloccoEditor.examples')}</summary>
        <p className="small text-secondary">{t('bloccoEditor.examplesIntro')}</p>
        <div className="row">
          {(['fires', 'passes'] as const).map((kind) => (
            <div className="col-md-6" key={kind}>
              <JsonField
                label={t(kind === 'fires' ? 'bloccoEditor.examplesFires' : 'bloccoEditor.examplesPasses')}
                value={rule.examples?.[kind] ?? {}}
                readOnly={readOnly}
                rows={4}
                onChange={(next) =>
                  change({
                    ...rule,
                    examples: {
                      fires: rule.examples?.fires ?? {},
                      passes: rule.examples?.passes ?? {},
                      [kind]: next as Record<string, unknown>,
                    },
                  })
                }
              />
            </div>
          ))}
        </div>
      </details>
    </div>
  )
}
