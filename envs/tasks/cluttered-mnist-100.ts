/** `cluttered-mnist-100`: translated 100x100 digit plus 8 random 8x8 crops of other digits; 8 glimpses of 4x12x12. */
import { register } from '../registry';
import { ClutterTransform } from '../vision/transforms';
import { mnistTask } from './mnist-task';

register(
  'cluttered-mnist-100',
  mnistTask(
    'cluttered-mnist-100',
    'MNIST digit at a random position of 100x100 with 8 8x8 distractor crops; 8 glimpses of 4x12x12',
    { glimpses: 8, glimpseSize: 12, scales: 4 },
    () => new ClutterTransform({ width: 100, height: 100, distractors: 8, cropSize: 8 }),
  ),
);
