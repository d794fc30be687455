import { canTransition, type RunStatus } from '@equilab/contracts';
import { AppError } from '../common/app-error';

/** 409 unless the run state machine allows `from → to`. */
export function assertTransition(runId: string, from: RunStatus, to: RunStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('illegal_transition', `run ${runId} is ${from}; it cannot become ${to}`);
  }
}
