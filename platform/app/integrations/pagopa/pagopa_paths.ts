/** Where pagoPA's services sit under its API host (and under the local simulator's). */
export const PAGOPA_API_BASE = 'https://api.platform.pagopa.it'
export const GPD_PATH = '/gpd/debt-positions-service/v1'
export const RECEIPTS_PATH = '/gpd/payments-receipts-service/v1'
export const FDR_PATH = '/fdr-org/service/v1'
