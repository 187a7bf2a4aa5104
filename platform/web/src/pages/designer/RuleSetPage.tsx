import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import {
  useDiscardDraft,
  useDraft,
  usePublishDraft,
  useRuleSet,
  useRunCases,
  useRunDraft,
  useSaveDraft,
  useStartDraft,
  useTryDraft,
  type CaseOutcomeDto,
  type DraftDto,
  type RuleSetDto,
  type TestRunDto,
  type VersionBody,
  type VersionDto,
} from '../../api/designer_queries'
import { ApiRequestError } from '../../api/client'
import { useCurrentTenant } from '../../app/tenant_context'
import { formatDay, useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'
import { CasesEditor } from './CasesEditor'
import { changedCells, changedParts } from './compare'
import { FormulaField } from './FormulaField'
import { ConstantsSection } from './ConstantsSection'
import { JsonField } from './JsonField'
import { NamedConditionsSection } from './NamedConditionsSection'
import { TableGrid } from './TableGrid'
import { TracePanel } from './TracePanel'
import { DraftAutosave, type SaveState } from './draft_autosave'
import { italianToday } from '../../app/italian_day'

/** The draft is saved this long after the last change. */
const AUTOSAVE_MS = 1200
const ROUNDING_MODES = [
  'ROUND_HALF_UP',
  'ROUND_HALF_EVEN',
  'ROUND_HALF_DOWN',
  'ROUND_UP',
  'ROUND_DOWN',
  'ROUND_CEIL',
  'ROUND_FLOOR',
]

export function RuleSetRoute() {
  const { id = '' } = useParams()
  const tenant = useCurrentTenant()
  return <RuleSetPage key={`${tenant.slug}/${id}`} id={id} />
}

/** The version in force today: the latest start not after today whose applied period holds today. */
function inForce(versions: VersionDto[], today: string) {
  return versions
    .filter((v) => v.valid_from <= today && (v.valid_to === null || today <= v.valid_to))
    .sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1))[0]
}

function errorText(error: unknown) {
  if (error instanceof ApiRequestError) {
    const problems = (error.body as { problems?: string[] } | null)?.problems
    return [error.message, ...(problems ?? [])].join(' · ')
  }
  return (error as Error).message
}

/**
 * One rule set in the designer: its versions, and the draft of the next one, edited section by
 * section (tables as grids, facts, conditions, formulas, steps, outputs and rounding, cases),
 * saved as it changes, run against every case, tried on sample facts, compared with any version,
 * and published from its date.
 */
function RuleSetPage({ id }: { id: string }) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const ruleset = useRuleSet(tenant.slug, id)
  const draft = useDraft(tenant.slug, id)
  // Kept here: publishing or discarding the draft starts the editor afresh, and what happened stays said.
  const [notice, setNotice] = useState<string | null>(null)
  if (ruleset.isPending || draft.isPending) return <Loading />
  if (ruleset.isError) return <LoadError error={ruleset.error} notFound={t('app.notFound')} />
  if (draft.isError) return <LoadError error={draft.error} />
  return (
    <RuleSetEditor
      key={draft.data.draft ? `draft-${draft.data.draft.valid_from}-${draft.data.draft.based_on}` : 'none'}
      ruleset={ruleset.data.ruleset}
      draft={draft.data.draft}
      canPublish={draft.data.can_publish}
      notice={notice}
      setNotice={setNotice}
    />
  )
}

type Shown = { kind: 'draft' } | { kind: 'version'; version: number }

function RuleSetEditor({
  ruleset,
  draft,
  canPublish,
  notice,
  setNotice,
}: {
  ruleset: RuleSetDto
  draft: DraftDto | null
  canPublish: boolean
  notice: string | null
  setNotice: (notice: string | null) => void
}) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const slug = tenant.slug
  const today = italianToday()
  const current = inForce(ruleset.versions, today)
  const [shown, setShown] = useState<Shown>(
    draft ? { kind: 'draft' } : { kind: 'version', version: current?.version ?? ruleset.versions.at(-1)!.version }
  )
  const [body, setBody] = useState<VersionBody | null>(draft?.body ?? null)
  const [validFrom, setValidFrom] = useState(draft?.valid_from ?? '')
  const [save, setSave] = useState<SaveState>({
    state: 'saved',
    at: draft?.updated_at ?? undefined,
  })
  const [run, setRun] = useState<TestRunDto | null>(null)
  const saveDraft = useSaveDraft(slug, ruleset.id)
  const runDraft = useRunDraft(slug, ruleset.id)
  const runCases = useRunCases(slug, ruleset.id)
  const publish = usePublishDraft(slug, ruleset.id)
  const discard = useDiscardDraft(slug, ruleset.id)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const latest = useRef<{ body: VersionBody | null; validFrom: string }>({ body, validFrom })
  latest.current = { body, validFrom }
  const send = useRef(saveDraft.mutateAsync)
  send.current = saveDraft.mutateAsync
  // What the page says about the draft follows the latest change only (draft_autosave.ts).
  const autosave = useRef<DraftAutosave<
    { body: VersionBody; valid_from: string },
    Awaited<ReturnType<typeof send.current>>
  > | null>(null)
  autosave.current ??= new DraftAutosave({
    send: (value) => send.current(value),
    onState: setSave,
    onAnswer: () => undefined,
    savedAt: (answer) => answer.draft.updated_at ?? undefined,
  })

  const flush = async () => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    await autosave.current?.flush()
  }
  const schedule = (next: { body: VersionBody | null; validFrom: string }) => {
    latest.current = next
    if (next.body) autosave.current?.changed({ body: next.body, valid_from: next.validFrom })
    if (timer.current) clearTimeout(timer.current)
    timer.current = setTimeout(() => void flush().catch(() => undefined), AUTOSAVE_MS)
  }
  // Every change is saved a moment after the last keystroke; leaving the page saves what is pending.
  const change = (next: VersionBody) => {
    setBody(next)
    setRun(null)
    schedule({ ...latest.current, body: next })
  }
  useEffect(
    () => () => {
      if (autosave.current?.unsaved) void flush().catch(() => undefined)
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    []
  )

  const editing = shown.kind === 'draft' && draft !== null && body !== null
  const version = shown.kind === 'version' ? ruleset.versions.find((v) => v.version === shown.version) : undefined
  const viewed: VersionBody = editing ? body! : (version?.body ?? {})
  const base = draft ? ruleset.versions.find((v) => v.version === draft.based_on)?.body : undefined
  const nextNumber = Math.max(...ruleset.versions.map((v) => v.version)) + 1
  const shownNumber = editing ? nextNumber : version?.version
  const outcomes = useMemo(() => {
    if (!run) return null
    const own = run.cases.filter((c) => c.declared_in === shownNumber)
    return (viewed.tests ?? []).map((_, i) => own[i])
  }, [run, shownNumber, viewed.tests])

  const runAll = async () => {
    setNotice(null)
    try {
      if (editing) await flush()
      setRun(editing ? await runDraft.mutateAsync() : await runCases.mutateAsync())
    } catch (error) {
      setNotice(errorText(error))
    }
  }
  const doPublish = async () => {
    setNotice(null)
    try {
      await flush()
      const answer = await publish.mutateAsync()
      setNotice(
        t('designer.published', { version: answer.version.version, from: formatDay(answer.version.valid_from) })
      )
    } catch (error) {
      const body =
        error instanceof ApiRequestError
          ? (error.body as { cases?: CaseOutcomeDto[]; failed?: number; passed?: number })
          : null
      if (body?.cases) setRun({ passed: body.passed ?? 0, failed: body.failed ?? body.cases.length, cases: body.cases })
      setNotice(t('designer.publishRefused', { message: errorText(error) }))
    }
  }

  const label = (v: VersionDto) =>
    t('designer.versionLabel', { version: v.version, from: formatDay(v.valid_from) }) +
    (v.valid_to ? t('designer.versionTo', { to: formatDay(v.valid_to) }) : '')
  const failing = run?.cases.filter((c) => !c.ok) ?? []

  return (
    <section aria-labelledby="ruleset-title">
      <p className="mb-2">
        <Link to={`/t/${encodeURIComponent(slug)}/ufficio/regole`}>← {t('designer.back')}</Link>
      </p>
      <h1 id="ruleset-title" className="h2 mb-1">
        {ruleset.title[lang] ?? ruleset.title.it ?? ruleset.id}
      </h1>
      <p className="text-secondary mb-3">{ruleset.id}</p>

      <div className="row g-3 align-items-end mb-3">
        <div className="col-md-6">
          <label htmlFor="shown-version" className="form-label fw-semibold">
            {t('designer.shown')}
          </label>
          <select
            id="shown-version"
            className="form-select"
            value={shown.kind === 'draft' ? 'draft' : String(shown.version)}
            onChange={(event) => {
              setRun(null)
              setShown(
                event.target.value === 'draft'
                  ? { kind: 'draft' }
                  : { kind: 'version', version: Number(event.target.value) }
              )
            }}
          >
            {draft && <option value="draft">{t('designer.draftLabel', { from: formatDay(validFrom) })}</option>}
            {[...ruleset.versions].reverse().map((v) => (
              <option key={v.version} value={v.version}>
                {label(v)}
                {v.version === current?.version
                  ? ` (${t('designer.badgeInForce')})`
                  : v.valid_from > today
                    ? ` (${t('designer.badgeFuture')})`
                    : ''}
              </option>
            ))}
          </select>
        </div>
      </div>

      <DraftPanel
        ruleset={ruleset}
        draft={draft}
        version={version}
        today={today}
        validFrom={validFrom}
        onValidFrom={(value) => {
          setValidFrom(value)
          schedule({ ...latest.current, validFrom: value })
        }}
        save={save}
        canPublish={canPublish}
        publishing={publish.isPending}
        onPublish={doPublish}
        onDiscard={async () => {
          if (!window.confirm(t('designer.discardConfirm'))) return
          if (timer.current) clearTimeout(timer.current)
          timer.current = null
          autosave.current?.forget()
          await discard.mutateAsync()
        }}
      />
      {notice && (
        <div className="alert alert-info" role="status" data-testid="designer-notice">
          {notice}
        </div>
      )}
      {!editing && <p className="small text-secondary">{t('designer.readOnly')}</p>}

      <nav aria-label={t('designer.sectionsNav')} className="mb-3">
        <ul className="nav nav-pills flex-wrap small">
          {(
            [
              ['sec-tables', 'tables'],
              ['sec-constants', 'constants'],
              ['sec-facts', 'facts'],
              ['sec-conditions', 'conditions'],
              ['sec-formulas', 'formulas'],
              ['sec-steps', 'steps'],
              ['sec-outputs', 'outputs'],
              ['sec-cases', 'cases'],
              ['sec-try', 'try'],
              ['sec-compare', 'compare'],
            ] as const
          ).map(([anchor, key]) => (
            <li className="nav-item" key={anchor}>
              <a
                className="nav-link"
                href={`#${anchor}`}
                onClick={(event) => {
                  event.preventDefault()
                  document.getElementById(anchor)?.scrollIntoView()
                }}
              >
                {t(`designer.${key}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>

      {editing && (
        <div className="row mb-3">
          {(['it', 'en'] as const).map((l) => (
            <div className="col-md-6" key={l}>
              <label htmlFor={`note-${l}`} className="form-label small fw-semibold">
                {t(l === 'it' ? 'designer.noteIt' : 'designer.noteEn')}
              </label>
              <input
                id={`note-${l}`}
                className="form-control"
                value={viewed.note?.[l] ?? ''}
                onChange={(event) =>
                  change({ ...viewed, note: { it: '', en: '', ...viewed.note, [l]: event.target.value } })
                }
              />
            </div>
          ))}
        </div>
      )}

      <section id="sec-tables" aria-labelledby="h-tables" className="mb-4">
        <h2 id="h-tables" className="h4">
          {t('designer.tables')}
        </h2>
        {Object.entries(viewed.tables ?? {}).map(([name, table]) => (
          <TableGrid
            key={name}
            name={name}
            table={table}
            before={editing ? base?.tables?.[name] : undefined}
            readOnly={!editing}
            onChange={(next) => change({ ...viewed, tables: { ...viewed.tables, [name]: next } })}
          />
        ))}
      </section>

      <ConstantsSection body={viewed} editing={editing} onChange={change} />

      <FactsSection body={viewed} editing={editing} onChange={change} />

      <NamedConditionsSection body={viewed} editing={editing} version={shownNumber} onChange={change} />

      <section id="sec-formulas" aria-labelledby="h-formulas" className="mb-4">
        <h2 id="h-formulas" className="h4">
          {t('designer.formulas')}
        </h2>
        {Object.keys(viewed.formulas ?? {}).length === 0 && <p className="text-secondary">{t('designer.none')}</p>}
        {Object.entries(viewed.formulas ?? {}).map(([name, formula]) => (
          <FormulaField
            key={`${shownNumber}-${name}`}
            slug={slug}
            ruleset={ruleset.id}
            name={name}
            expression={formula.expression}
            reference={formula.reference}
            readOnly={!editing}
            onChange={(expression) =>
              change({ ...viewed, formulas: { ...viewed.formulas, [name]: { ...formula, expression } } })
            }
          />
        ))}
      </section>

      <section id="sec-steps" aria-labelledby="h-steps" className="mb-4">
        <h2 id="h-steps" className="h4">
          {t('designer.steps')}
        </h2>
        <ol className="list-group list-group-numbered" data-testid="steps">
          {(viewed.steps ?? []).map((step, i, steps) => {
            const move = (to: number) => {
              const next = [...steps]
              next.splice(i, 1)
              next.splice(to, 0, step)
              change({ ...viewed, steps: next })
            }
            return (
              <li className="list-group-item" key={`${shownNumber}-${step.id}`}>
                <span className="fw-semibold">{step.id}</span>{' '}
                <span className="text-secondary">{t('designer.stepSets', { set: step.set })}</span>
                {step.reference && <span className="d-block small text-secondary">{step.reference}</span>}
                {editing && (
                  <span className="ms-2">
                    <button
                      type="button"
                      className="btn btn-sm btn-outline-secondary me-1"
                      disabled={i === 0}
                      aria-label={t('designer.stepUp', { id: step.id })}
                      onClick={() => move(i - 1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="btn btn-sm btn-outline-secondary"
                      disabled={i === steps.length - 1}
                      aria-label={t('designer.stepDown', { id: step.id })}
                      onClick={() => move(i + 1)}
                    >
                      ↓
                    </button>
                  </span>
                )}
                <details className="mt-1">
                  <summary className="small">{t('designer.stepJson', { id: step.id })}</summary>
                  <JsonField
                    label={t('designer.stepJson', { id: step.id })}
                    value={step}
                    readOnly={!editing}
                    rows={10}
                    onChange={(next) =>
                      change({ ...viewed, steps: steps.map((s, j) => (j === i ? (next as typeof step) : s)) })
                    }
                  />
                </details>
              </li>
            )
          })}
        </ol>
      </section>

      <OutputsSection body={viewed} editing={editing} onChange={change} />

      <section id="sec-cases" aria-labelledby="h-cases" className="mb-4">
        <h2 id="h-cases" className="h4">
          {t('designer.cases')}
        </h2>
        <p className="small">{t('designer.casesIntro')}</p>
        <p>
          <button
            type="button"
            className="btn btn-primary"
            onClick={runAll}
            disabled={runDraft.isPending || runCases.isPending}
          >
            {runDraft.isPending || runCases.isPending ? t('designer.running') : t('designer.run')}
          </button>
          {run && (
            <span
              role="status"
              className={`ms-3 fw-semibold ${run.failed ? 'text-danger' : 'text-success'}`}
              data-testid="run-summary"
            >
              {t('designer.runSummary', { passed: run.passed, failed: run.failed })}
            </span>
          )}
        </p>
        <CasesEditor
          key={String(shownNumber)}
          cases={viewed.tests ?? []}
          outcomes={outcomes}
          onChange={editing ? (tests) => change({ ...viewed, tests }) : undefined}
        />
        {failing.some((c) => c.declared_in !== shownNumber) && (
          <div className="mt-3" data-testid="other-failing">
            <h3 className="h6">{t('designer.failing')}</h3>
            <ul>
              {failing
                .filter((c) => c.declared_in !== shownNumber)
                .map((c, i) => (
                  <li key={i}>
                    {c.name} ({formatDay(c.at)}, {t('designer.ranOn', { version: c.version })}):{' '}
                    {[...c.diffs, c.error].filter(Boolean).join('; ')}
                  </li>
                ))}
            </ul>
          </div>
        )}
      </section>

      <TrySection
        rulesetId={ruleset.id}
        editing={editing}
        body={viewed}
        defaultAt={editing ? validFrom : today}
        beforeTry={editing ? flush : undefined}
      />

      <CompareSection ruleset={ruleset} draftBody={draft ? (body ?? draft.body) : null} />
    </section>
  )
}

function DraftPanel({
  ruleset,
  draft,
  version,
  today,
  validFrom,
  onValidFrom,
  save,
  canPublish,
  publishing,
  onPublish,
  onDiscard,
}: {
  ruleset: RuleSetDto
  draft: DraftDto | null
  version: VersionDto | undefined
  today: string
  validFrom: string
  onValidFrom: (value: string) => void
  save: { state: 'saved' | 'pending' | 'saving' | 'error'; at?: string; message?: string }
  canPublish: boolean
  publishing: boolean
  onPublish: () => void
  onDiscard: () => void
}) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const start = useStartDraft(tenant.slug, ruleset.id)
  const [from, setFrom] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setProblem(null)
    try {
      await start.mutateAsync({ valid_from: from })
    } catch (error) {
      setProblem(errorText(error))
    }
  }
  if (!draft) {
    return (
      <div className="card card-bg mb-3">
        <div className="card-body">
          <p>{t('designer.noDraft')}</p>
          <form className="row g-2 align-items-end" onSubmit={submit}>
            <div className="col-auto">
              <label htmlFor="draft-from" className="form-label">
                {t('designer.startFrom')}
              </label>
              <input
                id="draft-from"
                type="date"
                className="form-control"
                min={today}
                required
                value={from}
                onChange={(e) => setFrom(e.target.value)}
              />
            </div>
            <div className="col-auto">
              <button type="submit" className="btn btn-primary" disabled={start.isPending}>
                {t('designer.start')}
              </button>
            </div>
            {version && version.valid_from > today && (
              <div className="col-auto">
                <button
                  type="button"
                  className="btn btn-outline-primary"
                  onClick={async () => {
                    setProblem(null)
                    try {
                      await start.mutateAsync({ valid_from: version.valid_from, from_version: version.version })
                    } catch (error) {
                      setProblem(errorText(error))
                    }
                  }}
                >
                  {t('designer.editFuture')}
                </button>
              </div>
            )}
          </form>
          {problem && (
            <p className="text-danger mt-2" role="alert">
              {problem}
            </p>
          )}
        </div>
      </div>
    )
  }
  const time = save.at ? new Date(save.at).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'it-IT') : ''
  return (
    <div className="card card-bg mb-3" data-testid="draft-panel">
      <div className="card-body">
        <p className="mb-2">
          <span className="badge designer-badge-draft me-2">{t('designer.badgeDraft')}</span>
          {t('designer.draftOf', { from: formatDay(validFrom), base: draft.based_on })}
          {draft.replaces !== null && ` ${t('designer.draftReplaces', { version: draft.replaces })}`}
        </p>
        <div className="row g-2 align-items-end">
          <div className="col-auto">
            <label htmlFor="draft-valid-from" className="form-label">
              {t('designer.startFrom')}
            </label>
            <input
              id="draft-valid-from"
              type="date"
              className="form-control"
              min={today}
              value={validFrom}
              onChange={(e) => onValidFrom(e.target.value)}
            />
          </div>
          <div className="col-auto">
            {canPublish ? (
              <button type="button" className="btn btn-success" onClick={onPublish} disabled={publishing}>
                {t('designer.publish')}
              </button>
            ) : (
              <p className="small mb-0" data-testid="publish-by-admin">
                {t('designer.publishByAdmin')}
              </p>
            )}
          </div>
          <div className="col-auto">
            <button type="button" className="btn btn-outline-danger" onClick={onDiscard}>
              {t('designer.discard')}
            </button>
          </div>
        </div>
        <p className="small mt-2 mb-0" role="status" data-testid="save-state">
          {save.state === 'saving' && t('designer.saving')}
          {save.state === 'pending' && t('designer.unsaved')}
          {save.state === 'saved' && time && t('designer.saved', { time })}
          {save.state === 'error' && (
            <span className="text-danger">{t('designer.saveError', { message: save.message ?? '' })}</span>
          )}
        </p>
      </div>
    </div>
  )
}

function FactsSection({
  body,
  editing,
  onChange,
}: {
  body: VersionBody
  editing: boolean
  onChange: (b: VersionBody) => void
}) {
  const { t } = useT()
  const schema = (body.facts_schema ?? {}) as {
    properties?: Record<string, { description?: string; type?: unknown; enum?: unknown[] }>
    required?: string[]
  }
  return (
    <section id="sec-facts" aria-labelledby="h-facts" className="mb-4">
      <h2 id="h-facts" className="h4">
        {t('designer.facts')}
      </h2>
      <div className="table-responsive">
        <table className="table table-sm" data-testid="facts">
          <caption className="visually-hidden">{t('designer.facts')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('designer.factName')}</th>
              <th scope="col">{t('designer.factType')}</th>
              <th scope="col">{t('designer.factDescription')}</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(schema.properties ?? {}).map(([name, p]) => (
              <tr key={name}>
                <th scope="row">
                  <code>{name}</code>
                  {schema.required?.includes(name) ? ' *' : ''}
                </th>
                <td className="small">
                  {p.enum ? p.enum.map(String).join(' | ') : [p.type].flat().filter(Boolean).join(' | ')}
                </td>
                <td className="small">{p.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary className="small">{t('designer.factsSchema')}</summary>
        <JsonField
          label={t('designer.factsSchema')}
          value={body.facts_schema ?? {}}
          readOnly={!editing}
          rows={12}
          onChange={(next) => onChange({ ...body, facts_schema: next as Record<string, unknown> })}
        />
      </details>
    </section>
  )
}

function OutputsSection({
  body,
  editing,
  onChange,
}: {
  body: VersionBody
  editing: boolean
  onChange: (b: VersionBody) => void
}) {
  const { t } = useT()
  const outputs = body.outputs ?? {}
  const setRounding = (name: string, rounding: { decimals: number; mode: string } | undefined) => {
    const output = { ...outputs[name] }
    if (rounding) output.rounding = rounding
    else delete output.rounding
    onChange({ ...body, outputs: { ...outputs, [name]: output } })
  }
  return (
    <section id="sec-outputs" aria-labelledby="h-outputs" className="mb-4">
      <h2 id="h-outputs" className="h4">
        {t('designer.outputs')}
      </h2>
      <div className="table-responsive">
        <table className="table table-sm" data-testid="outputs">
          <caption className="visually-hidden">{t('designer.outputs')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('designer.output')}</th>
              <th scope="col">{t('designer.outputType')}</th>
              <th scope="col">{t('designer.decimals', { name: '' })}</th>
              <th scope="col">{t('designer.mode', { name: '' })}</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(outputs).map(([name, output]) => {
              const rounding = output.rounding ?? (output.type === 'money' ? body.rounding : undefined)
              return (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td>{output.type}</td>
                  <td>
                    {output.type === 'money' && rounding ? (
                      <input
                        type="number"
                        min={0}
                        max={6}
                        className="form-control form-control-sm"
                        style={{ maxWidth: '6rem' }}
                        aria-label={t('designer.decimals', { name })}
                        value={rounding.decimals}
                        readOnly={!editing}
                        onChange={(e) => setRounding(name, { mode: rounding.mode, decimals: Number(e.target.value) })}
                      />
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>
                    {output.type === 'money' && rounding ? (
                      <>
                        <select
                          className="form-select form-select-sm"
                          aria-label={t('designer.mode', { name })}
                          value={rounding.mode}
                          disabled={!editing}
                          onChange={(e) => setRounding(name, { decimals: rounding.decimals, mode: e.target.value })}
                        >
                          {ROUNDING_MODES.map((m) => (
                            <option key={m} value={m}>
                              {m}
                            </option>
                          ))}
                        </select>
                        {!output.rounding && (
                          <span className="small text-secondary">{t('designer.versionRounding')}</span>
                        )}
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </section>
  )
}

function TrySection({
  rulesetId,
  editing,
  body,
  defaultAt,
  beforeTry,
}: {
  rulesetId: string
  editing: boolean
  body: VersionBody
  defaultAt: string
  beforeTry?: () => Promise<void>
}) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const attempt = useTryDraft(tenant.slug, rulesetId, editing)
  const [at, setAt] = useState(defaultAt)
  const [facts, setFacts] = useState<unknown>(body.tests?.[0]?.facts ?? {})
  const [problem, setProblem] = useState<string | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setProblem(null)
    try {
      await beforeTry?.()
      await attempt.mutateAsync({ at, facts, lang })
    } catch (error) {
      setProblem(errorText(error))
    }
  }
  const result = attempt.data
  return (
    <section id="sec-try" aria-labelledby="h-try" className="mb-4">
      <h2 id="h-try" className="h4">
        {t('designer.try')}
      </h2>
      <form onSubmit={submit} className="row g-3">
        <div className="col-md-3">
          <label htmlFor="try-at" className="form-label">
            {t('designer.tryAt')}
          </label>
          <input
            id="try-at"
            type="date"
            className="form-control"
            required
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
        </div>
        <div className="col-md-6">
          <JsonField label={t('designer.tryFacts')} value={facts} rows={4} onChange={setFacts} testId="try-facts" />
        </div>
        <div className="col-md-3 align-self-end">
          <button type="submit" className="btn btn-primary mb-3" disabled={attempt.isPending}>
            {t('designer.tryRun')}
          </button>
        </div>
      </form>
      {problem && (
        <p className="text-danger" role="alert">
          {problem}
        </p>
      )}
      {result && !problem && (
        <div data-testid="try-result">
          <h3 className="h6">{t('designer.tryResult', { version: result.version })}</h3>
          <dl className="row mb-2">
            {Object.entries(result.result).map(([name, value]) => (
              <div className="col-sm-6 col-lg-3" key={name}>
                <dt className="small">{name}</dt>
                <dd data-testid={`try-${name}`}>{String(value)}</dd>
              </div>
            ))}
          </dl>
          {result.summary?.text && <p>{result.summary.text}</p>}
          <TracePanel trace={result.trace} testId="try-trace" open />
        </div>
      )}
    </section>
  )
}

function CompareSection({ ruleset, draftBody }: { ruleset: RuleSetDto; draftBody: VersionBody | null }) {
  const { t } = useT()
  const options = [
    ...(draftBody ? [{ value: 'draft', label: t('designer.badgeDraft'), body: draftBody }] : []),
    ...[...ruleset.versions].reverse().map((v) => ({
      value: String(v.version),
      label: t('designer.versionLabel', { version: v.version, from: formatDay(v.valid_from) }),
      body: v.body,
    })),
  ]
  const [to, setTo] = useState(options[0]?.value ?? '')
  const [from, setFrom] = useState(options[1]?.value ?? options[0]?.value ?? '')
  const a = options.find((o) => o.value === from)?.body ?? {}
  const b = options.find((o) => o.value === to)?.body ?? {}
  const cells = changedCells(a, b)
  const parts = changedParts(a, b)
  return (
    <section id="sec-compare" aria-labelledby="h-compare" className="mb-4">
      <h2 id="h-compare" className="h4">
        {t('designer.compare')}
      </h2>
      <div className="row g-3 mb-2">
        {(
          [
            ['compare-from', 'compareFrom', from, setFrom],
            ['compare-to', 'compareTo', to, setTo],
          ] as const
        ).map(([id, key, value, set]) => (
          <div className="col-md-4" key={id}>
            <label htmlFor={id} className="form-label">
              {t(`designer.${key}`)}
            </label>
            <select id={id} className="form-select" value={value} onChange={(e) => set(e.target.value)}>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      {cells.length === 0 && parts.length === 0 ? (
        <p data-testid="compare-none">{t('designer.compareNone')}</p>
      ) : (
        <>
          {cells.length > 0 && (
            <div className="table-responsive">
              <table className="table table-sm" data-testid="compare-cells">
                <caption className="caption-top fw-semibold">{t('designer.compareCells')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('designer.compareTable')}</th>
                    <th scope="col">{t('designer.compareRow')}</th>
                    <th scope="col">{t('designer.compareColumn')}</th>
                    <th scope="col">{t('designer.compareBefore')}</th>
                    <th scope="col">{t('designer.compareAfter')}</th>
                  </tr>
                </thead>
                <tbody>
                  {cells.map((c) => (
                    <tr key={`${c.table}/${c.row}/${c.column}`}>
                      <td>{c.table}</td>
                      <td>{c.row}</td>
                      <td>{c.column}</td>
                      <td>
                        <del>{c.before ?? '–'}</del>
                      </td>
                      <td>
                        <ins>{c.after ?? '–'}</ins>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {parts.length > 0 && (
            <>
              <h3 className="h6">{t('designer.compareOther')}</h3>
              <ul data-testid="compare-parts">
                {parts.map((p) => (
                  <li key={p}>
                    <code>{p}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  )
}
