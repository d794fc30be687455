// tfjs-core alone registers no gradient functions; its ESM `register_all_gradients` cannot be required from
// CommonJS. The @tensorflow/tfjs Node bundle registers all of them (on the same, deduplicated tfjs-core).
import '@tensorflow/tfjs';
