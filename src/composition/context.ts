/**
 * What the app is made of: the process-level parts (config, logger, clock, databases, master keys)
 * and the module services built on them. `buildApp` and the CLI take an AppContext; tests build one
 * against their own database.
 */
import { outboundGuardFor } from '../platform/http/outbound-guard.ts';
import type { Config } from '../config/config.ts';
import { AuditService } from '../modules/audit/index.ts';
import { KeyringService, SubjectLookupMoves } from '../modules/keyring/index.ts';
import { OperatorsService } from '../modules/operators/index.ts';
import {
  SubjectDataRegistry,
  SubjectMergeService,
  SubjectsService,
  subjectRowPart,
} from '../modules/subjects/index.ts';
import { ReviewsService, reviewsDataPart } from '../modules/reviews/index.ts';
import { OutboxService, outboxDataPart } from '../modules/outbox/index.ts';
import {
  NotificationsService,
  QuietHoursStore,
  unsubscribeDataPart,
} from '../modules/notifications/index.ts';
import {
  InquiriesService,
  IntakeService,
  inquiriesDataPart,
  subjectInquiryIndex,
} from '../modules/inquiries/index.ts';
import { ConsentService, consentDataPart } from '../modules/consent/index.ts';
import { PolicyService } from '../modules/policy/index.ts';
import { ApiKeysService } from '../modules/apikeys/index.ts';
import {
  ChannelConnectionsService,
  ChannelInboundService,
  VerbalConsentService,
} from '../modules/channels/index.ts';
import { WebhooksService } from '../modules/webhooks/index.ts';
import {
  createStaffServices,
  type AuthService,
  type MfaService,
  type StaffService,
} from '../modules/staff/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { MasterKeys } from '../platform/crypto/master-key.ts';
import type { Database } from '../platform/db/database.ts';
import type { DatabaseHealth } from '../platform/db/health.ts';
import type { Ids } from '../platform/ids.ts';
import { JobQueue } from '../platform/jobs/index.ts';
import type { Logger } from '../platform/logger.ts';

export interface Core {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly ids: Ids;
  /** The data database (personal data as ciphertext, audit, jobs). */
  readonly db: Database;
  /** The keyring database (wrapped keys only). */
  readonly keyringDb: Database;
  readonly masterKeys: MasterKeys;
  /** Whether the databases answer, for `/healthz` and the error handler's 503. */
  readonly dbHealth: DatabaseHealth;
}

export interface Services {
  readonly audit: AuditService;
  readonly consent: ConsentService;
  readonly keyring: KeyringService;
  readonly operators: OperatorsService;
  readonly subjects: SubjectsService;
  /** Where a patient's data lives: every module's part, for merges, destructions, access reports. */
  readonly subjectData: SubjectDataRegistry;
  readonly jobs: JobQueue;
  readonly outbox: OutboxService;
  readonly staff: StaffService;
  readonly staffAuth: AuthService;
  readonly staffMfa: MfaService;
  readonly policy: PolicyService;
  readonly intake: IntakeService;
  readonly inquiries: InquiriesService;
  readonly apiKeys: ApiKeysService;
  readonly reviews: ReviewsService;
  readonly subjectMerge: SubjectMergeService;
  readonly channels: ChannelConnectionsService;
  readonly channelInbound: ChannelInboundService;
  readonly verbalConsent: VerbalConsentService;
  readonly webhooks: WebhooksService;
  readonly notifications: NotificationsService;
}

export interface AppContext extends Core {
  readonly services: Services;
}

export function createServices(core: Core): Services {
  const audit = new AuditService(core.db, core.clock);
  const keyring = new KeyringService(core.keyringDb, core.masterKeys, core.clock);
  const { db, clock, ids, log } = core;
  const operators = new OperatorsService({ db, audit, clock, ids });
  // Destruction runs the parts in this order: the consent log first (it keeps the proof of each
  // consent before the inquiries' cascade could take an inquiry's records), the subject row last.
  const subjectData = new SubjectDataRegistry(
    [consentDataPart, reviewsDataPart, outboxDataPart, unsubscribeDataPart, inquiriesDataPart],
    subjectRowPart,
  );
  const subjects = new SubjectsService({ db, keyring, audit, registry: subjectData, clock, ids, log });
  const jobs = new JobQueue(core.clock, core.ids);
  // Status notices and marketing wait out each operator's quiet hours (notification settings).
  const quietHours = new QuietHoursStore({ db, clock });
  // Without SMTP no e-mail is queued (it would wait forever); the console and the site say so.
  const outbox = new OutboxService(keyring, core.clock, core.ids, quietHours, core.config.smtp !== undefined);
  const { staff, staffAuth, staffMfa } = createStaffServices({
    db: core.db,
    clock: core.clock,
    ids: core.ids,
    config: core.config,
    audit,
    keyring,
  });
  const policy = new PolicyService({ db, audit, clock, ids, operators });
  // Outgoing requests to addresses operators chose: production refuses this machine's networks.
  const outbound = outboundGuardFor(core.config);
  const webhooks = new WebhooksService({
    db,
    keyring,
    audit,
    clock,
    ids,
    log,
    mode: core.config.mode,
    guard: outbound,
  });
  const intake = new IntakeService({
    db,
    operators,
    subjects,
    outbox,
    audit,
    policy,
    keyring,
    clock,
    ids,
    log,
    limits: core.config.intake,
    events: webhooks,
  });
  const consent = new ConsentService({ db, audit, clock, log });
  const notifications = new NotificationsService({
    db,
    keyring,
    outbox,
    audit,
    consent,
    quietHours,
    clock,
    ids,
    log,
    publicUrl: core.config.publicUrl,
  });
  const inquiries = new InquiriesService({
    db,
    keyring,
    subjects,
    audit,
    clock,
    ids,
    log,
    events: webhooks,
    notifier: notifications,
  });
  const apiKeys = new ApiKeysService({ db, audit, clock, ids });
  const reviews = new ReviewsService({ db, keyring, audit, clock, log });
  // Who hears of a withdrawal, in its transaction (the retention work registers next).
  consent.onWithdrawn('marketing', (tx, w) => notifications.marketingConsentWithdrawn(tx, w));
  consent.onWithdrawn('review_publication', (tx, w) =>
    reviews.consentWithdrawn(tx, w.subjectId, w.principal),
  );
  const lookups = new SubjectLookupMoves(core.keyringDb);
  const subjectMerge = new SubjectMergeService({
    db,
    keyring,
    lookups,
    audit,
    registry: subjectData,
    inquiries: subjectInquiryIndex,
    clock,
    ids,
    log,
  });
  const { publicUrl } = core.config;
  const channels = new ChannelConnectionsService({
    db,
    keyring,
    audit,
    clock,
    ids,
    publicUrl,
    log,
    guard: outbound,
  });
  const channelInbound = new ChannelInboundService({
    db,
    subjects,
    outbox,
    operators,
    policy,
    audit,
    clock,
    ids,
    publicUrl,
    log,
    events: webhooks,
  });
  const verbalConsent = new VerbalConsentService({ db, keyring, policy, audit, clock, ids, log });
  return {
    audit,
    consent,
    keyring,
    jobs,
    outbox,
    operators,
    subjects,
    subjectData,
    staff,
    staffAuth,
    staffMfa,
    policy,
    intake,
    inquiries,
    apiKeys,
    reviews,
    subjectMerge,
    channels,
    channelInbound,
    verbalConsent,
    webhooks,
    notifications,
  };
}
