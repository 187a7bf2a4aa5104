import { Link } from 'react-router'
import { useRuleSets } from '../../api/designer_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'

/** The designer's list of the tenant's rule sets, with the version in force today. */
export function RuleSetsPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const query = useRuleSets(tenant.slug)
  const base = `/t/${encodeURIComponent(tenant.slug)}/ufficio/regole`
  return (
    <section aria-labelledby="rulesets-title">
      <h1 id="rulesets-title" className="h2 mb-2">
        {t('designer.title')}
      </h1>
      <p className="mb-4">{t('designer.intro', { name: tenant.name })}</p>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <LoadError error={query.error} />
      ) : (
        <div className="table-responsive">
          <table className="table" data-testid="rulesets">
            <caption className="visually-hidden">{t('designer.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('designer.ruleset')}</th>
                <th scope="col">{t('designer.service')}</th>
                <th scope="col">{t('designer.versions')}</th>
                <th scope="col">{t('designer.inForce')}</th>
              </tr>
            </thead>
            <tbody>
              {query.data.rulesets.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`${base}/${encodeURIComponent(r.id)}`}>{r.title[lang] ?? r.title.it ?? r.id}</Link>
                    <div className="small text-secondary">{r.id}</div>
                  </th>
                  <td>{r.service}</td>
                  <td>{r.versions}</td>
                  <td>{r.current_version ?? t('designer.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
