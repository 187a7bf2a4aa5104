import zxing from '@zxing/library'
import { PNG } from 'pngjs'
import { PDFArray, PDFDocument, PDFRawStream, decodePDFRawStream, type PDFObject } from 'pdf-lib'

const {
  BarcodeFormat,
  BinaryBitmap,
  DataMatrixReader,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
} = zxing

/** A grey image: one luminance byte per pixel, top row first. */
export interface GreyImage {
  width: number
  height: number
  data: Uint8ClampedArray
}

export function greyFromPng(bytes: Buffer): GreyImage {
  const png = PNG.sync.read(bytes)
  const data = new Uint8ClampedArray(png.width * png.height)
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round(0.299 * png.data[i * 4] + 0.587 * png.data[i * 4 + 1] + 0.114 * png.data[i * 4 + 2])
  }
  return { width: png.width, height: png.height, data }
}

type Matrix = [number, number, number, number, number, number]
const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
]

/**
 * Paints the filled, axis-aligned shapes of one PDF page (what pdf-lib's drawRectangle and drawSvgPath
 * write for rectangles: subpaths under `cm` transforms, filled with an `rg` colour) into a grey image at `scale` pixels per point.
 * Text is left out. Enough to read back the QR and Data Matrix codes our notices draw as vectors,
 * with no PDF renderer installed.
 */
export async function rasterizeFills(bytes: Uint8Array, pageIndex = 0, scale = 3): Promise<GreyImage> {
  const pdf = await PDFDocument.load(bytes)
  const page = pdf.getPages()[pageIndex]
  const { width: pw, height: ph } = page.getSize()
  const width = Math.ceil(pw * scale)
  const height = Math.ceil(ph * scale)
  const data = new Uint8ClampedArray(width * height).fill(255)
  const contents = page.node.Contents()
  const streams: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : []
  let state = { ctm: [1, 0, 0, 1, 0, 0] as Matrix, grey: 0 }
  const stack: Array<typeof state> = []
  // Each subpath (from one `m` to the next) is one rectangle: filled as its bounding box.
  let subpaths: Array<Array<[number, number]>> = []
  let args: number[] = []
  const fill = () => {
    for (const points of subpaths) {
      if (!points.length) continue
      const xs = points.map((p) => p[0])
      const ys = points.map((p) => p[1])
      const x0 = Math.max(0, Math.round(Math.min(...xs) * scale))
      const x1 = Math.min(width, Math.round(Math.max(...xs) * scale))
      const y0 = Math.max(0, Math.round((ph - Math.max(...ys)) * scale))
      const y1 = Math.min(height, Math.round((ph - Math.min(...ys)) * scale))
      for (let y = y0; y < y1; y++) data.fill(state.grey, y * width + x0, y * width + x1)
    }
    subpaths = []
  }
  const point = (x: number, y: number): [number, number] => {
    const m = state.ctm
    return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]
  }
  for (const ref of streams) {
    const stream = pdf.context.lookup(ref)
    if (!(stream instanceof PDFRawStream)) continue
    const source = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1')
    // Strings and text objects hold no shapes: drop them before reading operators.
    const shapes = source.replace(/BT[\s\S]*?ET/g, ' ').replace(/<[0-9A-Fa-f]*>|\([^)]*\)/g, ' ')
    for (const token of shapes.split(/\s+/)) {
      if (token === '') continue
      const value = Number(token)
      if (!Number.isNaN(value)) {
        args.push(value)
        continue
      }
      switch (token) {
        case 'q':
          stack.push({ ...state, ctm: [...state.ctm] as Matrix })
          break
        case 'Q':
          state = stack.pop() ?? state
          break
        case 'cm':
          state.ctm = multiply(args.slice(-6) as Matrix, state.ctm)
          break
        case 'rg': {
          const [r, g, b] = args.slice(-3)
          state.grey = Math.round(255 * (0.299 * r + 0.587 * g + 0.114 * b))
          break
        }
        case 'g':
          state.grey = Math.round(255 * args[args.length - 1])
          break
        case 'm':
          subpaths.push([point(args[args.length - 2], args[args.length - 1])])
          break
        case 'l':
          if (!subpaths.length) subpaths.push([])
          subpaths[subpaths.length - 1].push(point(args[args.length - 2], args[args.length - 1]))
          break
        case 're': {
          const [x, y, w, h] = args.slice(-4)
          subpaths.push([point(x, y), point(x + w, y + h)])
          break
        }
        case 'f':
        case 'F':
        case 'f*':
        case 'B':
        case 'b':
          fill()
          break
        case 'n':
        case 'S':
        case 's':
          subpaths = []
          break
      }
      args = []
    }
  }
  return { width, height, data }
}

function crop(image: GreyImage, x0: number, y0: number, x1: number, y1: number, pad: number): GreyImage {
  const width = x1 - x0 + 2 * pad
  const height = y1 - y0 + 2 * pad
  const data = new Uint8ClampedArray(width * height).fill(255)
  for (let y = y0; y < y1; y++) {
    data.set(image.data.subarray(y * image.width + x0, y * image.width + x1), (y - y0 + pad) * width + pad)
  }
  return { width, height, data }
}

export interface FoundCode {
  format: 'QR_CODE' | 'DATA_MATRIX'
  text: string
  /** Top of the code, in pixels from the top of the page. */
  top: number
}

/**
 * Finds the 2D codes of a notice page: they sit in the left strip (`stripWidth` pixels), one above
 * the other, each a block of rows taller than `minHeight` pixels. Each block is decoded as a QR code
 * or, failing that, a Data Matrix.
 */
export function decodeCodes(image: GreyImage, stripWidth: number, minHeight: number): FoundCode[] {
  const dark = (y: number) => {
    for (let x = 0; x < stripWidth; x++) if (image.data[y * image.width + x] < 128) return true
    return false
  }
  const blocks: Array<[number, number]> = []
  let start = -1
  for (let y = 0; y <= image.height; y++) {
    const isDark = y < image.height && dark(y)
    if (isDark && start < 0) start = y
    if (!isDark && start >= 0) {
      if (y - start >= minHeight) blocks.push([start, y])
      start = -1
    }
  }
  const found: FoundCode[] = []
  for (const [top, bottom] of blocks) {
    const part = crop(image, 0, top, stripWidth, bottom, 20)
    const bitmap = () =>
      new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(part.data, part.width, part.height)))
    const hints = new Map([[DecodeHintType.TRY_HARDER, true]])
    for (const [format, reader] of [
      ['QR_CODE', new QRCodeReader()],
      ['DATA_MATRIX', new DataMatrixReader()],
    ] as const) {
      try {
        const result = reader.decode(bitmap(), hints)
        if (BarcodeFormat[result.getBarcodeFormat()] !== format) continue
        found.push({ format, text: result.getText(), top })
        break
      } catch {
        // Not this kind of code: try the next reader.
      }
    }
  }
  return found
}
