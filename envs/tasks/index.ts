/** Registers the built-in glimpse tasks: the four MNIST tasks and `shapes` (import for the side effect). */
import './mnist';
import './translated-mnist';
import './cluttered-mnist';
import './cluttered-mnist-100';
import './shapes';
