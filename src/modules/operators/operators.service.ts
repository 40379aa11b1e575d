/**
 * Operators (clinics: the legal entities that decide on processing) and their sites. Installation
 * administrators create operators; an operator's administrators keep its card, sites and MFA rule;
 * every change is an audit entry in the same transaction.
 *
 * @example
 *   const op = await operators.create(principal, { slug: 'lux', name: 'ООО «Люкс»', inn, ogrn, ... });
 *   await operators.addSite(principal, op.id, { domain: 'клиника-люкс.рф' });
 *   await operators.findByHost('xn--....xn--p1ai:443'); // { operator, site }
 */
import type { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { parseInput } from '../../platform/validation.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import { TtlCache } from '../../platform/ttl-cache.ts';
import { DEFAULT_CLINIC_HOURS, WorkingHours } from '../../platform/calendar/index.ts';
import type { AuditService } from '../audit/index.ts';
import {
  auditEntryBy,
  can,
  isInstallationAdmin,
  operatorsWith,
  requireInstallationAdmin,
  requirePermission,
  type Principal,
} from '../staff/index.ts';
import { operatorsRepository as repo, type OperatorRow, type SiteRow } from './operators.repository.ts';
import {
  normalizeHost,
  OperatorCreate,
  OperatorPatch,
  SiteInput,
  type HostMatch,
  type OperatorDto,
  type SiteDto,
} from './operators.schemas.ts';
import { domainToUnicode } from 'node:url';

export interface OperatorsDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
}

/** How long another process may serve an operator's card or a Host's site after a change. */
const PUBLIC_TTL_MS = 5000;

export class OperatorsService {
  // Host resolution and the public card run on every public request and intake; they change only
  // through this service's writes, which clear the cache.
  private readonly hosts: TtlCache<HostMatch | undefined>;
  private readonly cards: TtlCache<OperatorDto | undefined>;

  constructor(private readonly deps: OperatorsDeps) {
    this.hosts = new TtlCache(deps.clock, PUBLIC_TTL_MS);
    this.cards = new TtlCache(deps.clock, PUBLIC_TTL_MS);
  }

  /** Creates an operator with its first sites. Only the installation (admins, CLI, jobs) may. */
  async create(principal: Principal, input: OperatorCreate): Promise<OperatorDto> {
    requireInstallationAdmin(principal);
    const o = parseInput(OperatorCreate, input);
    const { db, audit, clock, ids } = this.deps;
    return this.written(
      db.transaction(async (tx) => {
        const now = clock.now();
        const row = await repo.insert(tx, {
          id: ids.uuid(),
          slug: o.slug,
          name: o.name,
          short_name: o.shortName ?? null,
          inn: o.inn,
          ogrn: o.ogrn,
          postal_address: o.postalAddress,
          responsible_person: o.responsiblePerson,
          requests_email: o.requestsEmail,
          requests_postal_address: o.requestsPostalAddress,
          time_zone: o.timeZone,
          require_mfa: o.requireMfa,
          created_at: now,
        });
        await audit.record(tx, this.entry(principal, 'operator.create', 'operator', row.id, row.id));
        const sites: SiteRow[] = [];
        for (const s of o.sites) sites.push(await this.insertSite(tx, principal, row.id, s));
        return toDto(row, sites);
      }),
    );
  }

  /** One operator's card and sites, for anyone who may see or manage that operator. */
  async get(principal: Principal, operatorId: string): Promise<OperatorDto> {
    requireOperatorRead(principal, operatorId);
    const row = isUuid(operatorId) ? await repo.findById(this.deps.db, operatorId) : undefined;
    if (!row) throw notFound();
    return toDto(row, await repo.sitesOf(this.deps.db, [row.id]));
  }

  /** The operator with this slug, or undefined; Forbidden if it exists but is not the caller's. */
  async findBySlug(principal: Principal, slug: string): Promise<OperatorDto | undefined> {
    const row = await repo.findBySlug(this.deps.db, slug);
    if (!row) return undefined;
    requireOperatorRead(principal, row.id);
    return toDto(row, await repo.sitesOf(this.deps.db, [row.id]));
  }

  /** The operators the principal works for (all of them for the installation and its admins). */
  async list(principal: Principal): Promise<OperatorDto[]> {
    const everything = isInstallationAdmin(principal);
    const ids = everything ? undefined : operatorsWith(principal, 'operator.read');
    if (ids && ids.length === 0) return [];
    const rows = await repo.list(this.deps.db, ids);
    const sites =
      rows.length > 0
        ? await repo.sitesOf(
            this.deps.db,
            rows.map((r) => r.id),
          )
        : [];
    return rows.map((r) =>
      toDto(
        r,
        sites.filter((s) => s.operator_id === r.id),
      ),
    );
  }

  /** Changes some fields of the operator's card (and its MFA rule); needs operator.manage. */
  async update(principal: Principal, operatorId: string, patch: OperatorPatch): Promise<OperatorDto> {
    requirePermission(principal, 'operator.manage', operatorId);
    const p = parseInput(OperatorPatch, patch);
    return this.written(
      this.deps.db.transaction(async (tx) => {
        const before = await repo.lockById(tx, operatorId);
        if (!before) throw notFound();
        const changes = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
        const row = await repo.update(tx, operatorId, changes, this.deps.clock.now());
        await this.deps.audit.record(
          tx,
          this.entry(principal, 'operator.update', 'operator', operatorId, operatorId),
        );
        if (p.requireMfa !== undefined && p.requireMfa !== before.require_mfa) {
          await this.recordMfaPolicy(tx, principal, operatorId, p.requireMfa);
        }
        return toDto(row, await repo.sitesOf(tx, [operatorId]));
      }),
    );
  }

  /** Makes two-factor sign-in mandatory (or optional) for the operator's staff. */
  async setRequireMfa(principal: Principal, operatorId: string, required: boolean): Promise<OperatorDto> {
    requirePermission(principal, 'operator.manage', operatorId);
    return this.written(
      this.deps.db.transaction(async (tx) => {
        const before = await repo.lockById(tx, operatorId);
        if (!before) throw notFound();
        if (before.require_mfa === required) return toDto(before, await repo.sitesOf(tx, [operatorId]));
        const row = await repo.update(tx, operatorId, { requireMfa: required }, this.deps.clock.now());
        await this.recordMfaPolicy(tx, principal, operatorId, required);
        return toDto(row, await repo.sitesOf(tx, [operatorId]));
      }),
    );
  }

  /**
   * Whether any of these operators makes two-factor sign-in mandatory. For the sign-in flow, which
   * has no principal yet; it reveals a policy flag only.
   */
  async mfaRequiredFor(operatorIds: readonly string[]): Promise<boolean> {
    const ids = operatorIds.filter(isUuid);
    return ids.length > 0 && repo.anyRequiresMfa(this.deps.db, ids);
  }

  /** Adds a site; the domain is stored in lower case, IDN domains as punycode. 409 if taken. */
  async addSite(principal: Principal, operatorId: string, input: SiteInput): Promise<SiteDto> {
    requirePermission(principal, 'operator.manage', operatorId);
    const s = parseInput(SiteInput, input);
    return this.written(
      this.deps.db.transaction(async (tx) => {
        if (!(await repo.lockById(tx, operatorId))) throw notFound();
        return siteDto(await this.insertSite(tx, principal, operatorId, s));
      }),
    );
  }

  async removeSite(principal: Principal, operatorId: string, siteId: string): Promise<void> {
    requirePermission(principal, 'operator.manage', operatorId);
    if (!isUuid(siteId)) throw new AppError(ErrorCode.NotFound, 'Сайт не найден / Site not found');
    await this.written(
      this.deps.db.transaction(async (tx) => {
        if (!(await repo.deleteSite(tx, operatorId, siteId))) {
          throw new AppError(ErrorCode.NotFound, 'Сайт не найден / Site not found');
        }
        await this.deps.audit.record(tx, this.entry(principal, 'site.remove', 'site', siteId, operatorId));
      }),
    );
  }

  /**
   * The operator serving a request's Host (public pages have no principal). An exact match, port
   * included, wins; otherwise the host without its port. Undefined for unknown or malformed hosts.
   */
  async findByHost(host: string): Promise<HostMatch | undefined> {
    const exact = normalizeHost(host);
    if (!exact) return undefined;
    return this.hosts.get(exact, async () => {
      const bare = exact.replace(/:\d+$/, '');
      const site = await repo.findSiteByDomains(this.deps.db, bare === exact ? [exact] : [exact, bare]);
      if (!site) return undefined;
      const operator = await this.publicCard(site.operator_id);
      return operator && { operator, site: siteDto(site) };
    });
  }

  /**
   * The operator's public card and sites (what its site's pages show anyway), without a principal:
   * for the public pages and the intake. Undefined for an unknown id.
   */
  publicCard(operatorId: string): Promise<OperatorDto | undefined> {
    if (!isUuid(operatorId)) return Promise.resolve(undefined);
    return this.cards.get(operatorId, async () => {
      const row = await repo.findById(this.deps.db, operatorId);
      return row && toDto(row, await repo.sitesOf(this.deps.db, [row.id]));
    });
  }

  /** Clears the public caches once a write has ended (committed or not). */
  private written<T>(work: Promise<T>): Promise<T> {
    return work.finally(() => {
      this.hosts.clear();
      this.cards.clear();
    });
  }

  private async insertSite(
    tx: Tx,
    principal: Principal,
    operatorId: string,
    s: z.output<typeof SiteInput>,
  ): Promise<SiteRow> {
    const site = await repo.insertSite(tx, {
      id: this.deps.ids.uuid(),
      operator_id: operatorId,
      domain: s.domain,
      title: s.title ?? domainToUnicode(s.domain.replace(/:\d+$/, '')) + (/:\d+$/.exec(s.domain)?.[0] ?? ''),
      created_at: this.deps.clock.now(),
    });
    await this.deps.audit.record(tx, this.entry(principal, 'site.add', 'site', site.id, operatorId));
    return site;
  }

  private async recordMfaPolicy(tx: Tx, principal: Principal, operatorId: string, required: boolean) {
    await this.deps.audit.record(
      tx,
      this.entry(
        principal,
        required ? 'operator.mfa_required' : 'operator.mfa_optional',
        'operator',
        operatorId,
        operatorId,
      ),
    );
  }

  private entry(
    principal: Principal,
    action: string,
    objectType: string,
    objectId: string,
    operatorId: string,
  ) {
    return auditEntryBy(principal, action, {
      objectType,
      objectId,
      operatorId,
    });
  }
}

// Seeing an operator's card needs operator.read; those who may manage it may also see it.
function requireOperatorRead(principal: Principal, operatorId: string): void {
  if (can(principal, 'operator.manage', operatorId)) return;
  requirePermission(principal, 'operator.read', operatorId);
}

function notFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'Оператор не найден / Operator not found');
}

function siteDto(s: SiteRow): SiteDto {
  return { id: s.id, domain: s.domain, title: s.title, createdAt: s.created_at.toISOString() };
}

function toDto(r: OperatorRow, sites: SiteRow[]): OperatorDto {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    shortName: r.short_name,
    inn: r.inn,
    ogrn: r.ogrn,
    postalAddress: r.postal_address,
    responsiblePerson: r.responsible_person,
    requestsEmail: r.requests_email,
    requestsPostalAddress: r.requests_postal_address,
    timeZone: r.time_zone,
    workingHours: r.working_hours === null ? DEFAULT_CLINIC_HOURS : WorkingHours.parse(r.working_hours),
    requireMfa: r.require_mfa,
    sites: sites.map(siteDto),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
