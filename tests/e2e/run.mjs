// Runs the Chromium end-to-end tests (node --test over tests/e2e/*.test.mjs) for CTest:
// exit 0 when they passed, 1 when one failed, 77 (CTest: skipped) when Chromium could not
// start, with the reason printed. The tests need tests/e2e/node_modules (npm ci) and the
// server binary in ESH_SERVER (default: build/server/eventsource-server).

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
  console.error('tests/e2e/node_modules is missing: run npm ci in tests/e2e (resources/scripts/test.sh does)');
  process.exit(1);
}

const files = fs.readdirSync(here).filter((name) => name.endsWith('.test.mjs')).sort().map((name) => path.join(here, name));
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'eventsource-hub-e2e-run-'));
const skipFile = path.join(folder, 'skipped');
const result = spawnSync(process.execPath, ['--test', ...files], {
  stdio: 'inherit',
  env: {...process.env, ESH_E2E_SKIP_FILE: skipFile},
});
const skipped = fs.existsSync(skipFile) ? [...new Set(fs.readFileSync(skipFile, 'utf8').split('\n').filter(Boolean))] : [];
fs.rmSync(folder, {recursive: true, force: true});

if (result.error) {
  console.error(`could not run node --test: ${result.error.message}`);
  process.exit(1);
}
if (result.status !== 0) process.exit(result.status ?? 1);
if (skipped.length > 0) {
  for (const reason of skipped) console.log(`SKIP: ${reason}`);
  process.exit(77);
}
