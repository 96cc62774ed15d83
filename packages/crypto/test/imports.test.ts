/**
 * Issue #2: nothing but `@puretls/crypto` reaches noble or `node:crypto`; every other package
 * calls cryptography through the `CryptoProvider`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it('no package other than crypto imports noble or node:crypto', () => {
  const packages = readdirSync(PACKAGES).filter((p) => p !== 'crypto' && statSync(join(PACKAGES, p, 'src'), { throwIfNoEntry: false })?.isDirectory());
  expect(packages).toEqual(expect.arrayContaining(['record-layer', 'handshake-state-machine', 'session-cache', 'server']));
  const offenders: string[] = [];
  for (const pkg of packages) {
    for (const file of sources(join(PACKAGES, pkg, 'src'))) {
      const text = readFileSync(file, 'utf8');
      if (/from\s+['"](@noble\/[^'"]+|node:crypto|crypto)['"]|require\(\s*['"](node:)?crypto['"]\s*\)|getBuiltinModule\(\s*['"](node:)?crypto/.test(text)) offenders.push(file);
    }
  }
  expect(offenders).toEqual([]);
});
