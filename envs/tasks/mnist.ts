/** `mnist`: the 28x28 digit, centred; the paper's setting is 6 glimpses of one 8x8 patch. */
import { register } from '../registry';
import { mnistTask } from './mnist-task';

register('mnist', mnistTask('mnist', 'MNIST 28x28, digit centred; 6 glimpses of 1x8x8', { glimpses: 6, glimpseSize: 8, scales: 1 }));
