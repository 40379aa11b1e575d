export { OutboxService, outboxAad } from './outbox.service.ts';
export { outboxAddSchema, type OutboxAddInput, type OutboxState } from './outbox.schemas.ts';
export {
  outboxDispatchJob,
  OUTBOX_DISPATCH,
  OUTBOX_MAX_ATTEMPTS,
  SUBJECT_KEY_DESTROYED,
  type OutboxDispatchDeps,
} from './outbox-dispatch.job.ts';
export { SendRefused, type OutboxMessage, type Sender } from './senders/sender.ts';
export {
  createEmailSender,
  sendersFromConfig,
  emailPayloadSchema,
  EMAIL_CHANNEL,
  type EmailPayload,
  type EmailSender,
} from './senders/email.sender.ts';
