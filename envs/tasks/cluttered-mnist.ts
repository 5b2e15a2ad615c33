/** `cluttered-mnist`: translated 60x60 digit plus 4 random 8x8 crops of other digits; 8 glimpses of 3x12x12. */
import { register } from '../registry';
import { ClutterTransform } from '../vision/transforms';
import { mnistTask } from './mnist-task';

register(
  'cluttered-mnist',
  mnistTask(
    'cluttered-mnist',
    'MNIST digit at a random position of 60x60 with 4 8x8 distractor crops; 8 glimpses of 3x12x12',
    { glimpses: 8, glimpseSize: 12, scales: 3 },
    () => new ClutterTransform({ width: 60, height: 60, distractors: 4, cropSize: 8 }),
  ),
);
