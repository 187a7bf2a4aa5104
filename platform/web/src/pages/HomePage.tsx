import { useEffect, useState } from 'react'
import { Card, CardBody, CardTitle } from 'design-react-kit'
import { api, type FormSummary, type Me } from '../api'
import { useT, windowLabel } from '../i18n'

function TenantServices({ slug, name }: { slug: string; name: string }) {
  const { t, lang } = useT()
  const [forms, setForms] = useState<FormSummary[] | null>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    api<{ forms: FormSummary[] }>('GET', `/t/${encodeURIComponent(slug)}/forms`)
      .then((r) => setForms(r.forms))
      .catch(() => setFailed(true))
  }, [slug])

  return (
    <section className="mb-5" aria-labelledby={`tenant-${slug}`}>
      <div className="d-flex flex-wrap justify-content-between align-items-baseline gap-2 mb-3">
        <h2 id={`tenant-${slug}`} className="h3 mb-0">
          {name}
        </h2>
        <span className="d-flex flex-wrap gap-3">
          <a href={`#/t/${slug}/domande`}>{t('myApplications')}</a>
          <a href={`#/t/${slug}/iscritti`}>{t('myEnrolments')}</a>
        </span>
      </div>
      {failed && <p>{t('genericError')}</p>}
      {!forms && !failed && <p role="status">{t('loading')}</p>}
      {forms && forms.length === 0 && <p>{t('noForms')}</p>}
      {forms && forms.length > 0 && (
        <ul className="list-unstyled row g-3">
          {forms.map((f) => {
            // Older answers have no window: the form is open, as before windows existed.
            const window = f.enrolment ?? { open: true, opens: null, closes: null, state: 'open' }
            const label = windowLabel(lang, window)
            return (
              <li key={f.key} className="col-12 col-md-6 col-lg-4" data-testid={`service-${f.key}`}>
                <Card className="card-bg shadow-sm h-100">
                  <CardBody>
                    <CardTitle tag="h3" className="h5">
                      {f.title[lang] ?? f.title.it}
                    </CardTitle>
                    {window.open ? (
                      <>
                        {label && <p className="small mb-2">{label}</p>}
                        <a className="btn btn-primary btn-sm" href={`#/t/${slug}/moduli/${encodeURIComponent(f.key)}`}>
                          {t('fill')}
                          <span className="visually-hidden">: {f.title[lang] ?? f.title.it}</span>
                        </a>
                      </>
                    ) : (
                      // Not a link: the call cannot be sent now, and the text says when it can (or could).
                      <p className="mb-0 fw-semibold text-secondary" data-testid="enrolment-window">
                        {label ?? t(window.state === 'closed' ? 'winClosedTitle' : 'winNotOpenTitle')}
                      </p>
                    )}
                  </CardBody>
                </Card>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}

export function HomePage({ me }: { me: Me }) {
  const { t } = useT()
  return (
    <>
      <h1 className="h2 mb-4">{t('services')}</h1>
      {me.tenants.map((tenant) => (
        <TenantServices key={tenant.slug} slug={tenant.slug} name={tenant.name} />
      ))}
    </>
  )
}
