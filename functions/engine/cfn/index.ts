/** The CloudFormation custom-resource protocol, shared by every custom resource. */
export {
  type CustomResourceEvent,
  type IncomingRequest,
  REQUEST_TYPES,
  type RequestType,
  readInvocation,
  UnanswerableEventError,
} from './event';
export {
  customResourceProvider,
  type LambdaContextLike,
  type ProviderOptions,
  type RequestContext,
  RequestFailure,
  type RequestHandler,
  type RequestOutcome,
  stablePhysicalId,
} from './provider';
export {
  deliverResponse,
  MAX_RESPONSE_BYTES,
  maskResponseUrl,
  type ResponseBody,
  ResponseDeliveryError,
  type ResponseStatus,
  withReason,
} from './response';
