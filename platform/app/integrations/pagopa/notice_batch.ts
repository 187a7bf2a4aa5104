import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderPaymentNotice, type PaymentNoticeInput } from '#integrations/pagopa/payment_notice_pdf'

/**
 * Massive generation of payment notices into a folder (a postal batch, a print run): one PDF per
 * notice, named after its notice code. Each file is written to a temporary name and renamed when
 * complete, so a run killed half-way leaves only whole files, and running it again skips the files
 * already there (restartable). Progress is reported after each notice.
 */
export interface NoticeBatchItem {
  input: PaymentNoticeInput
  /** The file name; `avviso-<NAV>.pdf` by default. */
  fileName?: string
}

export interface NoticeBatchProgress {
  done: number
  total: number
  /** The file just finished (written or already there). */
  file: string
  skipped: boolean
}

export interface NoticeBatchResult {
  folder: string
  files: Array<{ file: string; nav: string; bytes: number; skipped: boolean }>
}

export function noticeFileName(input: PaymentNoticeInput) {
  const nav = (input.single ?? input.instalments?.[0])?.nav ?? 'senza-codice'
  return `avviso-${nav}.pdf`
}

async function exists(path: string) {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

export async function generateNotices(
  items: Iterable<NoticeBatchItem> | AsyncIterable<NoticeBatchItem>,
  options: { folder: string; total?: number; onProgress?: (progress: NoticeBatchProgress) => void | Promise<void> }
): Promise<NoticeBatchResult> {
  await mkdir(options.folder, { recursive: true })
  const total = options.total ?? (Array.isArray(items) ? items.length : 0)
  const files: NoticeBatchResult['files'] = []
  const names = new Set<string>()
  for await (const item of items) {
    const file = item.fileName ?? noticeFileName(item.input)
    if (!/^[\w.-]{1,120}$/.test(file) || file.startsWith('.')) {
      throw new Error(`Notice file name "${file}" must be letters, digits, dots, dashes or underscores`)
    }
    if (names.has(file)) throw new Error(`Two notices of the batch would both be written to ${file}`)
    names.add(file)
    const path = join(options.folder, file)
    const nav = (item.input.single ?? item.input.instalments?.[0])?.nav ?? ''
    let skipped = false
    let bytes: number
    if (await exists(path)) {
      skipped = true
      bytes = (await stat(path)).size
    } else {
      const pdf = await renderPaymentNotice(item.input)
      await writeFile(`${path}.part`, pdf)
      await rename(`${path}.part`, path)
      bytes = pdf.length
    }
    files.push({ file, nav, bytes, skipped })
    await options.onProgress?.({ done: files.length, total: Math.max(total, files.length), file, skipped })
  }
  return { folder: options.folder, files }
}
