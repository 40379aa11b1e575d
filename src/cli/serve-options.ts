import { registerConsole, renderHtmlError } from '../console/index.ts';
import { startJobRunner } from '../platform/jobs/production.ts';
import type { ServeOptions } from '../server.ts';

/**
 * What `serve` wires in: the surfaces, background work and the demo clinic. Modules add themselves
 * here as they arrive.
 */
export function serveOptions(o: { demo: boolean }): ServeOptions {
  return {
    surfaces: [registerConsole],
    renderHtmlError,
    // The job runner, unless SOGLASIE_JOBS=false (for instances that only serve requests).
    background: (ctx) => (ctx.config.jobsEnabled ? startJobRunner(ctx) : { stop: async () => undefined }),
    onListening: (url) => {
      process.stdout.write(`Soglasie is listening on ${url}${o.demo ? ' (demo clinic loaded)' : ''}\n`);
    },
  };
}
