import { useState } from 'react'
import type { Lang } from '../i18n'

const TEXT = {
  download: { it: 'Scarica in PDF', en: 'Download as PDF' },
  preparing: { it: 'Preparazione del PDF…', en: 'Preparing the PDF…' },
  failed: {
    it: 'Non è stato possibile creare il PDF. Riprova.',
    en: 'The PDF could not be created. Please try again.',
  },
}

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
        setFailure(body?.errors?.[0]?.message ?? TEXT.failed[lang])
        return
      }
      const url = URL.createObjectURL(await response.blob())
      const link = document.createElement('a')
      link.href = url
      link.download = `${lang === 'it' ? 'tariffa' : 'fee'}-${formKey}.pdf`
      document.body.appendChild(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10000)
    } catch {
      setFailure(TEXT.failed[lang])
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
        {busy ? TEXT.preparing[lang] : TEXT.download[lang]}
      </button>
      {failure && (
        <p className="text-danger small mb-0 mt-1" role="alert">
          {failure}
        </p>
      )}
    </div>
  )
}
