import { type CliIo, EXIT } from './io';

export async function run(_args: string[], io: CliIo): Promise<number> {
  io.stderr('The self-check command is not available in this build.\n');
  return EXIT.badInput;
}
