export { publicApi } from './api.routes.ts';
export { apiDocs, openapiBase, transformRoute, OPERATIONS, OPENAPI_PATH, DOCS_PATH } from './openapi.ts';
export { renderDocsPage, type OpenApiDocument } from './docs.page.ts';
export {
  InquiryListQuery,
  InquiryPage,
  StatusChangeBody,
  StatusChangeResult,
  ApiError,
} from './api.schemas.ts';
