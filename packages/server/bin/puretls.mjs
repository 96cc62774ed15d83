#!/usr/bin/env node
// The `puretls` command: runs the built CLI (packages/server/dist/cli/main.js).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('puretls: the server package is not built yet; run `pnpm build` first');
    process.exit(1);
  }
  throw err;
});
