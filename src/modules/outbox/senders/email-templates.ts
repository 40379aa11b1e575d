/**
 * E-mails rendered by the sender from a template's payload, so that a module queues facts (the
 * clinic's name, the inquiry's number) and the wording lives in one place. A rendered e-mail never
 * carries what the patient wrote.
 *
 * @example
 *   renderEmail('inquiry_confirmation', { to: 'a@b.ru', clinicName: 'МРТ Люкс', inquiryNumber: '42' });
 *   // { to, subject: 'Ваша заявка № 42 принята — МРТ Люкс', text: '...' }
 */
import { z } from 'zod';
import type { EmailPayload } from './email.sender.ts';

const InquiryConfirmation = z.object({
  to: z.email(),
  clinicName: z.string().min(1).max(500),
  inquiryNumber: z.string().regex(/^\d{1,19}$/),
});

const TEMPLATES: Record<string, (payload: unknown) => EmailPayload | undefined> = {
  inquiry_confirmation: (payload) => {
    const p = InquiryConfirmation.safeParse(payload);
    if (!p.success) return undefined;
    const { to, clinicName, inquiryNumber } = p.data;
    return {
      to,
      subject: `Ваша заявка № ${inquiryNumber} принята — ${clinicName}`,
      text: [
        'Здравствуйте!',
        '',
        `Ваша заявка № ${inquiryNumber} принята. Мы свяжемся с вами в ближайшее время.`,
        '',
        'Письмо отправлено автоматически, отвечать на него не нужно. Если вы не оставляли заявку, ' +
          'просто не обращайте на него внимания.',
        '',
        `— ${clinicName}`,
        '',
      ].join('\n'),
    };
  },
};

/**
 * The e-mail for a templated outbox message: undefined when the template is not one rendered here
 * (the payload is then the e-mail itself), or when the payload does not fit the template.
 */
export function renderEmail(template: string, payload: unknown): EmailPayload | undefined | 'invalid' {
  const render = Object.hasOwn(TEMPLATES, template) ? TEMPLATES[template] : undefined;
  if (!render) return undefined;
  return render(payload) ?? 'invalid';
}
