/**
 * The console's texts for invitations to an organisation: Russian first, English with the same
 * shape (a missing key is a type error).
 */
import type { Locale } from '../../modules/staff/index.ts';

export const ru = {
  createdTitle: 'Приглашение создано',
  createdFor: (email: string) =>
    `Приглашение для ${email} создано. Передайте сотруднику ссылку: по ней он примет приглашение, ` +
    'войдя в свою учётную запись, или задаст пароль новой.',
  link: 'Ссылка приглашения',
  linkOnce: (date: string) =>
    `Ссылка показана один раз и действует до ${date}. Роль появится у сотрудника, когда он примет приглашение.`,
  title: 'Приглашение',
  intro: (operator: string, role: string) => `Вас приглашают в организацию «${operator}» с ролью «${role}».`,
  email: 'Адрес',
  accept: 'Принять приглашение',
  otherAccount:
    'Это приглашение для другой учётной записи. Выйдите и войдите с адресом из приглашения, чтобы принять его.',
  signIn: 'Уже есть учётная запись с этим адресом? Войдите, затем откройте ссылку снова.',
  signInLink: 'Войти',
  newAccount: 'Учётной записи ещё нет? Задайте пароль (не короче 12 символов) — она будет создана.',
  password: 'Пароль',
  setPassword: 'Задать пароль',
  done:
    'Готово. Войдите с адресом из приглашения. Если учётная запись с этим адресом уже была, пароль остался прежним: ' +
    'войдите с ним и откройте ссылку снова, чтобы принять приглашение.',
  weakPassword: 'Пароль слишком короткий или простой: не короче 12 символов.',
  accepted: 'Приглашение принято.',
};

export type InvitationTexts = typeof ru;

export const en: InvitationTexts = {
  createdTitle: 'Invitation created',
  createdFor: (email: string) =>
    `An invitation for ${email} was created. Give the staff member the link: with it they accept the ` +
    'invitation signed in to their account, or set the password of a new one.',
  link: 'Invitation link',
  linkOnce: (date: string) =>
    `The link is shown once and works until ${date}. The role is theirs once they accept the invitation.`,
  title: 'Invitation',
  intro: (operator: string, role: string) => `You are invited to ${operator} with the role "${role}".`,
  email: 'Address',
  accept: 'Accept the invitation',
  otherAccount:
    'This invitation is for another account. Sign out and sign in with the address it was sent to, to accept it.',
  signIn: 'Already have an account with this address? Sign in, then open the link again.',
  signInLink: 'Sign in',
  newAccount: 'No account yet? Set a password (at least 12 characters) and it is created.',
  password: 'Password',
  setPassword: 'Set the password',
  done:
    'Done. Sign in with the address of the invitation. If an account with this address existed already, its ' +
    'password is unchanged: sign in with it and open the link again to accept the invitation.',
  weakPassword: 'The password is too short or too simple: at least 12 characters.',
  accepted: 'The invitation was accepted.',
};

export function invitationTexts(locale: Locale): InvitationTexts {
  return locale === 'en' ? en : ru;
}
