import { describe, it, expect } from 'vitest';
import { cloudTrailPrincipal } from '../../../src/sources/aws-cloudtrail/cloud-trail-principal.js';
import { sampleRecords } from '../../helpers/sample-records.js';

const principal = (identity: Record<string, unknown>, account = '123456789012') => cloudTrailPrincipal(identity, account);

describe('cloudTrailPrincipal', () => {
  it('names the flaws2 level1 Lambda session by its role ARN, path included', () => {
    const record = sampleRecords('aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_83VTWZ8Z0kiEC7Lq.json.gz')[0]!;
    expect(cloudTrailPrincipal(record.userIdentity as Record<string, unknown>, '653711331788')).toEqual({
      ok: true,
      principal: { id: 'arn:aws:iam::653711331788:role/service-role/level1', name: 'level1/level1', type: 'role' },
    });
  });

  it('names the flaws2 ECS service caller', () => {
    const record = sampleRecords('aws/653711331788_CloudTrail_us-east-1_20181128T2235Z_cR9ra7OH1rytWyXY.json.gz')[0]!;
    expect(cloudTrailPrincipal(record.userIdentity as Record<string, unknown>, '653711331788')).toEqual({
      ok: true,
      principal: { id: 'service:ecs-tasks.amazonaws.com', name: 'ecs-tasks.amazonaws.com', type: 'service' },
    });
  });

  it('names root, federated, web-identity and Identity Center callers', () => {
    expect(principal({ type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' })).toEqual({
      ok: true,
      principal: { id: 'arn:aws:iam::123456789012:root', name: 'root', type: 'user' },
    });
    expect(principal({ type: 'FederatedUser', arn: 'arn:aws:sts::123456789012:federated-user/bob', accountId: '123456789012' })).toEqual({
      ok: true,
      principal: { id: 'arn:aws:sts::123456789012:federated-user/bob', name: 'bob', type: 'user' },
    });
    expect(principal({ type: 'WebIdentityUser', principalId: 'accounts.google.com:app:1234', userName: '1234' })).toEqual({
      ok: true,
      principal: { id: 'accounts.google.com:app:1234', name: '1234', type: 'user' },
    });
    expect(principal({ type: 'IdentityCenterUser', accountId: '123456789012', onBehalfOf: { userId: 'a1b2-c3d4' } })).toEqual({
      ok: true,
      principal: { id: 'a1b2-c3d4', name: 'a1b2-c3d4', type: 'user' },
    });
  });

  it('names anonymous callers whichever way the record says so', () => {
    const anonymous = { ok: true, principal: { id: 'anonymous', name: 'anonymous', type: 'anonymous' } };
    expect(principal({ type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' })).toEqual(anonymous);
    expect(principal({ type: 'AWSAccount', principalId: 'ANONYMOUS_PRINCIPAL' })).toEqual(anonymous);
    expect(principal({ type: 'Anonymous' })).toEqual(anonymous);
  });

  it('names another account without a principal id by its root ARN', () => {
    expect(principal({ type: 'AWSAccount', principalId: '', accountId: '999999999999' })).toEqual({
      ok: true,
      principal: { id: 'arn:aws:iam::999999999999:root', name: 'account 999999999999', type: 'role', homeAccount: '999999999999' },
    });
  });

  it('says why a userIdentity names nobody', () => {
    expect(principal({ type: 'IAMUser' })).toEqual({ ok: false, reason: 'userIdentity IAMUser has no arn, principalId or userName' });
    expect(principal({ type: 'AWSService' })).toEqual({ ok: false, reason: 'userIdentity AWSService without invokedBy' });
  });
});
