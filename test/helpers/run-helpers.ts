/** Shared bits of the runner tests: backend set-up, temp run directories, collecting events. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { initBackend } from '../../runners/backend';
import { resolveConfig, type RunConfig } from '../../runners/config';
import type { RunEvent } from '../../runners/events';
import type { Test } from 'uvu';

/** Initialises the wasm backend once per test file. */
export async function setUpBackend(): Promise<string> {
  return initBackend('wasm');
}

/** A fresh empty temp directory (removed by the OS; tests delete theirs when done). */
export function tempDir(prefix = 'rl-run-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** What {@link useBackendAndTempDir} sets up; read it inside tests (it is filled in the suite's `before`). */
export interface SuiteSetup {
  /** The backend {@link setUpBackend} initialised. */
  backend: string;
  /** The suite's own temp directory, removed with everything in it after the suite. */
  dir: string;
}

/**
 * The set-up most runner test files share: the wasm backend and one temp directory before the
 * suite's tests, the directory removed after them. uvu runs several `before` hooks in order, so a
 * file can add its own (e.g. a tiny run made inside `dir`) after calling this.
 */
export function useBackendAndTempDir(test: Test, prefix?: string): SuiteSetup {
  const setup: SuiteSetup = { backend: '', dir: '' };
  test.before(async () => {
    setup.backend = await setUpBackend();
    setup.dir = tempDir(prefix);
  });
  test.after(() => {
    if (setup.dir) fs.rmSync(setup.dir, { recursive: true, force: true });
  });
  return setup;
}

/** A validated config for the fake components, with overrides. */
export function fakeConfig(out: string, overrides: Record<string, unknown> = {}): RunConfig {
  return resolveConfig({ values: { env: 'fake', agent: 'fake', algo: 'fake-sgd', epochs: 3, batchSize: 8, seed: 5, out, backend: 'wasm', quiet: true, ...overrides }, origin: 'flags' });
}

/** All events of a run, in order (rejects with the run's error). */
export function allEvents(events$: Observable<RunEvent>): Promise<RunEvent[]> {
  return lastValueFrom(events$.pipe(toArray()));
}
