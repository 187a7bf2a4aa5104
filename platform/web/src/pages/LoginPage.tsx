import { useState, type FormEvent } from 'react'
import { useParams } from 'react-router'
import { Alert, Button } from 'design-react-kit'
import { useDirectories, useLogin } from '../api/queries'
import { ApiRequestError } from '../api/client'
import { useT } from '../i18n'

/**
 * Shown in place of any page while nobody is logged in; the address stays, so the page follows.
 * Citizens and local accounts log in by email; the staff of a body whose directory Sportello reads
 * (Allegato A: back-office users authenticate with the body's Active Directory credentials) choose
 * "network account", their body, and give their directory name and password.
 */
export function LoginPage() {
  const { t } = useT()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [username, setUsername] = useState('')
  const login = useLogin()
  const directories = useDirectories()
  const { tenant: slug } = useParams()
  const list = directories.data ?? []
  const [mode, setMode] = useState<'email' | 'directory'>('email')
  const [tenant, setTenant] = useState('')
  const chosen = tenant || (list.some((d) => d.slug === slug) ? slug! : (list[0]?.slug ?? ''))
  const directory = mode === 'directory' && list.length > 0

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (directory) login.mutate({ provider: 'ldap', tenant: chosen, username, password })
    else login.mutate({ email, password })
  }
  // A wrong name or password is said the same way for both; what the directory itself answers
  // (no group giving a role here, the directory not answering) is the server's message.
  const failure =
    login.error instanceof ApiRequestError && directory && login.error.status !== 400
      ? login.error.errors.map((e) => e.message).join(' ')
      : t(directory ? 'login.directoryFailed' : 'login.failed')

  return (
    <div className="row justify-content-center">
      <div className="col-12 col-md-8 col-lg-5">
        <h1 className="h2 mb-4">{t('login.title')}</h1>
        {login.isError && (
          <Alert color="danger" role="alert">
            {failure}
          </Alert>
        )}
        {list.length > 0 && (
          <fieldset className="mb-4" data-testid="login-mode">
            <legend className="form-label fs-6">{t('login.how')}</legend>
            {(['email', 'directory'] as const).map((m) => (
              <div className="form-check" key={m}>
                <input
                  className="form-check-input"
                  type="radio"
                  name="login-mode"
                  id={`login-mode-${m}`}
                  checked={mode === m}
                  onChange={() => {
                    setMode(m)
                    login.reset()
                  }}
                />
                <label className="form-check-label" htmlFor={`login-mode-${m}`}>
                  {t(m === 'email' ? 'login.byEmail' : 'login.byDirectory')}
                </label>
              </div>
            ))}
          </fieldset>
        )}
        <form onSubmit={submit} noValidate>
          {directory ? (
            <>
              <div className="mb-3">
                <label htmlFor="login-tenant" className="form-label">
                  {t('login.tenant')}
                </label>
                <select
                  id="login-tenant"
                  className="form-select"
                  value={chosen}
                  onChange={(e) => setTenant(e.target.value)}
                >
                  {list.map((d) => (
                    <option key={d.slug} value={d.slug}>
                      {d.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="mb-3">
                <label htmlFor="login-username" className="form-label">
                  {t('login.username')}
                </label>
                <input
                  id="login-username"
                  className="form-control"
                  type="text"
                  autoComplete="username"
                  autoCapitalize="none"
                  spellCheck={false}
                  required
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                  aria-describedby="login-username-hint"
                />
                <small id="login-username-hint" className="form-text">
                  {t('login.usernameHint')}
                </small>
              </div>
            </>
          ) : (
            <div className="mb-3">
              <label htmlFor="login-email" className="form-label">
                {t('login.email')}
              </label>
              <input
                id="login-email"
                className="form-control"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </div>
          )}
          <div className="mb-4">
            <label htmlFor="login-password" className="form-label">
              {t('login.password')}
            </label>
            <input
              id="login-password"
              className="form-control"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <Button color="primary" type="submit" disabled={login.isPending} className="w-100">
            {t('login.submit')}
          </Button>
        </form>
      </div>
    </div>
  )
}
