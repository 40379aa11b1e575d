/**
 * The SMS and messenger senders together, each reading the operator's own credentials from the
 * channel connections (contract 5). A channel an operator has not connected makes its messages
 * wait and retry (`<code>-not_connected`) rather than fail at once.
 *
 * @example
 *   const senders = [...sendersFromConfig(config), ...createMessagingSenders(channelConnections)];
 */
import { createMaxSender } from './max.sender.ts';
import type { ChannelCredentialSource, ProviderSenderOptions } from './provider-http.ts';
import type { Sender } from './sender.ts';
import { createSmsRuSender } from './sms-ru.sender.ts';
import { createTelegramSender } from './telegram.sender.ts';
import { createWhatsAppSender } from './whatsapp.sender.ts';

export function createMessagingSenders(
  credentials: ChannelCredentialSource,
  o: ProviderSenderOptions = {},
): Sender[] {
  return [
    createSmsRuSender(credentials, o),
    createTelegramSender(credentials, o),
    createWhatsAppSender(credentials, o),
    createMaxSender(credentials, o),
  ];
}
