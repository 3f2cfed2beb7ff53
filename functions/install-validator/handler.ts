/**
 * The install-validator Lambda: the `Custom::InstallValidator` resource every other resource of
 * the connector stack depends on, so that bad inputs fail the stack before any connector role
 * exists. Building the handler only wires functions together; nothing here can throw at load.
 */
import templateText from '../../template/connector.yaml';
import { customResourceProvider } from '../engine/cfn';
import { installValidator } from './validation';

export const handler = customResourceProvider(installValidator({ templateText }));
