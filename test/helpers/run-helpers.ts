/** Shared bits of the runner tests: backend set-up, temp run directories, collecting events. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { initBackend } from '../../runners/backend';
import { resolveConfig, type RunConfig } from '../../runners/config';
import type { RunEvent } from '../../runners/events';

/** Initialises the wasm backend once per test file. */
export async function setUpBackend(): Promise<string> {
  return initBackend('wasm');
}

/** A fresh empty temp directory (removed by the OS; tests delete theirs when done). */
export function tempDir(prefix = 'rl-run-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A validated config for the fake components, with overrides. */
export function fakeConfig(out: string, overrides: Record<string, unknown> = {}): RunConfig {
  return resolveConfig({ values: { env: 'fake', agent: 'fake', algo: 'fake-sgd', epochs: 3, batchSize: 8, seed: 5, out, backend: 'wasm', quiet: true, ...overrides }, origin: 'flags' });
}

/** All events of a run, in order (rejects with the run's error). */
export function allEvents(events$: Observable<RunEvent>): Promise<RunEvent[]> {
  return lastValueFrom(events$.pipe(toArray()));
}
