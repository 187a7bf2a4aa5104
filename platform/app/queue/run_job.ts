import { RequestContext } from '#services/request_context'
import type { JobDefinition, JobEnvelope, JobRunContext } from '#queue/types'

/** Runs a job body as platform code, inside its tenant when it has one. */
export async function runJob(
  definition: JobDefinition<unknown>,
  envelope: JobEnvelope,
  ctx: Omit<JobRunContext, 'tenant'>
) {
  const tenant = envelope.tenant
  return RequestContext.asSystem(`job:${ctx.name}`, () =>
    tenant
      ? RequestContext.withTenant(tenant, () => definition.handle(envelope.payload, { ...ctx, tenant }))
      : definition.handle(envelope.payload, ctx)
  )
}
