/**
 * Invitations to an organisation: the link shown once to the administrator who made it, and the
 * page its holder opens (accept while signed in, or set a password for a new account). No data
 * access and no access decisions here; every interpolation goes through `html`, which escapes it.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { InvitationView, Role } from '../../modules/staff/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import type { InvitationTexts } from './invitations.texts.ts';
import { alert, layout } from '../shared/layout.ts';

interface Base {
  t: Dictionary;
  it: InvitationTexts;
  csrf: string;
  path: string;
  displayName?: string;
}

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

export function invitationCreatedPage(
  o: Base & { operatorId: string; email: string; role: Role; link: string; expiresAt: string },
): SafeHtml {
  const { t, it } = o;
  return layout({
    ...o,
    title: it.createdTitle,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${it.createdTitle}</h1>
      <p class="alert alert-ok" role="status">${it.createdFor(o.email)}</p>
      <dl class="card">
        <dt>${t.fields.role}</dt>
        <dd>${t.roles[o.role]}</dd>
        <dt>${it.link}</dt>
        <dd><code class="secret" id="invitation-link">${o.link}</code></dd>
      </dl>
      <p class="alert alert-note">${it.linkOnce(o.expiresAt)}</p>
      <p>
        <a class="button" href="/console/operators/${o.operatorId}/staff">${t.staffAdmin.backToStaff}</a>
      </p>`,
  });
}

export function invitationPage(
  o: Base & {
    token: string;
    view: InvitationView;
    signedIn: boolean;
    error?: string;
  },
): SafeHtml {
  const { t, it, view } = o;
  const action = `/console/invitations/${o.token}`;
  let content: SafeHtml;
  if (o.signedIn && view.forSignedIn) {
    content = html`<form method="post" action="${action}/accept">
      ${csrfField(o.csrf)}
      <button type="submit">${it.accept}</button>
    </form>`;
  } else if (o.signedIn) {
    content = html`<p class="alert alert-note">${it.otherAccount}</p>`;
  } else {
    content = html`<p>${it.signIn} <a href="/console/login">${it.signInLink}</a></p>
      <p>${it.newAccount}</p>
      <form method="post" action="${action}/password">
        ${csrfField(o.csrf)}
        <div class="field">
          <label for="password">${it.password}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minlength="12"
            maxlength="1024"
          />
        </div>
        <button type="submit">${it.setPassword}</button>
      </form>`;
  }
  return layout({
    ...o,
    title: it.title,
    narrow: true,
    session: o.signedIn ? { displayName: o.displayName, full: true } : undefined,
    body: html`<h1>${it.title}</h1>
      <p>${it.intro(view.operatorName, t.roles[view.role])}</p>
      <dl class="card">
        <dt>${it.email}</dt>
        <dd>${view.email}</dd>
      </dl>
      ${alert('error', o.error)} ${content}`,
  });
}

/** After a password was set: the same page whether an account was made or already existed. */
export function invitationDonePage(o: Base): SafeHtml {
  const { it } = o;
  return layout({
    ...o,
    title: it.title,
    narrow: true,
    body: html`<h1>${it.title}</h1>
      ${alert('ok', it.done)}
      <p><a class="button" href="/console/login">${it.signInLink}</a></p>`,
  });
}
