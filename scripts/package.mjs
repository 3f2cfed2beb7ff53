/**
 * Packages the connector stack for deployment: builds the functions, zips each one
 * deterministically (the same sources give the same bytes), and writes dist/template.yaml whose
 * functions point at content-addressed keys, `<key prefix><function>-<sha256>.zip`, in the bucket
 * `<bucket prefix>-<region>` of the region the stack is deployed in.
 *
 * It prints the commands that upload the zips to each region's bucket; upload them before the
 * template is deployed (a StackSet deploys into every region it targets, so every one of them
 * needs its bucket). The packaged template leaves out the source's comments, so that it fits the
 * 51,200 bytes CloudFormation accepts in a request (`--template-body`, or `aws cloudformation
 * deploy` without `--s3-bucket`); it warns when it does not fit even so. dist/package/manifest.json
 * lists each zip's key, SHA-256 and `codeSha256`, the value `aws lambda get-function` shows for
 * the package a function runs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, Lexer, parseDocument } from 'yaml';
import yazl from 'yazl';
import { build, functionNames } from '../esbuild.config.mjs';
import { readArgs, runScript, UsageError } from './args.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = join(ROOT, 'template', 'connector.yaml');

const USAGE = `Usage: npm run package -- --bucket-prefix NAME [--key-prefix PREFIX]
                          [--regions R1,R2,...] [--outdir DIR] [--skip-build]

Builds the functions, zips each one deterministically, and writes DIR/template.yaml, whose
functions load their code from s3://NAME-<region>/PREFIX<function>-<sha256>.zip, then prints
the commands that upload the zips and deploy the template.

Options:
  --bucket-prefix NAME  the code buckets' name before -<region> (required): 1 to 48 lowercase
                        letters, digits, dots and hyphens
  --key-prefix PREFIX   the zips' key prefix, ending in / (added when it is missing);
                        connector-guard/ by default, '' for none
  --regions R1,R2,...   the regions to print upload commands for (REGION otherwise); the
                        first one is used in the deploy command
  --outdir DIR          where to build and write (dist/ by default)
  --skip-build          package what DIR already holds
  -h, --help            this help

Exit codes: 0 packaged; 1 the build or packaging failed; 2 a wrong command line.`;

const OPTIONS = {
  'bucket-prefix': { type: 'string' },
  'key-prefix': { type: 'string', default: 'connector-guard/' },
  regions: { type: 'string', default: '' },
  outdir: { type: 'string', default: join(ROOT, 'dist') },
  'skip-build': { type: 'boolean', default: false },
};

// A fixed timestamp written as DOS date fields only, so no time zone enters the archive.
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const ZIP_FILE_MODE = 0o100644;

// A region name: an area, for some partitions a country, a compass direction and a number, as
// every region AWS has opened is named (eu-west-1, ap-southeast-7, us-gov-east-1, eusc-de-east-1).
// Checking the direction catches a typo such as eu-wset-1, which would otherwise print commands
// for buckets that cannot exist; a region named otherwise in future needs adding here.
const REGION =
  /^[a-z]{2,4}(-(gov|iso[a-z]?|[a-z]{2}))?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;
const TEMPLATE_BODY_LIMIT = 51_200;
// Tokens the YAML lexer emits to mark structure; they stand for no character of the source.
const LEXER_MARKERS = new Set(['\u0002', '\u0018', '\u001f', '\ufeff']);

/**
 * Checks a flag's value against the constraints of the template parameter it fills in, so that
 * packaging accepts exactly what CloudFormation will; `given` is what the user wrote.
 */
function checkAgainstParameter(flag, value, parameterName, given = value) {
  const doc = parseDocument(readFileSync(TEMPLATE, 'utf8'));
  const parameter = doc.getIn(['Parameters', parameterName])?.toJSON() ?? {};
  const { AllowedPattern, MinLength = 0, MaxLength = Infinity } = parameter;
  const fits =
    value.length >= MinLength &&
    value.length <= MaxLength &&
    (AllowedPattern === undefined || new RegExp(AllowedPattern).test(value));
  if (fits) return value;
  const rule = String(parameter.ConstraintDescription ?? 'must fit the template').replace(
    /\.$/,
    '',
  );
  throw new UsageError(
    `${flag} ${rule} (it fills in ${parameterName}); received ${JSON.stringify(given)}.`,
  );
}

/**
 * The key prefix with the `/` that ends a folder: keys are `<prefix><function>-<sha256>.zip`, so
 * `releases/1.0.0` would give `releases/1.0.0drift-guard-....zip`.
 */
function withTrailingSlash(keyPrefix) {
  return keyPrefix === '' || keyPrefix.endsWith('/') ? keyPrefix : `${keyPrefix}/`;
}

function regionsOf(list) {
  const regions = list === '' ? [] : list.split(',').map((r) => r.trim());
  const badRegion = regions.find((r) => !REGION.test(r));
  if (badRegion !== undefined) {
    throw new UsageError(
      `--regions must list AWS regions, separated by commas, such as eu-west-1,us-east-1 ` +
        `(an area, a compass direction and a number); received ${JSON.stringify(badRegion)}.`,
    );
  }
  return regions;
}

/** The settings of a run, or `undefined` when only the usage was asked for. */
function options(argv) {
  const parsed = readArgs(argv, { usage: USAGE, options: OPTIONS });
  if (parsed === undefined) return undefined;
  const { values } = parsed;
  if (values['bucket-prefix'] === undefined) {
    throw new UsageError(
      '--bucket-prefix is required: the name of the code buckets before -<region>, such as ' +
        'acme-connector-code; received nothing.',
    );
  }
  const bucketPrefix = checkAgainstParameter(
    '--bucket-prefix',
    values['bucket-prefix'],
    'CodeBucketPrefix',
  );
  const given = values['key-prefix'];
  const keyPrefix = checkAgainstParameter(
    '--key-prefix',
    withTrailingSlash(given),
    'CodeKeyPrefix',
    given,
  );
  if (keyPrefix !== given) {
    console.warn(
      `note: --key-prefix ${JSON.stringify(given)} ends without /; using ${JSON.stringify(keyPrefix)}.`,
    );
  }
  return {
    bucketPrefix,
    keyPrefix,
    regions: regionsOf(values.regions),
    outdir: resolve(values.outdir),
    build: !values['skip-build'],
  };
}

/** Zips a function's built files with fixed order, timestamps, modes and compression. */
async function zipFunction(functionDir) {
  const zip = new yazl.ZipFile();
  for (const name of ['index.mjs', 'index.mjs.map', 'index.mjs.LEGAL.txt']) {
    let content;
    try {
      content = readFileSync(join(functionDir, name));
    } catch (error) {
      if (error.code === 'ENOENT' && name === 'index.mjs') {
        throw new Error(
          `${relative(ROOT, functionDir)}/index.mjs is missing; build without --skip-build.`,
        );
      }
      if (error.code !== 'ENOENT') throw error;
      continue;
    }
    zip.addBuffer(content, name, {
      mtime: ZIP_MTIME,
      mode: ZIP_FILE_MODE,
      compressionLevel: 9,
      forceDosTimestamp: true,
    });
  }
  zip.end();

  const chunks = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function sha256(buffer) {
  return createHash('sha256').update(buffer).digest('hex');
}

function quoted(text) {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Replaces a scalar's text, or adds `key: value` after a sibling when it is absent. */
function setScalar(edits, text, map, key, value) {
  const existing = map.get(key, true);
  if (isScalar(existing)) {
    edits.push({ start: existing.range[0], end: existing.range[1], text: quoted(value) });
    return;
  }
  const anchor = map.items[0];
  const lineStart = text.lastIndexOf('\n', anchor.key.range[0]) + 1;
  const indent = ' '.repeat(anchor.key.range[0] - lineStart);
  const at = anchor.value.range[1];
  edits.push({ start: at, end: at, text: `\n${indent}${key}: ${quoted(value)}` });
}

/** YAML text without its comments; a comment alone on its line takes the line with it. */
function withoutComments(text) {
  const tokens = [...new Lexer().lex(text)].filter((token) => !LEXER_MARKERS.has(token));
  if (tokens.join('') !== text) throw new Error('The template could not be read token by token.');
  let out = '';
  for (let i = 0; i < tokens.length; i += 1) {
    if (!tokens[i].startsWith('#')) {
      out += tokens[i];
      continue;
    }
    const lineStart = out.lastIndexOf('\n') + 1;
    if (out.slice(lineStart).trim() !== '') {
      out = out.replace(/[ \t]+$/, '');
      continue;
    }
    out = out.slice(0, lineStart);
    if (tokens[i + 1] === '\n') i += 1;
  }
  return out;
}

/**
 * Writes the packaged template: the code parameters' defaults filled in, each function's S3Key
 * pointing at its zip, and the comments left out. Nothing else changes; layout and every other
 * value stay as written.
 */
function packagedTemplate(zips, { bucketPrefix, keyPrefix }) {
  const text = readFileSync(TEMPLATE, 'utf8');
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) throw new Error(`template/connector.yaml: ${doc.errors[0].message}`);
  const edits = [];

  setScalar(
    edits,
    text,
    doc.getIn(['Parameters', 'CodeBucketPrefix'], true),
    'Default',
    bucketPrefix,
  );
  setScalar(edits, text, doc.getIn(['Parameters', 'CodeKeyPrefix'], true), 'Default', keyPrefix);

  const pointed = new Set();
  for (const pair of doc.get('Resources', true).items) {
    const resource = pair.value;
    if (!isMap(resource) || resource.get('Type') !== 'AWS::Lambda::Function') continue;
    const key = resource.getIn(['Properties', 'Code', 'S3Key'], true);
    const match = isScalar(key) ? /^\$\{CodeKeyPrefix\}([a-z0-9-]+)\.zip$/.exec(key.value) : null;
    const zipped = match && zips.get(match[1]);
    if (!zipped) {
      throw new Error(
        `Resources.${pair.key}.Properties.Code.S3Key must be !Sub '\${CodeKeyPrefix}<function>.zip' for a built function (${[...zips.keys()].join(', ')}).`,
      );
    }
    edits.push({
      start: key.range[0],
      end: key.range[1],
      text: quoted(`\${CodeKeyPrefix}${zipped.file}`),
    });
    pointed.add(match[1]);
  }

  const unused = [...zips.keys()].filter((name) => !pointed.has(name));
  if (unused.length > 0) {
    throw new Error(`No function in the template runs the built code of: ${unused.join(', ')}.`);
  }

  let packaged = text;
  for (const edit of edits.sort((x, y) => y.start - x.start)) {
    packaged = packaged.slice(0, edit.start) + edit.text + packaged.slice(edit.end);
  }
  packaged = withoutComments(packaged);
  const check = parseDocument(packaged);
  if (
    check.errors.length > 0 ||
    check.getIn(['Parameters', 'CodeBucketPrefix', 'Default']) !== bucketPrefix
  ) {
    throw new Error('The packaged template did not come out as intended; nothing was written.');
  }
  return packaged;
}

async function main() {
  const settings = options(process.argv.slice(2));
  if (settings === undefined) return;
  if (settings.build) await build({ outdir: settings.outdir });

  const names = functionNames();
  if (names.length === 0) throw new Error('There are no functions to package under functions/.');

  const packageDir = join(settings.outdir, 'package');
  rmSync(packageDir, { recursive: true, force: true });
  mkdirSync(packageDir, { recursive: true });

  const zips = new Map();
  for (const name of names) {
    const bytes = await zipFunction(join(settings.outdir, name));
    const digest = sha256(bytes);
    const file = `${name}-${digest}.zip`;
    writeFileSync(join(packageDir, file), bytes);
    // Lambda reports the package it deployed as CodeSha256: the same digest, in base64.
    const codeSha256 = Buffer.from(digest, 'hex').toString('base64');
    zips.set(name, { file, sha256: digest, codeSha256, bytes: bytes.length });
  }

  const templateFile = join(settings.outdir, 'template.yaml');
  const packaged = packagedTemplate(zips, settings);
  writeFileSync(templateFile, packaged);
  const bytes = Buffer.byteLength(packaged);
  if (bytes > TEMPLATE_BODY_LIMIT) {
    console.warn(
      `warning: ${show(templateFile)} is ${bytes} bytes, more than the ${TEMPLATE_BODY_LIMIT} CloudFormation accepts in a request: deploy it from S3 (--s3-bucket, --template-url).`,
    );
  }
  const manifest = {
    bucketPrefix: settings.bucketPrefix,
    keyPrefix: settings.keyPrefix,
    functions: Object.fromEntries(
      [...zips].map(([name, z]) => [name, { key: `${settings.keyPrefix}${z.file}`, ...z }]),
    ),
  };
  writeFileSync(join(packageDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  report(settings, zips, templateFile);
}

/** A path as printed: relative to the working directory when it is inside it. */
function show(path) {
  const shown = relative(process.cwd(), path);
  return shown === '' ? '.' : shown.startsWith('..') ? path : shown;
}

/** A path or word as the shell reads it back: quoted when it holds anything but [\w./:=-]. */
function shellWord(text) {
  return /^[\w./:=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function report(settings, zips, templateFile) {
  console.log(`wrote ${show(templateFile)}`);
  for (const [name, z] of zips) {
    console.log(
      `wrote ${show(join(settings.outdir, 'package', z.file))} (${name}, ${z.bytes} bytes)`,
    );
  }
  const manifestFile = show(join(settings.outdir, 'package', 'manifest.json'));
  console.log(`wrote ${manifestFile} (each zip's key and SHA-256, for release records)`);

  const regions = settings.regions.length > 0 ? settings.regions : ['REGION'];
  console.log('\nUpload the code to the bucket of every region the stack is deployed in:');
  for (const region of regions) {
    for (const z of zips.values()) {
      const local = shellWord(show(join(settings.outdir, 'package', z.file)));
      const target = `s3://${settings.bucketPrefix}-${region}/${settings.keyPrefix}${basename(z.file)}`;
      console.log(`  aws s3 cp ${local} ${shellWord(target)} --region ${region}`);
    }
  }
  console.log('\nThen deploy it, once per account and in one region (IAM names are global):');
  console.log(
    `  aws cloudformation deploy --region ${regions[0]} --stack-name connector --template-file ${shellWord(show(templateFile))} --capabilities CAPABILITY_NAMED_IAM --parameter-overrides TenantAccountId=... TenantExternalId="$(cat external-id.txt)" NotificationEmail=...`,
  );
  console.log(
    '  (or ExistingNotificationTopicArn=... instead of NotificationEmail; check the parameters ' +
      'first with node dist/cli.mjs validate)',
  );
  if (regions.length > 1) {
    console.log('or across an AWS Organization with a StackSet (see the README, Deploying).');
  }
}

runScript(
  'package',
  { usage: USAGE, help: 'npm run package -- --help', optionNames: Object.keys(OPTIONS) },
  main,
);
