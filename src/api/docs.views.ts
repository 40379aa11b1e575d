/**
 * The API reference at /api/docs: one server-rendered page made from the OpenAPI document itself,
 * so it can never disagree with it. No script and no inline style (the CSP allows neither): the
 * operations with their parameters, bodies and answers as tables, the credentials, the error
 * format and the outgoing webhooks with how to check their signature. Russian first, English
 * second, as the document's own texts are.
 *
 * @example
 *   const page = renderDocsPage(app.swagger() as OpenApiDocument, { openapiPath, css: [href] });
 */
import { readFileSync } from 'node:fs';
import { html, type SafeHtml } from '../platform/http/html.ts';

export const DOCS_CSS_TEXT = readFileSync(new URL('./assets/docs.css', import.meta.url), 'utf8');

type Json = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document the page reads. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths?: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, Json>; schemas?: Record<string, Json> };
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Json }[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const VERIFY_EXAMPLE = `import { createHmac, timingSafeEqual } from 'node:crypto';

// secret: the whsec_… string shown once; rawBody: the request body exactly as received.
function verify(secret, header, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  const m = /^t=(\\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m || Math.abs(nowSeconds - Number(m[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(\`\${m[1]}.\${rawBody}\`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}`;

export function renderDocsPage(doc: OpenApiDocument, o: { openapiPath: string; css: string[] }): SafeHtml {
  const ops = operationsOf(doc);
  const tags = (doc.tags ?? []).filter((t) => ops.some((op) => op.tag === t.name));
  const schemes = doc.components?.securitySchemes ?? {};
  const webhooks = Object.entries(doc.webhooks ?? {}).flatMap(([name, item]) =>
    item.post ? [{ name, op: item.post }] : [],
  );
  const errorSchema = firstErrorSchema(ops);
  return html`<!doctype html>
    <html lang="ru">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${doc.info.title} — справочник / reference</title>
        ${o.css.map((href) => html`<link rel="stylesheet" href="${href}" />`)}
      </head>
      <body>
        <a class="skip-link" href="#main">Перейти к содержимому / Skip to content</a>
        <header class="docs-header">
          <p class="docs-brand">Согласие · Soglasie</p>
          <h1>${doc.info.title} ${doc.info.version} — справочник / reference</h1>
        </header>
        <div class="docs-layout">
          <nav class="docs-nav" aria-label="Содержание / Contents">
            <ul>
              <li><a href="#auth">Доступ / Authentication</a></li>
              ${tags.map(
                (t) =>
                  html`<li>
                    <a href="#tag-${t.name}">${t.description ?? t.name}</a>
                    <ul>
                      ${ops
                        .filter((op) => op.tag === t.name)
                        .map(
                          (op) =>
                            html`<li>
                              <a href="#${op.anchor}"
                                ><span class="method method-${op.method}">${op.method.toUpperCase()}</span>
                                <code>${op.path}</code></a
                              >
                            </li>`,
                        )}
                    </ul>
                  </li>`,
              )}
              <li><a href="#errors">Ошибки / Errors</a></li>
              ${webhooks.length > 0 ? html`<li><a href="#webhooks">Исходящие уведомления / Webhooks</a></li>` : null}
            </ul>
          </nav>
          <main id="main">
            ${paragraphs(doc.info.description)}
            <p>
              Документ OpenAPI ${doc.openapi} / The OpenAPI ${doc.openapi} document:
              <a href="${o.openapiPath}"><code>${o.openapiPath}</code></a>
              ${doc.servers?.[0] ? html` · Сервер / Server: <code>${doc.servers[0].url}</code>` : null}
            </p>

            <section id="auth" aria-labelledby="auth-h">
              <h2 id="auth-h">Доступ / Authentication</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Схема / Scheme</th>
                    <th scope="col">Как передать / How</th>
                    <th scope="col">Описание / Description</th>
                  </tr>
                </thead>
                <tbody>
                  ${Object.entries(schemes).map(
                    ([name, s]) =>
                      html`<tr>
                        <th scope="row"><code>${name}</code></th>
                        <td>${schemeHow(s)}</td>
                        <td>${paragraphs(str(s.description))}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </section>

            ${tags.map(
              (t) =>
                html`<section id="tag-${t.name}" aria-labelledby="tag-${t.name}-h">
                  <h2 id="tag-${t.name}-h">${t.description ?? t.name}</h2>
                  ${ops.filter((op) => op.tag === t.name).map(operationView)}
                </section>`,
            )}

            <section id="errors" aria-labelledby="errors-h">
              <h2 id="errors-h">Ошибки / Errors</h2>
              <p>
                Каждый ответ с ошибкой — JSON одного вида; сообщения не повторяют введённые данные. / Every
                error answer is JSON of one shape; messages never repeat the input.
              </p>
              ${errorSchema ? schemaTable(errorSchema, 'Тело ответа с ошибкой / Error body') : null}
            </section>

            ${
              webhooks.length > 0
                ? html`<section id="webhooks" aria-labelledby="webhooks-h">
                    <h2 id="webhooks-h">Исходящие уведомления / Webhooks</h2>
                    ${paragraphs(webhooks[0]!.op.description)}
                    <h3>Проверка подписи (Node.js) / Verifying the signature (Node.js)</h3>
                    <pre><code>${VERIFY_EXAMPLE}</code></pre>
                    ${webhooks.map(({ name, op }) => webhookView(name, op))}
                  </section>`
                : null
            }
          </main>
        </div>
      </body>
    </html>`;
}

interface OpView {
  method: string;
  path: string;
  tag: string;
  anchor: string;
  op: Operation;
}

function operationsOf(doc: OpenApiDocument): OpView[] {
  const out: OpView[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      out.push({
        method,
        path,
        tag: op.tags?.[0] ?? '',
        anchor: `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`,
        op,
      });
    }
  }
  return out;
}

function operationView(v: OpView): SafeHtml {
  const { op } = v;
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(op.responses ?? {});
  const ok = responses.filter(([status]) => status.startsWith('2'));
  const errors = responses.filter(([status]) => !status.startsWith('2'));
  return html`<article class="operation" id="${v.anchor}" aria-labelledby="${v.anchor}-h">
    <h3 id="${v.anchor}-h">
      <span class="method method-${v.method}">${v.method.toUpperCase()}</span> <code>${v.path}</code>
    </h3>
    ${op.summary ? html`<p class="summary">${op.summary}</p>` : null} ${paragraphs(op.description)}
    <p>
      <strong>Доступ / Access:</strong>
      ${(op.security ?? []).map((req) =>
        Object.entries(req).map(
          ([name, scopes]) =>
            html`<code>${name}</code
              >${scopes.length > 0 ? html` (${joined(scopes.map((s) => html`<code>${s}</code>`))})` : null} `,
        ),
      )}
    </p>
    ${
      params.length > 0
        ? html`<table>
            <caption>
              Параметры / Parameters
            </caption>
            <thead>
              <tr>
                <th scope="col">Имя / Name</th>
                <th scope="col">Где / In</th>
                <th scope="col">Тип / Type</th>
                <th scope="col">Описание / Description</th>
              </tr>
            </thead>
            <tbody>
              ${params.map(
                (p) =>
                  html`<tr>
                    <th scope="row">
                      <code>${p.name}</code>${p.required ? html` <span class="req">*</span>` : null}
                    </th>
                    <td>${p.in}</td>
                    <td><code>${typeLabel(p.schema ?? {})}</code></td>
                    <td>
                      ${[p.description ?? str(p.schema?.description), ...notesOf(p.schema ?? {})].filter(Boolean).join(' · ')}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : null
    }
    ${body ? schemaTable(body, 'Тело запроса (application/json) / Request body') : null}
    ${ok.map(([status, r]) => {
      const s = r.content?.['application/json']?.schema;
      return html`<p><strong>${status}</strong> — ${r.description ?? ''}</p>
        ${s ? schemaTable(s, `Ответ ${status} / Response ${status}`) : null}`;
    })}
    ${
      errors.length > 0
        ? html`<dl class="errors">
            ${errors.map(
              ([status, r]) =>
                html`<dt>${status}</dt>
                  <dd>${r.description ?? ''}</dd>`,
            )}
          </dl>`
        : null
    }
  </article>`;
}

function webhookView(name: string, op: Operation): SafeHtml {
  const anchor = `webhook-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const body = op.requestBody?.content?.['application/json']?.schema;
  return html`<article class="operation" id="${anchor}" aria-labelledby="${anchor}-h">
    <h3 id="${anchor}-h"><span class="method method-post">POST</span> <code>${name}</code></h3>
    ${op.summary ? html`<p class="summary">${op.summary}</p>` : null}
    <table>
      <caption>
        Заголовки / Headers
      </caption>
      <tbody>
        ${(op.parameters ?? []).map(
          (p) =>
            html`<tr>
              <th scope="row"><code>${p.name}</code></th>
              <td>${p.description ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${body ? schemaTable(body, 'Тело (application/json) / Body') : null}
  </article>`;
}

interface Row {
  name: string;
  depth: number;
  type: string;
  required: boolean;
  notes: string[];
}

/** A schema as a table: one row per field, nested fields indented under their parent. */
function schemaTable(schema: Json, caption: string): SafeHtml {
  const rows: Row[] = [];
  const top = objectOf(schema);
  if (top) {
    for (const [k, v] of Object.entries(top.properties)) collect(v, k, 0, top.required.includes(k), rows);
  } else {
    collect(schema, '(значение / value)', 0, true, rows);
  }
  return html`<table class="schema">
    <caption>
      ${caption}${top === undefined ? null : html` — <code>${typeLabel(schema)}</code>`}
    </caption>
    <thead>
      <tr>
        <th scope="col">Поле / Field</th>
        <th scope="col">Тип / Type</th>
        <th scope="col">Описание / Description</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <th scope="row" class="depth-${Math.min(r.depth, 4)}">
              <code>${r.name}</code
              >${r.required ? html` <span class="req" title="обязательное / required">*</span>` : null}
            </th>
            <td><code>${r.type}</code></td>
            <td>${r.notes.join(' · ')}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function collect(s: Json, name: string, depth: number, required: boolean, out: Row[]): void {
  out.push({ name, depth, type: typeLabel(s), required, notes: notesOf(s) });
  if (depth >= 5) return;
  const obj = objectOf(s);
  if (!obj) return;
  for (const [k, v] of Object.entries(obj.properties))
    collect(v, k, depth + 1, obj.required.includes(k), out);
}

/** The object whose fields a schema shows: itself, its array's items, or the one object of a nullable union. */
function objectOf(s: Json): { properties: Record<string, Json>; required: string[] } | undefined {
  if (isObj(s.properties)) {
    return {
      properties: s.properties as Record<string, Json>,
      required: Array.isArray(s.required) ? (s.required as string[]) : [],
    };
  }
  if (isObj(s.items)) return objectOf(s.items);
  const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (Array.isArray(branches)) {
    const objects = branches.filter((b) => isObj(b) && objectOf(b) !== undefined);
    if (objects.length === 1) return objectOf(objects[0]!);
  }
  return undefined;
}

function typeLabel(s: Json): string {
  if (typeof s.$ref === 'string') return s.$ref.split('/').pop() ?? 'object';
  if (s.const !== undefined) return JSON.stringify(s.const);
  const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (Array.isArray(branches)) return branches.map((b) => typeLabel(b)).join(' | ');
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  const labels = types.map((t) => {
    if (t === 'array') return `${isObj(s.items) ? typeLabel(s.items) : 'any'}[]`;
    if (t === 'object' && !isObj(s.properties) && isObj(s.additionalProperties)) {
      return `object<string, ${typeLabel(s.additionalProperties)}>`;
    }
    if (t === 'string' && typeof s.format === 'string') return `string (${s.format})`;
    return t;
  });
  if (labels.length === 0) return Array.isArray(s.enum) ? 'string' : 'any';
  return labels.join(' | ');
}

function notesOf(s: Json): string[] {
  const notes: string[] = [];
  if (typeof s.description === 'string') notes.push(s.description);
  if (Array.isArray(s.enum)) {
    notes.push(
      `одно из / one of: ${(s.enum as unknown[]).map((v) => JSON.stringify(v).replace(/^"|"$/g, '')).join(', ')}`,
    );
  }
  const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (Array.isArray(branches)) {
    for (const b of branches) if (isObj(b) && Array.isArray(b.enum)) notes.push(...notesOf({ enum: b.enum }));
  }
  if (typeof s.minLength === 'number' || typeof s.maxLength === 'number') {
    notes.push(`длина / length ${str(s.minLength) || '0'}…${str(s.maxLength) || '∞'}`);
  }
  if (typeof s.minimum === 'number' || typeof s.maximum === 'number') {
    notes.push(`от / from ${str(s.minimum) || '−∞'} до / to ${str(s.maximum) || '∞'}`);
  }
  if (typeof s.pattern === 'string' && s.format === undefined) notes.push(`шаблон / pattern ${s.pattern}`);
  if (s.default !== undefined) notes.push(`по умолчанию / default ${JSON.stringify(s.default)}`);
  return notes;
}

function schemeHow(s: Json): SafeHtml {
  if (s.type === 'http' && s.scheme === 'bearer') {
    return html`<code>Authorization: Bearer ${str(s.bearerFormat) || '…'}</code>`;
  }
  if (s.type === 'apiKey') {
    const where = s.in === 'cookie' ? 'cookie' : s.in === 'header' ? 'заголовок / header' : str(s.in);
    return html`${where} <code>${str(s.name)}</code>`;
  }
  return html`${str(s.type)}`;
}

function firstErrorSchema(ops: OpView[]): Json | undefined {
  for (const v of ops) {
    for (const [status, r] of Object.entries(v.op.responses ?? {})) {
      const s = r.content?.['application/json']?.schema;
      if (status.startsWith('4') && s) return s;
    }
  }
  return undefined;
}

function paragraphs(text: string | undefined): SafeHtml[] {
  return (text ?? '')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => html`<p>${p}</p>`);
}

/** Fragments separated by commas. */
function joined(parts: SafeHtml[]): SafeHtml[] {
  return parts.flatMap((p, i) => (i === 0 ? [p] : [html`, `, p]));
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
