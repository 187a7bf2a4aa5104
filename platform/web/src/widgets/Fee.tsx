import type { EvaluationDto, FeeSummary, FeeUnit } from '#shared/contract'
import { formatEuro, useT } from '../i18n'

/** What a family reads of a fee: from the server's summary, else from the plain outputs. */
export interface FeeView {
  amount: string | null
  unit: FeeUnit | null
  band: string | null
  exempt: boolean
  reasons: string[]
  text: string | null
}

/**
 * The reading of an evaluation: the summary in the reader's language when the server gives one;
 * otherwise the outputs as they are (amount, band, exemption) and the unit only if the rule set
 * names it. Nothing is guessed: no unit is printed that the server did not state.
 */
export function feeView(evaluation: EvaluationDto): FeeView {
  const summary: FeeSummary | undefined = evaluation.summary
  const result = evaluation.result ?? {}
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null)
  return {
    amount: summary?.amount ?? str(result.amount),
    unit: summary?.unit ?? evaluation.units?.amount ?? null,
    band: summary?.band ?? str(result.band),
    exempt: summary?.exempt ?? result.exempt === true,
    reasons: summary?.reasons ?? [],
    text: summary?.text ?? null,
  }
}

/** "€ 3,43" and its unit ("a pasto"), each in its own element (tests and styles read them apart). */
export function FeeAmount({ amount, unit, testId }: { amount: string; unit: FeeUnit | null; testId?: string }) {
  const { t, lang } = useT()
  return (
    <span className="fee-amount-text">
      <span className="text-nowrap" data-testid={testId}>
        {formatEuro(amount, lang)}
      </span>
      {unit && (
        <>
          {' '}
          <span className="fee-unit" data-testid={testId ? `${testId}-unit` : undefined}>
            {t(`fee.unit_${unit}`)}
          </span>
        </>
      )}
    </span>
  )
}

/** The band with a capital, whichever case the rule set wrote it in ("ridotta" → "Ridotta"). */
export function bandLabel(band: string): string {
  return band.charAt(0).toUpperCase() + band.slice(1)
}
