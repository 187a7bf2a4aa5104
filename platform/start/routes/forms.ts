import type { HttpRouterService } from '@adonisjs/core/types'
import { acceptsMultipart } from '#middleware/body_parser_middleware'
import { throttleDocuments, throttleUploads } from '#services/infrastructure/throttle'

const FormsController = () => import('#controllers/forms_controller')
const SubmissionsController = () => import('#controllers/submissions_controller')
const AttachmentsController = () => import('#controllers/attachments_controller')
const TariffPdfController = () => import('#controllers/tariff_pdf_controller')
const EnrolmentsController = () => import('#controllers/enrolments_controller')
const AttemptsController = () => import('#controllers/attempts_controller')
const InboxController = () => import('#controllers/inbox_controller')

/** Forms routes, mounted inside the /api/v1/t/:tenant group (auth + tenant middleware already applied). */
export function registerFormsRoutes(router: HttpRouterService) {
  router.get('/forms', [FormsController, 'index'])
  router.get('/forms/:id', [FormsController, 'show'])
  router.post('/forms/:id/submissions', [SubmissionsController, 'store'])
  router.post('/forms/:id/submit', [SubmissionsController, 'submitNew'])
  router.post('/forms/:id/check', [SubmissionsController, 'check'])
  router.get('/submissions', [SubmissionsController, 'index'])
  router.get('/inbox', [InboxController, 'index'])
  router.get('/inbox/export', [InboxController, 'export']).use(throttleDocuments)
  router.get('/submissions/:sid', [SubmissionsController, 'show'])
  router.get('/submissions/:sid/form', [InboxController, 'form'])
  router.put('/submissions/:sid', [SubmissionsController, 'update'])
  router.post('/submissions/:sid/submit', [SubmissionsController, 'submit'])
  router.post('/submissions/:sid/status', [SubmissionsController, 'changeStatus'])
  router.get('/submissions/:sid/receipt', [SubmissionsController, 'receipt']).use(throttleDocuments)
  acceptsMultipart(router.post('/forms/:id/attachments', [AttachmentsController, 'store']).use(throttleUploads))
  router.get('/attachments/:fid', [AttachmentsController, 'show'])
  router.post('/forms/:id/tariff.pdf', [TariffPdfController, 'show']).use(throttleDocuments)
  router.get('/enrolments', [EnrolmentsController, 'index'])
  router.get('/enrolments/export', [EnrolmentsController, 'export']).use(throttleDocuments)
  router.get('/enrolments/:eid', [EnrolmentsController, 'show'])
  router.put('/enrolments/:eid/fee', [EnrolmentsController, 'overrideFee'])
  router.get('/attempts', [AttemptsController, 'index'])
  router.post('/attempts/:id/resolve', [AttemptsController, 'resolve'])
}
