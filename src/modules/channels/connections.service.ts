/**
 * Per-operator channel connections (contract 5 of issue 4): an administrator connects Telegram,
 * WhatsApp, the SMS.ru gateway, MAX or the clinic's telephony; the connection gets a random path
 * token (`/hooks/<provider>/<token>` names it, and so the operator) and the secrets the provider
 * signs or authenticates its webhooks with. Credentials are one AES-256-GCM blob under the
 * keyring's named key `channel-credentials:<operator id>`: never in logs, lists or pages (the
 * generated secrets are shown once, when the connection is made). Connecting and disabling are
 * audited (`channel.connect`, `channel.disable`) in the same transaction; permission first.
 *
 * @example
 *   const { connection, secrets } = await channels.connect(admin, operatorId,
 *     { provider: 'telegram', botToken: '123456:AAE…' });
 *   connection.webhookUrl; // https://soglasie.example/hooks/telegram/<token>
 *   await channels.credentials(operatorId, 'telegram'); // { botToken, webhookSecret, apiBaseUrl } | null
 *   await channels.disable(admin, operatorId, connection.id);
 */
import type { Clock } from '../../platform/clock.ts';
import { openString, sealString } from '../../platform/crypto/aead.ts';
import { isConstraintViolation, type Database } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { refusedHost, type OutboundGuard } from '../../platform/http/outbound-guard.ts';
import { isUuid, randomToken, type Ids } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService } from '../audit/index.ts';
import type { KeyringService } from '../keyring/index.ts';
import { actorOf, auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import {
  ChannelProvider,
  ConnectInput,
  DEFAULT_API_BASE_URL,
  parseCredentials,
  PATH_TOKEN,
  webhookPath,
  type ChannelCredentials,
  type ConnectionDto,
  type ConnectResult,
  type GeneratedSecret,
} from './channels.schemas.ts';
import {
  ACTIVE_CONNECTION_CONSTRAINT,
  connectionsRepository as repo,
  type ConnectionRow,
} from './connections.repository.ts';

export interface ChannelConnectionsDeps {
  db: Database;
  keyring: Pick<KeyringService, 'namedKey'>;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  /** The installation's public URL: the webhook URLs given to providers start with it. */
  publicUrl: string;
  /** Which API base addresses production refuses (this machine's networks, save exceptions). */
  guard?: OutboundGuard;
  log?: Logger;
}

/** An active connection a webhook named, with what its signature is checked against. */
export interface ResolvedConnection<P extends ChannelProvider = ChannelProvider> {
  id: string;
  operatorId: string;
  provider: P;
  credentials: ChannelCredentials[P];
}

/** What the senders need (contract 5): a structural seam, so they can be tested with a map. */
export interface ChannelCredentialsSource {
  credentials<P extends ChannelProvider>(
    operatorId: string,
    provider: P,
  ): Promise<ChannelCredentials[P] | null>;
}

export function credentialsAad(connectionId: string): string {
  return `channel_connection:${connectionId}:credentials`;
}

export class ChannelConnectionsService implements ChannelCredentialsSource {
  // Named keys are never destroyed and a master-key rotation does not change them: safe to keep.
  private readonly keys = new Map<string, Promise<Buffer>>();

  constructor(private readonly deps: ChannelConnectionsDeps) {}

  /**
   * Connects a provider for the operator. Conflict when one is already connected (disable it
   * first: its webhook URL stops working at once). The generated secrets come back once.
   */
  async connect(principal: Principal, operatorId: string, input: ConnectInput): Promise<ConnectResult> {
    requirePermission(principal, 'operator.manage', operatorId);
    const i = parseInput(ConnectInput, input, 'Проверьте поля подключения / Check the connection fields');
    // Replies to patients go to this address: not to this machine's networks in production. A
    // name is checked again on its resolved address whenever a message is sent.
    const base = 'apiBaseUrl' in i ? i.apiBaseUrl : undefined;
    if (base !== undefined && this.deps.guard && refusedHost(this.deps.guard, new URL(base).hostname)) {
      const message = 'Этот адрес API недоступен / This API address is not allowed';
      throw new AppError(ErrorCode.ValidationFailed, message, { fields: [{ path: 'apiBaseUrl', message }] });
    }
    const { credentials, secrets } = credentialsFor(i);
    const { db, ids, clock, audit } = this.deps;
    const id = ids.uuid();
    const key = await this.key(operatorId);
    const row = {
      id,
      operator_id: operatorId,
      provider: i.provider,
      path_token: randomToken(24),
      credentials_enc: sealString(key, JSON.stringify(credentials), credentialsAad(id)),
      created_at: clock.now(),
      created_by: actorOf(principal).id,
    };
    try {
      await db.transaction(async (tx) => {
        await repo.insert(tx, row);
        await audit.record(tx, this.entry(principal, 'channel.connect', operatorId, id));
      });
    } catch (e) {
      if (!isConstraintViolation(e, ACTIVE_CONNECTION_CONSTRAINT)) throw e;
      throw new AppError(
        ErrorCode.Conflict,
        'Этот канал уже подключён: отключите его, чтобы подключить заново / ' +
          'This channel is already connected: disable it first',
      );
    }
    this.deps.log?.info({ operatorId, connectionId: id, provider: i.provider }, 'channel connected');
    return { connection: this.dto({ ...row, disabled_at: null, disabled_by: null }), secrets };
  }

  /** Disables a connection: its webhook answers 404 from now on. NotFound for another operator's. */
  async disable(
    principal: Principal,
    operatorId: string,
    connectionId: string,
  ): Promise<{ changed: boolean }> {
    requirePermission(principal, 'operator.manage', operatorId);
    if (!isUuid(connectionId)) throw notFound();
    const { db, clock, audit } = this.deps;
    const changed = await db.transaction(async (tx) => {
      const done = await repo.disable(tx, operatorId, connectionId, clock.now(), actorOf(principal).id);
      if (!done) {
        if (!(await repo.existsForOperator(tx, operatorId, connectionId))) throw notFound();
        return false;
      }
      await audit.record(tx, this.entry(principal, 'channel.disable', operatorId, connectionId));
      return true;
    });
    if (changed) this.deps.log?.info({ operatorId, connectionId }, 'channel disabled');
    return { changed };
  }

  /** The operator's connections (active first), without credentials. */
  async list(principal: Principal, operatorId: string): Promise<ConnectionDto[]> {
    requirePermission(principal, 'operator.manage', operatorId);
    if (!isUuid(operatorId)) return [];
    const rows = await repo.listByOperator(this.deps.db, operatorId);
    return rows.map((r) => this.dto(r));
  }

  /**
   * The active connection's credentials for the senders (contract 5), or null when the provider is
   * not connected. No principal: the outbox dispatcher acts for the installation.
   */
  async credentials<P extends ChannelProvider>(
    operatorId: string,
    provider: P,
  ): Promise<ChannelCredentials[P] | null> {
    if (!isUuid(operatorId)) return null;
    const row = await repo.findActive(this.deps.db, operatorId, provider);
    return row ? this.open(row, provider) : null;
  }

  /** The active connection a webhook's path names, or undefined (the webhook answers 404). */
  async resolve<P extends ChannelProvider>(
    provider: P,
    token: string,
  ): Promise<ResolvedConnection<P> | undefined> {
    if (!PATH_TOKEN.test(token)) return undefined;
    const row = await repo.findActiveByToken(this.deps.db, provider, token);
    if (!row) return undefined;
    return { id: row.id, operatorId: row.operator_id, provider, credentials: await this.open(row, provider) };
  }

  private async open<P extends ChannelProvider>(
    row: ConnectionRow,
    provider: P,
  ): Promise<ChannelCredentials[P]> {
    const key = await this.key(row.operator_id);
    return parseCredentials(
      provider,
      JSON.parse(openString(key, row.credentials_enc, credentialsAad(row.id))),
    );
  }

  private key(operatorId: string): Promise<Buffer> {
    let k = this.keys.get(operatorId);
    if (!k) {
      k = this.deps.keyring.namedKey(`channel-credentials:${operatorId}`);
      this.keys.set(operatorId, k);
      // A failed fetch must not be remembered.
      k.catch(() => this.keys.delete(operatorId));
    }
    return k;
  }

  private dto(r: ConnectionRow): ConnectionDto {
    const provider = ChannelProvider.parse(r.provider);
    return {
      id: r.id,
      operatorId: r.operator_id,
      provider,
      webhookUrl: `${this.deps.publicUrl}${webhookPath(provider, r.path_token)}`,
      createdAt: r.created_at.toISOString(),
      disabledAt: r.disabled_at?.toISOString() ?? null,
    };
  }

  private entry(principal: Principal, action: string, operatorId: string, connectionId: string) {
    return auditEntryBy(principal, action, {
      objectType: 'channel_connection',
      objectId: connectionId,
      operatorId,
    });
  }
}

/** The credentials to keep for a new connection, and the secrets generated for it. */
function credentialsFor(i: ReturnType<typeof ConnectInput.parse>): {
  credentials: unknown;
  secrets: GeneratedSecret[];
} {
  // 32 bytes of entropy, URL-safe: fits Telegram's secret_token (A-Z a-z 0-9 _ -, up to 256).
  const generated = randomToken(32);
  switch (i.provider) {
    case 'telegram':
      return {
        credentials: {
          botToken: i.botToken,
          webhookSecret: generated,
          apiBaseUrl: i.apiBaseUrl ?? DEFAULT_API_BASE_URL.telegram,
        },
        secrets: [{ name: 'webhookSecret', value: generated }],
      };
    case 'whatsapp':
      return {
        credentials: {
          accessToken: i.accessToken,
          phoneNumberId: i.phoneNumberId,
          appSecret: i.appSecret,
          verifyToken: generated,
          apiBaseUrl: i.apiBaseUrl ?? DEFAULT_API_BASE_URL.whatsapp,
        },
        secrets: [{ name: 'verifyToken', value: generated }],
      };
    case 'sms_ru':
      return {
        credentials: {
          apiId: i.apiId,
          ...(i.from !== undefined ? { from: i.from } : {}),
          apiBaseUrl: i.apiBaseUrl ?? DEFAULT_API_BASE_URL.sms_ru,
          webhookSecret: generated,
        },
        secrets: [{ name: 'webhookSecret', value: generated }],
      };
    case 'max':
      return {
        credentials: {
          botToken: i.botToken,
          webhookSecret: generated,
          apiBaseUrl: i.apiBaseUrl ?? DEFAULT_API_BASE_URL.max,
        },
        secrets: [{ name: 'webhookSecret', value: generated }],
      };
    case 'telephony':
      return { credentials: { secret: generated }, secrets: [{ name: 'secret', value: generated }] };
  }
}

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Подключение не найдено / Connection not found');
}
