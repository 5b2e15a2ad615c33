/**
 * The switches of this project's engine paths, as tfjs environment flags (`tf.env()`), in one
 * place instead of module-level setters. Read them with {@link nativeEnabled} and
 * {@link fastPathsEnabled}; change them for a process or a comparison with
 * `tf.env().set(FLAGS.native, false)` (tfjs also lets a test restore them with `tf.env().reset()`).
 *
 * - `GLIMPSE_NATIVE` (default: true unless the environment variable `GLIMPSE_NATIVE=0`, which
 *   also skips building the addon): may the native addon run (the wasm BatchMatMul kernel, the
 *   fused Adam, the dense layers of the agents' fast paths)?
 * - `GLIMPSE_FAST_PATHS` (default true): may agents use their fast paths (RAM's agents/ram/fast/)
 *   where these can run? False runs the reference networks everywhere (for A/B timing).
 *
 * Registering a flag changes no kernel and no value: importing this module is harmless.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The flag names. */
export const FLAGS = {
  native: 'GLIMPSE_NATIVE',
  fastPaths: 'GLIMPSE_FAST_PATHS',
} as const;

function register(name: string, evaluate: () => boolean): void {
  const env = tf.env();
  // Idempotent: a second copy of this module (dist and sources in one process) must not reset a value.
  if ((env as unknown as { flagRegistry: Record<string, unknown> }).flagRegistry[name] === undefined) env.registerFlag(name, evaluate);
}

register(FLAGS.native, () => process.env.GLIMPSE_NATIVE !== '0');
register(FLAGS.fastPaths, () => true);

/** Whether the native addon may be used ({@link FLAGS}.native). */
export function nativeEnabled(): boolean {
  return tf.env().getBool(FLAGS.native);
}

/** Why the native addon is off by flag (one line), for messages. */
export function nativeDisabledReason(): string {
  return process.env.GLIMPSE_NATIVE === '0' ? 'disabled by GLIMPSE_NATIVE=0' : `disabled by the tfjs flag ${FLAGS.native}`;
}

/** Whether agents may use their fast paths ({@link FLAGS}.fastPaths). */
export function fastPathsEnabled(): boolean {
  return tf.env().getBool(FLAGS.fastPaths);
}
