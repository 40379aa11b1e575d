/**
 * `POST /api/v1/inquiries`: the intake for integrators, authenticated by an operator's API key.
 * 201 `{ inquiryId }` for a new inquiry, 200 `{ inquiryId, duplicate: true }` when the idempotency
 * key was used before, 400 with Russian messages per field, 401 without a valid key, 403 for a
 * site of another operator, 429 with Retry-After.
 *
 * @example
 *   curl -H 'Authorization: Bearer sgl_…' -H 'Content-Type: application/json' \
 *     -d '{"formId":"callback","siteDomain":"clinic.example","fields":{"name":"Анна","phone":"+79123456789"},
 *          "consents":{"processing":true,"marketing":false},"idempotencyKey":"crm-000123"}' \
 *     https://soglasie.example/api/v1/inquiries
 */
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { AppContext } from '../../composition/context.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { apiKeyPrincipalOf, requireApiKey } from '../apikeys/index.ts';
import { FormId } from '../policy/index.ts';
import { IntakeConsents, OnBehalf } from './inquiries.schemas.ts';

export const ApiInquiryBody = z
  .strictObject({
    formId: FormId,
    siteId: z.uuid().optional(),
    siteDomain: z.string().min(1).max(300).optional(),
    fields: z.record(z.string().max(200), z.string().max(100_000)),
    consents: IntakeConsents,
    onBehalf: OnBehalf.optional(),
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_.-]{8,128}$/, '8–128 символов A-Z a-z 0-9 _ . -'),
    page: z.string().max(2000).optional(),
    /** The language the patient read the consent texts in: the consent records cite those. */
    lang: z.enum(['ru', 'en']).optional(),
  })
  .refine((b) => (b.siteId === undefined) !== (b.siteDomain === undefined), {
    message: 'Укажите siteId или siteDomain (одно из двух) / Give siteId or siteDomain',
    path: ['siteId'],
  });

const Created = z.object({ inquiryId: z.uuid() });
const Duplicate = z.object({ inquiryId: z.uuid(), duplicate: z.literal(true) });

export async function intakeApi(app: App, ctx: AppContext): Promise<void> {
  const { intake, apiKeys, operators } = ctx.services;
  app.post(
    '/api/v1/inquiries',
    {
      // The key before the body: a caller without one learns nothing of what a valid body is.
      onRequest: requireApiKey(apiKeys),
      schema: { body: ApiInquiryBody, response: { 201: Created, 200: Duplicate } },
    },
    async (req, reply) => {
      const principal = apiKeyPrincipalOf(req);
      if (principal.kind !== 'api_key') throw new AppError(ErrorCode.Forbidden, 'API keys only');
      const b = req.body;
      let siteId = b.siteId;
      if (b.siteDomain !== undefined) {
        const match = await operators.findByHost(b.siteDomain);
        if (match?.operator.id !== principal.operatorId) throw notOwnSite();
        siteId = match.site.id;
      }
      const r = await intake.submit(
        {
          operatorId: principal.operatorId,
          siteId: siteId!,
          formId: b.formId,
          fields: b.fields,
          consents: b.consents,
          ...(b.onBehalf ? { onBehalf: b.onBehalf } : {}),
          ...(b.lang ? { lang: b.lang } : {}),
          channel: 'api',
          page: b.page ?? '',
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? '',
          // Namespaced so a client's key can never meet a form token's.
          idempotencyKey: `api:${b.idempotencyKey}`,
        },
        principal,
      );
      switch (r.kind) {
        case 'created':
          return reply.code(201).send({ inquiryId: r.inquiryId });
        case 'duplicate':
          return reply.code(200).send({ inquiryId: r.inquiryId, duplicate: true as const });
        case 'invalid':
          throw new AppError(ErrorCode.ValidationFailed, 'Проверьте поля обращения / Check the fields', {
            fields: Object.entries(r.errors).map(([path, message]) => ({ path, message })),
          });
        case 'spam':
          throw new AppError(ErrorCode.BadRequest, 'Обращение отклонено / The submission was refused');
        case 'rate_limited':
          throw new AppError(ErrorCode.TooManyRequests, 'Слишком много обращений; повторите позже', {
            retryAfterSeconds: r.retryAfterSeconds,
          });
      }
    },
  );
}

function notOwnSite(): AppError {
  return new AppError(
    ErrorCode.Forbidden,
    'Сайт не принадлежит оператору ключа / The site is not the key’s operator’s',
  );
}
