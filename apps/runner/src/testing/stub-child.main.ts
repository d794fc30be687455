import { runTrainingChild } from '../child/training-child.process';
import { stubTrainer } from './stub.trainer';

/** Training-child entry of the runner's tests (RUNNER_CHILD_ENTRY): the real child process with the stub trainer. */
runTrainingChild(stubTrainer);
