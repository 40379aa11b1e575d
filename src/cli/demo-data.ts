/**
 * The demo clinic: a fictional MRI centre in Ryazan modelled on the seed policy (seeds/003), served
 * on `localhost` and `127.0.0.1`, so the default local start shows it. Its INN and OGRN pass the
 * check-digit tests but belong to no real company known to us; they are not the seed clinic's.
 *
 * @example
 *   const { operatorId, created } = await ensureDemoOperator(ctx); // safe to call on every start
 */
import type { AppContext } from '../composition/context.ts';
import type { OperatorCreate } from '../modules/operators/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';

export const DEMO_OPERATOR_SLUG = 'lux-demo';

export const DEMO_OPERATOR: OperatorCreate = {
  slug: DEMO_OPERATOR_SLUG,
  name: 'Общество с ограниченной ответственностью «Медицинский центр «Люкс-Демо»',
  shortName: 'ООО «МЦ «Люкс-Демо»',
  inn: '6234000127',
  ogrn: '1256200001232',
  postalAddress: '390000, Рязанская область, г. Рязань, Демонстрационный проспект, д. 28',
  responsiblePerson: 'Демидова Анна Сергеевна, ответственный за организацию обработки персональных данных',
  requestsEmail: 'privacy@lux-demo.example',
  requestsPostalAddress:
    '390000, Рязанская область, г. Рязань, Демонстрационный проспект, д. 28, ' +
    'ООО «МЦ «Люкс-Демо», ответственному за обработку персональных данных',
  timeZone: 'Europe/Moscow',
  requireMfa: false,
  sites: [
    { domain: 'localhost', title: 'МРТ «Люкс-Демо» (локально)' },
    { domain: '127.0.0.1', title: 'МРТ «Люкс-Демо» (локально, 127.0.0.1)' },
  ],
};

/**
 * Creates the demo operator with its sites unless it exists (found by slug). The operator and its
 * sites are created in one transaction, so a failed first attempt leaves nothing behind; two
 * processes racing here end with one operator (the loser's unique slug violation is answered by
 * looking again).
 */
export async function ensureDemoOperator(ctx: AppContext): Promise<{ operatorId: string; created: boolean }> {
  const principal = systemPrincipal('demo');
  const { operators } = ctx.services;
  const existing = await operators.findBySlug(principal, DEMO_OPERATOR_SLUG);
  if (existing) return { operatorId: existing.id, created: false };
  try {
    const op = await operators.create(principal, DEMO_OPERATOR);
    return { operatorId: op.id, created: true };
  } catch (e) {
    const raced = await operators.findBySlug(principal, DEMO_OPERATOR_SLUG);
    if (raced) return { operatorId: raced.id, created: false };
    throw e;
  }
}
