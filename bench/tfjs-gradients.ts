/**
 * TF.js gradient definitions. @tensorflow/tfjs-core's Node build (tf-core.node.js) ships no gradient configs
 * (the @tensorflow/tfjs union package normally imports them), and its ESM `register_all_gradients` cannot be
 * required from Node. Importing the file by path makes esbuild bundle it; it registers into tfjs-core's global
 * gradient registry, which the Node build reads, and runs its ops on the same global engine.
 */
import '../node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js';
