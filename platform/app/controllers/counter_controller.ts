import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import Membership from '#models/membership'
import SubmissionPolicy from '#policies/submission_policy'
import { requestLanguage } from '#services/infrastructure/request_language'
import { isValidCodiceFiscale, isValidEmail } from '#forms/codice_fiscale'
import { forbiddenCharacter } from '#forms/field_rules'
import { isPlainObject } from '#forms/json_pointer'
import { normaliseCodiceFiscale } from '#shared/normalise'
import type { CounterCitizenDto } from '#shared/contract'
import type { FormError, Lang } from '#forms/types'

const TEXT = {
  fiscalCode: {
    it: 'Scrivi un codice fiscale di 16 caratteri valido (lettere e cifre, con il carattere di controllo giusto).',
    en: 'Write a valid 16-character codice fiscale (letters and digits, with the right check character).',
  },
  name: {
    it: 'Scrivi nome e cognome (da 2 a 200 caratteri, senza caratteri di controllo).',
    en: 'Write first and last name (2 to 200 characters, no control characters).',
  },
  email: {
    it: 'Scrivi un indirizzo email valido: la ricevuta della domanda arriva lì.',
    en: 'Write a valid email address: the receipt of the application is sent there.',
  },
  body: {
    it: 'Il corpo deve essere { "fiscal_code", "full_name", "email" }.',
    en: 'The body must be { "fiscal_code", "full_name", "email" }.',
  },
  notFound: {
    it: 'Nessun cittadino con questo codice fiscale in questo ente: inserisci la persona.',
    en: 'No citizen with this codice fiscale in this body: add the person.',
  },
  emailTaken: {
    it: "Questo indirizzo email è già di un altro account: chiedi al cittadino l'indirizzo con cui accede, o un altro.",
    en: 'This email address already belongs to another account: ask the citizen for the one they log in with, or another.',
  },
}

function present(user: User): CounterCitizenDto {
  return { id: user.id, fullName: user.fullName, fiscalCode: user.fiscalCode, email: user.email }
}

/**
 * The counter (Allegato A, "Portale di BackOffice": the operator files for the citizen who comes
 * in, with procura): find the citizen by codice fiscale among the tenant's members, or add the
 * person, then fill the form on their behalf with `applicant_user_id` (submissions_controller.ts),
 * which records who filed it and lets the offices file late.
 */
export default class CounterController {
  /** `GET /counter/citizens?fiscal_code=`: the member of this tenant with that code, else 404. */
  async find(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(SubmissionPolicy).authorize('actOnBehalf', access)
    const lang = requestLanguage(request)
    const code = normalisedCode(request.input('fiscal_code'))
    if (!code) return refuse(ctx, [problem('/fiscal_code', 'fiscal_code', TEXT.fiscalCode, lang)])
    const user = await User.findByFiscalCode(code)
    // A person known only to other tenants is not disclosed: the operator adds them here.
    const member = user ? await Membership.query().where('user_id', user.id).first() : null
    if (!user || !member) return response.notFound({ errors: [{ message: TEXT.notFound[lang] }] })
    return { citizen: present(user) }
  }

  /** `GET /counter/citizens/:id`: a member of this tenant, as the counter's form shows them. */
  async show(ctx: HttpContext) {
    const { bouncer, access, request, response, params } = ctx
    await bouncer.with(SubmissionPolicy).authorize('actOnBehalf', access)
    const lang = requestLanguage(request)
    const id = String(params.id)
    const member = /^\d{1,9}$/.test(id) ? await Membership.query().where('user_id', Number(id)).first() : null
    const user = member ? await User.find(member.userId) : null
    if (!user) return response.notFound({ errors: [{ message: TEXT.notFound[lang] }] })
    return { citizen: present(user) }
  }

  /**
   * `POST /counter/citizens` `{ fiscal_code, full_name, email }`: the person made a citizen of this
   * tenant. An account with that codice fiscale (from another comune's services) is the same
   * person: it gets the membership, its name and email stay. Otherwise a new account without a
   * password (the citizen logs in later with SPID/CIE, or asks for a password). Audited (user and
   * membership). 201 when something was added, 200 when the person was already a citizen here.
   */
  async store(ctx: HttpContext) {
    const { bouncer, access, request, response } = ctx
    await bouncer.with(SubmissionPolicy).authorize('actOnBehalf', access)
    const lang = requestLanguage(request)
    const body = request.body()
    if (!isPlainObject(body) || Object.keys(body).some((k) => !['fiscal_code', 'full_name', 'email'].includes(k))) {
      return refuse(ctx, [problem('', 'body', TEXT.body, lang)])
    }
    const errors: FormError[] = []
    const code = normalisedCode(body.fiscal_code)
    if (!code) errors.push(problem('/fiscal_code', 'fiscal_code', TEXT.fiscalCode, lang))
    const name = typeof body.full_name === 'string' ? body.full_name.trim().replace(/\s+/g, ' ') : ''
    if (name.length < 2 || name.length > 200 || forbiddenCharacter(name)) {
      errors.push(problem('/full_name', 'full_name', TEXT.name, lang))
    }
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : ''
    if (!isValidEmail(email)) errors.push(problem('/email', 'email', TEXT.email, lang))
    if (errors.length) return refuse(ctx, errors)

    const outcome = await db.transaction(async (trx) => {
      let user = await User.findByFiscalCode(code!, { client: trx })
      let created = false
      if (!user) {
        const holder = await User.query({ client: trx }).where('email', email).first()
        if (holder) return { conflict: true as const }
        user = await User.create(
          { email, fullName: name, fiscalCode: code, password: null, isPlatformAdmin: false, locale: lang },
          { client: trx }
        )
        created = true
      }
      const member = await Membership.query({ client: trx }).where('user_id', user.id).first()
      if (!member) {
        await Membership.create({ userId: user.id, roles: ['citizen'] }, { client: trx })
        created = true
      }
      return { conflict: false as const, user, created }
    })
    if (outcome.conflict) {
      return response.conflict({
        errors: [{ path: '/email', rule: 'request:email_taken', message: TEXT.emailTaken[lang] }],
      })
    }
    return response.status(outcome.created ? 201 : 200).send({ citizen: present(outcome.user) })
  }
}

function normalisedCode(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40) return null
  const code = normaliseCodiceFiscale(value).replace(/\s+/g, '')
  return isValidCodiceFiscale(code) ? code : null
}

function problem(path: string, rule: string, text: Record<Lang, string>, lang: Lang): FormError {
  return { path, rule: `request:${rule}`, message: text[lang] }
}

function refuse(ctx: HttpContext, errors: FormError[]) {
  return ctx.response.unprocessableEntity({ errors })
}
