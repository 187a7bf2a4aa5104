import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import Form from '@rjsf/core'
import type { RJSFSchema, UiSchema } from '@rjsf/utils'
import { FORM_STATE_BEHAVIOR } from '#shared/form_state'
import type { ApiError, Lang } from '#shared/contract'
import { useCatalogLists, useFee, useForms } from '../../api/queries'
import { normaliseFormData } from '#shared/normalise'
import { tariffFacts } from '#forms/tariff_preview'
import type { FormDefinition } from '#forms/types'
import { bandLabel, feeView } from '../../widgets/Fee'
import {
  checkFormDraft,
  compareForms,
  exportUrl,
  importForm,
  useDiscardFormDraft,
  useFormDraft,
  useFormVersion,
  useFormVersions,
  usePublishFormDraft,
  useSaveFormDraft,
  useStartFormDraft,
  type FormDefinitionJson,
  type FormDiffDto,
  type FormDraftDto,
  type FormVersionSummaryDto,
} from '../../api/form_designer_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { formatEuro, useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'
import { accessibleTemplates } from '../../widgets/templates'
import { withCatalogSelects } from '../../widgets/CatalogSelect'
import { portalWidgets } from '../../widgets/CodiceFiscaleWidget'
import { applyVisibility, localizeSchema, rjsfTranslator, withAttachmentFields } from '../../forms/form_support'
import { formValidator } from '../FormPage'
import { BloccoRulesSection } from './BloccoRulesSection'
import { BloccoTryPanel } from './BloccoTryPanel'
import { DraftAutosave, type SaveState } from './draft_autosave'
import {
  addField,
  canChangeKind,
  childGroup,
  FIELD_KEY,
  FIELD_KINDS,
  fieldLabel,
  fieldOrder,
  fieldsWithRules,
  isRequired,
  itemsProblem,
  kindOf,
  limitProblem,
  limitsOf,
  MAX_ITEMS,
  moveField,
  NEW_FIELD_KINDS,
  optionsText,
  parseOptions,
  pathId,
  pathKey,
  PLATFORM_SOURCES,
  removeField,
  setKind,
  setLabel,
  setLimit,
  setOptions,
  setRequired,
  sharedPartsOf,
  type FieldKind,
  type FieldPath,
  type LimitName,
  type NewField,
  type NewFieldKind,
} from '#shared/form_fields'
import { italianToday } from '../../app/italian_day'

const AUTOSAVE_MS = 800

function errorText(error: unknown) {
  return error instanceof Error ? error.message : String(error)
}

/** The designer's list of the tenant's forms, with the version in force, and the import of a form file. */
export function FormsDesignerPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const forms = useForms(tenant.slug)
  const [notice, setNotice] = useState<string | null>(null)
  const base = `/t/${encodeURIComponent(tenant.slug)}/ufficio/moduli`
  const onImport = async (file: File | undefined) => {
    setNotice(null)
    if (!file) return
    try {
      const answer = await importForm(tenant.slug, JSON.parse(await file.text()))
      setNotice(t('formDesigner.imported', { form: answer.draft.form }))
    } catch (error) {
      setNotice(error instanceof SyntaxError ? t('formDesigner.importNotJson') : errorText(error))
    }
  }
  return (
    <section aria-labelledby="forms-designer-title">
      <h1 id="forms-designer-title" className="h2 mb-2">
        {t('formDesigner.title')}
      </h1>
      <p className="mb-4">{t('formDesigner.intro')}</p>
      {forms.isPending ? (
        <Loading />
      ) : forms.isError ? (
        <LoadError error={forms.error} />
      ) : (
        <div className="table-responsive">
          <table className="table" data-testid="designer-forms">
            <caption className="visually-hidden">{t('formDesigner.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('formDesigner.form')}</th>
                <th scope="col">{t('formDesigner.service')}</th>
                <th scope="col">{t('formDesigner.inForce')}</th>
              </tr>
            </thead>
            <tbody>
              {forms.data.map((f) => (
                <tr key={f.key}>
                  <th scope="row">
                    <Link to={`${base}/${encodeURIComponent(f.key)}`}>{f.title[lang] ?? f.title.it ?? f.key}</Link>
                    <div className="small text-secondary">{f.key}</div>
                  </th>
                  <td>{f.service}</td>
                  <td>{f.currentVersion?.version ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="mt-4">
        <label htmlFor="form-import" className="form-label">
          {t('formDesigner.import')}
        </label>
        <input
          id="form-import"
          type="file"
          accept="application/json,.json"
          className="form-control"
          onChange={(e) => void onImport(e.target.files?.[0])}
        />
        <p className="small text-secondary">{t('formDesigner.importHint')}</p>
        {notice && (
          <p role="status" data-testid="import-notice">
            {notice}
          </p>
        )}
      </div>
    </section>
  )
}

export function FormDesignerRoute() {
  const { formKey = '' } = useParams()
  const tenant = useCurrentTenant()
  const versions = useFormVersions(tenant.slug, formKey)
  const draft = useFormDraft(tenant.slug, formKey)
  // Kept here: publishing or discarding the draft shows the page anew, with what happened.
  const [notice, setNotice] = useState<string | null>(null)
  if (versions.isPending || draft.isPending) return <Loading />
  if (versions.isError) return <LoadError error={versions.error} />
  if (draft.isError) return <LoadError error={draft.error} />
  return (
    <FormDesigner
      key={`${draft.data.draft?.based_on ?? 'none'}-${draft.data.draft ? 'draft' : 'view'}`}
      formKey={formKey}
      title={versions.data.form.title}
      versions={versions.data.versions}
      draft={draft.data.draft}
      canPublish={draft.data.can_publish}
      notice={notice}
      setNotice={setNotice}
    />
  )
}

function FormDesigner({
  formKey,
  title,
  versions,
  draft,
  canPublish,
  notice,
  setNotice,
}: {
  formKey: string
  title: Record<string, string>
  versions: FormVersionSummaryDto[]
  draft: FormDraftDto | null
  canPublish: boolean
  notice: string | null
  setNotice: (notice: string | null) => void
}) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const slug = tenant.slug
  const current = versions.find((v) => v.in_force) ?? versions[0]
  const shownVersion = useFormVersion(slug, formKey, draft ? null : (current?.version ?? null))
  const [definition, setDefinition] = useState<FormDefinitionJson | null>(draft?.definition ?? null)
  const [problems, setProblems] = useState<ApiError[]>([])
  const [save, setSave] = useState<SaveState>({ state: 'saved', at: draft?.updated_at ?? undefined })
  const [validFrom, setValidFrom] = useState(italianToday())
  const start = useStartFormDraft(slug, formKey)
  const saveDraft = useSaveFormDraft(slug, formKey)
  const publish = usePublishFormDraft(slug, formKey)
  const discard = useDiscardFormDraft(slug, formKey)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const answered = useRef(false)
  const send = useRef(saveDraft.mutateAsync)
  send.current = saveDraft.mutateAsync
  // What the page says about the draft follows the latest change only (draft_autosave.ts).
  const autosave = useRef<DraftAutosave<FormDefinitionJson, Awaited<ReturnType<typeof send.current>>> | null>(null)
  autosave.current ??= new DraftAutosave({
    send: (value) => send.current(value),
    onState: setSave,
    onAnswer: (answer) => {
      answered.current = true
      setProblems(answer.problems)
    },
    savedAt: (answer) => answer.draft.updated_at ?? undefined,
  })

  const flush = async () => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    await autosave.current?.flush()
  }
  // Every change is saved a moment after the last one; leaving the page saves what is pending.
  const change = (next: FormDefinitionJson) => {
    setDefinition(next)
    autosave.current?.changed(next)
    if (timer.current) clearTimeout(timer.current)
    timer.current = setTimeout(() => void flush().catch(() => undefined), AUTOSAVE_MS)
  }
  // A draft opened again says at once what would stop its publication, rule by rule and field by field.
  useEffect(() => {
    if (!draft) return
    let current = true
    checkFormDraft(slug, formKey)
      // A save answered meanwhile is newer than this check: its problems stay.
      .then((answer) => current && !answered.current && setProblems(answer.problems))
      .catch(() => undefined)
    return () => {
      current = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  useEffect(
    () => () => {
      if (autosave.current?.unsaved) void flush().catch(() => undefined)
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    []
  )

  const viewed = definition ?? shownVersion.data?.definition ?? null
  const editing = draft !== null && definition !== null
  const doPublish = async () => {
    setNotice(null)
    try {
      await flush()
      const answer = await publish.mutateAsync(validFrom)
      setNotice(t('formDesigner.published', { version: answer.version.version, from: answer.version.valid_from ?? '' }))
    } catch (error) {
      setNotice(t('formDesigner.publishRefused', { message: errorText(error) }))
    }
  }
  const time = save.at ? new Date(save.at).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'it-IT') : ''

  return (
    <section aria-labelledby="form-designer-title">
      <p className="mb-1">
        <Link to={`/t/${encodeURIComponent(slug)}/ufficio/moduli`}>{t('formDesigner.back')}</Link>
      </p>
      <h1 id="form-designer-title" className="h2 mb-2">
        {title[lang] ?? title.it ?? formKey}
      </h1>
      <VersionsTable versions={versions} />
      <p>
        <a href={exportUrl(slug, formKey)} download>
          {t('formDesigner.export')}
        </a>
      </p>
      {notice && (
        <div className="alert alert-info" role="status" data-testid="designer-notice">
          {notice}
        </div>
      )}
      {!draft ? (
        <div className="card card-bg mb-3">
          <div className="card-body">
            <p>{t('formDesigner.noDraft')}</p>
            <button
              type="button"
              className="btn btn-primary"
              disabled={start.isPending}
              onClick={() => {
                setNotice(null)
                start.mutateAsync().catch((error) => setNotice(errorText(error)))
              }}
            >
              {t('formDesigner.start')}
            </button>
          </div>
        </div>
      ) : (
        <div className="card card-bg mb-3" data-testid="form-draft-panel">
          <div className="card-body">
            <p className="mb-2">
              <span className="badge designer-badge-draft me-2">{t('formDesigner.badgeDraft')}</span>
              {draft.origin === 'import'
                ? t('formDesigner.draftImported')
                : t('formDesigner.draftOf', { base: draft.based_on ?? '-' })}
            </p>
            <div className="row g-2 align-items-end">
              <div className="col-auto">
                <label htmlFor="form-valid-from" className="form-label">
                  {t('formDesigner.validFrom')}
                </label>
                <input
                  id="form-valid-from"
                  type="date"
                  className="form-control"
                  min={italianToday()}
                  value={validFrom}
                  onChange={(e) => setValidFrom(e.target.value)}
                />
              </div>
              <div className="col-auto">
                {canPublish ? (
                  <button type="button" className="btn btn-success" onClick={doPublish} disabled={publish.isPending}>
                    {t('formDesigner.publish')}
                  </button>
                ) : (
                  <p className="small mb-0">{t('formDesigner.publishByAdmin')}</p>
                )}
              </div>
              <div className="col-auto">
                <button
                  type="button"
                  className="btn btn-outline-danger"
                  onClick={() => {
                    if (timer.current) clearTimeout(timer.current)
                    timer.current = null
                    autosave.current?.forget()
                    discard.mutateAsync().catch((error) => setNotice(errorText(error)))
                  }}
                >
                  {t('formDesigner.discard')}
                </button>
              </div>
            </div>
            <p className="small mt-2 mb-0" role="status" data-testid="form-save-state">
              {save.state === 'saving' && t('formDesigner.saving')}
              {save.state === 'pending' && t('formDesigner.unsaved')}
              {save.state === 'saved' && time && t('formDesigner.saved', { time })}
              {save.state === 'error' && (
                <span className="text-danger">{t('formDesigner.saveError', { message: save.message ?? '' })}</span>
              )}
            </p>
            {problems.length > 0 && (
              <div className="mt-2" data-testid="form-problems">
                <p className="fw-semibold mb-1">{t('formDesigner.problems')}</p>
                <ul>
                  {problems.map((p, i) => (
                    <li key={i}>
                      <code>{p.path}</code> {p.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </div>
        </div>
      )}
      {viewed ? (
        <>
          <FieldList definition={viewed} editing={editing} onChange={change} />
          {editing && <AddField definition={viewed} onAdd={change} />}
          <BloccoRulesSection definition={viewed} editing={editing} onChange={change} problems={problems} />
          <BloccoTryPanel
            slug={slug}
            formId={formKey}
            form={viewed as never}
            draft={editing ? ({ blocchi: viewed.blocchi, conditions: viewed.conditions } as never) : null}
            beforeTry={flush}
          />
          <Preview definition={viewed} />
          <Compare formKey={formKey} versions={versions} hasDraft={draft !== null} onBeforeCompare={flush} />
        </>
      ) : (
        <Loading />
      )}
    </section>
  )
}

function VersionsTable({ versions }: { versions: FormVersionSummaryDto[] }) {
  const { t } = useT()
  return (
    <div className="table-responsive">
      <table className="table table-sm" data-testid="form-versions">
        <caption>{t('formDesigner.versions')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('formDesigner.version')}</th>
            <th scope="col">{t('formDesigner.validFrom')}</th>
            <th scope="col">{t('formDesigner.state')}</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">{v.version}</th>
              <td>{v.valid_from ?? t('formDesigner.fromStart')}</td>
              <td>
                {v.in_force
                  ? t('formDesigner.stateInForce')
                  : v.valid_from && v.valid_from > italianToday()
                    ? t('formDesigner.stateFuture')
                    : t('formDesigner.statePast')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function FieldList({
  definition,
  editing,
  onChange,
}: {
  definition: FormDefinitionJson
  editing: boolean
  onChange: (next: FormDefinitionJson) => void
}) {
  const { t } = useT()
  const ruled = useMemo(() => fieldsWithRules(definition), [definition])
  const [open, setOpen] = useState<string | null>(null)
  return (
    <section aria-labelledby="fields-title" className="mb-4">
      <h2 id="fields-title" className="h4">
        {t('formDesigner.fields')}
      </h2>
      <FieldRows
        definition={definition}
        group={[]}
        editing={editing}
        onChange={onChange}
        ruled={ruled}
        open={open}
        setOpen={setOpen}
      />
    </section>
  )
}

/** Groups inside groups are shown this deep (the forms have three levels at most). */
const MAX_GROUP_DEPTH = 4

/**
 * The fields of a group (the form itself at the top), each with its buttons and, when it is a group
 * or a repeated group, its own fields below it, edited the same way.
 */
function FieldRows({
  definition,
  group,
  editing,
  onChange,
  ruled,
  open,
  setOpen,
}: {
  definition: FormDefinitionJson
  group: FieldPath
  editing: boolean
  onChange: (next: FormDefinitionJson) => void
  ruled: Set<string>
  open: string | null
  setOpen: (path: string | null) => void
}) {
  const { t } = useT()
  const [confirming, setConfirming] = useState<string | null>(null)
  const keys = fieldOrder(definition, group)
  const groupLabel = group.length ? fieldLabel(definition, group.at(-1) === '*' ? group.slice(0, -1) : group, 'it') : ''
  return (
    <ol
      className="list-group list-group-numbered"
      data-testid={group.length ? `group-fields-${pathKey(group)}` : 'form-fields'}
      aria-label={group.length ? t('formDesigner.groupFields', { group: groupLabel }) : undefined}
    >
      {keys.map((key, i) => {
        const path = [...group, key]
        const id = pathKey(path)
        const label = fieldLabel(definition, path, 'it')
        const inner = group.length < MAX_GROUP_DEPTH * 2 ? childGroup(definition, path) : null
        return (
          <li key={key} className="list-group-item" data-field={id}>
            <div className="d-flex flex-wrap align-items-center gap-2">
              <span className="fw-semibold">{label}</span>
              <code className="small">{key}</code>
              <span className="badge designer-badge-field">
                {t(`formDesigner.kind_${kindOf(definition, path)}` as 'formDesigner.kind_text')}
              </span>
              {isRequired(definition, path) && (
                <span className="badge designer-badge-field">{t('formDesigner.required')}</span>
              )}
              {ruled.has(id) && (
                <span className="badge designer-badge-draft" title={t('formDesigner.hasRulesHint')}>
                  {t('formDesigner.hasRules')}
                </span>
              )}
              {editing && (
                <span className="ms-auto d-flex gap-1">
                  <button
                    type="button"
                    className="btn btn-sm btn-outline-primary"
                    aria-label={t('formDesigner.moveUp', { field: label })}
                    disabled={i === 0}
                    onClick={() => onChange(moveField(definition, path, -1))}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn btn-sm btn-outline-primary"
                    aria-label={t('formDesigner.moveDown', { field: label })}
                    disabled={i === keys.length - 1}
                    onClick={() => onChange(moveField(definition, path, 1))}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="btn btn-sm btn-outline-primary"
                    aria-expanded={open === id}
                    aria-label={t('formDesigner.editField', { field: label })}
                    onClick={() => setOpen(open === id ? null : id)}
                  >
                    {t('formDesigner.edit')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-sm btn-outline-danger"
                    aria-label={t('formDesigner.removeField', { field: label })}
                    aria-expanded={inner ? confirming === id : undefined}
                    onClick={() => (inner ? setConfirming(id) : onChange(removeField(definition, path)))}
                  >
                    {t('formDesigner.remove')}
                  </button>
                </span>
              )}
            </div>
            {editing && inner && confirming === id && (
              <div className="alert alert-warning mt-2 mb-0" role="alert" data-testid={`remove-group-${pathId(path)}`}>
                <p className="mb-2">
                  {t('formDesigner.removeGroupConfirm', {
                    group: label,
                    count: fieldOrder(definition, inner).length,
                  })}
                </p>
                <div className="d-flex gap-2">
                  <button
                    type="button"
                    className="btn btn-sm btn-danger"
                    onClick={() => {
                      setConfirming(null)
                      onChange(removeField(definition, path))
                    }}
                  >
                    {t('formDesigner.removeGroupYes')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-sm btn-outline-secondary"
                    onClick={() => setConfirming(null)}
                  >
                    {t('formDesigner.removeGroupNo')}
                  </button>
                </div>
              </div>
            )}
            {editing && open === id && <FieldEditor definition={definition} path={path} onChange={onChange} />}
            {inner && (
              <div className="mt-2 ms-3">
                <FieldRows
                  definition={definition}
                  group={inner}
                  editing={editing}
                  onChange={onChange}
                  ruled={ruled}
                  open={open}
                  setOpen={setOpen}
                />
                {editing && <AddToGroup definition={definition} group={inner} label={label} onAdd={onChange} />}
              </div>
            )}
          </li>
        )
      })}
    </ol>
  )
}

/** One field opened in the draft: labels, kind, required-ness, checks, options (where they are defined). */
function FieldEditor({
  definition,
  path,
  onChange,
}: {
  definition: FormDefinitionJson
  path: FieldPath
  onChange: (next: FormDefinitionJson) => void
}) {
  const { t } = useT()
  const id = pathId(path)
  const kind = kindOf(definition, path)
  const shared = sharedPartsOf(definition, path)
  const limits = limitsOf(definition, path)
  const options = optionsText(definition, path)
  return (
    <div className="row g-2 mt-2">
      {shared.length > 0 && (
        <p className="col-12 small fst-italic mb-0" data-testid={`shared-part-${id}`}>
          {t('formDesigner.sharedPart', {
            name: shared.map((part) => part.name).join(', '),
            fields: [...new Set(shared.flatMap((part) => part.usedBy))].join(', '),
          })}
        </p>
      )}
      <div className="col-md-5">
        <label className="form-label" htmlFor={`label-it-${id}`}>
          {t('formDesigner.labelIt')}
        </label>
        <input
          id={`label-it-${id}`}
          className="form-control"
          value={fieldLabel(definition, path, 'it')}
          onChange={(e) => onChange(setLabel(definition, path, 'it', e.target.value))}
        />
      </div>
      <div className="col-md-5">
        <label className="form-label" htmlFor={`label-en-${id}`}>
          {t('formDesigner.labelEn')}
        </label>
        <input
          id={`label-en-${id}`}
          className="form-control"
          value={fieldLabel(definition, path, 'en')}
          onChange={(e) => onChange(setLabel(definition, path, 'en', e.target.value))}
        />
      </div>
      <div className="col-md-2 form-check mt-4">
        <input
          id={`required-${id}`}
          type="checkbox"
          className="form-check-input"
          checked={isRequired(definition, path)}
          onChange={(e) => onChange(setRequired(definition, path, e.target.checked))}
        />
        <label className="form-check-label" htmlFor={`required-${id}`}>
          {t('formDesigner.required')}
        </label>
      </div>
      {canChangeKind(definition, path) && (
        <div className="col-md-5">
          <label className="form-label" htmlFor={`kind-${id}`}>
            {t('formDesigner.kind')}
          </label>
          <select
            id={`kind-${id}`}
            className="form-select"
            value={kind}
            aria-describedby={`kind-${id}-hint`}
            onChange={(e) => onChange(setKind(definition, path, e.target.value as FieldKind))}
          >
            {FIELD_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`formDesigner.kind_${k}`)}
              </option>
            ))}
          </select>
          <p id={`kind-${id}-hint`} className="small text-secondary mb-0">
            {t('formDesigner.kindChangeHint')}
          </p>
        </div>
      )}
      {(Object.keys(limits) as LimitName[]).map((name) => (
        <LimitInput
          key={`${kind}-${name}`}
          definition={definition}
          path={path}
          name={name}
          value={limits[name] ?? null}
          onChange={onChange}
        />
      ))}
      {options !== null && (
        <ChoiceOptions
          key={kind}
          fieldKey={id}
          initial={options}
          onChange={(text) => onChange(setOptions(definition, path, text))}
        />
      )}
    </div>
  )
}

/** A limit of a field (length of a text, bound of a number): kept as typed, set when it makes sense. */
function LimitInput({
  definition,
  path,
  name,
  value,
  onChange,
}: {
  definition: FormDefinitionJson
  path: FieldPath
  name: LimitName
  value: number | null
  onChange: (next: FormDefinitionJson) => void
}) {
  const { t } = useT()
  const [text, setText] = useState(value === null ? '' : String(value))
  const id = `${name}-${pathId(path)}`
  const parsed = text.trim() === '' ? null : Number(text.trim().replace(',', '.'))
  const problem = limitProblem(definition, path, name, parsed)
  return (
    <div className="col-md-3">
      <label className="form-label" htmlFor={id}>
        {t(`formDesigner.limit_${name}`)}
      </label>
      <input
        id={id}
        inputMode="decimal"
        className={`form-control${problem ? ' is-invalid' : ''}`}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-error` : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          const raw = e.target.value.trim()
          const next = raw === '' ? null : Number(raw.replace(',', '.'))
          if (!limitProblem(definition, path, name, next)) onChange(setLimit(definition, path, name, next))
        }}
      />
      {problem && (
        <p id={`${id}-error`} className="invalid-feedback d-block">
          {t(`formDesigner.${problem}`)}
        </p>
      )}
    </div>
  )
}

/** "Add a field to <group>": a button that opens the add form for the fields of a group. */
function AddToGroup({
  definition,
  group,
  label,
  onAdd,
}: {
  definition: FormDefinitionJson
  group: FieldPath
  label: string
  onAdd: (next: FormDefinitionJson) => void
}) {
  const { t } = useT()
  const [shown, setShown] = useState(false)
  return (
    <div className="mt-2">
      <button
        type="button"
        className="btn btn-sm btn-outline-primary"
        aria-expanded={shown}
        onClick={() => setShown(!shown)}
      >
        {t('formDesigner.addToGroup', { group: label })}
      </button>
      {shown && (
        <AddField
          definition={definition}
          group={group}
          title={t('formDesigner.addToGroupTitle', { group: label })}
          onAdd={(next) => {
            onAdd(next)
            setShown(false)
          }}
        />
      )}
    </div>
  )
}

/**
 * The options of a choice field, one a line ("value | Italian label | English label"): the text is
 * kept as typed and each change with at least one option goes to the form.
 */
function ChoiceOptions({
  fieldKey,
  initial,
  onChange,
}: {
  fieldKey: string
  initial: string
  onChange: (text: string) => void
}) {
  const { t } = useT()
  const [text, setText] = useState(initial)
  const empty = parseOptions(text).length === 0
  return (
    <div className="col-12">
      <label className="form-label" htmlFor={`options-${fieldKey}`}>
        {t('formDesigner.options')}
      </label>
      <textarea
        id={`options-${fieldKey}`}
        className={`form-control${empty ? ' is-invalid' : ''}`}
        rows={Math.min(8, Math.max(3, text.split('\n').length))}
        aria-describedby={`options-${fieldKey}-hint${empty ? ` options-${fieldKey}-error` : ''}`}
        aria-invalid={empty || undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          if (parseOptions(e.target.value).length > 0) onChange(e.target.value)
        }}
      />
      <p id={`options-${fieldKey}-hint`} className="small text-secondary mb-0">
        {t('formDesigner.optionsEditHint')}
      </p>
      {empty && (
        <p id={`options-${fieldKey}-error`} className="invalid-feedback d-block">
          {t('formDesigner.optionsNeeded')}
        </p>
      )}
    </div>
  )
}

const EMPTY_FIELD: NewField = {
  key: '',
  kind: 'text',
  labelIt: '',
  labelEn: '',
  required: false,
  options: '',
  source: '',
  step: '',
}

/** The form adding a field: to the form (in a step), or to a group (`group`, after its other fields). */
function AddField({
  definition,
  onAdd,
  group = [],
  title,
}: {
  definition: FormDefinitionJson
  onAdd: (next: FormDefinitionJson) => void
  group?: FieldPath
  title?: string
}) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const lists = useCatalogLists(tenant.slug)
  const sources = [...PLATFORM_SOURCES, ...[...(lists.data ?? [])].sort()]
  const [field, setField] = useState<NewField>(EMPTY_FIELD)
  const [items, setItems] = useState({ min: '', max: '10' })
  const [problem, setProblem] = useState<string | null>(null)
  const steps =
    group.length === 0
      ? ((definition.uiSchema['ui:steps'] ?? []) as Array<{ id: string; title: Record<string, string> }>)
      : []
  const { lang } = useT()
  // Ids of the top-level form stay as they were; a group's form carries the group's path.
  const sfx = group.length ? `-${pathId(group)}` : ''
  const titleId = `add-field-title${sfx}`
  const set = (patch: Partial<NewField>) => setField({ ...field, ...patch })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!FIELD_KEY.test(field.key)) return setProblem(t('formDesigner.badKey'))
    if (fieldOrder(definition, group).includes(field.key)) return setProblem(t('formDesigner.keyTaken'))
    if (!field.labelIt.trim() || !field.labelEn.trim()) return setProblem(t('formDesigner.labelsNeeded'))
    if ((field.kind === 'radio' || field.kind === 'select') && !field.options.trim()) {
      return setProblem(t('formDesigner.optionsNeeded'))
    }
    const count = (text: string) => (text.trim() === '' ? null : Number(text))
    const [minItems, maxItems] = [count(items.min), count(items.max)]
    const wrong = field.kind === 'group_list' ? itemsProblem(minItems, maxItems) : null
    if (wrong) return setProblem(t(`formDesigner.${wrong}`, { max: MAX_ITEMS }))
    setProblem(null)
    const made = { ...field, required: grouping ? false : field.required, minItems, maxItems }
    onAdd(addField(definition, { ...made, step: field.step || steps[0]?.id || '' }, group))
    setField(EMPTY_FIELD)
    setItems({ min: '', max: '10' })
  }
  const choice = field.kind === 'radio' || field.kind === 'select'
  const grouping = field.kind === 'group' || field.kind === 'group_list'
  return (
    <section aria-labelledby={titleId} className={`card card-bg ${group.length ? 'mt-2' : 'mb-4'}`}>
      <div className="card-body">
        <h2 id={titleId} className={group.length ? 'h6' : 'h5'}>
          {title ?? t('formDesigner.addField')}
        </h2>
        <form className="row g-2" onSubmit={submit} noValidate>
          <div className="col-md-4">
            <label className="form-label" htmlFor={`new-key${sfx}`}>
              {t('formDesigner.key')}
            </label>
            <input
              id={`new-key${sfx}`}
              className="form-control"
              value={field.key}
              aria-describedby={`new-key-hint${sfx}`}
              onChange={(e) => set({ key: e.target.value })}
            />
            <p id={`new-key-hint${sfx}`} className="small text-secondary mb-0">
              {t('formDesigner.keyHint')}
            </p>
          </div>
          <div className="col-md-4">
            <label className="form-label" htmlFor={`new-kind${sfx}`}>
              {t('formDesigner.kind')}
            </label>
            <select
              id={`new-kind${sfx}`}
              className="form-select"
              value={field.kind}
              aria-describedby={grouping ? `new-group-hint${sfx}` : undefined}
              onChange={(e) => set({ kind: e.target.value as NewFieldKind })}
            >
              {NEW_FIELD_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`formDesigner.kind_${k}`)}
                </option>
              ))}
            </select>
          </div>
          {steps.length > 0 && (
            <div className="col-md-4">
              <label className="form-label" htmlFor="new-step">
                {t('formDesigner.step')}
              </label>
              <select
                id="new-step"
                className="form-select"
                value={field.step || steps[0].id}
                onChange={(e) => set({ step: e.target.value })}
              >
                {steps.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.title[lang] ?? s.title.it ?? s.id}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="col-md-6">
            <label className="form-label" htmlFor={`new-label-it${sfx}`}>
              {t('formDesigner.labelIt')}
            </label>
            <input
              id={`new-label-it${sfx}`}
              className="form-control"
              value={field.labelIt}
              onChange={(e) => set({ labelIt: e.target.value })}
            />
          </div>
          <div className="col-md-6">
            <label className="form-label" htmlFor={`new-label-en${sfx}`}>
              {t('formDesigner.labelEn')}
            </label>
            <input
              id={`new-label-en${sfx}`}
              className="form-control"
              value={field.labelEn}
              onChange={(e) => set({ labelEn: e.target.value })}
            />
          </div>
          {choice && (
            <div className="col-12">
              <label className="form-label" htmlFor={`new-options${sfx}`}>
                {t('formDesigner.options')}
              </label>
              <textarea
                id={`new-options${sfx}`}
                className="form-control"
                rows={3}
                aria-describedby={`new-options-hint${sfx}`}
                value={field.options}
                onChange={(e) => set({ options: e.target.value })}
              />
              <p id={`new-options-hint${sfx}`} className="small text-secondary mb-0">
                {t('formDesigner.optionsHint')}
              </p>
            </div>
          )}
          {field.kind === 'catalog' && (
            <div className="col-md-6">
              <label className="form-label" htmlFor={`new-source${sfx}`}>
                {t('formDesigner.source')}
              </label>
              <select
                id={`new-source${sfx}`}
                className="form-select"
                value={field.source || sources[0]}
                onChange={(e) => set({ source: e.target.value })}
              >
                {sources.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
          )}
          {grouping && (
            <p id={`new-group-hint${sfx}`} className="col-12 small text-secondary mb-0">
              {t('formDesigner.groupHint')}
            </p>
          )}
          {field.kind === 'group_list' &&
            (['min', 'max'] as const).map((end) => (
              <div className="col-md-3" key={end}>
                <label className="form-label" htmlFor={`new-items-${end}${sfx}`}>
                  {t(end === 'min' ? 'formDesigner.itemsMin' : 'formDesigner.itemsMaxLabel')}
                </label>
                <input
                  id={`new-items-${end}${sfx}`}
                  className="form-control"
                  type="number"
                  min={end === 'min' ? 0 : 1}
                  max={MAX_ITEMS}
                  step={1}
                  aria-describedby={`new-items-hint${sfx}`}
                  value={items[end]}
                  onChange={(e) => setItems({ ...items, [end]: e.target.value })}
                />
              </div>
            ))}
          {field.kind === 'group_list' && (
            <p id={`new-items-hint${sfx}`} className="col-12 small text-secondary mb-0">
              {t('formDesigner.itemsHint')}
            </p>
          )}
          {!grouping && (
            <div className="col-12">
              <div className="form-check">
                <input
                  id={`new-required${sfx}`}
                  type="checkbox"
                  className="form-check-input"
                  checked={field.required}
                  onChange={(e) => set({ required: e.target.checked })}
                />
                <label className="form-check-label" htmlFor={`new-required${sfx}`}>
                  {t('formDesigner.required')}
                </label>
              </div>
            </div>
          )}
          <div className="col-12">
            <button type="submit" className="btn btn-primary">
              {t('formDesigner.add')}
            </button>
          </div>
          {problem && (
            <p className="text-danger" role="alert">
              {problem}
            </p>
          )}
        </form>
      </div>
    </section>
  )
}

/** The form as the citizen will see it: the same renderer, widgets and catalog selects, in it or en. */
function Preview({ definition }: { definition: FormDefinitionJson }) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const catalogLists = useCatalogLists(tenant.slug)
  const [lang, setLang] = useState<Lang>('it')
  const [data, setData] = useState<Record<string, unknown>>({})
  const schema = useMemo(() => localizeSchema(definition.schema, lang) as RJSFSchema, [definition, lang])
  const fee = definition.tariff_preview !== undefined
  const ui = useMemo(() => {
    const { 'ui:steps': _steps, ...rest } = definition.uiSchema as UiSchema
    return applyVisibility(
      withCatalogSelects(
        withAttachmentFields(rest, definition as { attachments?: Record<string, unknown> }),
        data,
        tenant.slug,
        catalogLists.data ?? new Set()
      ),
      data,
      definition.conditions as never
    )
  }, [definition, data, tenant.slug, catalogLists.data])
  return (
    <section aria-labelledby="preview-title" className="mb-4">
      <h2 id="preview-title" className="h4">
        {t('formDesigner.preview')}
      </h2>
      <div className="btn-group mb-3" role="group" aria-label={t('formDesigner.previewLanguage')}>
        {(['it', 'en'] as const).map((l) => (
          <button
            key={l}
            type="button"
            className={`btn btn-sm ${lang === l ? 'btn-primary' : 'btn-outline-primary'}`}
            aria-pressed={lang === l}
            onClick={() => setLang(l)}
          >
            {t(`header.languageName_${l}`)}
          </button>
        ))}
      </div>
      <div className="border rounded p-3" data-testid="form-preview" lang={lang}>
        <Form
          schema={schema}
          uiSchema={ui}
          formData={data}
          validator={formValidator}
          noHtml5Validate
          noValidate
          experimental_defaultFormStateBehavior={FORM_STATE_BEHAVIOR}
          showErrorList={false}
          formContext={{ lang, apiBase: `/api/v1/t/${encodeURIComponent(tenant.slug)}`, formKey: definition.id }}
          templates={accessibleTemplates}
          widgets={portalWidgets}
          translateString={rjsfTranslator(lang) as never}
          onChange={(e) => setData((e.formData ?? {}) as Record<string, unknown>)}
        >
          <></>
        </Form>
      </div>
      {fee && <PreviewFee definition={definition} data={data} lang={lang} />}
    </section>
  )
}

/**
 * The fee beside the preview, as the citizen sees it while filling the form: the form's tariff
 * preview evaluated live on the data entered, by the rule set in force today, in the preview's language.
 */
function PreviewFee({ definition, data, lang }: { definition: FormDefinitionJson; data: unknown; lang: Lang }) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const sent = useMemo(() => normaliseFormData(definition.schema, data), [definition, data])
  const fee = useFee(tenant.slug, tariffFacts(definition as unknown as FormDefinition, sent), lang)
  const view = fee.data ? feeView(fee.data) : null
  return (
    <aside className="card card-bg mt-3" aria-labelledby="preview-fee-title" data-testid="preview-fee" lang={lang}>
      <div className="card-body" aria-live="polite">
        <h3 id="preview-fee-title" className="h5">
          {t('fee.title', { lng: lang })}
        </h3>
        {view?.amount ? (
          <>
            <p className="tariff-amount mb-1">
              <span className="text-nowrap" data-testid="preview-fee-amount">
                {formatEuro(view.amount, lang)}
              </span>
              {view.unit && <span className="fee-unit"> {t(`fee.unit_${view.unit}`, { lng: lang })}</span>}
            </p>
            {view.band && (
              <p className="mb-0">
                {t('fee.band', { lng: lang })}: <span data-testid="preview-fee-band">{bandLabel(view.band)}</span>
              </p>
            )}
          </>
        ) : (
          <p className="mb-0">{t('fee.unavailable', { lng: lang })}</p>
        )}
      </div>
    </aside>
  )
}

function show(value: unknown): string {
  if (value === undefined) return '—'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Two versions (or a version and the draft) side by side. */
function Compare({
  formKey,
  versions,
  hasDraft,
  onBeforeCompare,
}: {
  formKey: string
  versions: FormVersionSummaryDto[]
  hasDraft: boolean
  onBeforeCompare: () => Promise<void>
}) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const choices = [...(hasDraft ? ['draft'] : []), ...versions.map((v) => String(v.version))]
  const [from, setFrom] = useState(choices[1] ?? choices[0] ?? '')
  const [to, setTo] = useState(choices[0] ?? '')
  const [diff, setDiff] = useState<FormDiffDto | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const name = (c: string) =>
    c === 'draft' ? t('formDesigner.draftName') : t('formDesigner.versionName', { version: c })
  const run = async (event: FormEvent) => {
    event.preventDefault()
    setProblem(null)
    try {
      if (from === 'draft' || to === 'draft') await onBeforeCompare().catch(() => undefined)
      setDiff((await compareForms(tenant.slug, formKey, from, to)).diff)
    } catch (error) {
      setProblem(errorText(error))
    }
  }
  const title = (entry: { title: { it?: string } }, path: string) => entry.title.it ?? path
  return (
    <section aria-labelledby="compare-title" className="mb-4">
      <h2 id="compare-title" className="h4">
        {t('formDesigner.compare')}
      </h2>
      <form className="row g-2 align-items-end mb-3" onSubmit={run}>
        <CompareSide
          id="compare-from"
          label={t('formDesigner.compareFrom')}
          value={from}
          onChange={setFrom}
          choices={choices}
          name={name}
        />
        <CompareSide
          id="compare-to"
          label={t('formDesigner.compareTo')}
          value={to}
          onChange={setTo}
          choices={choices}
          name={name}
        />
        <div className="col-auto">
          <button type="submit" className="btn btn-outline-primary">
            {t('formDesigner.compareRun')}
          </button>
        </div>
      </form>
      {problem && (
        <p className="text-danger" role="alert">
          {problem}
        </p>
      )}
      {diff && (
        <div className="table-responsive">
          <table className="table table-sm" data-testid="form-diff">
            <caption>{t('formDesigner.compareCaption', { from: name(diff.from), to: name(diff.to) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('formDesigner.what')}</th>
                <th scope="col">{name(diff.from)}</th>
                <th scope="col">{name(diff.to)}</th>
              </tr>
            </thead>
            <tbody>
              {diff.fields.added.map((f) => (
                <tr key={`a${f.path}`} className="table-success">
                  <th scope="row">{t('formDesigner.fieldAdded', { field: title(f, f.path) })}</th>
                  <td>—</td>
                  <td>
                    <code>{f.path}</code>
                  </td>
                </tr>
              ))}
              {diff.fields.removed.map((f) => (
                <tr key={`r${f.path}`} className="table-danger">
                  <th scope="row">{t('formDesigner.fieldRemoved', { field: title(f, f.path) })}</th>
                  <td>
                    <code>{f.path}</code>
                  </td>
                  <td>—</td>
                </tr>
              ))}
              {diff.fields.changed.flatMap((f) =>
                f.changes.map((c) => (
                  <tr key={`c${f.path}${c.what}`}>
                    <th scope="row">{t('formDesigner.fieldChanged', { field: title(f, f.path), what: c.what })}</th>
                    <td className="small">{show(c.before)}</td>
                    <td className="small">{show(c.after)}</td>
                  </tr>
                ))
              )}
              {diff.rules.added.map((id) => (
                <tr key={`ra${id}`} className="table-success">
                  <th scope="row">{t('formDesigner.ruleAdded', { rule: id })}</th>
                  <td>—</td>
                  <td>{id}</td>
                </tr>
              ))}
              {diff.rules.removed.map((id) => (
                <tr key={`rr${id}`} className="table-danger">
                  <th scope="row">{t('formDesigner.ruleRemoved', { rule: id })}</th>
                  <td>{id}</td>
                  <td>—</td>
                </tr>
              ))}
              {diff.rules.changed.flatMap((r) =>
                r.changes.map((c) => (
                  <tr key={`rc${r.id}${c.what}`}>
                    <th scope="row">{t('formDesigner.ruleChanged', { rule: r.id, what: c.what })}</th>
                    <td className="small">{show(c.before)}</td>
                    <td className="small">{show(c.after)}</td>
                  </tr>
                ))
              )}
              {diff.other.map((o) => (
                <tr key={`o${o}`}>
                  <th scope="row">{t('formDesigner.otherChanged', { what: o })}</th>
                  <td colSpan={2}>{t('formDesigner.seeFile')}</td>
                </tr>
              ))}
              {diff.fields.added.length +
                diff.fields.removed.length +
                diff.fields.changed.length +
                diff.rules.added.length +
                diff.rules.removed.length +
                diff.rules.changed.length +
                diff.other.length ===
                0 && (
                <tr>
                  <td colSpan={3}>{t('formDesigner.noDifference')}</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** One side of the comparison: a labelled choice among the versions (and the draft). */
function CompareSide(props: {
  id: string
  label: string
  value: string
  onChange: (value: string) => void
  choices: string[]
  name: (choice: string) => string
}) {
  return (
    <div className="col-auto">
      <label className="form-label" htmlFor={props.id}>
        {props.label}
      </label>
      <select
        id={props.id}
        className="form-select"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.choices.map((c) => (
          <option key={c} value={c}>
            {props.name(c)}
          </option>
        ))}
      </select>
    </div>
  )
}
