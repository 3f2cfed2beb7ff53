/** The executable entry point bundled as dist/cli.mjs. */
import { EXIT } from './io';
import { main } from './main';

// Under Node 20 the AWS SDK prints a NodeVersionSupportWarning on every command (its releases
// from January 2027 on will need Node 22). The lock file pins releases that run on Node 20 and
// the build refuses any that do not, so the CLI turns that one warning off with the SDK's own
// switch, unless the user set it; every other warning still prints.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
