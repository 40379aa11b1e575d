/**
 * Console routes for merging two records of one patient (privacy officers, `subject.merge`):
 * GET /console/subjects/merge shows the form, and with both records named (an inquiry number or a
 * subject id each) both records decrypted side by side (the reads are audited); POST merges and
 * redirects (303) back with a notice. Handlers are thin: SubjectMergeService checks the
 * permission, resolves, decrypts, audits and merges. An organisation the reader has no role at is
 * NotFound, as anywhere in the console.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import type { OperatorDto } from '../modules/operators/index.ts';
import { can, principalOf, type Principal } from '../modules/staff/index.ts';
import { AppError, ErrorCode } from '../platform/errors.ts';
import { send } from './console.routes.ts';
import { operatorsWhere, pageBase, READ, WRITE } from './section.ts';
import { localeOf } from './i18n/index.ts';
import { en as subjectsEn, ru as subjectsRu, type SubjectsText } from './i18n/subjects.ts';
import { MERGE_PATH, mergeFormPage, mergePreviewPage } from './subjects.views.ts';

const ref = z.string().max(100).optional();

export const MergeQuery = z.strictObject({
  operatorId: z.uuid().optional(),
  keep: ref,
  merge: ref,
  m: z.literal('merged').optional(),
  kept: z.uuid().optional(),
});

export const MergeForm = z.strictObject({
  _csrf: z.string().max(200),
  operatorId: z.uuid(),
  keep: z.uuid(),
  merge: z.uuid(),
});

function subjectsText(req: FastifyRequest): SubjectsText {
  return localeOf(req) === 'en' ? subjectsEn : subjectsRu;
}

/** The part of a bilingual service message ("по-русски / in English") in the reader's language. */
function messageFor(req: FastifyRequest, message: string): string {
  const [ru, en] = message.split(' / ');
  return (localeOf(req) === 'en' ? en : ru) ?? message;
}

/** NotFound without any role at the operator, Forbidden with a role but without the permission. */
function requireMerge(principal: Principal, operatorId: string): void {
  const roles = principal.kind === 'staff' ? principal.roles.get(operatorId) : undefined;
  if (!roles || roles.size === 0)
    throw new AppError(ErrorCode.NotFound, 'Организация не найдена / Not found');
  if (!can(principal, 'subject.merge', operatorId)) {
    throw new AppError(ErrorCode.Forbidden, 'Нет права объединять записи / No permission to merge');
  }
}

export async function registerSubjectRoutes(app: App, ctx: AppContext): Promise<void> {
  const { subjectMerge, operators } = ctx.services;

  const common = async (req: FastifyRequest, reply: FastifyReply) => ({
    ...(await pageBase(req, reply, MERGE_PATH)),
    s: subjectsText(req),
  });

  /** The organisations where the reader may merge. */
  const mergeable = (principal: Principal): Promise<OperatorDto[]> =>
    operatorsWhere(operators, principal, 'subject.merge');

  app.get(MERGE_PATH, { ...READ, schema: { querystring: MergeQuery } }, async (req, reply) => {
    const principal = principalOf(req);
    const s = subjectsText(req);
    const q = req.query;
    const ops = await mergeable(principal);
    const operatorId = q.operatorId ?? (ops.length === 1 ? ops[0]!.id : undefined);
    if (q.operatorId !== undefined) requireMerge(principal, q.operatorId);
    const form = {
      ...(await common(req, reply)),
      operators: ops,
      operatorId,
      keep: q.keep,
      merge: q.merge,
    };
    const notice = q.m === 'merged' && q.kept ? s.done(q.kept) : undefined;
    const keepText = q.keep?.trim() ?? '';
    const mergeText = q.merge?.trim() ?? '';
    if (operatorId === undefined || (keepText === '' && mergeText === '')) {
      return send(reply, 200, mergeFormPage({ ...form, notice }));
    }
    // Each record named by the reader: an error goes beside its field.
    const errors: Partial<Record<'keep' | 'merge' | 'form', string>> = {};
    const resolved: Partial<Record<'keep' | 'merge', string>> = {};
    for (const [name, text] of [
      ['keep', keepText],
      ['merge', mergeText],
    ] as const) {
      try {
        resolved[name] = await subjectMerge.resolve(principal, operatorId, text);
      } catch (e) {
        if (!(e instanceof AppError) || e.code === ErrorCode.Forbidden) throw e;
        if (![ErrorCode.ValidationFailed, ErrorCode.NotFound, ErrorCode.Conflict].includes(e.code)) throw e;
        errors[name] = messageFor(req, e.message);
      }
    }
    if (resolved.keep !== undefined && resolved.keep === resolved.merge) errors.form = s.sameSubject;
    if (Object.keys(errors).length > 0 || resolved.keep === undefined || resolved.merge === undefined) {
      return send(reply, 400, mergeFormPage({ ...form, errors }));
    }
    const preview = await subjectMerge.preview(principal, operatorId, {
      keep: resolved.keep,
      merge: resolved.merge,
    });
    const operator = ops.find((op) => op.id === operatorId) ?? (await operators.get(principal, operatorId));
    return send(reply, 200, mergePreviewPage({ ...(await common(req, reply)), operator, preview }));
  });

  app.post(MERGE_PATH, { ...WRITE, schema: { body: MergeForm } }, async (req, reply) => {
    const principal = principalOf(req);
    const { operatorId, keep, merge } = req.body;
    requireMerge(principal, operatorId);
    try {
      await subjectMerge.merge(principal, operatorId, { keep, merge });
    } catch (e) {
      if (
        !(e instanceof AppError) ||
        (e.code !== ErrorCode.ValidationFailed && e.code !== ErrorCode.Conflict)
      ) {
        throw e;
      }
      const ops = await mergeable(principal);
      return send(
        reply,
        e.code === ErrorCode.Conflict ? 409 : 400,
        mergeFormPage({
          ...(await common(req, reply)),
          operators: ops,
          operatorId,
          errors: { form: messageFor(req, e.message) },
        }),
      );
    }
    return reply.redirect(`${MERGE_PATH}?operatorId=${operatorId}&m=merged&kept=${keep}`, 303);
  });
}
