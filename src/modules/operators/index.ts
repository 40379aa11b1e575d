export { OperatorsService, type OperatorsDeps } from './operators.service.ts';
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
