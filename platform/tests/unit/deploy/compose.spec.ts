import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { PLATFORM_ROOT } from '#tests/helpers/processes'

/*
 * compose.yaml and the Dockerfile cannot be run here (no Docker): these tests hold them to the
 * code instead. The file parses; the layout is the documented one; every command names an entry
 * point the build writes, or a command `node ace.js` has, with flags it has; every variable
 * production requires is set, and no variable is set that the application does not read.
 */
const REPO = join(PLATFORM_ROOT, '..')
const read = (path: string) => readFileSync(join(REPO, path), 'utf8')
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, any> }
const services = compose.services

/** Variables of start/env.ts, and whether production requires them (not `.optional`). */
function envSchema() {
  const names = new Map<string, boolean>()
  for (const match of read('platform/start/env.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]+): (.*)$/gm)) {
    names.set(match[1], !match[2].includes('.optional') && !match[2].startsWith('(name'))
  }
  return names
}

let aceCommands: Promise<Array<{ commandName: string; flags: Array<{ flagName: string }> }>> | undefined
function listAceCommands() {
  aceCommands ??= promisify(execFile)('node', ['ace.js', 'list', '--json'], { cwd: PLATFORM_ROOT }).then((out) =>
    JSON.parse(out.stdout)
  )
  return aceCommands
}

/** The files `npm run build` writes at the top of build/, read from the build script itself. */
function buildEntries() {
  return [...read('scripts/build.mjs').matchAll(/writeFile\(\s*join\(OUT, '([\w.]+)'\)/g)].map((m) => m[1])
}

const APP_SERVICES = ['release', 'web', 'worker', 'simulators']

test.group('compose.yaml', () => {
  test('has the documented layout', ({ assert }) => {
    assert.match(services.postgres.image, /^postgres:15/)
    assert.match(services.redis.image, /^redis:/)
    assert.equal(services.web.environment.PROCESS_ROLE, 'web')
    assert.equal(services.web.deploy.replicas, 2)
    assert.equal(services.worker.environment.PROCESS_ROLE, 'worker')
    assert.equal(services.worker.deploy.replicas, 2)
    assert.match(services.proxy.image, /^nginx:/)
    // web and worker wait for the release step: migrations never race between replicas.
    for (const name of ['web', 'worker']) {
      assert.equal(services[name].depends_on.release.condition, 'service_completed_successfully', name)
    }
    assert.include(services.release.command.join(' '), 'node ace.js migration:run --force')
  })

  test('every command runs an entry point of the build or an existing ace command, with existing flags', async ({
    assert,
  }) => {
    const entries = buildEntries()
    assert.includeMembers(entries, ['server.js', 'worker.js', 'ace.js'])
    const ace = await listAceCommands()
    for (const name of APP_SERVICES) {
      const command: string[] = services[name].command
      const line = command[0] === 'sh' ? command[2] : command.join(' ')
      for (const run of line.split(/&&|;|\bthen\b/).map((part) => part.trim())) {
        const words = run
          .replace(/^if .*$/, '')
          .split(/\s+/)
          .filter(Boolean)
        if (words[0] !== 'node') continue
        const script = words.find((w) => w.endsWith('.js'))!
        assert.include(entries, script, `${name}: ${script} is not written by the build`)
        if (script !== 'ace.js') continue
        const [commandName, ...flags] = words.slice(words.indexOf('ace.js') + 1)
        const known = ace.find((c) => c.commandName === commandName)
        assert.exists(known, `${name}: node ace.js has no command ${commandName}`)
        for (const flag of flags) {
          const flagName = flag.replace(/^--/, '').split('=')[0]
          assert.isTrue(
            known!.flags.some((f) => f.flagName === flagName),
            `${name}: ${commandName} has no flag --${flagName}`
          )
        }
      }
    }
  }).timeout(60000)

  test('sets every variable production requires, and none the application does not read', ({ assert }) => {
    const schema = envSchema()
    const required = [...schema].filter(([, needed]) => needed).map(([name]) => name)
    const composeOnly = ['SPORTELLO_DEMO_SEED']
    for (const name of APP_SERVICES) {
      const environment = services[name].environment as Record<string, unknown>
      // SQLITE_PATH is needed only with DB_CONNECTION=sqlite.
      for (const variable of required) assert.property(environment, variable, `${name} lacks ${variable}`)
      for (const variable of Object.keys(environment)) {
        // Secrets a tenant's settings name (DOCAREA_PASSWORD_<ENTE>, PAGOPA_KEY_<ENTE>...) are read by name.
        const secret = /^(DOCAREA_PASSWORD|PAGOPA_KEY|SMS_KEY|IO_KEY)_/.test(variable)
        const known = schema.has(variable) || secret || composeOnly.includes(variable)
        assert.isTrue(known, `${name} sets ${variable}, which the application does not read`)
      }
    }
  })

  test('mounts files that exist, and the backup gets what scripts/backup.sh requires', ({ assert }) => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0]
        if (source.startsWith('./') && !source.startsWith('./backups'))
          assert.isTrue(existsSync(join(REPO, source)), `${name}: ${source}`)
      }
    }
    const script = read('scripts/backup.sh')
    for (const variable of ['PG_DB_NAME', 'STORAGE_PATH']) {
      assert.include(script, `\${${variable}:?`)
      assert.property(services.backup.environment, variable)
    }
    // Every 4 hours at most, for an RPO under 4 hours.
    assert.isAtMost(Number(services.backup.environment.BACKUP_INTERVAL_SECONDS), 4 * 3600)
    const template = read('deploy/nginx/sportello.conf.template')
    for (const variable of template.matchAll(/\$\{(SPORTELLO_\w+)\}/g)) {
      assert.property(services.proxy.environment, variable[1])
    }
  })
})

test.group('Dockerfile', () => {
  test('copies what exists, builds with the build script and runs the build as a non-root user', ({ assert }) => {
    const dockerfile = read('Dockerfile')
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)) {
      const sources = match[1].trim().split(/\s+/).slice(0, -1)
      for (const source of sources) assert.isTrue(existsSync(join(REPO, source)), `COPY ${source}`)
    }
    assert.match(dockerfile, /^FROM node:20[\w.-]* AS build$/m)
    assert.match(dockerfile, /apt-get install .*python3 make g\+\+/)
    assert.include(dockerfile, 'npm run build -- --no-links')
    assert.include(read('scripts/build.mjs'), "process.argv.includes('--no-links')")
    assert.include(dockerfile, 'npm ci --omit=dev')
    assert.match(dockerfile, /^USER node$/m)
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile)![1]
    assert.include(
      buildEntries(),
      JSON.parse(`[${cmd}]`).find((w: string) => w.endsWith('.js'))
    )
  })
})
