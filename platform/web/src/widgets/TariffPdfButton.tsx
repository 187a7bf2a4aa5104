import { useState } from 'react'
import { useT, type Lang } from '../i18n'

/**
 * "Scarica in PDF" next to the live fee: the server computes the same fee on the data entered so
 * far (`POST /forms/:id/tariff.pdf`) and answers a PDF with the explanation, saved as a file.
 */
export function TariffPdfButton({
  apiBase,
  formKey,
  data,
  lang,
}: {
  apiBase: string
  formKey: string
  data: Record<string, unknown>
  lang: Lang
}) {
  const { t } = useT()
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<string | null>(null)

  const download = async () => {
    setBusy(true)
    setFailure(null)
    try {
      const response = await fetch(`${apiBase}/forms/${encodeURIComponent(formKey)}/tariff.pdf`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'accept': 'application/pdf', 'accept-language': lang },
        body: JSON.stringify({ data }),
      })
      if (!response.ok) {
        const body = await response.json().catch(() => null)
        setFailure(body?.errors?.[0]?.message ?? t('feePdf.failed'))
        return
      }
      const url = URL.createObjectURL(await response.blob())
      const link = document.createElement('a')
      link.href = url
      link.download = `${t('feePdf.fileName')}-${formKey}.pdf`
      document.body.appendChild(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10000)
    } catch {
      setFailure(t('feePdf.failed'))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="tariff-pdf mt-2">
      <button
        type="button"
        className="btn btn-outline-primary btn-xs"
        onClick={download}
        disabled={busy}
        data-testid="tariff-pdf"
      >
        {busy ? t('feePdf.preparing') : t('feePdf.download')}
      </button>
      {failure && (
        <p className="text-danger small mb-0 mt-1" role="alert">
          {failure}
        </p>
      )}
    </div>
  )
}
