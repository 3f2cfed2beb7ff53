import 'aws-sdk-client-mock-jest';

// No test may reach a real AWS endpoint or the instance metadata service: every SDK client in
// tests gets static fake credentials and an explicit endpoint, and the metadata probe is off.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIAIOSFODNN7EXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY ??= 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
process.env.AWS_REGION ??= 'us-east-1';

// Node 20 is what Lambda and CI run here; the SDK's NodeVersionSupportWarning would print once
// per client in every suite. The CLI turns it off the same way (functions/cli/bin.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
