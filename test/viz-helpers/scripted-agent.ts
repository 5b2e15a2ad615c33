/** A scripted agent for the viz tests: fixed glimpse schedule, class `i % classes`, real tensors in its state. */
import * as tf from '@tensorflow/tfjs-core';
import type { ActOptions, ActResult, Agent, AgentState, Evaluation, NamedWeights } from '../../agents/agent';
import type { Batch } from '../../envs/vector-env';

/** Step t of episode i looks at `schedule(t, i)`; it names class `i % classes`. Keeps one tensor per state. */
export class ScriptedAgent implements Agent {
  readonly id = 'scripted';
  readonly config = {};
  constructor(private readonly classes: number) {}
  initialState(B: number): AgentState {
    return { tensors: [tf.zeros([B, 2])], t: 0 };
  }
  act(observation: Batch, state: AgentState, _options: ActOptions): ActResult {
    const B = observation.location.length / 2;
    const t = state.t as number;
    const location = new Float32Array(B * 2);
    for (let i = 0; i < B; i++) location.set(schedule(t, i), 2 * i);
    const label = Int32Array.from({ length: B }, (_, i) => i % this.classes);
    this.disposeState(state);
    return { action: { location, label }, state: { tensors: [tf.ones([B, 2])], t: t + 1 } };
  }
  disposeState(state: AgentState): void {
    tf.dispose(state.tensors);
  }
  evaluate(): Evaluation {
    throw new Error('not used by viz');
  }
  trainableVariables(): tf.Variable[] {
    return [];
  }
  getWeights(): NamedWeights {
    return {};
  }
  setWeights(): void {}
  dispose(): void {}
}
/** Where step t of episode i looks next. */
export const schedule = (t: number, i: number): [number, number] => [0.4 * t - 0.7 + 0.05 * i, 0.6 - 0.3 * t];
