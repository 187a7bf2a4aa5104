import { DateTime } from 'luxon'
import { italianAmount } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import type { DebtPositionResponse, PaymentOptionResponse } from '#integrations/pagopa/gpd_types'
import { SIMULATED_PSPS } from '#integrations/pagopa/gpd_simulator_store'

/**
 * The HTML of the simulator's checkout (GET /pay/<nav>): the notice, its amount and due date, and
 * a Pay button that completes the payment through a chosen (simulated) PSP. Italian by default,
 * English with ?lang=en. Every value printed is escaped.
 */
export type PageLang = 'it' | 'en'

const TEXT = {
  it: {
    title: 'Pagamento pagoPA (simulatore)',
    banner: 'Ambiente di prova: nessun addebito reale.',
    creditor: 'Ente creditore',
    debtor: 'Debitore',
    subject: 'Oggetto',
    amount: 'Importo',
    due: 'Scadenza',
    code: 'Codice avviso',
    status: 'Stato della posizione',
    psp: 'Prestatore di servizi di pagamento',
    pay: 'Paga',
    receipt: 'Ricevuta',
    paidOn: 'Pagato il',
    through: 'con',
    notPayable: 'Questo avviso non si può pagare ora',
    notFound: 'Nessun avviso con questo codice',
    notFoundHint: 'Controlla il codice avviso (18 cifre) e riprova.',
    choose: 'Questo codice avviso è di più enti: scegli quello giusto.',
    home: 'Posizioni del simulatore',
    flows: 'Pubblica ora i flussi di rendicontazione',
    noPositions: 'Nessuna posizione caricata.',
    other: 'English',
  },
  en: {
    title: 'pagoPA payment (simulator)',
    banner: 'Test environment: nothing is really charged.',
    creditor: 'Creditor',
    debtor: 'Debtor',
    subject: 'Subject',
    amount: 'Amount',
    due: 'Due date',
    code: 'Notice code',
    status: 'Position status',
    psp: 'Payment service provider',
    pay: 'Pay',
    receipt: 'Receipt',
    paidOn: 'Paid on',
    through: 'through',
    notPayable: 'This notice cannot be paid now',
    notFound: 'No notice with this code',
    notFoundHint: 'Check the 18-digit notice code and try again.',
    choose: 'This notice code belongs to several entes: choose the right one.',
    home: 'Simulator positions',
    flows: 'Publish the reporting flows now',
    noPositions: 'No position loaded.',
    other: 'Italiano',
  },
} as const

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  )
}

function dueDate(value: string) {
  const parsed = DateTime.fromISO(value, { zone: 'Europe/Rome' })
  return parsed.isValid ? parsed.toFormat('dd/LL/yyyy') : value
}

function layout(lang: PageLang, title: string, body: string, otherHref: string) {
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f2f5f8;color:#17324d}
header{background:#0066cc;color:#fff;padding:16px 24px}header h1{margin:0;font-size:1.3rem}
main{max-width:720px;margin:24px auto;background:#fff;padding:24px;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
.banner{background:#fff3cd;border:1px solid #e0c36b;padding:8px 12px;border-radius:4px;margin-bottom:16px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px}dt{font-weight:600}dd{margin:0}
.amount{font-size:1.6rem;font-weight:700}
fieldset{border:1px solid #c5d0dc;border-radius:4px;margin:16px 0}label{display:block;margin:6px 0}
button{background:#0066cc;color:#fff;border:0;padding:12px 28px;font-size:1.1rem;border-radius:4px;cursor:pointer}
button:focus,a:focus{outline:3px solid #ffb400}
.ok{background:#e6f4ea;border:1px solid #5aa469;padding:12px;border-radius:4px}
.ko{background:#fdecea;border:1px solid #d9534f;padding:12px;border-radius:4px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde3ea;padding:6px;text-align:left;font-size:.9rem}
a{color:#0066cc}
</style></head>
<body><header><h1>${escapeHtml(title)}</h1></header>
<main><p class="banner">${escapeHtml(TEXT[lang].banner)} <a href="${escapeHtml(otherHref)}">${escapeHtml(TEXT[lang].other)}</a></p>
${body}</main></body></html>`
}

export interface CheckoutView {
  position: DebtPositionResponse
  option: PaymentOptionResponse
  debtor: { fiscalCode: string; fullName: string }
  payable: boolean
  reason: string | null
}

export function checkoutPage(lang: PageLang, nav: string, view: CheckoutView, basePath: string) {
  const t = TEXT[lang]
  const { option, position } = view
  const other = `${basePath}?lang=${lang === 'it' ? 'en' : 'it'}`
  const details = `<dl>
<dt>${t.creditor}</dt><dd>${escapeHtml(position.companyName)} (${escapeHtml(position.organizationFiscalCode)})</dd>
<dt>${t.debtor}</dt><dd>${escapeHtml(view.debtor.fullName)} (${escapeHtml(view.debtor.fiscalCode)})</dd>
<dt>${t.subject}</dt><dd>${escapeHtml(option.description)}</dd>
<dt>${t.code}</dt><dd>${escapeHtml(formatNoticeNumber(nav))}</dd>
<dt>${t.due}</dt><dd>${escapeHtml(dueDate(option.dueDate))}</dd>
<dt>${t.status}</dt><dd>${escapeHtml(position.status)}</dd>
<dt>${t.amount}</dt><dd class="amount">€ ${escapeHtml(italianAmount(option.amount))}</dd>
</dl>`
  let action: string
  if (option.status !== 'PO_UNPAID') {
    const when = option.paymentDate
      ? DateTime.fromISO(option.paymentDate).setZone('Europe/Rome').toFormat('dd/LL/yyyy HH:mm')
      : ''
    action = `<div class="ok" role="status"><strong>${t.paidOn} ${escapeHtml(when)}</strong> ${t.through} ${escapeHtml(
      option.pspCompany
    )}. ${t.receipt}: <code>${escapeHtml(option.idReceipt)}</code></div>`
  } else if (!view.payable) {
    action = `<div class="ko" role="alert"><strong>${t.notPayable}</strong>: ${escapeHtml(view.reason)}</div>`
  } else {
    const psps = SIMULATED_PSPS.map(
      (p, i) =>
        `<label><input type="radio" name="psp" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.name)}</label>`
    ).join('\n')
    action = `<form method="post" action="${escapeHtml(basePath)}?lang=${lang}">
<input type="hidden" name="org" value="${escapeHtml(position.organizationFiscalCode)}">
<fieldset><legend>${t.psp}</legend>${psps}</fieldset>
<button type="submit">${t.pay} € ${escapeHtml(italianAmount(option.amount))}</button>
</form>`
  }
  return layout(lang, t.title, `${details}\n${action}`, other)
}

export function notFoundPage(lang: PageLang, basePath: string) {
  const t = TEXT[lang]
  return layout(
    lang,
    t.title,
    `<div class="ko" role="alert"><strong>${t.notFound}</strong>. ${t.notFoundHint}</div>`,
    `${basePath}?lang=${lang === 'it' ? 'en' : 'it'}`
  )
}

export function errorPage(lang: PageLang, basePath: string, message: string) {
  const t = TEXT[lang]
  return layout(
    lang,
    t.title,
    `<div class="ko" role="alert"><strong>${t.notPayable}</strong>: ${escapeHtml(message)}</div>
<p><a href="${escapeHtml(basePath)}?lang=${lang}">${t.code}</a></p>`,
    `${basePath}?lang=${lang === 'it' ? 'en' : 'it'}`
  )
}

export function choosePage(lang: PageLang, basePath: string, orgs: Array<{ org: string; companyName: string }>) {
  const t = TEXT[lang]
  const links = orgs
    .map(
      (o) =>
        `<li><a href="${escapeHtml(`${basePath}?org=${o.org}&lang=${lang}`)}">${escapeHtml(o.companyName)} (${escapeHtml(o.org)})</a></li>`
    )
    .join('')
  return layout(lang, t.title, `<p>${t.choose}</p><ul>${links}</ul>`, `${basePath}?lang=${lang === 'it' ? 'en' : 'it'}`)
}

export function homePage(lang: PageLang, rows: Array<Record<string, string | number>>) {
  const t = TEXT[lang]
  const body = rows.length
    ? `<table><thead><tr><th>${t.creditor}</th><th>${t.debtor}</th><th>${t.subject}</th><th>${t.amount}</th><th>${t.due}</th><th>${t.status}</th></tr></thead><tbody>${rows
        .map(
          (r) =>
            `<tr><td>${escapeHtml(r.company_name)}</td><td>${escapeHtml(r.full_name)}</td><td><a href="/pay/${escapeHtml(r.nav)}?org=${escapeHtml(r.org)}&amp;lang=${lang}">${escapeHtml(r.description)}</a></td><td>€ ${escapeHtml(italianAmount(Number(r.amount)))}</td><td>${escapeHtml(dueDate(String(r.due_date)))}</td><td>${escapeHtml(r.status)} / ${escapeHtml(r.option_status)}</td></tr>`
        )
        .join('')}</tbody></table>`
    : `<p>${t.noPositions}</p>`
  const form = `<form method="post" action="/sim/flows?lang=${lang}"><button type="submit">${t.flows}</button></form>`
  return layout(lang, t.home, `${body}<p></p>${form}`, `/?lang=${lang === 'it' ? 'en' : 'it'}`)
}
