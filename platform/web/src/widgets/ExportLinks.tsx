import { useT } from '../i18n'

/** Download what a list shows, with its filters, as a spreadsheet or CSV (in the reader's language). */
export function ExportLinks({ href, what }: { href: (format: 'xlsx' | 'csv') => string; what: string }) {
  const { t, lang } = useT()
  const withLang = (url: string) => `${url}${url.includes('?') ? '&' : '?'}lang=${lang}`
  return (
    <div className="d-flex flex-wrap gap-2 mb-3 align-items-center" data-testid="export-links">
      <span className="fw-semibold">{t('export.title')}</span>
      <a className="btn btn-outline-primary btn-sm" href={withLang(href('xlsx'))} download>
        {t('export.xlsx')}
        <span className="visually-hidden"> – {what}</span>
      </a>
      <a className="btn btn-outline-primary btn-sm" href={withLang(href('csv'))} download>
        {t('export.csv')}
        <span className="visually-hidden"> – {what}</span>
      </a>
    </div>
  )
}
