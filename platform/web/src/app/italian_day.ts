/**
 * Today in Italy (YYYY-MM-DD): the day the server counts in (Europe/Rome) for validity dates, due
 * dates and evaluations. The browser's own calendar can be a day behind or ahead of it (a staff
 * member abroad, a machine on UTC late in the evening), and then a version published "from today"
 * would start on a day the server already counts as past.
 */
export function italianToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(now)
}
