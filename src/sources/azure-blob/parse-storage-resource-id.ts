/** Subscription id and storage account name from an ARM resource id. */
export function parseStorageResourceId(resourceId: string | undefined): { subscriptionId?: string; accountName?: string } {
  if (!resourceId) return {};
  const subscriptionId = /\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1];
  const accountName = /\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)/i.exec(resourceId)?.[1];
  return { ...(subscriptionId ? { subscriptionId } : {}), ...(accountName ? { accountName } : {}) };
}
