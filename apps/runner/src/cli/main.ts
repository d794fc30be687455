#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerDataCommands } from './data.command';
import { registerTrainCommand } from './train.command';
import { registerMethodsCommand } from './methods.command';
import { registerEvalCommand } from './eval.command';
import { registerScienceCommands } from './science.command';
import { registerImportCommands } from './import.command';
import { registerExportCommands } from './export.command';

/**
 * `equilab` — the command line of Equilab. Each `*.command.ts` beside this file registers one group of
 * subcommands; errors print one line naming the problem and exit with a non-zero code.
 */
export function buildCli(): Command {
  const program = new Command('equilab')
    .description('Equilab: SIE / VICReg / SimCLR pretraining on 3DIEBench')
    .showHelpAfterError()
    .exitOverride();
  registerDataCommands(program);
  registerTrainCommand(program);
  registerMethodsCommand(program);
  registerEvalCommand(program);
  registerScienceCommands(program);
  registerImportCommands(program);
  registerExportCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    console.error(`equilab: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

if (require.main === module) void main(process.argv);
