import { test } from '@japa/runner'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/** The rule names of what ESLint (the repository's eslint.config.js) reports for a file with this text. */
async function restricted(file: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT })
  const [result] = await eslint.lintText(source, { filePath: `${ROOT}${file}` })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

const use = (specifier: string) => `import x from '${specifier}'\nexport default x\n`

test.group('Import walls between the platform and plugins (ESLint no-restricted-imports)', (group) => {
  // The first lint loads the TypeScript parser and the whole configuration.
  group.each.timeout(60000)

  test('{title}')
    .with([
      {
        title: 'a plugin may import the SDK',
        file: 'plugins/refezione/index.ts',
        specifier: '@sportello/platform/sdk',
      },
      {
        title: 'a plugin test may import the SDK testing entry',
        file: 'plugins/refezione/tests/contract.spec.ts',
        specifier: '@sportello/platform/sdk/testing',
      },
      {
        title: 'a plugin may import its own files',
        file: 'plugins/refezione/tests/x.spec.ts',
        specifier: '../index.js',
      },
      { title: 'a plugin may import a library', file: 'plugins/refezione/index.ts', specifier: 'luxon' },
      {
        title: 'a fixture plugin may import its own model',
        file: 'platform/tests/fixtures/sample_plugins/sample/index.ts',
        specifier: './models/note.js',
      },
    ])
    .run(async ({ assert }, row) => {
      assert.deepEqual(await restricted(row.file, use(row.specifier)), [])
    })

  test('{title}')
    .with([
      {
        title: 'a plugin importing platform internals by package path is refused',
        file: 'plugins/refezione/index.ts',
        specifier: '@sportello/platform/app/services/submissions/submission_service.js',
      },
      {
        title: 'a plugin importing the platform package root is refused',
        file: 'plugins/nidi/index.ts',
        specifier: '@sportello/platform',
      },
      {
        title: "a plugin importing the platform's aliases is refused",
        file: 'plugins/nidi/index.ts',
        specifier: '#models/enrolment',
      },
      {
        title: 'a plugin reaching into platform/ by a relative path is refused',
        file: 'plugins/nidi/lib/fees.ts',
        specifier: '../../../platform/app/models/enrolment.js',
      },
      {
        title: 'a plugin importing another plugin by package is refused',
        file: 'plugins/trasporto/index.ts',
        specifier: '@sportello/plugin-refezione',
      },
      {
        title: 'a plugin importing another plugin by a relative path is refused',
        file: 'plugins/trasporto/index.ts',
        specifier: '../refezione/index.js',
      },
      {
        title: 'a fixture plugin reaching into the platform is refused',
        file: 'platform/tests/fixtures/sample_plugins/sample/models/note.ts',
        specifier: '../../../../../app/models/mixins/tenant_scoped.js',
      },
      {
        title: 'the platform importing a plugin by a relative path is refused',
        file: 'platform/app/services/enrolments/enrolment_service.ts',
        specifier: '../../../plugins/refezione/index.js',
      },
      {
        title: 'the platform importing a plugin by package is refused',
        file: 'platform/app/services/enrolments/enrolment_service.ts',
        specifier: '@sportello/plugin-nidi',
      },
    ])
    .run(async ({ assert }, row) => {
      const messages = await restricted(row.file, use(row.specifier))
      assert.lengthOf(messages, 1, `${row.file} importing ${row.specifier}`)
    })
})
