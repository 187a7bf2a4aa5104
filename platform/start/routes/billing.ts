import type { HttpRouterService } from '@adonisjs/core/types'

const BillingController = () => import('#controllers/billing_controller')
const InjunctionsController = () => import('#controllers/injunctions_controller')

/**
 * Billing for the office and payments for families, inside the /api/v1/t/:tenant group. Who may
 * call each is checked in the controller: the office (operator, tenant_admin) for /billing, any
 * member for their own /payments.
 */
export function registerBillingRoutes(router: HttpRouterService) {
  router.get('/billing/runs', [BillingController, 'runs'])
  router.post('/billing/runs', [BillingController, 'storeRun'])
  router.post('/billing/runs/preview', [BillingController, 'previewRun'])
  router.get('/billing/runs/:id', [BillingController, 'showRun'])
  router.get('/billing/positions', [BillingController, 'positions'])
  router.get('/billing/positions/export', [BillingController, 'exportPositions'])
  router.get('/billing/payers/:userId/ledger', [BillingController, 'payerLedger'])
  router.post('/billing/reconcile', [BillingController, 'reconcile'])
  router.get('/billing/flows', [BillingController, 'flows'])
  router.get('/billing/flows/:id', [BillingController, 'showFlow'])
  router.get('/billing/letters', [BillingController, 'letters'])
  router.get('/billing/injunctions/candidates', [InjunctionsController, 'candidates'])
  router.get('/billing/injunctions', [InjunctionsController, 'index'])
  router.post('/billing/injunctions', [InjunctionsController, 'store'])
  router.get('/billing/injunctions/:id/pdf', [InjunctionsController, 'pdf'])
  router.get('/billing/collection-records', [InjunctionsController, 'records'])
  router.post('/billing/collection-records', [InjunctionsController, 'storeRecord'])
  router.get('/billing/collection-records/:id/file', [InjunctionsController, 'recordFile'])
  router.get('/payments/positions', [BillingController, 'myPositions'])
  router.post('/payments/topups', [BillingController, 'storeTopUp'])
  router.get('/payments/positions/:id/notice.pdf', [BillingController, 'noticePdf'])
  router.get('/payments/statement.pdf', [BillingController, 'statementPdf'])
}
