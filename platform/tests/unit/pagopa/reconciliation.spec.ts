import { test } from '@japa/runner'
import fc from 'fast-check'
import {
  checkFlowTotals,
  checkTreasuryCredit,
  classifyFlow,
  flowIdFromRemittance,
  reconcileFlow,
  type KnownTransfer,
} from '#integrations/pagopa/reconciliation'
import {
  flowFromFdr,
  flowFromXml,
  ReportingFlowError,
  type FlowLine,
  type ReportingFlow,
} from '#integrations/pagopa/reporting_flow'

const FLOW_ID = '2026-03-04SIMPSPIT1XX-0000001'

function line(index: number, iuv: string, amount: number, extra: Partial<FlowLine> = {}): FlowLine {
  return {
    index,
    iuv,
    iur: `IUR${index}`,
    idTransfer: '1',
    amount,
    status: 'EXECUTED',
    payDate: '2026-03-04',
    ...extra,
  }
}

function flow(lines: FlowLine[], declared?: { count?: number; sum?: number }): ReportingFlow {
  return {
    id: FLOW_ID,
    revision: 1,
    pspId: 'SIMPSPIT1XX',
    pspName: 'Banca Simulata S.p.A.',
    organizationId: '00229080338',
    flowDate: '2026-03-06T08:00:00Z',
    regulation: 'TRN20260304SIMPSPIT1XX0001',
    regulationDate: '2026-03-05',
    bicCodePouringBank: 'SIMBITM1XXX',
    declaredCount: declared?.count ?? lines.length,
    declaredSum: declared?.sum ?? lines.reduce((s, l) => s + l.amount, 0),
    lines,
    source: 'fdr3',
  }
}

const KNOWN: KnownTransfer[] = [
  { iuv: '01000000000000144', idTransfer: '1', amount: 4520, ref: 'charge-1' },
  { iuv: '01000000000000237', idTransfer: '1', amount: 3000, ref: 'charge-2' },
  { iuv: '01000000000000237', idTransfer: '2', amount: 500, ref: 'charge-2b' },
  {
    iuv: '01000000000000330',
    idTransfer: '1',
    amount: 1000,
    ref: 'charge-3',
    reconciledBy: { flowId: 'ALTRO-FLUSSO' },
  },
  {
    iuv: '01000000000000423',
    idTransfer: '1',
    amount: 2000,
    ref: 'charge-4',
    reconciledBy: { flowId: FLOW_ID, revision: 1 },
  },
]

test.group('Reconciliation: classifying a flow', () => {
  test('each line is matched, unmatched, duplicated, partial, overpaid or revoked, with its reason', ({ assert }) => {
    const result = classifyFlow(
      flow([
        line(1, '01000000000000144', 4520),
        line(2, '01000000000000237', 2500),
        line(3, '01000000000000237', 600, { idTransfer: '2' }),
        line(4, '01000000000000999', 100),
        line(5, '01000000000000144', 4520),
        line(6, '01000000000000330', 1000),
        line(7, '01000000000000423', 2000),
        line(8, '01000000000000144', 4520, { status: 'REVOKED' }),
      ]),
      KNOWN
    )
    assert.deepEqual(
      result.lines.map((l) => [l.line.index, l.outcome, l.transfer?.ref ?? null, l.difference]),
      [
        [1, 'matched', 'charge-1', 0],
        [2, 'partial', 'charge-2', -500],
        [3, 'overpaid', 'charge-2b', 100],
        [4, 'unmatched', null, 0],
        [5, 'duplicated', 'charge-1', 0],
        [6, 'duplicated', 'charge-3', 0],
        // Reconciling the same flow again is not a duplicate.
        [7, 'matched', 'charge-4', 0],
        [8, 'revoked', 'charge-1', 0],
      ]
    )
    assert.equal(
      result.lines[5].reason.en,
      'IUV 01000000000000330, transfer 1 was already reported by flow ALTRO-FLUSSO'
    )
    assert.equal(
      result.lines[3].reason.it,
      "nessuna posizione dell'ente ha IUV 01000000000000999 con il trasferimento 1"
    )
    assert.deepEqual(result.summary.matched, { count: 2, amount: 6520 })
    assert.deepEqual(result.summary.duplicated, { count: 2, amount: 5520 })
    assert.isTrue(result.totals.ok)
  })

  test('a flow whose declared count or sum differs from its lines fails its totals check', ({ assert }) => {
    const bad = checkFlowTotals(flow([line(1, 'a', 100), line(2, 'b', 250)], { count: 3, sum: 400 }))
    assert.isFalse(bad.ok)
    assert.equal(bad.computedSum, 350)
    assert.deepEqual(
      bad.problems.map((p) => p.en),
      [
        'the flow declares 3 payments but holds 2',
        'the flow declares a total of 400 cents but its payments add up to 350',
      ]
    )
  })

  test('the lookup is asked once, for each distinct transfer', async ({ assert }) => {
    const asked: Array<Array<{ iuv: string; idTransfer: string }>> = []
    const result = await reconcileFlow(
      flow([line(1, '01000000000000144', 4520), line(2, '01000000000000144', 4520), line(3, 'x', 1)]),
      {
        transfers: async (keys) => {
          asked.push(keys)
          return KNOWN
        },
      }
    )
    assert.deepEqual(asked, [
      [
        { iuv: '01000000000000144', idTransfer: '1' },
        { iuv: 'x', idTransfer: '1' },
      ],
    ])
    assert.deepEqual(
      result.lines.map((l) => l.outcome),
      ['matched', 'duplicated', 'unmatched']
    )
  })

  test('property: every line gets one outcome and the outcomes add up to the flow', ({ assert }) => {
    const lineArb = fc.record({
      iuv: fc.constantFrom('01000000000000144', '01000000000000237', '01000000000000330', '01000000000000999'),
      idTransfer: fc.constantFrom('1', '2'),
      amount: fc.integer({ min: 1, max: 100_000 }),
      status: fc.constantFrom('EXECUTED', 'REVOKED', 'STAND_IN') as fc.Arbitrary<FlowLine['status']>,
    })
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 40 }), (specs) => {
        const lines = specs.map((s, i) => line(i + 1, s.iuv, s.amount, { idTransfer: s.idTransfer, status: s.status }))
        const result = classifyFlow(flow(lines), KNOWN)
        assert.lengthOf(result.lines, lines.length)
        const counted = Object.values(result.summary).reduce((n, s) => n + s.count, 0)
        const summed = Object.values(result.summary).reduce((n, s) => n + s.amount, 0)
        assert.equal(counted, lines.length)
        assert.equal(summed, result.totals.computedSum)
        // A transfer is matched at most once per flow.
        const matched = result.lines
          .filter((l) => l.outcome === 'matched')
          .map((l) => `${l.line.iuv}#${l.line.idTransfer}`)
        assert.equal(new Set(matched).size, matched.length)
      }),
      { numRuns: 300 }
    )
  })
})

test.group('Reconciliation: treasury credits', () => {
  test('the remittance names the flow and must carry its total', ({ assert }) => {
    assert.equal(flowIdFromRemittance(`/PUR/LGPE-RIVERSAMENTO/URI/${FLOW_ID}`), FLOW_ID)
    assert.equal(flowIdFromRemittance(`BONIFICO /PUR/LGPE-RIVERSAMENTO/URI/${FLOW_ID} PAGOPA`), FLOW_ID)
    assert.isNull(flowIdFromRemittance('Riversamento incassi marzo'))
    const f = flow([line(1, 'a', 100), line(2, 'b', 250)])
    assert.deepEqual(checkTreasuryCredit({ remittance: `/PUR/LGPE-RIVERSAMENTO/URI/${FLOW_ID}`, amount: 350 }, f), {
      ok: true,
      problem: null,
    })
    const short = checkTreasuryCredit({ remittance: `/PUR/LGPE-RIVERSAMENTO/URI/${FLOW_ID}`, amount: 340 }, f)
    assert.isFalse(short.ok)
    assert.equal(short.problem!.en, `the credit is 340 cents, flow ${FLOW_ID} declares 350`)
    assert.isFalse(checkTreasuryCredit({ remittance: 'altro', amount: 350 }, f).ok)
  })
})

test.group('Reporting flows: reading FdR 3 and the legacy XML', () => {
  test('FdR 3 JSON: euro numbers become exact cents', ({ assert }) => {
    const parsed = flowFromFdr(
      {
        fdr: FLOW_ID,
        revision: 2,
        fdrDate: '2026-03-06T08:00:00Z',
        regulation: 'TRN1',
        regulationDate: '2026-03-05',
        sender: { pspId: 'SIMPSPIT1XX', pspName: 'Banca' },
        receiver: { organizationId: '00229080338' },
        totPayments: 3,
        sumPayments: 0.3,
      },
      [
        {
          index: 1,
          iuv: 'a',
          iur: 'r1',
          idTransfer: 1,
          pay: 0.1,
          payStatus: 'EXECUTED',
          payDate: '2026-03-04T10:00:00Z',
        },
        {
          index: 2,
          iuv: 'b',
          iur: 'r2',
          idTransfer: 2,
          pay: 0.2,
          payStatus: 'STAND_IN',
          payDate: '2026-03-04T11:00:00Z',
        },
        { index: 3, iuv: 'c', iur: 'r3', idTransfer: 1, pay: 1234567.89, payStatus: 'REVOKED', payDate: '2026-03-04' },
      ]
    )
    // 0.1 + 0.2 is not 0.3 in floats; in cents it is.
    assert.deepEqual(
      parsed.lines.map((l) => l.amount),
      [10, 20, 123456789]
    )
    assert.equal(parsed.declaredSum, 30)
    assert.equal(parsed.revision, 2)
    assert.equal(parsed.lines[1].idTransfer, '2')
    assert.throws(
      () =>
        flowFromFdr({ fdr: 'x', sender: { pspId: 'p' }, receiver: { organizationId: 'o' } }, [
          { iuv: 'a', iur: 'b', idTransfer: 9, pay: 1, payStatus: 'EXECUTED', payDate: 'd' },
        ]),
      ReportingFlowError as never
    )
    assert.throws(
      () =>
        flowFromFdr(
          {
            fdr: 'x',
            sender: { pspId: 'p' },
            receiver: { organizationId: 'o' },
            fdrDate: 'd',
            regulation: 'r',
            regulationDate: 'd',
            sumPayments: 0.001,
          },
          []
        ),
      /not an amount in euro/
    )
  })

  test('FlussoRiversamento XML', ({ assert }) => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<pay_i:FlussoRiversamento xmlns:pay_i="http://www.digitpa.gov.it/schemas/2011/Pagamenti/">
  <pay_i:versioneOggetto>1.0</pay_i:versioneOggetto>
  <pay_i:identificativoFlusso>2026-03-04SIMPSPIT1XX-0000001</pay_i:identificativoFlusso>
  <pay_i:dataOraFlusso>2026-03-06T08:00:00</pay_i:dataOraFlusso>
  <pay_i:identificativoUnivocoRegolamento>TRN20260304SIMPSPIT1XX0001</pay_i:identificativoUnivocoRegolamento>
  <pay_i:dataRegolamento>2026-03-05</pay_i:dataRegolamento>
  <pay_i:istitutoMittente>
    <pay_i:identificativoUnivocoMittente>
      <pay_i:tipoIdentificativoUnivoco>B</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>SIMPSPIT1XX</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoMittente>
    <pay_i:denominazioneMittente>Banca Simulata S.p.A.</pay_i:denominazioneMittente>
  </pay_i:istitutoMittente>
  <pay_i:istitutoRicevente>
    <pay_i:identificativoUnivocoRicevente>
      <pay_i:tipoIdentificativoUnivoco>G</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>00229080338</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoRicevente>
  </pay_i:istitutoRicevente>
  <pay_i:numeroTotalePagamenti>2</pay_i:numeroTotalePagamenti>
  <pay_i:importoTotalePagamenti>75.20</pay_i:importoTotalePagamenti>
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>01000000000000144</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>IUR1</pay_i:identificativoUnivocoRiscossione>
    <pay_i:indiceDatiSingoloPagamento>1</pay_i:indiceDatiSingoloPagamento>
    <pay_i:singoloImportoPagato>45.20</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>0</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>2026-03-04</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>01000000000000237</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>IUR2</pay_i:identificativoUnivocoRiscossione>
    <pay_i:singoloImportoPagato>30.00</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>9</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>2026-03-04</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>
</pay_i:FlussoRiversamento>`
    const parsed = flowFromXml(xml)
    assert.equal(parsed.id, '2026-03-04SIMPSPIT1XX-0000001')
    assert.equal(parsed.pspId, 'SIMPSPIT1XX')
    assert.equal(parsed.organizationId, '00229080338')
    assert.equal(parsed.declaredSum, 7520)
    assert.deepEqual(
      parsed.lines.map((l) => [l.iuv, l.idTransfer, l.amount, l.status]),
      [
        ['01000000000000144', '1', 4520, 'EXECUTED'],
        ['01000000000000237', '1', 3000, 'NO_RPT'],
      ]
    )
    const result = classifyFlow(parsed, KNOWN)
    assert.deepEqual(
      result.lines.map((l) => l.outcome),
      ['matched', 'matched']
    )
    assert.throws(() => flowFromXml('<a>'), ReportingFlowError as never)
    assert.throws(() => flowFromXml(xml.replace('45.20', '45,20')), /singoloImportoPagato is not an amount/)
  })
})
