import { Link } from 'react-router'
import { useMe } from '../api/queries'
import { useT } from '../i18n'

/** For a user of several tenants (or of none yet): where to go. */
export function TenantsPage() {
  const { t } = useT()
  const { data: me } = useMe()
  if (!me) return null
  return (
    <>
      <h1 className="h2 mb-4">{t('tenants.title')}</h1>
      {me.isPlatformAdmin && (
        <p>
          <Link to="/piattaforma/enti">{t('platform.title')}</Link>
        </p>
      )}
      {me.tenants.length === 0 && !me.isPlatformAdmin && <p>{t('tenants.none')}</p>}
      <ul className="list-unstyled row g-3 portal-cards">
        {me.tenants.map((tenant) => (
          <li key={tenant.slug} className="col-12 col-md-6 col-lg-4">
            <div className="card card-bg shadow-sm h-100">
              <div className="card-body d-flex flex-column">
                <h2 className="h5 card-title">{tenant.name}</h2>
                <Link
                  className="btn btn-primary btn-sm mt-auto align-self-start"
                  to={`/t/${encodeURIComponent(tenant.slug)}`}
                >
                  {t('tenants.open')}
                  <span className="visually-hidden">– {tenant.name}</span>
                </Link>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </>
  )
}
