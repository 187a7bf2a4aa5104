import type { TraceEntryDto } from '../../api/designer_queries'
import { useT } from '../../i18n'

/** The engine's trace as an operator reads it: each step, what it did, and the article it comes from. */
export function TracePanel({ trace, testId, open }: { trace: TraceEntryDto[]; testId?: string; open?: boolean }) {
  const { t, lang } = useT()
  return (
    <details open={open}>
      <summary>{t('designer.trace')}</summary>
      <div className="table-responsive">
        <table className="table table-sm" data-testid={testId}>
          <caption className="visually-hidden">{t('designer.trace')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('designer.step')}</th>
              <th scope="col">{t('designer.explanation')}</th>
              <th scope="col">{t('designer.source')}</th>
            </tr>
          </thead>
          <tbody>
            {trace.map((entry, i) => (
              <tr key={i}>
                <td>{entry.step}</td>
                <td>{lang === 'en' && entry.message_en ? entry.message_en : entry.message}</td>
                <td className="small">{entry.source ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  )
}
