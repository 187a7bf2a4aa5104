import db from '@adonisjs/lucid/services/db'
import PaymentFlow from '#models/payment_flow'
import PaymentFlowLine from '#models/payment_flow_line'
import PaymentPosition from '#models/payment_position'
import type Tenant from '#models/tenant'
import { pagopaFor } from '#integrations/pagopa/pagopa_service'
import {
  reconcileFlow,
  transferKey,
  type FlowReconciliation,
  type KnownTransfer,
  type PositionLookup,
} from '#integrations/pagopa/reconciliation'
import type { ReportingFlow } from '#integrations/pagopa/reporting_flow'
import { applyPaymentIn } from '#services/billing/reconcile'

/**
 * Reconciliation from the reporting flows (flussi di rendicontazione, FdR 3: what each PSP credited
 * to the ente for a day, line by line; INTEGRATIONS.md, pagoPA). Each flow, once per id and revision:
 *
 * - every line (iuv + transfer) is matched to the transfer of a position the ledger created
 *   (`reconcileFlow` classifies it: matched, partial, overpaid, unmatched, duplicated, revoked);
 * - a matched, partial or overpaid line is posted as the position's payment under the same key a
 *   receipt uses (its IUR is the receipt's id), so a payment already read from its receipt is not
 *   posted again; the amount is what the flow says was paid;
 * - the flow's declared count and total are checked against its lines;
 * - the flow, its lines with their outcome and reason, and the payments are written in ONE
 *   transaction: a flow stopped midway is read again whole.
 *
 * The lines that are not `matched` (and flows whose totals do not add up) are the office's list.
 */
const BATCH = 500

/** The ledger's side of the lookup: the positions of these IUVs and the flows that already reported them. */
function ledgerLookup(flowId: string): PositionLookup {
  return {
    async transfers(keys) {
      const iuvs = [...new Set(keys.map((k) => k.iuv))]
      const out: KnownTransfer[] = []
      for (let i = 0; i < iuvs.length; i += BATCH) {
        const chunk = iuvs.slice(i, i + BATCH)
        const [positions, reported] = await Promise.all([
          PaymentPosition.query().whereIn('iuv', chunk),
          PaymentFlowLine.query()
            .whereIn('iuv', chunk)
            .whereIn('outcome', ['matched', 'partial', 'overpaid'])
            .join('payment_flows', 'payment_flows.id', 'payment_flow_lines.flow_row_id')
            .select('payment_flow_lines.*', 'payment_flows.flow_id as reported_flow', 'payment_flows.revision as rev'),
        ])
        const by = new Map<string, { flowId: string; revision: number }>()
        for (const line of reported) {
          const extras = line.$extras as { reported_flow: string; rev: number }
          // Another revision of the same flow reports the same transfers again: that is no duplicate.
          if (extras.reported_flow === flowId) continue
          by.set(transferKey(line.iuv, line.idTransfer), { flowId: extras.reported_flow, revision: Number(extras.rev) })
        }
        for (const position of positions) {
          // Positions carry one transfer, '1', for their whole amount (position_job.ts).
          out.push({
            iuv: position.iuv,
            idTransfer: '1',
            amount: position.amountCents,
            ref: String(position.id),
            reconciledBy: by.get(transferKey(position.iuv, '1')) ?? null,
          })
        }
      }
      return out
    },
  }
}

/** Records one flow (if not already recorded) and posts its payments; answers the classification, or null when known. */
export async function applyFlow(flow: ReportingFlow): Promise<FlowReconciliation | null> {
  const known = await PaymentFlow.query().where('flow_id', flow.id).where('revision', flow.revision).first()
  if (known) return null
  const result = await reconcileFlow(flow, ledgerLookup(flow.id))
  await db.transaction(async (trx) => {
    const row = await PaymentFlow.create(
      {
        flowId: flow.id.slice(0, 60),
        revision: flow.revision,
        pspId: flow.pspId.slice(0, 60),
        pspName: flow.pspName?.slice(0, 200) ?? null,
        flowDate: flow.flowDate.slice(0, 40),
        regulation: flow.regulation.slice(0, 60),
        regulationDate: flow.regulationDate.slice(0, 20),
        declaredCount: flow.declaredCount,
        declaredSumCents: flow.declaredSum,
        computedCount: result.totals.computedCount,
        computedSumCents: result.totals.computedSum,
        totalsOk: result.totals.ok,
        problems: result.totals.problems.length ? result.totals.problems : null,
        summary: result.summary,
      },
      { client: trx }
    )
    for (const line of result.lines) {
      const positionId = line.transfer ? Number(line.transfer.ref) : null
      await PaymentFlowLine.create(
        {
          flowRowId: row.id,
          lineIndex: line.line.index,
          iuv: line.line.iuv,
          iur: line.line.iur.slice(0, 35),
          idTransfer: line.line.idTransfer,
          amountCents: line.line.amount,
          payStatus: line.line.status,
          payDate: line.line.payDate.slice(0, 40),
          outcome: line.outcome,
          differenceCents: line.difference,
          positionId,
          reason: line.reason,
        },
        { client: trx }
      )
      if (positionId === null || !['matched', 'partial', 'overpaid'].includes(line.outcome)) continue
      // A payment of the position already read (its receipt under another id) is not posted twice.
      const other = await trx
        .from('ledger_entries')
        .where('tenant_id', row.tenantId)
        .where('kind', 'payment')
        .where('entry_key', 'like', `pagopa:${line.line.iuv}:%`)
        .whereNot('entry_key', `pagopa:${line.line.iuv}:${line.line.iur}`)
        .first()
      if (other) continue
      await applyPaymentIn(trx, positionId, {
        iuv: line.line.iuv,
        receiptId: line.line.iur,
        amount: line.line.amount,
        paymentDateTime: line.line.payDate,
        pspCompanyName: flow.pspName ?? flow.pspId,
        flowId: flow.id,
      })
    }
  })
  return result
}

/** Reads the tenant's published flows from FdR and reconciles the new ones. */
export async function reconcileFlows(tenant: Tenant) {
  const { gateway } = pagopaFor(tenant)
  const refs = await gateway.listFlows()
  const out = { flows: refs.length, reconciled: 0, lines: 0, anomalies: 0 }
  for (const ref of refs) {
    const recorded = await PaymentFlow.query().where('flow_id', ref.fdr).where('revision', ref.revision).first()
    if (recorded) continue
    const result = await applyFlow(await gateway.getFlow(ref))
    if (!result) continue
    out.reconciled++
    out.lines += result.lines.length
    out.anomalies += result.lines.filter((l) => l.outcome !== 'matched').length + (result.totals.ok ? 0 : 1)
  }
  return out
}
