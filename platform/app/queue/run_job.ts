import { RequestContext } from '#services/infrastructure/request_context'
import type { JobDefinition, JobEnvelope, JobRunContext } from '#queue/types'

/** The job run the code is part of, if any: external_attempts.ts records it as the owner of a call. */
export function currentJobRun() {
  return RequestContext.jobRun()
}

/** Runs a job body as platform code, inside its tenant when it has one. */
export async function runJob(
  definition: JobDefinition<unknown>,
  envelope: JobEnvelope,
  ctx: Omit<JobRunContext, 'tenant'>
) {
  const tenant = envelope.tenant
  // A job speaks no request's language, even when the request that woke the runner is still in context.
  return RequestContext.run({ request: undefined, jobRun: { name: ctx.name, id: ctx.id, runId: ctx.runId } }, () =>
    RequestContext.asSystem(`job:${ctx.name}`, () =>
      tenant
        ? RequestContext.withTenant(tenant, () => definition.handle(envelope.payload, { ...ctx, tenant }))
        : definition.handle(envelope.payload, ctx)
    )
  )
}
