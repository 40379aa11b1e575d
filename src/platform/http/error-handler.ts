/**
 * The one error handler. Domain errors map by code; Fastify's own errors (bad content type, body too
 * large, schema validation) map to clear 4xx codes; anything else is a 500 whose body carries only
 * a correlation id. Error bodies never echo input, so no personal data can leave through them.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isConnectionLost } from '../db/database.ts';
import { AppError, ErrorCode, httpStatusOf, type FieldIssue } from '../errors.ts';
import { safeFieldName } from '../validation.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldIssue[]; correlationId: string };
}

/** Renders an error for browsers; surfaces that serve HTML register one. */
export type HtmlErrorRenderer = (req: FastifyRequest, status: number, body: ErrorBody['error']) => string;

/**
 * A surface's own error page for the requests it owns (the public site: those for a clinic's
 * host); undefined leaves the request to the next renderer, and finally to the app's one.
 */
export type SurfaceHtmlErrorRenderer = (
  req: FastifyRequest,
  status: number,
  body: ErrorBody['error'],
) => Promise<string | undefined>;

const surfaceRenderers = new WeakMap<FastifyInstance, SurfaceHtmlErrorRenderer[]>();

/**
 * Lets a surface render the HTML errors of its own requests (asked in the order added, before the
 * app's renderer). `app` is the instance the error handler was registered on, as surfaces get it.
 *
 * @example
 *   addHtmlErrorRenderer(app, async (req, status, body) => (isMine(req) ? myPage(status) : undefined));
 */
export function addHtmlErrorRenderer(app: FastifyInstance, render: SurfaceHtmlErrorRenderer): void {
  const list = surfaceRenderers.get(app) ?? [];
  list.push(render);
  surfaceRenderers.set(app, list);
}

function fromFastifyError(e: FastifyError): AppError | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(ErrorCode.UnsupportedMediaType, 'This content type is not accepted here');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(ErrorCode.PayloadTooLarge, 'The request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(ErrorCode.InvalidJson, 'The request body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError(ErrorCode.UnsupportedMediaType, 'The content type is missing or malformed');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new AppError(ErrorCode.BadRequest, 'The request URL is malformed');
    default:
      break;
  }
  if (e.statusCode === 429) {
    return new AppError(ErrorCode.TooManyRequests, 'Too many requests; try again later');
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(ErrorCode.BadRequest, 'The request is malformed');
  }
  return undefined;
}

function fieldIssues(e: FastifyError): FieldIssue[] {
  if (!hasZodFastifySchemaValidationErrors(e)) return [];
  return e.validation.flatMap((v) => {
    const at = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    // An unknown field is reported on its parent object; name each unknown field instead.
    const unknown = unknownKeys(v.keyword, v.params);
    if (unknown.length > 0) {
      return unknown.map((k) => ({ path: at ? `${at}.${k}` : k, message: 'Unknown field' }));
    }
    return [{ path: at, message: v.message ?? 'invalid' }];
  });
}

// fastify-type-provider-zod puts the zod issue's code in `keyword` and its other fields (here
// `keys`) in `params`.
function unknownKeys(keyword: string, params: unknown): string[] {
  if (keyword !== 'unrecognized_keys') return [];
  const keys = (params as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) return [];
  return keys
    .filter((k): k is string => typeof k === 'string')
    .slice(0, 5)
    .map(safeFieldName);
}

export interface ErrorHandlerOptions {
  /**
   * Asked when a request failed for a reason the handler does not know: whether the databases
   * answer right now. When they do not, the answer is 503 `database_unavailable` instead of 500.
   */
  databaseReachable?: () => Promise<boolean>;
}

/** Seconds a client is told to wait before retrying while the database is out of reach. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

async function databaseLost(err: Error, opts: ErrorHandlerOptions): Promise<boolean> {
  if (isConnectionLost(err)) return true;
  return opts.databaseReachable ? !(await opts.databaseReachable()) : false;
}

export function registerErrorHandler(
  app: FastifyInstance,
  renderHtml?: HtmlErrorRenderer,
  opts: ErrorHandlerOptions = {},
): void {
  const surfaces = (): readonly SurfaceHtmlErrorRenderer[] => surfaceRenderers.get(app) ?? [];
  app.setErrorHandler(async (err: FastifyError | AppError | Error, req, reply) => {
    let appErr: AppError;
    if (err instanceof AppError) {
      appErr = err;
    } else if ('validation' in err && err.validation) {
      appErr = new AppError(ErrorCode.ValidationFailed, 'The request did not pass validation', {
        fields: fieldIssues(err),
      });
    } else {
      appErr =
        fromFastifyError(err as FastifyError) ??
        ((await databaseLost(err, opts))
          ? new AppError(
              ErrorCode.DatabaseUnavailable,
              'The database is unavailable; try again in a few seconds',
              {
                retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
              },
            )
          : new AppError(ErrorCode.Internal, 'Internal error'));
    }
    const status = httpStatusOf(appErr.code);
    if (appErr.code === ErrorCode.DatabaseUnavailable) {
      // Expected while the database restarts: one line per request, without the driver's error.
      req.log.warn({ code: appErr.code, reqId: req.id }, 'request failed: database unavailable');
    } else if (status >= 500) {
      req.log.error({ err, reqId: req.id }, 'request failed');
    } else {
      req.log.debug({ code: appErr.code, reqId: req.id }, 'request refused');
    }
    const body: ErrorBody['error'] = {
      code: appErr.code,
      message: status >= 500 && status !== 503 ? 'Internal error' : appErr.message,
      ...(appErr.details?.fields && appErr.details.fields.length > 0
        ? { fields: appErr.details.fields }
        : {}),
      correlationId: req.id,
    };
    if (appErr.details?.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(appErr.details.retryAfterSeconds));
    }
    return send(req, reply, status, body, renderHtml, surfaces());
  });

  app.setNotFoundHandler(async (req, reply) =>
    send(
      req,
      reply,
      404,
      { code: ErrorCode.NotFound, message: 'Not found', correlationId: req.id },
      renderHtml,
      surfaces(),
    ),
  );
}

async function send(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: ErrorBody['error'],
  renderHtml: HtmlErrorRenderer | undefined,
  surfaces: readonly SurfaceHtmlErrorRenderer[],
): Promise<FastifyReply> {
  const wantsHtml =
    renderHtml && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
  if (wantsHtml) {
    let page: string | undefined;
    for (const render of surfaces) {
      try {
        page = await render(req, status, body);
      } catch (e) {
        // An error page must not fail in turn: the app's own renderer needs nothing external.
        req.log.error({ err: e, reqId: req.id }, 'error page failed');
      }
      if (page !== undefined) break;
    }
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(page ?? renderHtml(req, status, body));
  }
  return reply.code(status).type('application/json; charset=utf-8').send({ error: body });
}
