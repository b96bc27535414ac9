import type { ActionClass } from '../../core/event.js';

const EXACT: Readonly<Record<string, ActionClass>> = {
  'storage.objects.get': 'read',

  'storage.objects.list': 'list',
  'storage.buckets.list': 'list',
  'storage.buckets.listChannels': 'list',
  'storage.managedFolders.list': 'list',
  'storage.folders.list': 'list',
  'storage.multipartUploads.list': 'list',
  'storage.multipartUploads.listParts': 'list',

  'storage.objects.create': 'write',
  'storage.objects.insert': 'write',
  'storage.objects.update': 'write',
  'storage.objects.patch': 'write',
  'storage.objects.compose': 'write',
  'storage.objects.rewrite': 'write',
  'storage.objects.copy': 'write',
  'storage.objects.restore': 'write',

  'storage.objects.delete': 'delete',
  'storage.buckets.delete': 'delete',

  'storage.setIamPermissions': 'permission',
  'storage.buckets.setIamPolicy': 'permission',
  'storage.objects.setIamPolicy': 'permission',
  'storage.managedFolders.setIamPolicy': 'permission',

  'storage.getIamPermissions': 'config',
  'storage.testIamPermissions': 'config',
  'storage.buckets.get': 'config',
  'storage.buckets.create': 'config',
  'storage.buckets.update': 'config',
  'storage.buckets.patch': 'config',
  'storage.buckets.getIamPolicy': 'config',
  'storage.buckets.testIamPermissions': 'config',
  'storage.objects.getIamPolicy': 'config',
  'storage.managedFolders.getIamPolicy': 'config',
};

// bucketAccessControls, defaultObjectAccessControls, objectAccessControls (JSON API ACL resources).
const ACL_METHOD = /^storage\.\w*AccessControls\.(\w+)$/;

/** The method name without the optional `google.` prefix that some audit entries (VPC-SC, policy logs) carry. */
export function bareGcsMethod(methodName: string): string {
  return methodName.startsWith('google.') ? methodName.slice('google.'.length) : methodName;
}

/** True when the audit methodName is a Cloud Storage method (`storage.*`, optionally `google.`-prefixed). */
export function isGcsMethod(methodName: string): boolean {
  return bareGcsMethod(methodName).startsWith('storage.');
}

/** Our action class for a Cloud Storage audit methodName, e.g. `storage.objects.get` -> `read`. */
export function classifyGcsMethod(methodName: string): ActionClass {
  const method = bareGcsMethod(methodName.trim());
  const exact = EXACT[method];
  if (exact) return exact;
  if (method.startsWith('storage.multipartUploads.')) return 'write';
  const acl = ACL_METHOD.exec(method);
  if (acl) return acl[1] === 'get' || acl[1] === 'list' ? 'config' : 'permission';
  return 'other';
}
