import { useState, type FormEvent } from 'react'
import { Alert, Button } from 'design-react-kit'
import { useLogin } from '../api/queries'
import { useT } from '../i18n'

/** Shown in place of any page while nobody is logged in; the address stays, so the page follows. */
export function LoginPage() {
  const { t } = useT()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const login = useLogin()

  const submit = (e: FormEvent) => {
    e.preventDefault()
    login.mutate({ email, password })
  }

  return (
    <div className="row justify-content-center">
      <div className="col-12 col-md-8 col-lg-5">
        <h1 className="h2 mb-4">{t('login.title')}</h1>
        {login.isError && (
          <Alert color="danger" role="alert">
            {t('login.failed')}
          </Alert>
        )}
        <form onSubmit={submit} noValidate>
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
