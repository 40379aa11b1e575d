/**
 * What the one-shot commands share: a runtime opened for the command and closed after it (on the
 * embedded server of a running `serve` when there is one; refused without a data folder), service
 * errors turned into plain messages, stdin read whole, and repeatable options.
 *
 * @example
 *   .action((o) => withRuntime((ctx) => staffList(ctx, stdout)))
 */
import type { AppContext } from '../composition/context.ts';
import { AppError } from '../platform/errors.ts';
import { ONE_SHOT_COMMAND, openRuntime } from '../runtime.ts';
import { commandEnv } from './core-commands.ts';

export async function withRuntime(fn: (ctx: AppContext) => Promise<void>): Promise<void> {
  const { config, log } = commandEnv('warn');
  const runtime = await openRuntime(config, log, ONE_SHOT_COMMAND);
  try {
    await fn(runtime.ctx);
  } catch (e) {
    throw commandError(e);
  } finally {
    await runtime.close();
  }
}

/** A service error as a plain message with its field issues (meant for people; never personal data). */
export function commandError(e: unknown): Error {
  if (e instanceof AppError) {
    const fields = (e.details?.fields ?? []).map((f) => `  ${f.path}: ${f.message}`).join('\n');
    return new Error(fields ? `${e.message}\n${fields}` : e.message);
  }
  return e instanceof Error ? e : new Error(String(e));
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Commander's accumulator for an option given several times. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
