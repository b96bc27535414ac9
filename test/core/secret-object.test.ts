import { describe, expect, it } from 'vitest';
import { isSecretObjectKey } from '../../src/core/secret-object.js';

describe('isSecretObjectKey', () => {
  it.each([
    'deploy/.env',
    '.env',
    'app/.env.production',
    'services/billing/.env.local',
    'home/ops/.ssh/id_rsa',
    'id_ed25519',
    'certs/api-prod.pem',
    'tls/server.key',
    'tls/privkey.pem',
    'tls/server-key.pem',
    'android/release.keystore',
    'vault/team.kdbx',
    'vpn/office.ovpn',
    'config/credentials.json',
    'credentials',
    'home/u/.aws/credentials',
    'config/secrets.yaml',
    'ci/github-token.txt',
    'app/db-password.properties',
    'terraform/prod/terraform.tfstate',
    'terraform/prod/terraform.tfstate.backup',
    'envs/prod.tfvars',
    'k8s/kubeconfig',
    'build/.npmrc',
    'backup/.git-credentials',
    'www/wp-config.php',
    'gcp/service-account-prod.json',
  ])('%s looks like a secret', (key) => {
    expect(isSecretObjectKey(key)).toBe(true);
  });

  it.each([
    '.envelope.pdf',
    'docs/.envelope.pdf',
    'certs/ca-bundle.pem',
    'tls/fullchain.pem',
    'deploy/.env.example',
    'environment.md',
    'docs/environment-setup.md',
    'keynote.pptx',
    'talks/keynote.pptx',
    'static/js/keyboard.js',
    'img/monkey.png',
    'reports/2026/11/q3-revenue.xlsx',
    'ansible/roles/api/tasks/main.yml',
    'artifacts/api/1.42.3/api-1.42.3.tar.gz',
    'data/events/dt=2026-11-20/part-00001.snappy.parquet',
    'payroll/2026/11/payroll-finance.csv',
    'secret-santa-2024.xlsx',
    'api_key_rotation_policy.pdf',
  ])('%s does not', (key) => {
    expect(isSecretObjectKey(key)).toBe(false);
  });
});

describe('isSecretObjectKey on near misses', () => {
  it.each(['keys/deploy_id_rsa', 'keys/gcp-service-account.json', 'config/db_password.txt', 'ci/github-token.txt', 'home/u/.ssh/id_ecdsa'])(
    '%s looks like a secret',
    (key) => expect(isSecretObjectKey(key)).toBe(true),
  );
  it.each([
    'models/bert/tokenizer.json', 'hr/secretary-notes.txt', 'policies/password-policy.txt', 'billing/tokens_usage_report.csv',
    'keys/id_rsa.pub', 'home/u/.ssh/known_hosts', 'app/.env.example', 'app/.env.template',
  ])('%s does not', (key) => expect(isSecretObjectKey(key)).toBe(false));
});
