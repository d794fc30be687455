import type { SearchParam } from '@equilab/contracts';

/** One draw of `param` from uniform numbers `u` in [0, 1). */
export function sample(param: SearchParam, u: () => number): unknown {
  switch (param.distribution) {
    case 'choice':
      return param.values[Math.min(param.values.length - 1, Math.floor(u() * param.values.length))];
    case 'uniform':
      return param.min + u() * (param.max - param.min);
    case 'log-uniform':
      return Math.exp(Math.log(param.min) + u() * (Math.log(param.max) - Math.log(param.min)));
    case 'int-uniform':
      return Math.min(param.max, param.min + Math.floor(u() * (param.max - param.min + 1)));
  }
}
