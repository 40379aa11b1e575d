export {
  ApiKeysService,
  ApiKeyCreate,
  ApiKeyScope,
  API_KEY_SCOPES,
  DEFAULT_API_KEY_SCOPES,
  type ApiKeyDto,
  type ApiKeysDeps,
} from './apikeys.service.ts';
export { requireApiKey, apiKeyPrincipalOf } from './apikeys.hooks.ts';
