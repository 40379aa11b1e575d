/**
 * Staff schemas: they validate input at every boundary (console forms, CLI, API) and are the
 * TypeScript types. DTOs are what leaves the module; database rows never do.
 */
import { z } from 'zod';
import { ROLES } from './access.ts';

export const LOCALES = ['ru', 'en'] as const;
export const LocaleSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof LocaleSchema>;

export const RoleSchema = z.enum(ROLES);

export const EmailSchema = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: 'must be an e-mail address' }));

// Control characters would make the name hard to show safely in a terminal or a log-free audit UI.
export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

export const RoleGrantSchema = z.strictObject({
  operatorId: z.uuid(),
  role: RoleSchema,
});
export type RoleGrant = z.infer<typeof RoleGrantSchema>;

export const CreateStaffSchema = z.strictObject({
  email: EmailSchema,
  displayName: DisplayNameSchema,
  password: z.string(),
  locale: LocaleSchema.default('ru'),
  installationAdmin: z.boolean().default(false),
  roles: z.array(RoleGrantSchema).max(200).default([]),
});
export type CreateStaffInput = z.input<typeof CreateStaffSchema>;

/** An operator's administrator invites someone to a role there (console form, API). */
export const InviteStaffSchema = z.strictObject({
  operatorId: z.uuid(),
  email: EmailSchema,
  displayName: DisplayNameSchema,
  role: RoleSchema,
});
export type InviteStaffInput = z.input<typeof InviteStaffSchema>;

/** What the invitation's page shows its holder. */
export interface InvitationView {
  operatorName: string;
  role: z.infer<typeof RoleSchema>;
  email: string;
  displayName: string;
  /** For a signed-in visitor: whether the invitation is for their account. */
  forSignedIn: boolean | undefined;
}

export const StaffDtoSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  locale: LocaleSchema,
  installationAdmin: z.boolean(),
  mfaEnabled: z.boolean(),
  disabled: z.boolean(),
  roles: z.array(RoleGrantSchema),
});
export type StaffDto = z.infer<typeof StaffDtoSchema>;

/** What the console's home page shows: the staff member's operators and roles there. */
export interface StaffOverview {
  staffId: string;
  displayName: string;
  installationAdmin: boolean;
  mfaEnabled: boolean;
  operators: { id: string; slug: string; name: string; roles: z.infer<typeof RoleSchema>[] }[];
}

/** One account as an operator's staff page shows it: its roles in that operator only. */
export interface OperatorStaffMember {
  id: string;
  email: string;
  displayName: string;
  installationAdmin: boolean;
  mfaEnabled: boolean;
  disabled: boolean;
  /** Roles in this operator; roles elsewhere are not the page's business. */
  roles: z.infer<typeof RoleSchema>[];
  /** Whether the one asking may disable the account (see StaffService.disable). */
  mayDisable: boolean;
}
