/**
 * Memory soak over a training run: trains for many batches and samples `tf.memory().numTensors`
 * and RSS at every batch event, so a test can assert both stay flat after warm-up.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lastValueFrom, tap } from 'rxjs';
import type { RunConfig } from '../../runners/config';
import type { Components } from '../../runners/components';
import { train } from '../../runners/run';

/** Samples taken during a soak. */
export interface SoakResult {
  batches: number;
  tensors: number[];
  rssMb: number[];
  tensorsBefore: number;
  tensorsAfter: number;
}

/** Runs `config` to completion, sampling memory at each batch. */
export async function soak(config: RunConfig, components: Components, backend: string): Promise<SoakResult> {
  const tensorsBefore = tf.memory().numTensors;
  const tensors: number[] = [];
  const rssMb: number[] = [];
  let batches = 0;
  await lastValueFrom(
    train(config, { components, backend }).pipe(
      tap((e) => {
        if (e.type !== 'batch') return;
        batches++;
        tensors.push(tf.memory().numTensors);
        rssMb.push(process.memoryUsage().rss / 2 ** 20);
      }),
    ),
  );
  return { batches, tensors, rssMb, tensorsBefore, tensorsAfter: tf.memory().numTensors };
}
