// Step 1: which application is asking, for which resource, and are both usable.
import type { ApplicationRow, Directory, ServicePrincipalRow } from '../../directory/directory.js';

export interface IdentifiedApplication {
  clientAppId: string;
  client: ApplicationRow | undefined;
  clientServicePrincipal: ServicePrincipalRow | undefined;
  resourceIdentifier: string | undefined;
  resource: ApplicationRow | undefined;
  resourceServicePrincipal: ServicePrincipalRow | undefined;
}

export async function identifyApplication(directory: Directory, clientAppId: string, resourceIdentifier: string | undefined): Promise<IdentifiedApplication> {
  const client = await directory.getApplicationByAppId(clientAppId);
  const clientServicePrincipal = client && (await directory.getServicePrincipalByAppId(client.app_id));
  const resource = resourceIdentifier ? await directory.findResource(resourceIdentifier) : undefined;
  const resourceServicePrincipal = resource && (await directory.getServicePrincipalByAppId(resource.app_id));
  return { clientAppId, client, clientServicePrincipal, resourceIdentifier, resource, resourceServicePrincipal };
}
