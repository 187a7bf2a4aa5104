/**
 * What an SMS can carry, shared by the gateway client and its simulator: numbers in E.164, the
 * alphanumeric sender (at most 11 letters, digits or spaces), and the text counted in segments —
 * GSM 03.38 7-bit text is 160 characters alone or 153 per part, anything else (UCS-2) 70 or 67;
 * characters of the GSM extension table count twice.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENSION = '^{}\\[~]|€\f'
const BASIC = new Set(GSM_BASIC)
const EXTENSION = new Set(GSM_EXTENSION)

/** The most segments a notice may take (a long reminder with amounts fits in far fewer). */
export const MAX_SEGMENTS = 6

export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; units: number; segments: number } {
  let units = 0
  let gsm = true
  for (const char of text) {
    if (BASIC.has(char)) units += 1
    else if (EXTENSION.has(char)) units += 2
    else {
      gsm = false
      break
    }
  }
  if (!gsm) {
    // UCS-2 counts UTF-16 code units.
    units = text.length
    return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) }
  }
  return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) }
}

/** +39 and the number for an Italian mobile written without prefix; null when it is not a phone number. */
export function normalisePhone(raw: string): string | null {
  const compact = raw.replace(/[\s./()-]/g, '')
  const withPlus = compact.startsWith('00') ? `+${compact.slice(2)}` : compact
  if (/^\+[1-9]\d{6,14}$/.test(withPlus)) return withPlus
  if (/^3\d{8,9}$/.test(withPlus)) return `+39${withPlus}`
  return null
}

export function validSender(sender: string) {
  return /^[A-Za-z0-9 ]{1,11}$/.test(sender) || /^\+[1-9]\d{6,14}$/.test(sender)
}
