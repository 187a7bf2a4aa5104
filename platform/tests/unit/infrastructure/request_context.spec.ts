import { test } from '@japa/runner'
import { http } from '#config/app'
import { currentLanguage } from '#i18n/catalogue'
import { currentJobRun, runJob } from '#queue/run_job'
import { RequestContext, type LanguageSource } from '#services/infrastructure/request_context'
import type { JobDefinition, JobEnvelope, JobRunContext } from '#queue/types'

/** A request that asks for `lang` in its query string. */
const asking = (lang: string): LanguageSource => ({ qs: () => ({ lang }), language: () => null })

const run = { name: 'test.job', id: '1', runId: 'r1', attempt: 1, log: { info() {}, error() {} } } as unknown as Omit<
  JobRunContext,
  'tenant'
>
const envelope = (tenant?: { id: number; slug: string }) => ({ payload: {}, tenant }) as unknown as JobEnvelope

test.group('RequestContext: the process keeps one context', () => {
  test('the framework keeps no context of its own beside it', ({ assert }) => {
    // Each AsyncLocalStorage in use adds its own work to every promise the process makes.
    assert.isFalse(http.useAsyncLocalStorage)
  })

  test('the request language is read from the context, in nested contexts too', async ({ assert }) => {
    assert.equal(currentLanguage(), 'it')
    await RequestContext.run({ request: asking('en') }, async () => {
      assert.equal(currentLanguage(), 'en')
      await Promise.resolve()
      RequestContext.withTenant({ id: 1, slug: 'x' }, () => assert.equal(currentLanguage(), 'en'))
      RequestContext.asSystem('nested', () => assert.equal(currentLanguage(), 'en'))
      RequestContext.run({}, () => assert.equal(currentLanguage(), 'en'))
    })
    RequestContext.run({ request: asking('it') }, () => assert.equal(currentLanguage(), 'it'))
  })

  test('a job knows its run, in the contexts it opens, and no request language', async ({ assert }) => {
    const seen: unknown[] = []
    const definition = {
      name: 'test.job',
      handle: async () => {
        seen.push(currentJobRun()?.runId, currentLanguage(), RequestContext.current()?.allTenants)
        await new Promise((resolve) => setImmediate(resolve))
        RequestContext.asSystem('inner', () => seen.push(currentJobRun()?.name))
        RequestContext.withTenant({ id: 7, slug: 't' }, () => seen.push(currentJobRun()?.id))
      },
    } as unknown as JobDefinition<unknown>
    // Started from a request's context (a runner woken by a request): the job does not speak its language.
    await RequestContext.run({ request: asking('en') }, () => runJob(definition, envelope(), run))
    assert.deepEqual(seen, ['r1', 'it', true, 'test.job', '1'])
    assert.isUndefined(currentJobRun())
  })

  test('a job with a tenant runs in it, as platform code', async ({ assert }) => {
    let seen: unknown
    const definition = {
      handle: async () => {
        seen = { tenant: RequestContext.tenant(), actor: RequestContext.actor()?.label, run: currentJobRun()?.name }
      },
    } as unknown as JobDefinition<unknown>
    await runJob(definition, envelope({ id: 3, slug: 'comune' }), run)
    assert.deepEqual(seen, { tenant: { id: 3, slug: 'comune' }, actor: 'system:job:test.job', run: 'test.job' })
  })
})
