/**
 * `@puretls/session-store-redis`, loaded only when `--session-store redis://…` asks for it: the
 * server package does not depend on it (an optional peer), so installing `@puretls/server` brings
 * no Redis client. Absent, the CLI refuses the option and says what to install.
 */
import { UsageError } from './cli-options';

/** The package's module. @throws UsageError when it is not installed. */
export async function loadRedisStore(): Promise<typeof import('@puretls/session-store-redis')> {
  try {
    return await import('@puretls/session-store-redis');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('@puretls/session-store-redis')) {
      throw new UsageError(
        '--session-store redis://…: the package @puretls/session-store-redis is not installed; ' +
          'add it next to @puretls/server (`npm install @puretls/session-store-redis`, which brings ioredis)',
      );
    }
    throw e;
  }
}
