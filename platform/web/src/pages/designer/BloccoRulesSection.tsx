import { useMemo, useState } from 'react'
import type { Blocco, FormDefinition } from '#forms/types'
import type { ApiError } from '#shared/contract'
import { blockableFields } from '#shared/blocco_rule'
import { bloccoFields, newLeaf, toCondition } from '#shared/condition_model'
import { describeCondition } from '#shared/condition_text'
import type { FormDefinitionJson } from '../../api/form_designer_queries'
import { useT } from '../../i18n'
import { BloccoRuleEditor } from './BloccoRuleEditor'

/** A fresh rule's id: the first of regola_1, regola_2, … no rule of the form has. */
function freshId(rules: readonly Blocco[]) {
  const taken = new Set(rules.map((r) => r.id))
  let n = rules.length + 1
  while (taken.has(`regola_${n}`)) n++
  return `regola_${n}`
}

/**
 * The form's BLOCCO rules on its page: each said in plain words (the designer's description, or
 * the condition in words), with the fields it blocks, its tender reference and what the draft's
 * check finds wrong with it; in a draft each is added, changed with the rule editor (the condition
 * point and click, the blocked fields chosen from the form, messages, description, reference) and
 * removed. Every change goes to `onChange`, whole, and the page autosaves it with the rest.
 */
export function BloccoRulesSection({
  definition,
  editing,
  onChange,
  problems,
}: {
  definition: FormDefinitionJson
  editing: boolean
  onChange: (next: FormDefinitionJson) => void
  /** The draft's check, every problem by its JSON Pointer in the definition. */
  problems: readonly ApiError[]
}) {
  const { t, lang } = useT()
  const form = definition as unknown as Pick<FormDefinition, 'schema' | 'uiSchema' | 'conditions'>
  const rules = (definition.blocchi ?? []) as unknown as Blocco[]
  const fields = useMemo(() => bloccoFields(form.schema, form.uiSchema), [form.schema, form.uiSchema])
  const labels = useMemo(() => new Map(blockableFields(fields).map((f) => [f.pointer, f.label])), [fields])
  const [open, setOpen] = useState<number | null>(null)
  const setRules = (next: Blocco[]) =>
    onChange({ ...definition, blocchi: next as unknown as FormDefinitionJson['blocchi'] })
  const add = () => {
    const first = fields[0]
    const rule: Blocco = {
      id: freshId(rules),
      condition: (first ? toCondition(newLeaf(first)) : { all: [] }) as Blocco['condition'],
      paths: [],
      message: { it: '', en: '' },
      reference: '',
      examples: { fires: {}, passes: {} },
    }
    setRules([...rules, rule])
    setOpen(rules.length)
  }
  const remove = (index: number) => {
    setRules(rules.filter((_, i) => i !== index))
    setOpen(null)
  }
  const problemsOf = (index: number) =>
    problems.filter((p) => p.path === `/blocchi/${index}` || p.path?.startsWith(`/blocchi/${index}/`))

  return (
    <section aria-labelledby="blocchi-title" className="mb-4" data-testid="blocco-rules">
      <h2 id="blocchi-title" className="h4">
        {t('bloccoRules.title')}
      </h2>
      <p>{t('bloccoRules.intro')}</p>
      {rules.length === 0 ? (
        <p className="text-secondary">{t('bloccoRules.none')}</p>
      ) : (
        <ol className="list-group list-group-numbered mb-3">
          {rules.map((rule, i) => {
            const wrong = problemsOf(i)
            const described = rule.description?.[lang]?.trim()
            const blocked = (rule.paths ?? []).map((p) => labels.get(p)?.[lang] ?? p).join(', ')
            return (
              <li key={i} className="list-group-item" data-rule={rule.id}>
                <div className="d-flex flex-wrap align-items-start gap-2">
                  <div style={{ flex: '1 1 16rem', minWidth: 0 }}>
                    <p className="mb-1 fw-semibold" data-testid="blocco-rule-description">
                      {described ||
                        t('bloccoRules.generated', { when: describeCondition(rule.condition, fields, lang) })}
                    </p>
                    <dl className="row small mb-0">
                      <dt className="col-sm-3">{t('bloccoRules.code')}</dt>
                      <dd className="col-sm-9 mb-0">
                        <code>{rule.id}</code>
                      </dd>
                      <dt className="col-sm-3">{t('bloccoRules.blocks')}</dt>
                      <dd className="col-sm-9 mb-0" data-testid="blocco-rule-fields">
                        {blocked || '–'}
                      </dd>
                      <dt className="col-sm-3">{t('bloccoRules.reference')}</dt>
                      <dd className="col-sm-9 mb-0">{rule.reference || '–'}</dd>
                    </dl>
                  </div>
                  {editing && (
                    <span className="d-flex gap-1">
                      <button
                        type="button"
                        className="btn btn-sm btn-outline-primary"
                        aria-expanded={open === i}
                        aria-label={t('bloccoRules.editRule', { rule: rule.id })}
                        onClick={() => setOpen(open === i ? null : i)}
                      >
                        {t('formDesigner.edit')}
                      </button>
                      <button
                        type="button"
                        className="btn btn-sm btn-outline-danger"
                        aria-label={t('bloccoRules.removeRule', { rule: rule.id })}
                        onClick={() => remove(i)}
                      >
                        {t('formDesigner.remove')}
                      </button>
                    </span>
                  )}
                </div>
                {wrong.length > 0 && (
                  <ul className="text-danger small mt-2 mb-0" data-testid="blocco-rule-problems">
                    {wrong.map((p, j) => (
                      <li key={j}>{p.message}</li>
                    ))}
                  </ul>
                )}
                {editing && open === i && (
                  <div className="mt-3">
                    <BloccoRuleEditor
                      form={form}
                      rule={rule}
                      otherIds={rules.filter((_, j) => j !== i).map((r) => r.id)}
                      onChange={(next) => setRules(rules.map((r, j) => (j === i ? next : r)))}
                    />
                  </div>
                )}
              </li>
            )
          })}
        </ol>
      )}
      {editing && (
        <button type="button" className="btn btn-outline-primary" onClick={add}>
          {t('bloccoRules.add')}
        </button>
      )}
    </section>
  )
}
