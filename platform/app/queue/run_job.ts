import { AsyncLocalStorage } from 'node:async_hooks'
import { RequestContext } from '#services/infrastructure/request_context'
import type { JobDefinition, JobEnvelope, JobRunContext } from '#queue/types'

const runs = new AsyncLocalStorage<{ name: string; id: string; runId: string }>()

/** The job run the code is part of, if any: external_attempts.ts records it as the owner of a call. */
export function currentJobRun() {
  return runs.getStore()
}

/** Runs a job body as platform code, inside its tenant when it has one. */
export async function runJob(
  definition: JobDefinition<unknown>,
  envelope: JobEnvelope,
  ctx: Omit<JobRunContext, 'tenant'>
) {
  const tenant = envelope.tenant
  return runs.run({ name: ctx.name, id: ctx.id, runId: ctx.runId }, () =>
    RequestContext.asSystem(`job:${ctx.name}`, () =>
      tenant
        ? RequestContext.withTenant(tenant, () => definition.handle(envelope.payload, { ...ctx, tenant }))
        : definition.handle(envelope.payload, ctx)
    )
  )
}
