/**
 * The library API from a user's package: train the quadrant task with the GRU agent through
 * `train()` (which writes the same run directory as rl-run), then load the model and classify
 * images of your own. Run: `node dist/train-and-classify.js`.
 */
import './quadrant-env';
import './gru-agent';
import { loadModel, make, resolveConfig, train, type GlimpseEnv } from 'glimpse-gym';

async function main(): Promise<void> {
  const out = 'runs/api-quadrant-gru';
  const config = resolveConfig({ values: { env: 'quadrant', agent: 'gru', epochs: 1, batchSize: 32, maxBatches: 20, out, force: true, quiet: true }, origin: 'code' });
  await new Promise<void>((resolve, reject) => train(config, { summary: process.stdout }).subscribe({ complete: resolve, error: reject }));
  const model = await loadModel(out);
  // Any 24x24 grey images; here three of the task's own test images.
  const env = make('quadrant', { split: 'test' }) as GlimpseEnv;
  const images = [0, 1, 2].map((index) => (env.reset({ options: { index } }), Float32Array.from(env.render().pixels)));
  for (const r of model.classify(images)) {
    console.log(`label ${r.label} p=${r.probabilities[r.label].toFixed(2)} glimpses at ${r.locations.map(([x, y]) => `(${x.toFixed(2)}, ${y.toFixed(2)})`).join(' ')}`);
  }
  model.dispose();
  env.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
