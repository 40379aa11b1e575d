/**
 * The REST API surface: everything under /api/v1 (inquiries and patients for API keys, the intake
 * for integrators, operators and sites for signed-in staff), its OpenAPI document at
 * `/api/openapi.json` and the reference page at `/api/docs`. Each group of routes receives only
 * the services it calls; `registerApi` takes them from the context.
 *
 * @example
 *   const app = await buildApp(ctx, { surfaces: [registerApi] });
 *   await app.inject({ method: 'GET', url: '/api/openapi.json' });
 */
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { registerStaffAuth } from '../modules/staff/index.ts';
import { publicApi } from './api.routes.ts';
import { intakeApi } from './intake.routes.ts';
import { apiDocs } from './openapi.ts';
import { operatorsApi } from './operators.routes.ts';

export { publicApi, type PublicApiPorts } from './api.routes.ts';
export { intakeApi, ApiInquiryBody, type IntakeApiPorts } from './intake.routes.ts';
export { operatorsApi, type OperatorsApiPorts } from './operators.routes.ts';
export { apiDocs, openapiBase, transformRoute, OPERATIONS, OPENAPI_PATH, DOCS_PATH } from './openapi.ts';
export { renderDocsPage, type OpenApiDocument } from './docs.views.ts';
export {
  InquiryListQuery,
  InquiryPage,
  StatusChangeBody,
  StatusChangeResult,
  ApiError,
} from './api.schemas.ts';

/** The API surface: the document generator first (it only sees routes added after it), then /api/v1. */
export async function registerApi(app: App, ctx: AppContext): Promise<void> {
  const { config } = ctx;
  const { apiKeys, inquiries, intake, operators, staffAuth, subjects } = ctx.services;
  await apiDocs(app, { publicUrl: config.publicUrl });
  // The operators routes are for signed-in staff: the session hooks (shared with the console).
  registerStaffAuth(app, { staffAuth, config });
  await operatorsApi(app, { operators });
  await intakeApi(app, { intake, apiKeys, operators });
  await publicApi(app, { inquiries, subjects, apiKeys });
}
