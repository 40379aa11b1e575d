/**
 * Policy as code: the operator's draft declaration, the linter, publishing immutable versions of
 * the five documents, and reading them back (public, no principal: the policy must be freely
 * available). Editing and publishing need 'policy.manage'; every change is audited in the same
 * transaction.
 *
 * A publish renders all five documents in Russian and in English; a document gets a new version
 * in a language only when its text in that language changed, so its "last updated" date is the
 * date its own text last changed. The Russian documents are the binding ones; the English ones are
 * translations that say so in their header.
 *
 * @example
 *   await policy.saveDraft(principal, operatorId, declaration);
 *   await policy.publish(principal, operatorId); // AppError(ValidationFailed) with lint errors
 *   const current = await policy.current(operatorId); // { declarationVersion, documents: { privacy_policy: {...} } }
 *   const { html } = await policy.renderDocument(operatorId, 'privacy_policy', 2);
 *   const en = await policy.renderDocument(operatorId, 'privacy_policy', undefined, 'en');
 */
import { diffLines } from 'diff';
import { parseDocument, stringify } from 'yaml';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { html, raw, type SafeHtml } from '../../platform/http/html.ts';
import { isUuid, type Ids } from '../../platform/ids.ts';
import { parseInput } from '../../platform/validation.ts';
import type { AuditService } from '../audit/index.ts';
import type { OperatorsService } from '../operators/index.ts';
import { actorOf, auditEntryBy, requirePermission, type Principal } from '../staff/index.ts';
import {
  Declaration,
  DOCUMENT_KINDS,
  DOCUMENT_LANGS,
  documentPath,
  type DocumentKind,
  type DocumentLang,
  type PublishedDocument,
  type PublishedPolicy,
} from './declaration.schemas.ts';
import { effectiveOperator, hasErrors, lintDeclaration, type LintIssue } from './policy.linter.ts';
import { documentBody, documentHtml, documentText, sha256Hex } from './policy.render.ts';
import { policyRepository as repo, type DocumentRow, type PublicationRow } from './policy.repository.ts';

export interface PolicyDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
  operators: OperatorsService;
}

export interface Draft {
  declaration: Declaration;
  updatedAt: Date;
  updatedBy: string;
}

/** One publish, for the console's list. */
export interface PublicationSummary {
  version: number;
  publishedAt: Date;
  publishedBy: string;
  documents: PublishedDocument[];
}

const MAX_YAML_BYTES = 200_000;
/**
 * How long the policy in force is served without asking the database: another process's publish
 * shows here within this time. A consent given in that second cites the version the patient's
 * page was rendered with, which is the text they saw.
 */
const CURRENT_FRESH_MS = 1000;

export class PolicyService {
  // The policy in force per operator, keyed by its publication id: `current` runs on every page and
  // intake. Within CURRENT_FRESH_MS of the last check it is served as is; after that, checking that
  // it is still the latest is one index lookup. A publish in this process drops it at once.
  private readonly cache = new Map<
    string,
    { publicationId: string; policy: PublishedPolicy; checkedAt: number }
  >();

  constructor(private readonly deps: PolicyDeps) {}

  /** The operator's draft, or undefined when none was saved yet. */
  async getDraft(principal: Principal, operatorId: string): Promise<Draft | undefined> {
    requirePermission(principal, 'policy.manage', operatorId);
    const row = await repo.findDraft(this.deps.db.pool, operatorId);
    if (!row) return undefined;
    return {
      declaration: Declaration.parse(row.declaration),
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  /** Validates and stores the draft; a structural error is a ValidationFailed with field paths. */
  async saveDraft(principal: Principal, operatorId: string, input: unknown): Promise<Declaration> {
    requirePermission(principal, 'policy.manage', operatorId);
    requireOperatorId(operatorId);
    const declaration = parseInput(Declaration, input, 'The declaration did not pass validation');
    await this.deps.db.transaction(async (tx) => {
      await repo.upsertDraft(tx, operatorId, declaration, this.deps.clock.now(), actorId(principal));
      await this.audit(tx, principal, 'policy.draft_save', 'policy_draft', operatorId, operatorId);
    });
    return declaration;
  }

  /** Lints the given declaration, or the saved draft, against the operator's card. */
  async lint(principal: Principal, operatorId: string, declaration?: Declaration): Promise<LintIssue[]> {
    requirePermission(principal, 'policy.manage', operatorId);
    const d = declaration ?? (await this.getDraft(principal, operatorId))?.declaration;
    if (!d) throw new AppError(ErrorCode.NotFound, 'Черновик политики не найден / No policy draft');
    const card = await this.deps.operators.get(principal, operatorId);
    return lintDeclaration(d, card);
  }

  /**
   * Publishes the draft: refused with the lint errors as field issues when there are any. A draft
   * identical to the declaration in force publishes nothing and returns the policy in force (unless
   * that policy has no English documents yet: then a publication puts them in force).
   */
  async publish(principal: Principal, operatorId: string): Promise<PublishedPolicy> {
    requirePermission(principal, 'policy.manage', operatorId);
    requireOperatorId(operatorId);
    const card = await this.deps.operators.get(principal, operatorId);
    const { db, clock, ids } = this.deps;
    await db.transaction(async (tx) => {
      // The draft's row lock serialises publishes of one operator, so numbers never collide.
      const draft = await repo.findDraft(tx, operatorId, true);
      if (!draft) throw new AppError(ErrorCode.NotFound, 'Черновик политики не найден / No policy draft');
      const declaration = Declaration.parse(draft.declaration);
      const issues = lintDeclaration(declaration, card);
      if (hasErrors(issues)) {
        throw new AppError(ErrorCode.ValidationFailed, 'Политика содержит ошибки / The policy has errors', {
          fields: issues
            .filter((i) => i.level === 'error')
            .map((i) => ({ path: i.path, message: i.message })),
        });
      }
      const prev = await repo.latestPublication(tx, operatorId);
      const previous = new Map(
        (prev ? await repo.documentsOf(tx, prev.id) : []).map((d) => [`${d.lang}:${d.kind}`, d] as const),
      );
      // The same declaration publishes nothing, unless the policy in force predates the English
      // documents: then publishing puts them in force (the Russian ones keep their versions).
      const complete = previous.size === DOCUMENT_LANGS.length * DOCUMENT_KINDS.length;
      if (
        prev &&
        complete &&
        JSON.stringify(Declaration.parse(prev.declaration)) === JSON.stringify(declaration)
      ) {
        return;
      }
      const now = clock.now();
      const publication: PublicationRow = {
        id: ids.uuid(),
        operator_id: operatorId,
        version: (prev?.version ?? 0) + 1,
        declaration,
        published_at: now,
        published_by: actorId(principal),
      };
      await repo.insertPublication(tx, publication);
      const op = effectiveOperator(declaration, card);
      for (const lang of DOCUMENT_LANGS) {
        for (const kind of DOCUMENT_KINDS) {
          const body = documentBody(kind, declaration, op, lang);
          // The version in force, or, when the policy in force has none in this language (it
          // predates the English documents), that language's latest version if there is one.
          const last =
            previous.get(`${lang}:${kind}`) ??
            (complete ? undefined : (await repo.documentVersions(tx, operatorId, kind, lang))[0]);
          const unchanged =
            last !== undefined &&
            documentText(kind, body, {
              version: last.version,
              publishedAt: last.published_at,
              timeZone: card.timeZone,
              lang,
            }) === last.body_text;
          if (last && unchanged) {
            await repo.linkDocument(tx, publication.id, kind, lang, last.id);
            continue;
          }
          const header = {
            version: (last?.version ?? 0) + 1,
            publishedAt: now,
            timeZone: card.timeZone,
            lang,
          };
          const text = documentText(kind, body, header);
          const row: DocumentRow = {
            id: ids.uuid(),
            operator_id: operatorId,
            publication_id: publication.id,
            kind,
            lang,
            version: header.version,
            sha256: sha256Hex(text),
            body_text: text,
            body_html: documentHtml(kind, body, header).toString(),
            published_at: now,
          };
          await repo.insertDocument(tx, row);
          await repo.linkDocument(tx, publication.id, kind, lang, row.id);
        }
      }
      await this.audit(tx, principal, 'policy.publish', 'policy_publication', publication.id, operatorId);
    });
    this.cache.delete(operatorId);
    const current = await this.current(operatorId);
    if (!current) throw new AppError(ErrorCode.Internal, 'Published policy not found after publishing');
    return current;
  }

  /** The policy in force for an operator (public), or undefined before its first publish. */
  async current(operatorId: string): Promise<PublishedPolicy | undefined> {
    if (!isUuid(operatorId)) return undefined;
    const now = this.deps.clock.now().getTime();
    const fresh = this.cache.get(operatorId);
    if (fresh && now - fresh.checkedAt < CURRENT_FRESH_MS && now >= fresh.checkedAt) return fresh.policy;
    const db = this.deps.db.pool;
    const latest = await db.query<{ id: string }>(
      'SELECT id FROM policy_publications WHERE operator_id = $1 ORDER BY version DESC LIMIT 1',
      [operatorId],
    );
    const id = latest.rows[0]?.id;
    if (!id) return undefined;
    const hit = this.cache.get(operatorId);
    if (hit?.publicationId === id) {
      hit.checkedAt = now;
      return hit.policy;
    }
    const pub = await repo.latestPublication(db, operatorId);
    if (!pub) return undefined;
    const docs = await repo.documentsOf(db, pub.id);
    const inLang = (lang: DocumentLang) =>
      Object.fromEntries(docs.filter((d) => d.lang === lang).map((d) => [d.kind, toPublished(d)])) as Partial<
        Record<DocumentKind, PublishedDocument>
      >;
    const documentsEn = inLang('en');
    const policy: PublishedPolicy = {
      declarationVersion: pub.version,
      declaration: Declaration.parse(pub.declaration),
      publishedAt: pub.published_at,
      documents: inLang('ru') as Record<DocumentKind, PublishedDocument>,
      // Only a full set: a publication from before the English documents has none of them.
      ...(DOCUMENT_KINDS.every((k) => documentsEn[k] !== undefined)
        ? { documentsEn: documentsEn as Record<DocumentKind, PublishedDocument> }
        : {}),
    };
    this.cache.set(operatorId, { publicationId: pub.id, policy, checkedAt: now });
    return policy;
  }

  /**
   * A published document's HTML body fragment (an <article> with its header), the current version
   * or a given one, in Russian or English. NotFound when there is no such version.
   */
  async renderDocument(
    operatorId: string,
    kind: DocumentKind,
    version?: number,
    lang: DocumentLang = 'ru',
  ): Promise<{ doc: PublishedDocument; html: SafeHtml; text: string }> {
    const row = await this.documentRow(operatorId, kind, version, lang);
    // The HTML was produced by our own templates with every value escaped, then stored immutably.
    return { doc: toPublished(row), html: raw(row.body_html), text: row.body_text };
  }

  /** Every published version of a document in a language, newest first (public: the archive page). */
  async versions(
    operatorId: string,
    kind: DocumentKind,
    lang: DocumentLang = 'ru',
  ): Promise<PublishedDocument[]> {
    if (!isUuid(operatorId)) return [];
    return (await repo.documentVersions(this.deps.db.pool, operatorId, kind, lang)).map(toPublished);
  }

  /** A line diff of two versions' plain text, as HTML with <ins> and <del>; long unchanged runs fold. */
  async diff(
    operatorId: string,
    kind: DocumentKind,
    fromVersion: number,
    toVersion: number,
    lang: DocumentLang = 'ru',
  ): Promise<SafeHtml> {
    const a = await this.documentRow(operatorId, kind, fromVersion, lang);
    const b = await this.documentRow(operatorId, kind, toVersion, lang);
    return diffHtml(a.body_text, b.body_text);
  }

  /** Every publication, newest first, with the document versions it put in force (Russian, then English). */
  async publications(principal: Principal, operatorId: string): Promise<PublicationSummary[]> {
    requirePermission(principal, 'policy.manage', operatorId);
    const db = this.deps.db.pool;
    const pubs = await repo.publications(db, operatorId);
    const out: PublicationSummary[] = [];
    for (const p of pubs) {
      const docs = (await repo.documentsOf(db, p.id)).map(toPublished);
      docs.sort(
        (x, y) =>
          DOCUMENT_LANGS.indexOf(x.lang) - DOCUMENT_LANGS.indexOf(y.lang) ||
          DOCUMENT_KINDS.indexOf(x.kind) - DOCUMENT_KINDS.indexOf(y.kind),
      );
      out.push({
        version: p.version,
        publishedAt: p.published_at,
        publishedBy: p.published_by,
        documents: docs,
      });
    }
    return out;
  }

  /** The draft (or, without one, the declaration in force) as YAML; undefined if neither exists. */
  async exportYaml(principal: Principal, operatorId: string): Promise<string | undefined> {
    requirePermission(principal, 'policy.manage', operatorId);
    const d =
      (await this.getDraft(principal, operatorId))?.declaration ??
      (await this.current(operatorId))?.declaration;
    return d === undefined ? undefined : declarationToYaml(d);
  }

  /** Parses YAML and saves it as the draft (syntax errors and schema errors are ValidationFailed). */
  async importYaml(principal: Principal, operatorId: string, text: string): Promise<Declaration> {
    requirePermission(principal, 'policy.manage', operatorId);
    return this.saveDraft(principal, operatorId, parseDeclarationYaml(text));
  }

  private async documentRow(
    operatorId: string,
    kind: DocumentKind,
    version: number | undefined,
    lang: DocumentLang,
  ): Promise<DocumentRow> {
    const notFound = () => new AppError(ErrorCode.NotFound, 'Документ не найден / Document not found');
    if (!isUuid(operatorId) || (version !== undefined && (!Number.isSafeInteger(version) || version < 1))) {
      throw notFound();
    }
    const db = this.deps.db.pool;
    const row =
      version === undefined
        ? (await repo.documentVersions(db, operatorId, kind, lang))[0]
        : await repo.documentVersion(db, operatorId, kind, version, lang);
    if (!row) throw notFound();
    return row;
  }

  private async audit(
    tx: Tx,
    principal: Principal,
    action: string,
    objectType: string,
    objectId: string,
    operatorId: string,
  ): Promise<void> {
    await this.deps.audit.record(
      tx,
      auditEntryBy(principal, action, {
        objectType,
        objectId,
        operatorId,
      }),
    );
  }
}

function requireOperatorId(operatorId: string): void {
  if (!isUuid(operatorId)) throw new AppError(ErrorCode.NotFound, 'Оператор не найден / Operator not found');
}

function actorId(principal: Principal): string {
  return actorOf(principal).id ?? principal.kind;
}

function toPublished(d: DocumentRow): PublishedDocument {
  return {
    id: d.id,
    operatorId: d.operator_id,
    kind: d.kind,
    version: d.version,
    publishedAt: d.published_at,
    sha256: d.sha256,
    lang: d.lang,
    url: documentPath(d.kind, d.version, d.lang),
  };
}

/** The declaration as YAML, for export and for the console's editor. */
export function declarationToYaml(d: Declaration): string {
  return stringify(d, { lineWidth: 0 });
}

/**
 * Parses YAML into a plain value for the schema. Syntax errors become ValidationFailed with the
 * line and column (declarations hold no personal data, so the message may quote the source).
 */
export function parseDeclarationYaml(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > MAX_YAML_BYTES) {
    throw new AppError(ErrorCode.ValidationFailed, 'YAML слишком большой / YAML too large', {
      fields: [
        { path: 'yaml', message: `Не больше ${MAX_YAML_BYTES} байт / At most ${MAX_YAML_BYTES} bytes` },
      ],
    });
  }
  // Aliases are capped so that a small document cannot expand into a huge one.
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new AppError(ErrorCode.ValidationFailed, 'Ошибка синтаксиса YAML / YAML syntax error', {
      fields: doc.errors.slice(0, 5).map((e) => ({
        path: 'yaml',
        message: e.linePos ? `строка ${e.linePos[0].line}, столбец ${e.linePos[0].col}: ${e.code}` : e.code,
      })),
    });
  }
  return doc.toJS({ maxAliasCount: 50 }) as unknown;
}

const CONTEXT_LINES = 2;
const NEWLINE = raw('\n');

/** A line diff as HTML: removed lines in <del>, added in <ins>, unchanged runs folded to context. */
export function diffHtml(from: string, to: string): SafeHtml {
  const parts = diffLines(from, to);
  const rows: SafeHtml[] = [];
  parts.forEach((part, index) => {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.added) {
      for (const l of lines) rows.push(html`<ins>${l}</ins>`);
    } else if (part.removed) {
      for (const l of lines) rows.push(html`<del>${l}</del>`);
    } else {
      const first = index === 0;
      const last = index === parts.length - 1;
      const keepHead = first ? 0 : CONTEXT_LINES;
      const keepTail = last ? 0 : CONTEXT_LINES;
      if (lines.length <= keepHead + keepTail + 1) {
        for (const l of lines) rows.push(html`<span>${l}</span>`);
      } else {
        for (const l of lines.slice(0, keepHead)) rows.push(html`<span>${l}</span>`);
        rows.push(html`<span class="diff-skip">…</span>`);
        for (const l of lines.slice(lines.length - keepTail)) rows.push(html`<span>${l}</span>`);
      }
    }
  });
  // One line per row: the newlines are what make the <pre> readable (and copyable) as a diff.
  const lines = rows.flatMap((r) => [r, NEWLINE]);
  return html`<pre class="policy-diff">${lines}</pre>`;
}
