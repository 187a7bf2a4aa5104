import { DateTime } from 'luxon'
import { noticeNumber } from '#integrations/pagopa/notice_number'
import type { DebtPosition } from '#integrations/pagopa/gpd_types'
import { GpdClient } from '#integrations/pagopa/gpd_client'
import { GpdSimulator, type GpdSimulatorOptions } from '#integrations/pagopa/gpd_simulator'

export const ORG = '00229080338'
export const KEY = 'chiave-di-prova'

/** A canteen position of `amount` cents with one option and one transfer, numbered from `base`. */
export function canteenPosition(base: number, overrides: Partial<DebtPosition> = {}, amount = 4520): DebtPosition {
  const { iuv } = noticeNumber('01', base)
  return {
    iupd: `${ORG}-refezione-${base}`,
    type: 'F',
    fiscalCode: 'RSSMRA85T10A562S',
    fullName: 'Mario Rossi',
    streetName: 'Via Roma',
    civicNumber: '1',
    postalCode: '29121',
    city: 'Piacenza',
    province: 'PC',
    country: 'IT',
    switchToExpired: false,
    companyName: 'Comune di Piacenza',
    paymentOption: [
      {
        iuv,
        amount,
        description: 'Refezione scolastica marzo 2026 - Luca Rossi',
        isPartialPayment: false,
        dueDate: DateTime.now().plus({ days: 30 }).toISO({ includeOffset: false, suppressMilliseconds: true })!,
        transfer: [
          {
            idTransfer: '1',
            amount,
            remittanceInformation: 'Refezione scolastica marzo 2026',
            category: '9/0101002IM/',
            iban: 'IT60X0542811101000000123456',
          },
        ],
      },
    ],
    ...overrides,
  }
}

export async function gpdSimulator(options: Partial<GpdSimulatorOptions> = {}) {
  return new GpdSimulator({ keys: [{ key: KEY, organizations: [ORG] }], ...options }).start()
}

export function gpdClient(
  simulator: GpdSimulator,
  overrides: Partial<ConstructorParameters<typeof GpdClient>[0]> = {}
) {
  return new GpdClient({
    organizationFiscalCode: ORG,
    ...simulator.urls,
    subscriptionKey: () => KEY,
    timeoutMs: 2000,
    attempts: 3,
    backoffMs: 10,
    ...overrides,
  })
}

/**
 * A JSON answer of a simulator, read loosely: each test asserts the fields it cares about, so a
 * declared type per endpoint would only repeat the assertions.
 */
export type LooseJson = any

export async function readJson(answer: Response): Promise<LooseJson> {
  return answer.json()
}
