/**
 * Where greedy evaluation time goes: per batch of 1000 test episodes, the env's `reset`, the
 * agent's `act` (all steps) and the env's `step` (retina included), for mnist and cluttered-mnist,
 * with the default ram agent. Usage: npx tsx bench/eval-split.ts [--batches N]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AgentState } from '../agents/agent';
import { Rng } from '../envs/rng';
import { initBackend } from '../runners/backend';
import { registryComponents } from '../runners/registries';
import { splitKwargs } from '../runners/run';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--batches');
  const batches = i > 0 ? Number(process.argv[i + 1]) : 5;
  if (!Number.isInteger(batches) || batches < 1) throw new Error(`--batches must be an integer >= 1, got ${process.argv[i + 1]}`);
  const backend = await initBackend('wasm');
  const c = registryComponents();
  const B = 1000;
  console.log(`backend ${backend}; batch ${B}; mean over ${batches} batches after one warm-up`);
  for (const id of ['mnist', 'cluttered-mnist']) {
    const env = c.makeVector(id, B, splitKwargs({}, 'test'));
    const agent = c.makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, {});
    const rng = new Rng(1);
    let reset = 0, act = 0, step = 0;
    for (let rep = -1; rep < batches; rep++) {
      const options = Array.from({ length: B }, (_, k) => ({ index: ((rep + 1) * B + k) % (env.numItems ?? B) }));
      const t0 = performance.now();
      let obs = env.reset({ seed: rep + 1, options }).observations;
      if (rep >= 0) reset += performance.now() - t0;
      let state: AgentState = agent.initialState(B);
      for (;;) {
        const t1 = performance.now();
        const r = agent.act(obs, state, { greedy: true, rng });
        state = r.state;
        const t2 = performance.now();
        const s = env.step(r.action);
        if (rep >= 0) {
          act += t2 - t1;
          step += performance.now() - t2;
        }
        if (s.terminated[0]) break;
        obs = s.observations;
      }
      agent.disposeState(state);
    }
    const per = (x: number) => (x / batches).toFixed(1);
    console.log(`${id}: reset ${per(reset)} ms, act ${per(act)} ms, step ${per(step)} ms per batch = ${((batches * B) / ((reset + act + step) / 1000)).toFixed(0)} images/s`);
    agent.dispose();
    env.close();
  }
  console.log(`numTensors at the end: ${tf.memory().numTensors}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
