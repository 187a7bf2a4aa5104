import type { PdfPage, PluginContext } from '@sportello/platform/sdk'
import type Order from '../models/order.js'
import { say } from './common.js'
import { totalsOf } from './order_service.js'

const DIET_LABELS: Record<string, { it: string; en: string }> = {
  ordinary: { it: 'ordinario', en: 'ordinary' },
  medical: { it: 'sanitaria', en: 'medical' },
  vegetarian: { it: 'vegetariana', en: 'vegetarian' },
  vegan: { it: 'vegana', en: 'vegan' },
  no_pork: { it: 'senza maiale', en: 'no pork' },
  no_meat: { it: 'senza carne', en: 'no meat' },
  religious: { it: 'etico-religiosa', en: 'ethical-religious' },
}

export const dietLabel = (lang: 'it' | 'en', diet: string) => DIET_LABELS[diet]?.[lang] ?? diet
const className = (year: string | null, section: string) => (year ? `${year}ª ${section}` : section)

/** A CSV cell for Italian spreadsheets: quoted where needed, and never read as a formula. */
function cell(value: string | number) {
  let text = String(value)
  if (/^[=+\-@]/.test(text)) text = `'${text}`
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The order as CSV (the emergency path): UTF-8 with BOM, `;`, CRLF; one line per class, then the adults. */
export function orderCsv(order: Order, lang: 'it' | 'en') {
  const diets = [...new Set(order.lines.classes.flatMap((l) => Object.keys(l.diets)))].sort()
  const header = [
    say(lang, 'Giorno', 'Day'),
    say(lang, 'Centro cottura', 'Kitchen'),
    say(lang, 'Scuola', 'School'),
    say(lang, 'Ordine', 'Order'),
    say(lang, 'Classe', 'Class'),
    say(lang, 'Sezione', 'Section'),
    say(lang, 'Pasti', 'Meals'),
    say(lang, 'In bianco', 'Plain'),
    ...diets.map((d) => `${say(lang, 'Dieta', 'Diet')} ${dietLabel(lang, d)}`),
    say(lang, 'Stimato', 'Estimated'),
  ]
  const rows = [header.map(cell).join(';')]
  for (const l of order.lines.classes) {
    rows.push(
      [
        order.day,
        order.kitchenCode,
        l.school_name,
        l.order ?? '',
        l.class_year ?? '',
        l.section,
        l.meals,
        l.plain,
        ...diets.map((d) => l.diets[d] ?? 0),
        l.estimated ? say(lang, 'Sì', 'Yes') : 'No',
      ]
        .map(cell)
        .join(';')
    )
  }
  rows.push('')
  rows.push(
    [
      say(lang, 'Scuola', 'School'),
      say(lang, 'Turno', 'Slot'),
      say(lang, 'Insegnanti', 'Teachers'),
      say(lang, 'Altri adulti', 'Other adults'),
    ]
      .map(cell)
      .join(';')
  )
  for (const a of order.lines.adults) rows.push([a.school_code, a.slot, a.teachers, a.others].map(cell).join(';'))
  return `\uFEFF${rows.join('\r\n')}\r\n`
}

/** The order on the platform's page: totals, the classes school by school, adults, the named special diets. */
export async function orderPdf(ctx: PluginContext, order: Order, kitchenName: string) {
  const lang = ctx.lang
  const totals = totalsOf(order.lines)
  const blocks: PdfPage['blocks'] = [
    {
      pairs: [
        [say(lang, 'Giorno', 'Day'), order.day],
        [say(lang, 'Centro cottura', 'Kitchen'), kitchenName],
        [
          say(lang, 'Stato', 'Status'),
          order.status === 'confirmed'
            ? say(lang, 'confermato', 'confirmed')
            : say(lang, 'da confermare', 'to be confirmed'),
        ],
        [say(lang, 'Revisione', 'Revision'), String(order.revision)],
        [say(lang, 'Pasti alunni', "Pupils' meals"), String(totals.meals)],
        [say(lang, 'di cui in bianco', 'of which plain'), String(totals.plain)],
        [say(lang, 'Insegnanti', 'Teachers'), String(totals.adults.teachers)],
        [say(lang, 'Altri adulti', 'Other adults'), String(totals.adults.others)],
      ],
    },
  ]
  if (order.estimated) {
    blocks.push({
      text: say(
        lang,
        '* Righe stimate: classi non chiuse entro l’orario limite, contate come iscritti meno disdette.',
        '* Estimated lines: classes not closed by the cut-off, counted as enrolled minus cancellations.'
      ),
      bold: true,
    })
  }
  blocks.push({ heading: say(lang, 'Per dieta', 'By diet') })
  blocks.push({ pairs: Object.entries(totals.by_diet).map(([d, n]) => [dietLabel(lang, d), String(n)]) })
  blocks.push({ heading: say(lang, 'Per ordine di scuola', 'By school order') })
  blocks.push({ pairs: Object.entries(totals.by_order).map(([o, n]) => [o || '-', String(n)]) })
  let school = ''
  for (const l of order.lines.classes) {
    if (l.school_code !== school) {
      school = l.school_code
      blocks.push({ rule: true }, { heading: `${l.school_name} (${totals.by_school[school]})` })
    }
    const diets = Object.entries(l.diets)
      .map(([d, n]) => `${dietLabel(lang, d)} ${n}`)
      .join(', ')
    blocks.push({
      pairs: [
        [
          `${className(l.class_year, l.section)}${l.estimated ? ' *' : ''}`,
          `${l.meals} ${l.meals === 1 ? say(lang, 'pasto', 'meal') : say(lang, 'pasti', 'meals')}${l.plain ? `, ${l.plain} ${say(lang, 'in bianco', 'plain')}` : ''}${diets ? `; ${diets}` : ''}`,
        ],
      ],
    })
  }
  if (order.lines.adults.length) {
    blocks.push({ rule: true }, { heading: say(lang, 'Adulti per turno', 'Adults by slot') })
    blocks.push({
      pairs: order.lines.adults.map((a) => [
        `${a.school_code} ${a.slot}`,
        `${say(lang, 'insegnanti', 'teachers')} ${a.teachers}, ${say(lang, 'altri', 'others')} ${a.others}`,
      ]),
    })
  }
  if (order.specialDiets?.length) {
    blocks.push({ rule: true }, { heading: say(lang, 'Diete speciali (riservato)', 'Special diets (confidential)') })
    blocks.push({
      pairs: order.specialDiets.map((d) => [
        `${d.last_name} ${d.first_name}`,
        `${d.school_code} ${className(d.class_year, d.section)}: ${dietLabel(lang, d.diet)}${d.plain ? `, ${say(lang, 'in bianco', 'plain')}` : ''}`,
      ]),
    })
  }
  return ctx.pdf.page({ title: say(lang, `Ordine pasti del ${order.day}`, `Meal order for ${order.day}`), blocks })
}
