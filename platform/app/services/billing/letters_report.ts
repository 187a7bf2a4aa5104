import ArrearsLetter from '#models/arrears_letter'
import Enrolment from '#models/enrolment'
import LedgerEntry from '#models/ledger_entry'
import PaymentPosition from '#models/payment_position'
import User from '#models/user'
import { centsToEuro } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import type { ReportColumn, ReportValue } from '#sdk/types'

/**
 * The monthly report of the arrears letters sent (seed 000, "In caso di mancato pagamento": the
 * parent's codice fiscale, the child's position, the amount owed): one row per position a letter of
 * the month listed, with the letter's protocol number and the children its charges are for.
 */
export const LETTER_REPORT_COLUMNS: ReportColumn[] = [
  { key: 'protocol', label: { it: 'Protocollo', en: 'Protocol' }, type: 'text', width: 16 },
  { key: 'protocol_date', label: { it: 'Data protocollo', en: 'Protocol date' }, type: 'date' },
  { key: 'payer_fiscal_code', label: { it: 'Codice fiscale genitore', en: "Parent's fiscal code" }, type: 'text' },
  { key: 'payer_name', label: { it: 'Genitore', en: 'Parent' }, type: 'text', width: 24 },
  { key: 'children', label: { it: 'Bambini', en: 'Children' }, type: 'text', width: 28 },
  { key: 'position', label: { it: 'Posizione (IUPD)', en: 'Position (IUPD)' }, type: 'text', width: 36 },
  { key: 'notice_code', label: { it: 'Codice avviso', en: 'Notice code' }, type: 'text', width: 26 },
  { key: 'period', label: { it: 'Periodo', en: 'Period' }, type: 'text', width: 10 },
  { key: 'owed', label: { it: 'Importo dovuto', en: 'Amount owed' }, type: 'money' },
  { key: 'channel', label: { it: 'Inviata con', en: 'Sent by' }, type: 'text', width: 10 },
]

const PAGE = 200

export async function* letterReportRows(month: string): AsyncIterable<Record<string, ReportValue>> {
  let lastId = 0
  for (;;) {
    const letters = await ArrearsLetter.query()
      .where('sent_month', month)
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(PAGE)
    if (letters.length === 0) return
    const positionIds = [...new Set(letters.flatMap((l) => l.positions.map((p) => p.id)))]
    const [positions, payers, items] = await Promise.all([
      PaymentPosition.query().whereIn('id', positionIds),
      User.query().whereIn('id', [...new Set(letters.map((l) => l.payerUserId))]),
      LedgerEntry.query()
        .join('position_charges', 'position_charges.entry_id', 'ledger_entries.id')
        .whereIn('position_charges.position_id', positionIds)
        .select('ledger_entries.enrolment_id', 'position_charges.position_id'),
    ])
    const enrolmentIds = [...new Set(items.map((i) => i.enrolmentId).filter((id): id is number => id !== null))]
    const enrolments = enrolmentIds.length ? await Enrolment.query().whereIn('id', enrolmentIds) : []
    const childOf = new Map(
      enrolments.map((e) => [e.id, [e.childFirstName, e.childLastName].filter(Boolean).join(' ')])
    )
    const childrenOf = new Map<number, Set<string>>()
    for (const item of items) {
      const positionId = Number(item.$extras.position_id)
      const set = childrenOf.get(positionId) ?? new Set<string>()
      const name = item.enrolmentId ? childOf.get(item.enrolmentId) : null
      if (name) set.add(name)
      childrenOf.set(positionId, set)
    }
    const byId = new Map(positions.map((p) => [p.id, p]))
    const payerOf = new Map(payers.map((u) => [u.id, u]))
    for (const letter of letters) {
      for (const { id, owed_cents: owed } of letter.positions) {
        const position = byId.get(id)
        if (!position) continue
        yield {
          protocol: letter.protocolLabel,
          protocol_date: letter.protocolDate,
          payer_fiscal_code: payerOf.get(letter.payerUserId)?.fiscalCode ?? null,
          payer_name: payerOf.get(letter.payerUserId)?.fullName ?? null,
          children: [...(childrenOf.get(id) ?? [])].join(', '),
          position: position.iupd,
          notice_code: formatNoticeNumber(position.nav),
          period: position.period,
          owed: centsToEuro(owed),
          channel: letter.channel,
        }
      }
    }
    lastId = letters[letters.length - 1].id
  }
}
