/**
 * The account pages: sign-in, the second-factor step, two-factor settings and password change. Each takes what it shows and returns markup; no data access here. Every
 * interpolation goes through `html`, which escapes it.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type MfaStatus } from '../../modules/staff/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import { alert, layout } from '../shared/layout.ts';

interface Common {
  t: Dictionary;
  csrf: string;
  path: string;
}

interface SignedIn extends Common {
  displayName?: string;
  full: boolean;
}

const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}" />`;

export function loginPage(o: Common & { error?: string; notice?: string; hasSession: boolean }): SafeHtml {
  const { t } = o;
  return layout({
    ...o,
    title: t.login.title,
    narrow: true,
    session: o.hasSession ? { full: false } : undefined,
    body: html`<h1>${t.login.title}</h1>
      <p class="muted">${t.login.intro}</p>
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <form method="post" action="/console/login">
        ${csrfField(o.csrf)}
        <div class="field">
          <label for="email">${t.login.email}</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            maxlength="320"
            autocapitalize="none"
            spellcheck="false"
          />
        </div>
        <div class="field">
          <label for="password">${t.login.password}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            maxlength="1024"
          />
        </div>
        <button type="submit">${t.login.submit}</button>
      </form>`,
  });
}

export function mfaStepPage(o: Common & { error?: string }): SafeHtml {
  const { t } = o;
  return layout({
    ...o,
    title: t.mfaStep.title,
    narrow: true,
    session: { full: false },
    body: html`<h1>${t.mfaStep.title}</h1>
      <p>${t.mfaStep.intro}</p>
      ${alert('error', o.error)}
      <form method="post" action="/console/login/mfa">
        ${csrfField(o.csrf)}
        <div class="field">
          <label for="code">${t.mfaStep.code}</label>
          <input
            id="code"
            name="code"
            type="text"
            class="code"
            autocomplete="one-time-code"
            required
            maxlength="64"
            autocapitalize="none"
            spellcheck="false"
          />
        </div>
        <button type="submit">${t.mfaStep.submit}</button>
      </form>`,
  });
}

/** A form that asks for the person's current password before an account change. */
function passwordConfirmForm(
  csrf: string,
  action: string,
  id: string,
  label: string,
  button: SafeHtml,
): SafeHtml {
  return html`<form method="post" action="${action}">
    ${csrfField(csrf)}
    <div class="field">
      <label for="${id}">${label}</label>
      <input id="${id}" name="password" type="password" autocomplete="current-password" required />
    </div>
    ${button}
  </form>`;
}

export function mfaPage(o: SignedIn & { status: MfaStatus; error?: string; notice?: string }): SafeHtml {
  const { t, status } = o;
  let content: SafeHtml;
  if (status.enabled) {
    content = html`<p class="alert alert-ok" role="status">${t.mfa.on}</p>
      <p>${t.mfa.recoveryLeft(status.recoveryCodesLeft)}</p>
      <h2>${t.mfa.regenerateHeading}</h2>
      <p class="muted">${t.mfa.regenerateExplain}</p>
      ${passwordConfirmForm(o.csrf, '/console/mfa/recovery-codes', 'regen-password', t.mfa.password, html`<button type="submit" class="secondary">${t.mfa.regenerate}</button>`)}
      <h2>${t.mfa.disableHeading}</h2>
      ${
        status.required
          ? html`<p>${t.mfa.requiredCannotDisable}</p>`
          : passwordConfirmForm(
              o.csrf,
              '/console/mfa/disable',
              'disable-password',
              t.mfa.password,
              html`<button type="submit" class="danger">${t.mfa.disable}</button>`,
            )
      }`;
  } else if (status.pending) {
    const p = status.pending;
    content = html`<ol>
        <li>
          <p>${t.mfa.step1}</p>
          <img class="qr" src="${p.qrDataUrl}" alt="${t.mfa.qrAlt}" width="200" height="200" />
        </li>
        <li>
          <p>${t.mfa.step2} <code class="secret" id="totp-secret">${p.secretText}</code></p>
          <details>
            <summary>${t.mfa.uri}</summary>
            <p class="uri"><code>${p.uri}</code></p>
          </details>
        </li>
        <li>
          <p>${t.mfa.step3}</p>
          <form method="post" action="/console/mfa/confirm">
            ${csrfField(o.csrf)}
            <div class="field">
              <label for="code">${t.mfa.code}</label>
              <input
                id="code"
                name="code"
                type="text"
                class="code"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9 ]{6,8}"
                required
                maxlength="8"
              />
            </div>
            <button type="submit">${t.mfa.confirm}</button>
          </form>
        </li>
      </ol>
      <form method="post" action="/console/mfa/enrol">
        ${csrfField(o.csrf)}
        <button type="submit" class="secondary">${t.mfa.restart}</button>
      </form>`;
  } else {
    content = html`<p>${t.mfa.off}</p>
      <form method="post" action="/console/mfa/enrol">
        ${csrfField(o.csrf)}
        <button type="submit">${t.mfa.start}</button>
      </form>`;
  }
  return layout({
    ...o,
    title: t.mfa.title,
    section: 'mfa',
    session: { displayName: o.displayName, full: o.full },
    body: html`<h1>${t.mfa.title}</h1>
      ${!status.enabled && status.required ? html`<p class="alert alert-note" id="mfa-required">${t.mfa.required}</p>` : null}
      ${alert('error', o.error)} ${alert('ok', o.notice)}
      <p class="muted">${t.mfa.explain}</p>
      ${content}`,
  });
}

export function recoveryCodesPage(o: SignedIn & { codes: string[] }): SafeHtml {
  const { t } = o;
  return layout({
    ...o,
    title: t.mfa.codesTitle,
    section: 'mfa',
    session: { displayName: o.displayName, full: o.full },
    body: html`<h1>${t.mfa.codesTitle}</h1>
      <p class="alert alert-note">${t.mfa.codesExplain}</p>
      <ol class="codes" id="recovery-codes">
        ${o.codes.map((c) => html`<li><code>${c}</code></li>`)}
      </ol>
      <p><a class="button" href="/console">${t.mfa.continue}</a></p>`,
  });
}

export function passwordPage(o: SignedIn & { error?: string }): SafeHtml {
  const { t } = o;
  return layout({
    ...o,
    title: t.password.title,
    section: 'password',
    narrow: true,
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${t.password.title}</h1>
      ${alert('error', o.error)}
      <form method="post" action="/console/password">
        ${csrfField(o.csrf)}
        <div class="field">
          <label for="current">${t.password.current}</label>
          <input id="current" name="current" type="password" autocomplete="current-password" required />
        </div>
        <div class="field">
          <label for="next">${t.password.next}</label>
          <input
            id="next"
            name="next"
            type="password"
            autocomplete="new-password"
            required
            minlength="${PASSWORD_MIN_LENGTH}"
            maxlength="${PASSWORD_MAX_LENGTH}"
            aria-describedby="next-hint"
          />
          <p class="hint" id="next-hint">${t.password.hint(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)}</p>
        </div>
        <div class="field">
          <label for="repeat">${t.password.repeat}</label>
          <input id="repeat" name="repeat" type="password" autocomplete="new-password" required />
        </div>
        <button type="submit">${t.password.submit}</button>
      </form>`,
  });
}
