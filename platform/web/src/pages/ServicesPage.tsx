import { Link } from 'react-router'
import type { EnrolmentWindowDto } from '#shared/contract'
import { useForms } from '../api/queries'
import { useCurrentTenant } from '../app/tenant_context'
import { useT, windowLabel } from '../i18n'
import { LoadError, Loading } from '../widgets/status'

const ALWAYS_OPEN: EnrolmentWindowDto = { open: true, opens: null, closes: null, state: 'open' }

/** The tenant's services: one card per form, with its call's dates; a closed call is not a link. */
export function ServicesPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const forms = useForms(tenant.slug)

  return (
    <section aria-labelledby="services-title">
      <h1 id="services-title" className="h2 mb-4">
        {t('services.title')}
      </h1>
      {forms.isPending && <Loading />}
      {forms.isError && <LoadError error={forms.error} />}
      {forms.data?.length === 0 && <p>{t('services.none')}</p>}
      {forms.data && forms.data.length > 0 && (
        <ul className="list-unstyled row g-4 portal-cards">
          {forms.data.map((f) => {
            // Older answers have no window: the form is open, as before windows existed.
            const window = f.enrolment ?? ALWAYS_OPEN
            const label = windowLabel(t, window)
            const title = f.title[lang] ?? f.title.it
            return (
              <li key={f.key} className="col-12 col-md-6 col-lg-4 d-flex" data-testid={`service-${f.key}`}>
                <div className="card card-bg shadow-sm w-100 service-card">
                  <div className="card-body d-flex flex-column">
                    <h2 className="h5 card-title">{title}</h2>
                    {window.open ? (
                      <>
                        {label && (
                          <p className="small mb-3" data-testid="enrolment-window">
                            {label}
                          </p>
                        )}
                        <Link
                          className="btn btn-primary btn-sm mt-auto align-self-start"
                          to={`/t/${encodeURIComponent(tenant.slug)}/moduli/${encodeURIComponent(f.key)}`}
                        >
                          {t('services.fill')}
                          <span className="visually-hidden">– {title}</span>
                        </Link>
                      </>
                    ) : (
                      // Not a link: the call cannot be sent now, and the text says when it can (or could).
                      <p className="mb-0 mt-auto fw-semibold text-secondary" data-testid="enrolment-window">
                        {label ?? t(window.state === 'closed' ? 'window.closedTitle' : 'window.notOpenTitle')}
                      </p>
                    )}
                  </div>
                </div>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
