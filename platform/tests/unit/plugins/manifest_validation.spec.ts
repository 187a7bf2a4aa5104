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

  test('{$self}')
    .with([
      {
        $self: 'a missing English name is named by field',
        change: (m: any) => delete m.name.en,
        expect: 'field "name": missing field "en"',
      },
      {
        $self: 'an id that is not the folder name is refused',
        change: (m: any) => (m.id = 'mensa'),
        expect: 'field "id": "mensa" must equal the folder name "refezione"',
      },
      { $self: 'a malformed version is refused', change: (m: any) => (m.version = 'uno'), expect: 'field "version"' },
      {
        $self: 'an unknown field is refused',
        change: (m: any) => (m.colour = 'red'),
        expect: 'unknown field "colour"',
      },
      {
        $self: 'a hook that is not a function is refused',
        change: (m: any) => (m.hooks.enable = true),
        expect: 'field "hooks.enable": must be a function',
      },
      {
        $self: 'a form missing from forms/ is refused',
        change: (m: any) => m.forms.push('refezione.nope'),
        expect: 'no default form "refezione.nope"',
      },
      {
        $self: 'a rule set missing from rules/ is refused',
        change: (m: any) => (m.rulesets = ['x.y']),
        expect: 'no default rule set "x.y"',
      },
      {
        $self: 'a job without handle is refused',
        change: (m: any) => (m.jobs = { billing: {} }),
        expect: 'field "jobs.billing.handle": must be a function',
      },
    ])
    .run(({ assert }, row) => {
      const manifest = valid()
      row.change(manifest)
      const problems = problemsOf(manifest)
      assert.isTrue(
        problems.some((p) => p.includes(row.expect)),
        `expected a problem containing ${row.expect}, got ${JSON.stringify(problems)}`
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
