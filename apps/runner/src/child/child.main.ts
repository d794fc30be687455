import { sieTrainer } from '@equilab/sie';
import { runTrainingChild } from './training-child.process';

/** Entry of the training child the runner forks (`dist/child/child.main.js`): trains with libs/sie. */
runTrainingChild(sieTrainer);
