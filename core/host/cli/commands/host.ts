import { AppError } from '../../../contract/index.js';
import { localTimeZone } from '../../../util/index.js';
import { intFlag } from '../args.js';
import { EXIT, type CommandGroup } from '../types.js';

export const hostGroup: CommandGroup = {
  name: 'host',
  summary: 'The headless host.',
  commands: [
    {
      name: 'host',
      summary: 'Run the app without a window: the UI and the API on 127.0.0.1, until Ctrl-C, SIGTERM or its terminal closes',
      options: {
        port: { type: 'string', value: 'N', description: 'listen on port N (default: a free port)' },
        'renderer-dir': { type: 'string', value: 'DIR', description: 'serve the UI from DIR (default: dist/renderer)' },
        'no-ui': { type: 'boolean', description: 'serve only the API, no UI' },
        'until-stdin-closes': { type: 'boolean', description: 'also stop, as on SIGTERM, when standard input closes (a program that starts the host and holds its input: the host ends with it)' },
      },
      async run(ctx) {
        const port = intFlag(ctx.flags, 'port', 0)!;
        if (port > 65535) throw new AppError('invalid_input', '--port must be at most 65535');
        const rendererDir = ctx.flags['no-ui'] ? null : typeof ctx.flags['renderer-dir'] === 'string' ? ctx.flags['renderer-dir'] : undefined;
        const { startHost } = await import('../../server.js');
        const { preloadAnthropicSdk } = await import('../../../providers/index.js');
        const host = await startHost({ dataDir: ctx.dataDir, port, rendererDir, env: ctx.io.env, owner: 'host' });
        // A promise some capability forgot to handle is a bug to log, not a reason to stop serving.
        const onRejection = (reason: unknown) => host.core.logger.log('error', 'unhandled rejection', { error: String((reason as Error)?.stack ?? reason) });
        process.on('unhandledRejection', onRejection);
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify({ url: host.url, wsUrl: host.wsUrl, port: host.port, pid: process.pid, dataDir: host.core.paths.dir })}\n`);
        } else {
          ctx.io.stdout(`Agent Blob is running at ${host.url}\n`);
          ctx.io.stdout(`Data folder: ${host.core.paths.dir}\n`);
          if (host.core.recoveredRuns.length) ctx.io.stdout(`${host.core.recoveredRuns.length} run(s) left unfinished by the last shutdown were marked failed (interrupted).\n`);
          ctx.io.stdout('Press Ctrl-C to stop.\n');
        }
        ctx.io.ready?.();
        // Listening first, then the model SDK and the system's time zone (ICU's set-up), so the first
        // reply does not wait for them either.
        preloadAnthropicSdk().catch((err: unknown) => host.core.logger.log('warn', 'preloading the Anthropic SDK failed', { error: String(err) }));
        setImmediate(localTimeZone);
        await new Promise<void>((resolve) => {
          if (ctx.io.signal.aborted) return resolve();
          ctx.io.signal.addEventListener('abort', () => resolve(), { once: true });
          // The other end closes when the program holding it exits, however it ends (even SIGKILL).
          if (ctx.flags['until-stdin-closes']) ctx.io.readStdin?.().then(() => resolve(), () => resolve());
        });
        // The program that started the host may be gone, and its end of our output with it: the
        // command line's output drops what nobody reads (processIO), so this never stands between the
        // host and a clean stop (its lock removed, its database checkpointed).
        if (!ctx.json) ctx.io.stderr('stopping: cancelling runs and closing connections\n');
        await host.close();
        process.off('unhandledRejection', onRejection);
        return EXIT.ok;
      },
    },
  ],
};
