/**
 * In-process A/B of two checkouts of this project (say main and a branch): both trees loaded side
 * by side, a training step (collect B=128 + update, as runners/train-loop.ts runs it) alternating
 * between them (the order alternating too), median step ms per tree and their ratio. tfjs keeps
 * one engine per process (a global), so both trees share it and its patched kernels: what differs
 * is the agent and algorithm code. The tree loaded second has measured 10-20% slower either way,
 * so run both orders (`--a` and `--b` swapped) and combine.
 * Usage: npx tsx bench/tree-ab.ts --a /work/main --b /work/wt-15 [--reps 30] [--algo reinforce|ppo] [--core rnn|lstm]
 */
function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(name);
  if (i > 0) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`${name} is required (usage in bench/tree-ab.ts)`);
  return fallback;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/* eslint-disable @typescript-eslint/no-var-requires, @typescript-eslint/no-explicit-any */
async function load(root: string): Promise<any> {
  const m = {
    makeAlgorithm: require(`${root}/algorithms`).makeAlgorithm,
    rng: require(`${root}/envs/rng`),
    collectRollout: require(`${root}/runners/collect`).collectRollout,
    registryComponents: require(`${root}/runners/registries`).registryComponents,
    splitKwargs: require(`${root}/runners/run`).splitKwargs,
    rollout: require(`${root}/agents/rollout`),
  };
  await require(`${root}/runners/backend`).initBackend('wasm');
  return m;
}

async function main(): Promise<void> {
  const roots = { a: arg('--a'), b: arg('--b') };
  const reps = Number(arg('--reps', '30'));
  const algoId = arg('--algo', 'reinforce');
  const core = arg('--core', 'rnn');
  const mods: Record<'a' | 'b', any> = { a: await load(roots.a), b: await load(roots.b) };
  // Both trees name their agents' variables ram_<n> with counters of their own: one throwaway
  // agent in tree b keeps the names apart (the engine's variable names are global).
  {
    const c = mods.b.registryComponents();
    const env = c.makeVector('mnist', 2, mods.b.splitKwargs({}, 'train'));
    c.makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, {}).dispose();
    env.close();
  }
  for (const id of ['mnist', 'cluttered-mnist']) {
    const st: Record<'a' | 'b', any> = { a: null, b: null };
    for (const k of ['a', 'b'] as const) {
      const m = mods[k];
      const c = m.registryComponents();
      const env = c.makeVector(id, 128, m.splitKwargs({}, 'train'));
      const agent = c.makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, { core });
      st[k] = { env, agent, algo: m.makeAlgorithm(algoId), rng: new m.rng.Rng(1), ms: [] as number[] };
    }
    for (let r = -3; r < reps; r++) {
      for (const k of (r % 2 === 0 ? ['a', 'b'] : ['b', 'a']) as Array<'a' | 'b'>) {
        const m = mods[k], s = st[k];
        const perEnv = Array.from({ length: 128 }, (_, j) => ({ index: ((r + 3) * 128 + j) % 50000 }));
        const t0 = performance.now();
        // keepActivations is what the train loop passes; a tree without the option ignores it.
        const { rollout } = m.collectRollout(s.env, s.agent, { greedy: false, rng: s.rng, reset: { seed: m.rng.hashSeed(1, r + 3), options: perEnv }, keepActivations: true });
        s.algo.update(s.agent, rollout);
        m.rollout.disposeRollout?.(rollout);
        if (r >= 0) s.ms.push(performance.now() - t0);
      }
    }
    const a = median(st.a.ms), b = median(st.b.ms);
    console.log(`${id} ${algoId} ${core}: a ${a.toFixed(1)} ms, b ${b.toFixed(1)} ms, b/a ${(b / a).toFixed(3)} (${reps} alternating reps; a=${roots.a}, b=${roots.b})`);
    for (const k of ['a', 'b'] as const) {
      st[k].agent.dispose();
      st[k].algo.dispose?.();
      st[k].env.close();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
