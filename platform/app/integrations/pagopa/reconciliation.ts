import type { FlowLine, ReportingFlow } from '#integrations/pagopa/reporting_flow'

/**
 * Reconciliation primitives: each line of a reporting flow (iuv + idTransfer) is matched to the
 * transfer of a debt position the ledger knows, and classified; a flow's total is checked against
 * its lines, and a treasury credit against the flow it names. Pure functions: the ledger gives the
 * transfers it knows through a PositionLookup and records the outcome itself.
 */

/** A transfer of a position the ledger created, as the lookup answers it. */
export interface KnownTransfer {
  iuv: string
  idTransfer: string
  /** What the transfer asks for, in cents. */
  amount: number
  /** The ledger's reference for it (charge, position, …), handed back untouched. */
  ref: string
  /** When the ledger already reconciled this transfer: from which flow. */
  reconciledBy?: { flowId: string; revision?: number } | null
}

/** The ledger's side: the transfers among `keys` that it knows (missing ones simply absent). */
export interface PositionLookup {
  transfers(keys: Array<{ iuv: string; idTransfer: string }>): Promise<KnownTransfer[]>
}

export type LineOutcome = 'matched' | 'unmatched' | 'duplicated' | 'partial' | 'overpaid' | 'revoked'

export interface LineResult {
  line: FlowLine
  outcome: LineOutcome
  transfer: KnownTransfer | null
  /** Paid minus expected, in cents (0 when matched). */
  difference: number
  reason: { it: string; en: string }
}

export interface FlowTotals {
  ok: boolean
  declaredCount: number
  computedCount: number
  declaredSum: number
  computedSum: number
  problems: Array<{ it: string; en: string }>
}

export interface FlowReconciliation {
  flowId: string
  revision: number
  pspId: string
  totals: FlowTotals
  lines: LineResult[]
  summary: Record<LineOutcome, { count: number; amount: number }>
}

export function transferKey(iuv: string, idTransfer: string | number) {
  return `${iuv}#${String(Number(idTransfer))}`
}

/** The flow's declared count and sum against its lines (revoked lines count with their amount, as pagoPA sums them). */
export function checkFlowTotals(flow: ReportingFlow): FlowTotals {
  const computedCount = flow.lines.length
  const computedSum = flow.lines.reduce((sum, line) => sum + line.amount, 0)
  const problems: FlowTotals['problems'] = []
  if (computedCount !== flow.declaredCount) {
    problems.push({
      it: `il flusso dichiara ${flow.declaredCount} pagamenti ma ne contiene ${computedCount}`,
      en: `the flow declares ${flow.declaredCount} payments but holds ${computedCount}`,
    })
  }
  if (computedSum !== flow.declaredSum) {
    problems.push({
      it: `il flusso dichiara un totale di ${flow.declaredSum} centesimi ma i pagamenti sommano ${computedSum}`,
      en: `the flow declares a total of ${flow.declaredSum} cents but its payments add up to ${computedSum}`,
    })
  }
  return {
    ok: problems.length === 0,
    declaredCount: flow.declaredCount,
    computedCount,
    declaredSum: flow.declaredSum,
    computedSum,
    problems,
  }
}

/** Classifies every line against the transfers the ledger knows; linear in the lines. */
export function classifyFlow(flow: ReportingFlow, known: KnownTransfer[]): FlowReconciliation {
  const byKey = new Map(known.map((t) => [transferKey(t.iuv, t.idTransfer), t]))
  const seen = new Set<string>()
  const lines: LineResult[] = flow.lines.map((line) => {
    const key = transferKey(line.iuv, line.idTransfer)
    const transfer = byKey.get(key) ?? null
    const result = (outcome: LineOutcome, reason: LineResult['reason'], difference = 0): LineResult => ({
      line,
      outcome,
      transfer,
      difference,
      reason,
    })
    if (line.status === 'REVOKED') {
      return result('revoked', {
        it: `pagamento revocato dal PSP (IUV ${line.iuv}, trasferimento ${line.idTransfer})`,
        en: `payment revoked by the PSP (IUV ${line.iuv}, transfer ${line.idTransfer})`,
      })
    }
    if (seen.has(key)) {
      return result('duplicated', {
        it: `IUV ${line.iuv}, trasferimento ${line.idTransfer} compare più volte nel flusso`,
        en: `IUV ${line.iuv}, transfer ${line.idTransfer} appears more than once in the flow`,
      })
    }
    seen.add(key)
    if (!transfer) {
      return result('unmatched', {
        it: `nessuna posizione dell'ente ha IUV ${line.iuv} con il trasferimento ${line.idTransfer}`,
        en: `no position of the ente has IUV ${line.iuv} with transfer ${line.idTransfer}`,
      })
    }
    const by = transfer.reconciledBy
    if (by && (by.flowId !== flow.id || (by.revision !== undefined && by.revision !== flow.revision))) {
      return result('duplicated', {
        it: `IUV ${line.iuv}, trasferimento ${line.idTransfer} è già stato rendicontato dal flusso ${by.flowId}`,
        en: `IUV ${line.iuv}, transfer ${line.idTransfer} was already reported by flow ${by.flowId}`,
      })
    }
    const difference = line.amount - transfer.amount
    if (difference < 0) {
      return result(
        'partial',
        {
          it: `pagati ${line.amount} centesimi su ${transfer.amount} attesi`,
          en: `${line.amount} cents paid of ${transfer.amount} expected`,
        },
        difference
      )
    }
    if (difference > 0) {
      return result(
        'overpaid',
        {
          it: `pagati ${line.amount} centesimi, ${difference} più dei ${transfer.amount} attesi`,
          en: `${line.amount} cents paid, ${difference} more than the ${transfer.amount} expected`,
        },
        difference
      )
    }
    return result('matched', { it: 'pagamento riconciliato', en: 'payment reconciled' })
  })
  const summary = Object.fromEntries(
    (['matched', 'unmatched', 'duplicated', 'partial', 'overpaid', 'revoked'] as const).map((o) => [
      o,
      { count: 0, amount: 0 },
    ])
  ) as FlowReconciliation['summary']
  for (const line of lines) {
    summary[line.outcome].count++
    summary[line.outcome].amount += line.line.amount
  }
  return { flowId: flow.id, revision: flow.revision, pspId: flow.pspId, totals: checkFlowTotals(flow), lines, summary }
}

/** Asks the lookup once for every distinct transfer of the flow, then classifies. */
export async function reconcileFlow(flow: ReportingFlow, lookup: PositionLookup): Promise<FlowReconciliation> {
  const keys = new Map<string, { iuv: string; idTransfer: string }>()
  for (const line of flow.lines)
    keys.set(transferKey(line.iuv, line.idTransfer), { iuv: line.iuv, idTransfer: line.idTransfer })
  const known = keys.size ? await lookup.transfers([...keys.values()]) : []
  return classifyFlow(flow, known)
}

/**
 * The flow a treasury credit pays: its remittance text carries `/PUR/LGPE-RIVERSAMENTO/URI/<flow id>`
 * (pagoPA's rule for the SEPA credit that settles a flow). Null when the text names none.
 */
export function flowIdFromRemittance(remittance: string): string | null {
  const match = /\/PUR\/LGPE-RIVERSAMENTO\/URI\/([A-Za-z0-9_-]{1,35})/.exec(remittance)
  return match ? match[1] : null
}

/** A treasury credit against the flow it names: the amounts must be equal. */
export function checkTreasuryCredit(
  credit: { remittance: string; amount: number },
  flow: ReportingFlow
): { ok: boolean; problem: { it: string; en: string } | null } {
  const named = flowIdFromRemittance(credit.remittance)
  if (named !== flow.id) {
    return {
      ok: false,
      problem: {
        it: `il bonifico indica il flusso ${named ?? '(nessuno)'}, non ${flow.id}`,
        en: `the credit names flow ${named ?? '(none)'}, not ${flow.id}`,
      },
    }
  }
  if (credit.amount !== flow.declaredSum) {
    return {
      ok: false,
      problem: {
        it: `il bonifico è di ${credit.amount} centesimi, il flusso ${flow.id} ne dichiara ${flow.declaredSum}`,
        en: `the credit is ${credit.amount} cents, flow ${flow.id} declares ${flow.declaredSum}`,
      },
    }
  }
  return { ok: true, problem: null }
}
