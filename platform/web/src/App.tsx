import { useCallback, useEffect, useState } from 'react'
import { Button, Container } from 'design-react-kit'
import { api, setApiLanguage, type Me } from './api'
import { LangContext, translate, type Lang } from './i18n'
import { navigate, useRoute } from './router'
import { LoginPage } from './pages/LoginPage'
import { HomePage } from './pages/HomePage'
import { FormPage } from './pages/FormPage'
import { SubmissionsPage, SubmissionPage } from './pages/SubmissionsPage'
import { EnrolmentsPage, EnrolmentPage } from './pages/EnrolmentsPage'

function initialLang(): Lang {
  return localStorage.getItem('sportello.lang') === 'en' ? 'en' : 'it'
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang)
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const route = useRoute()
  const t = (k: Parameters<typeof translate>[1]) => translate(lang, k)

  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('sportello.lang', l)
    setLangState(l)
  }, [])

  useEffect(() => {
    setApiLanguage(lang)
    document.documentElement.lang = lang
    document.title = translate(lang, 'appName')
  }, [lang])

  useEffect(() => {
    api<{ user: Me }>('GET', '/auth/me')
      .then((r) => setMe(r.user))
      .catch(() => setMe(null))
  }, [])

  const logout = async () => {
    await api('POST', '/auth/logout').catch(() => {})
    setMe(null)
    navigate('/')
  }

  let page
  if (me === undefined) page = <p role="status">{t('loading')}</p>
  else if (me === null) page = <LoginPage onLogin={setMe} />
  else {
    const [first, tenant, section, id] = route.path
    if (first === 't' && tenant && section === 'moduli' && id)
      page = (
        <FormPage
          key={`${id}-${route.query.get('bozza') ?? ''}`}
          tenant={tenant}
          formKey={id}
          draftId={route.query.get('bozza')}
        />
      )
    else if (first === 't' && tenant && section === 'domande' && id) page = <SubmissionPage tenant={tenant} id={id} />
    else if (first === 't' && tenant && section === 'domande') page = <SubmissionsPage tenant={tenant} />
    else if (first === 't' && tenant && section === 'iscritti' && id) page = <EnrolmentPage tenant={tenant} id={id} />
    else if (first === 't' && tenant && section === 'iscritti') page = <EnrolmentsPage tenant={tenant} />
    else page = <HomePage me={me} />
  }

  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <a
        className="visually-hidden-focusable skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault()
          document.getElementById('main')?.focus()
        }}
      >
        {t('skipToContent')}
      </a>
      <header className="it-header-wrapper">
        <div className="it-header-center-wrapper">
          <Container className="d-flex flex-wrap align-items-center justify-content-between gap-2 py-2">
            <a className="portal-brand text-white text-decoration-none" href="#/">
              {t('appName')}
            </a>
            <nav aria-label={t('language')} className="d-flex align-items-center gap-2">
              {(['it', 'en'] as const).map((l) => (
                <button
                  key={l}
                  type="button"
                  className={`btn btn-xs lang-switch ${l === lang ? 'is-current' : ''}`}
                  aria-pressed={l === lang}
                  lang={l}
                  onClick={() => setLang(l)}
                >
                  {l === 'it' ? 'IT' : 'EN'}
                  <span className="visually-hidden">{l === 'it' ? ' Italiano' : ' English'}</span>
                </button>
              ))}
              {me && (
                <Button size="xs" color="light" outline className="text-white border-white" onClick={logout}>
                  {t('logout')}
                </Button>
              )}
            </nav>
          </Container>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Container className="py-4">{page}</Container>
      </main>
    </LangContext.Provider>
  )
}
