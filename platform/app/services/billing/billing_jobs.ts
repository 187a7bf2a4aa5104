import env from '#start/env'
import type { JobQueue } from '#queue/types'
import {
  billingBatch,
  BILLING_COLLECT_JOB,
  BILLING_MONTHLY_CRON,
  BILLING_MONTHLY_JOB,
  BILLING_POSITION_JOB,
  BILLING_POSITIONS_JOB,
  billingCollectJob,
  billingMonthlyJob,
} from '#services/billing/billing_run'
import { billingPositionJob, billingPositionsJob } from '#services/billing/position_job'
import {
  BILLING_ARREARS_CRON,
  BILLING_ARREARS_JOB,
  BILLING_LETTER_JOB,
  BILLING_REMINDER_JOB,
  billingArrearsJob,
  billingLetterJob,
  billingReminderJob,
} from '#services/billing/arrears'
import {
  PREPAID_ALERT_JOB,
  PREPAID_DAILY_CRON,
  PREPAID_DAILY_JOB,
  prepaidAlertJob,
  prepaidDailyJob,
} from '#services/billing/prepaid'
import { INJUNCTION_JOB, billingInjunctionJob } from '#services/billing/injunctions'
import { BILLING_RECONCILE_CRON, BILLING_RECONCILE_JOB, billingReconcileJob } from '#services/billing/reconcile'
import { DEMO_BILLING_PAY_JOB, demoBillingPayJob } from '#services/content/demo_billing'

/** The billing jobs on the queue, and their schedules (Europe/Rome). */
export function defineBillingJobs(queue: JobQueue) {
  const perTransaction = env.get('BILLING_PAYERS_PER_TRANSACTION')
  if (perTransaction) {
    billingBatch.payersPerTransaction = perTransaction
    billingBatch.setBasedPayersPerTransaction = perTransaction
  }
  const concurrent = env.get('BILLING_CONCURRENT_TRANSACTIONS')
  if (concurrent) billingBatch.concurrentTransactions = concurrent
  queue.define(BILLING_COLLECT_JOB, billingCollectJob)
  queue.define(BILLING_POSITION_JOB, billingPositionJob)
  queue.define(BILLING_POSITIONS_JOB, billingPositionsJob)
  queue.define(BILLING_MONTHLY_JOB, billingMonthlyJob)
  queue.define(BILLING_RECONCILE_JOB, billingReconcileJob)
  queue.define(BILLING_ARREARS_JOB, billingArrearsJob)
  queue.define(BILLING_REMINDER_JOB, billingReminderJob)
  queue.define(BILLING_LETTER_JOB, billingLetterJob)
  queue.define(INJUNCTION_JOB, billingInjunctionJob)
  queue.define(PREPAID_DAILY_JOB, prepaidDailyJob)
  queue.define(PREPAID_ALERT_JOB, prepaidAlertJob)
  queue.define(DEMO_BILLING_PAY_JOB, demoBillingPayJob)
}

export async function scheduleBillingJobs(queue: JobQueue) {
  await queue.schedule(BILLING_MONTHLY_JOB, BILLING_MONTHLY_CRON, {}, { tz: 'Europe/Rome' })
  await queue.schedule(BILLING_RECONCILE_JOB, BILLING_RECONCILE_CRON, {}, { tz: 'Europe/Rome' })
  await queue.schedule(BILLING_ARREARS_JOB, BILLING_ARREARS_CRON, {}, { tz: 'Europe/Rome' })
  await queue.schedule(PREPAID_DAILY_JOB, PREPAID_DAILY_CRON, {}, { tz: 'Europe/Rome' })
}
