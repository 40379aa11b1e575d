/**
 * The console's home page (staff who read no inquiries see it at /console) and the list of the
 * person's organisations with their roles, which the inbox shows too.
 */
import { html, type SafeHtml } from '../../platform/http/html.ts';
import type { Role, StaffOverview } from '../../modules/staff/index.ts';
import type { Dictionary } from '../shared/i18n/index.ts';
import { alert, emailOffNotice, layout } from '../shared/layout.ts';

interface SignedIn {
  t: Dictionary;
  csrf: string;
  path: string;
  displayName?: string;
  full: boolean;
}

/** The person's operators with their roles (the home page's list; the inbox shows it too). */
export function operatorsAndRoles(t: Dictionary, overview: StaffOverview): SafeHtml {
  const roleName = (r: Role): string => t.roles[r];
  return overview.operators.length > 0
    ? html`<table>
        <caption class="muted">
          ${t.home.operatorsHeading}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t.home.operator}</th>
            <th scope="col">${t.home.roles}</th>
          </tr>
        </thead>
        <tbody>
          ${overview.operators.map(
            (op) =>
              html`<tr>
                <td>
                  <a href="/console/operators/${op.id}" aria-label="${t.home.settingsLink(op.name)}"
                    >${op.name}</a
                  >
                  <span class="muted">(${op.slug})</span>
                  ${op.roles.includes('administrator') ? html`<br /><a href="/console/operators/${op.id}/staff">${t.home.staffLink}</a>` : null}
                </td>
                <td>
                  <ul class="roles">
                    ${op.roles.map((r) => html`<li data-role="${r}">${roleName(r)}</li>`)}
                  </ul>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>`
    : html`<p>${t.home.noRoles}</p>`;
}

export function homePage(
  o: SignedIn & { overview: StaffOverview; notice?: string; sendsEmail: boolean },
): SafeHtml {
  const { t, overview } = o;
  const operators = operatorsAndRoles(t, overview);
  return layout({
    ...o,
    title: t.home.title,
    section: 'home',
    session: { displayName: o.displayName, full: true },
    body: html`<h1>${t.home.greeting(overview.displayName)}</h1>
      ${alert('note', o.notice)}
      ${
        overview.installationAdmin
          ? html`<p class="alert alert-note" id="installation-admin">${t.home.installationAdmin}</p>
              <p class="links">
                <a href="/console/operators">${t.home.allOperators}</a>
                <a href="/console/operators/new">${t.home.newOperator}</a>
              </p>`
          : null
      }
      ${overview.mfaEnabled ? null : html`<p class="alert alert-note">${t.home.mfaOff} <a href="/console/mfa">${t.home.mfaOffLink}</a></p>`}
      ${emailOffNotice(t, o.sendsEmail)}
      <h2>${t.home.operatorsHeading}</h2>
      ${operators}`,
  });
}
