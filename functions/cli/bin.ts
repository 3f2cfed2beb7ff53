/** The executable entry point bundled as dist/cli.mjs. */
import { EXIT } from './io';
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`connector-guard could not run: ${message}\n`);
    process.exitCode = EXIT.badInput;
  },
);
