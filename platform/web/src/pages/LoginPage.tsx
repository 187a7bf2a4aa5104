import { useState, type FormEvent } from 'react'
import { Alert, Button } from 'design-react-kit'
import { api, type Me } from '../api'
import { useT } from '../i18n'

export function LoginPage({ onLogin }: { onLogin: (me: Me) => void }) {
  const { t } = useT()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [failed, setFailed] = useState(false)
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setFailed(false)
    try {
      const r = await api<{ user: Me }>('POST', '/auth/login', { email, password })
      onLogin(r.user)
    } catch {
      setFailed(true)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="row justify-content-center">
      <div className="col-12 col-md-8 col-lg-5">
        <h1 className="h2 mb-4">{t('loginTitle')}</h1>
        {failed && (
          <Alert color="danger" role="alert">
            {t('loginFailed')}
          </Alert>
        )}
        <form onSubmit={submit} noValidate>
          <div className="mb-3">
            <label htmlFor="login-email" className="form-label">
              {t('email')}
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
              {t('password')}
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
          <Button color="primary" type="submit" disabled={busy} className="w-100">
            {t('login')}
          </Button>
        </form>
      </div>
    </div>
  )
}
