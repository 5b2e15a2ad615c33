/** Registers the four MNIST glimpse tasks (import for the side effect). */
import './mnist';
import './translated-mnist';
import './cluttered-mnist';
import './cluttered-mnist-100';
