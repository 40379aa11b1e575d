export { OperatorsService, type OperatorsDeps } from './operators.service.ts';
export { operatorsApi, type StaffAuth } from './operators.routes.ts';
export {
  isValidInn,
  isValidOgrn,
  isTimeZone,
  normalizeHost,
  OperatorCreate,
  OperatorDto,
  OperatorPatch,
  SiteDto,
  SiteInput,
  type HostMatch,
} from './operators.schemas.ts';
