/** `translated-mnist`: the digit at a random position of a 60x60 canvas; 8 glimpses of 3x12x12. */
import { register } from '../registry';
import { TranslateTransform } from '../vision/transforms';
import { mnistTask } from './mnist-task';

register(
  'translated-mnist',
  mnistTask('translated-mnist', 'MNIST digit at a random position of 60x60; 8 glimpses of 3x12x12', { glimpses: 8, glimpseSize: 12, scales: 3 }, () => new TranslateTransform(60, 60)),
);
