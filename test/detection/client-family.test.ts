import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStorageAnalyticsLine } from '../../src/sources/azure-blob/normalize.js';
import { normalizeRecord } from '../../src/sources/normalize-record.js';
import { clientFamily, newClientFamilies } from '../../src/detection/client-family.js';
import { SAMPLES_DIR, sampleRecords } from '../helpers/sample-records.js';

/** Every client string the real normalisers produce from every record of every public sample. */
function realClients(): string[] {
  const clients = new Set<string>();
  for (const cloud of ['aws', 'gcp', 'azure']) {
    for (const file of readdirSync(SAMPLES_DIR + cloud)) {
      if (file.endsWith('.md')) continue;
      const records = file.endsWith('.log')
        ? readFileSync(`${SAMPLES_DIR}${cloud}/${file}`, 'utf8').split('\n').filter((l) => l.trim()).map((l) => parseStorageAnalyticsLine(l) ?? {})
        : sampleRecords(`${cloud}/${file}`);
      for (const record of records) {
        const result = normalizeRecord(record);
        if (result.kind === 'event' && result.event.client) clients.add(result.event.client);
      }
    }
  }
  return [...clients];
}

// The family each real user agent must get, by the start of the agent.
const EXPECTED: [string, string][] = [
  ['aws-cli/', 'aws-cli'],
  ['aws-sdk-go/', 'aws-sdk-go'],
  ['aws-sdk-java/', 'aws-sdk-java'],
  ['aws-sdk-python/', 'aws-sdk-python'],
  ['S3Console/', 's3-console'],
  ['Mozilla', 'browser'],
  ['apitools Python/', 'gsutil'],
  ['google-cloud-sdk gcloud/', 'gcloud'],
  ['Microsoft Azure Storage Explorer', 'azure-storage-explorer'],
  ['AZURECLI/', 'azure-cli'],
  ['azsdk-net-Storage.Blobs/', 'azsdk-net-storage.blobs'],
  ['azsdk-python-storage-blob/', 'azsdk-python-storage-blob'],
  ['python-requests/', 'python-requests'],
  ['curl/', 'curl'],
];

describe('clientFamily on the real user agents of the public samples', () => {
  const clients = realClients();

  it('finds the variety of the samples (SDKs, CLIs, consoles, browsers, scripts)', () => {
    expect(clients.length).toBeGreaterThanOrEqual(30);
  });

  it('gives every real agent a short, version-free family made of safe characters', () => {
    for (const ua of clients) {
      const { family } = clientFamily(ua);
      expect(family, ua).toMatch(/^[a-z0-9._ ()-]{1,40}$/);
      expect(family, ua).not.toMatch(/\d+\.\d+/);
    }
  });

  it('names the family of each known product, whatever its version', () => {
    for (const ua of clients) {
      const expected = EXPECTED.find(([prefix]) => ua.startsWith(prefix));
      if (expected) expect(clientFamily(ua).family, ua).toBe(expected[1]);
    }
    const families = (prefix: string) => new Set(clients.filter((c) => c.startsWith(prefix)).map((c) => clientFamily(c).family));
    // aws-cli 1.18 and 2.13 / 2.17, gsutil 4.66 to 5.35, Chrome 70 to 131: one family each.
    expect(families('aws-cli/')).toEqual(new Set(['aws-cli']));
    expect(families('apitools')).toEqual(new Set(['gsutil']));
    expect(families('Mozilla/5.0')).toEqual(new Set(['browser']));
  });

  it('calls only curl and python-requests tools among the real agents', () => {
    const tools = clients.filter((c) => clientFamily(c).kind === 'tool').map((c) => clientFamily(c).family);
    expect(new Set(tools)).toEqual(new Set(['curl', 'python-requests']));
  });
});

describe('clientFamily on bulk-transfer and attack tools', () => {
  const TOOLS: [string, string][] = [
    ['rclone/v1.66.0', 'rclone'],
    ['curl/8.5.0', 'curl'],
    ['Wget/1.21.4', 'wget'],
    ['python-requests/2.31.0', 'python-requests'],
    ['Python/3.11 aiohttp/3.9.1', 'aiohttp'],
    ['Go-http-client/1.1', 'go-http-client'],
    ['S3 Browser/11.6.7 https://s3browser.com', 's3-browser'],
    ['Cyberduck/8.7.0.40629 (Mac OS X/14.0) (x86_64)', 'cyberduck'],
    ['WinSCP/6.1.2 neon/0.32.5', 'winscp'],
    ['s3cmd/2.4.0', 's3cmd'],
    ['s5cmd/v2.2.2', 's5cmd'],
    ['MinIO (linux; amd64) minio-go/v7.0.63 mc/RELEASE.2023-10-14T01-57-03Z', 'minio-mc'],
    ['Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)', 'nmap'],
    ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'sqlmap'],
    ['PostmanRuntime/7.36.0', 'postman'],
    [
      'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython md/distrib#kali.2024 cfg/retry-mode#standard md/command#s3.sync',
      'aws-cli (kali)',
    ],
    ['aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-13parrot1-amd64 exe/x86_64.parrot.6', 'aws-cli (parrot)'],
  ];

  it.each(TOOLS)('%s is the tool %s', (ua, family) => {
    expect(clientFamily(ua)).toEqual({ family, kind: 'tool' });
  });

  it('keeps ordinary SDKs and consoles ordinary, even when they embed a tool name', () => {
    for (const ua of [
      'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226 lang/python#3.12.6',
      'APN/1.0 HashiCorp/1.0 Terraform/1.9.7 (+https://www.terraform.io) terraform-provider-aws/5.70.0 aws-sdk-go-v2/1.31.0',
      'gcloud-python/2.18.2  gl-python/3.11.9 grpc/1.66.1 gax/2.21.0 gccl/2.18.2',
      'AzCopy/10.26.0 azsdk-go-azblob/v1.4.0 (go1.22.5; linux)',
      'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-45-generic md/distrib#ubuntu.24',
      'PycURL/7.45.2 libcurl/8.4.0',
    ]) {
      expect(clientFamily(ua).kind, ua).toBe('ordinary');
    }
    expect(clientFamily('APN/1.0 HashiCorp/1.0 Terraform/1.9.7').family).toBe('terraform');
  });

  it('keeps hostile text out of the family name', () => {
    expect(clientFamily('<!channel> <https://evil.example|click>/1.0').family).toMatch(/^[a-z0-9._-]+$/);
    expect(clientFamily('   ').family).toBe('unknown');
  });
});

describe('newClientFamilies', () => {
  it('ignores version bumps and groups the agents of a new family', () => {
    const fresh = newClientFamilies(
      { 'aws-cli/2.22.1 os/linux': 10, 'rclone/v1.66.0': 30, 'rclone/v1.67.0': 5, '(other)': 3 },
      { 'aws-cli/2.17.60 os/macos': { first: 0, last: 0, count: 1 } },
    );
    expect([...fresh.keys()]).toEqual(['rclone']);
    expect(fresh.get('rclone')).toEqual({ kind: 'tool', agents: ['rclone/v1.66.0', 'rclone/v1.67.0'], ops: 35 });
  });
});
