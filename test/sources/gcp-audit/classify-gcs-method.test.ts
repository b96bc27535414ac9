import { describe, expect, it } from 'vitest';
import type { ActionClass } from '../../../src/core/event.js';
import { classifyGcsMethod } from '../../../src/sources/gcp-audit/normalize.js';

const CASES: [string, ActionClass][] = [
  ['storage.objects.get', 'read'],
  ['google.storage.objects.get', 'read'],
  ['storage.objects.list', 'list'],
  ['storage.buckets.list', 'list'],
  ['storage.buckets.listChannels', 'list'],
  ['storage.managedFolders.list', 'list'],
  ['storage.multipartUploads.list', 'list'],
  ['storage.objects.create', 'write'],
  ['storage.objects.update', 'write'],
  ['storage.objects.patch', 'write'],
  ['storage.objects.compose', 'write'],
  ['storage.objects.rewrite', 'write'],
  ['storage.objects.copy', 'write'],
  ['storage.objects.restore', 'write'],
  ['storage.multipartUploads.create', 'write'],
  ['storage.multipartUploads.uploadPart', 'write'],
  ['storage.multipartUploads.abort', 'write'],
  ['storage.objects.delete', 'delete'],
  ['storage.buckets.delete', 'delete'],
  ['storage.setIamPermissions', 'permission'],
  ['storage.buckets.setIamPolicy', 'permission'],
  ['storage.objects.setIamPolicy', 'permission'],
  ['storage.objectAccessControls.insert', 'permission'],
  ['storage.bucketAccessControls.patch', 'permission'],
  ['storage.defaultObjectAccessControls.delete', 'permission'],
  ['storage.objectAccessControls.update', 'permission'],
  ['storage.objectAccessControls.list', 'config'],
  ['storage.getIamPermissions', 'config'],
  ['storage.buckets.get', 'config'],
  ['storage.buckets.create', 'config'],
  ['storage.buckets.update', 'config'],
  ['storage.buckets.patch', 'config'],
  ['storage.buckets.getIamPolicy', 'config'],
  ['storage.testIamPermissions', 'config'],
  ['storage.notifications.insert', 'other'],
  ['storage.hmacKeys.create', 'other'],
  ['storage.objects.frobnicate', 'other'],
];

describe('classifyGcsMethod', () => {
  it.each(CASES)('%s -> %s', (method, expected) => {
    expect(classifyGcsMethod(method)).toBe(expected);
  });
});
