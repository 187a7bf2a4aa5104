import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { PluginManifestError, validateManifest } from '#plugins/manifest_validator'

const known = { forms: new Set(['refezione.iscrizione']), rulesets: new Set(['refezione.tariffa']) }
const valid = () => ({
  id: 'refezione',
  name: { it: 'Refezione', en: 'Canteen' },
  version: '1.0.0',
  forms: ['refezione.iscrizione'],
  rulesets: ['refezione.tariffa'],
  hooks: { enable: () => {} },
})

function problemsOf(manifest: unknown, folder = 'refezione') {
  try {
    validateManifest(folder, manifest, known)
    return []
  } catch (error) {
    if (!(error instanceof PluginManifestError)) throw error
    return error.problems
  }
}

test.group('Plugin manifest validation', () => {
  test('a complete manifest passes', ({ assert }) => {
    assert.deepEqual(problemsOf(valid()), [])
  })

  test('{title}')
    .with([
      {
        title: 'a missing English name is named by field',
        change: (m: any) => delete m.name.en,
        expect: 'field "name": missing field "en"',
      },
      {
        title: 'an id that is not the folder name is refused',
        change: (m: any) => (m.id = 'mensa'),
        expect: 'field "id": "mensa" must equal the folder name "refezione"',
      },
      { $self: 'a malformed version is refused', change: (m: any) => (m.version = 'uno'), expect: 'field "version"' },
      {
        title: 'an unknown field is refused',
        change: (m: any) => (m.colour = 'red'),
        expect: 'unknown field "colour"',
      },
      {
        title: 'a hook that is not a function is refused',
        change: (m: any) => (m.hooks.enable = true),
        expect: 'field "hooks.enable": must be a function',
      },
      {
        title: 'a form missing from forms/ is refused',
        change: (m: any) => m.forms.push('refezione.nope'),
        expect: 'no default form "refezione.nope"',
      },
      {
        title: 'a rule set missing from rules/ is refused',
        change: (m: any) => (m.rulesets = ['x.y']),
        expect: 'no default rule set "x.y"',
      },
      {
        title: 'a job without handle is refused',
        change: (m: any) => (m.jobs = { billing: {} }),
        expect: 'field "jobs.billing.handle": must be a function',
      },
      {
        title: 'a schedule that is not a cron expression is refused',
        change: (m: any) => (m.jobs = { billing: { handle: () => {}, schedule: 'every monday' } }),
        expect: 'field "jobs.billing.schedule": not a cron expression',
      },
      {
        title: 'a route without roles is refused',
        change: (m: any) => (m.routes = (r: any) => r.get('/summary', { handle: () => ({}) })),
        expect: 'GET /summary: "roles" must list the roles',
      },
      {
        title: 'a route naming an unknown role is refused',
        change: (m: any) => (m.routes = (r: any) => r.post('/x', { roles: ['chef'], handle: () => ({}) })),
        expect: 'POST /x: "roles" must list the roles',
      },
      {
        title: 'a route body that is not a compiled validator is refused',
        change: (m: any) => (m.routes = (r: any) => r.post('/x', { roles: ['operator'], body: {}, handle: () => 1 })),
        expect: 'POST /x: "body" must be a compiled validator',
      },
      {
        title: 'a subscriber to an event the platform does not emit is refused',
        change: (m: any) => (m.events = { 'submission.acceptd': () => {} }),
        expect: 'field "events.submission.acceptd": the platform emits no such event',
      },
      {
        title: 'a subscriber that is not a function is refused',
        change: (m: any) => (m.events = { 'enrolment.created': { inTransaction: true } }),
        expect: 'field "events.enrolment.created": a function, or { handle, inTransaction? }',
      },
      {
        title: 'settings defaults that break their schema are refused',
        change: (m: any) =>
          (m.settings = {
            schema: { type: 'object', properties: { days: { type: 'integer', maximum: 30 } } },
            defaults: { days: 45 },
          }),
        expect: 'field "settings.defaults.days": must be <= 30',
      },
      {
        title: 'a settings schema that does not compile is refused',
        change: (m: any) =>
          (m.settings = { schema: { type: 'object', properties: { a: { type: 'nope' } } }, defaults: {} }),
        expect: 'field "settings.schema": does not compile',
      },
      {
        title: 'two reports with the same id are refused',
        change: (m: any) => {
          const report = {
            id: 'iscritti',
            title: m.name,
            roles: ['operator'],
            columns: [],
            rows: async function* () {},
          }
          report.columns = [{ key: 'n', label: m.name, type: 'integer' }] as never
          m.reports = [report, { ...report }]
        },
        expect: 'field "reports.1.id": "iscritti" is declared twice',
      },
      {
        title: 'a report column of an unknown type is refused',
        change: (m: any) =>
          (m.reports = [
            {
              id: 'iscritti',
              title: m.name,
              roles: ['operator'],
              columns: [{ key: 'n', label: m.name, type: 'float' }],
              rows: async function* () {},
            },
          ]),
        expect: 'field "reports.0.columns.0.type"',
      },
      {
        title: 'a catalog kind the platform serves itself is refused',
        change: (m: any) => (m.catalog = { schools: { title: m.name, list: async () => [] } }),
        expect: 'field "catalog.schools": the platform serves "schools" itself',
      },
      {
        title: 'an id that is a path of the platform API is refused',
        change: (m: any) => (m.id = 'reports'),
        expect: 'is a path of the platform',
      },
      {
        title: 'a migrations folder outside the plugin is refused',
        change: (m: any) => (m.migrations = '../platform/database/migrations'),
        expect: 'field "migrations"',
      },
    ])
    .run(({ assert }, row) => {
      const manifest = valid()
      row.change(manifest)
      const problems = problemsOf(manifest, manifest.id === 'reports' ? 'reports' : 'refezione')
      assert.isTrue(
        problems.some((p) => p.includes(row.expect)),
        `expected a problem containing ${row.expect}, got ${JSON.stringify(problems)}`
      )
    })

  test('a list says how the back office asks its attributes: only attributes it has, choices only for codes', ({
    assert,
  }) => {
    const withList = (fields: Record<string, unknown>) => ({
      ...valid(),
      lists: {
        bus_lines: {
          title: { it: 'Linee', en: 'Lines' },
          attributes: { schools: 'strings', note: 'text' },
          filters: {},
          mismatch: { it: 'no', en: 'no' },
          fields,
        },
      },
    })
    const label = { it: 'Scuole', en: 'Schools' }
    assert.deepEqual(
      problemsOf(withList({ schools: { label, choices: 'schools', empty: label }, note: { label } })),
      []
    )
    assert.include(
      problemsOf(withList({ colour: { label } })).join('\n'),
      'field "lists.bus_lines.fields.colour": not one of the list\'s attributes'
    )
    assert.include(
      problemsOf(withList({ note: { label, choices: 'schools' } })).join('\n'),
      'field "lists.bus_lines.fields.note.choices": only an attribute of codes ("strings") has choices'
    )
    assert.include(
      problemsOf(withList({ schools: { choices: 'schools' } })).join('\n'),
      'lists.bus_lines.fields.schools'
    )
  })

  test('the error message names the plugin', ({ assert }) => {
    const manifest: any = valid()
    delete manifest.version
    assert.throws(
      () => validateManifest('refezione', manifest, known),
      /Plugin "refezione" has an invalid manifest:[\s\S]*missing field "version"/
    )
  })

  test('a broken plugin stops the boot with a message naming plugin and field', async ({ assert }) => {
    const platform = fileURLToPath(new URL('../../../', import.meta.url))
    const fixtures = fileURLToPath(new URL('../../fixtures/broken_plugins', import.meta.url))
    const run = promisify(execFile)
    const error = await run('node', ['ace.js', 'plugins:list', '--json'], {
      cwd: platform,
      env: { ...process.env, PLUGINS_DIR: fixtures, NODE_ENV: 'test' },
    }).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e
    )
    assert.isNotNull(error, 'the boot must fail')
    assert.notEqual(error!.code, 0)
    const output = error!.stdout + error!.stderr
    assert.include(output, 'Plugin "broken" has an invalid manifest')
    assert.include(output, 'field "name": missing field "en"')
    assert.include(output, 'field "hooks.enable": must be a function')
  }).timeout(30000)
})
