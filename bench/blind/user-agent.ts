import type { Rng } from './rng.js';

/** A tool an identity uses to reach storage. */
export type ClientKind =
  | 'aws-cli' | 's3-console' | 'boto3' | 'js-sdk' | 'java-sdk'
  | 'gcloud' | 'gcs-python' | 'gcp-console' | 'gcs-java'
  | 'storage-explorer' | 'azcopy' | 'azure-python' | 'azure-net' | 'portal'
  | 'browser' | 'curl' | 'python-requests';

/** The operating system a person's tools run on. */
export type Os = 'mac' | 'linux' | 'windows';

// [before the mid-month upgrade, after it]
const VERSIONS: Record<string, [string, string]> = {
  awscli: ['2.17.60', '2.18.4'],
  boto: ['1.35.36', '1.35.44'],
  js: ['3.654.0', '3.679.0'],
  java: ['1.12.770', '1.12.777'],
  gcloud: ['496.0.0', '498.0.0'],
  gccl: ['2.18.2', '2.19.0'],
  gjava: ['2.43.1', '2.44.1'],
  explorer: ['1.35.0', '1.36.0'],
  azcopy: ['10.26.0', '10.27.0'],
  azpy: ['12.23.1', '12.24.0'],
  aznet: ['12.21.2', '12.22.1'],
  chrome: ['129.0.0.0', '130.0.0.0'],
};

const AWS_COMMANDS = ['s3.cp', 's3.cp', 's3.sync', 's3.ls', 's3api.get-object', 's3.cp'];
const GCLOUD_COMMANDS = ['gcloud.storage.cp', 'gcloud.storage.cp', 'gcloud.storage.ls', 'gcloud.storage.rsync', 'gcloud.storage.cat'];
const JS_FEATURES = ['E', 'E,N', 'E,J', 'E,N,J', 'E,Z'];

/** A user agent for one invocation (session) of a client; `upgraded` picks the newer version. */
export function userAgent(kind: ClientKind, os: Os, upgraded: boolean, rng: Rng): string {
  const v = (name: string) => VERSIONS[name]![upgraded ? 1 : 0];
  const osAws = os === 'mac' ? 'os/macos#23.6.0' : os === 'windows' ? 'os/windows#10' : 'os/linux#6.8.0-45-generic';
  switch (kind) {
    case 'aws-cli':
      return `[aws-cli/${v('awscli')} md/awscrt#0.21.2 ua/2.0 ${osAws} md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#${rng.pick(AWS_COMMANDS)}]`;
    case 's3-console':
      return `[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.226-192.879.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.422-b05 java/1.8.0_422 vendor/Oracle_Corporation cfg/retry-mode/standard]`;
    case 'boto3':
      return `Boto3/${v('boto')} md/Botocore#${v('boto')} ua/2.0 ${osAws} md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/${v('boto')}`;
    case 'js-sdk':
      return `aws-sdk-js/${v('js')} ua/2.1 os/linux#6.1.109-118.189.amzn2023.x86_64 lang/js md/nodejs#20.17.0 api/s3#${v('js')} m/${rng.pick(JS_FEATURES)}`;
    case 'java-sdk':
      return `aws-sdk-java/${v('java')} Linux/5.10.227-219.884.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE cfg/retry-mode/standard`;
    case 'gcloud': {
      const clientOs = os === 'mac' ? 'MACOSX client-os-ver/23.6.0 client-pltf-arch/arm' : os === 'windows' ? 'WINDOWS client-os-ver/10.0.22631 client-pltf-arch/x86_64' : 'LINUX client-os-ver/6.8.0 client-pltf-arch/x86_64';
      return `google-cloud-sdk gcloud/${v('gcloud')} command/${rng.pick(GCLOUD_COMMANDS)} invocation-id/${rng.hex(32)} environment/None environment-version/None client-os/${clientOs} interactive/True from-script/False python/3.12.4 term/xterm-256color,gzip(gfe)`;
    }
    case 'gcs-python':
      return `gcloud-python/${v('gccl')} gl-python/3.11.9 grpc/1.66.1 gax/2.21.0 gccl/${v('gccl')} gccl-invocation-id/${rng.uuid()} gccl-attempt-count/1,gzip(gfe)`;
    case 'gcp-console':
    case 'portal':
    case 'browser': {
      const platform = os === 'mac' ? 'Macintosh; Intel Mac OS X 10_15_7' : os === 'windows' ? 'Windows NT 10.0; Win64; x64' : 'X11; Linux x86_64';
      const ua = `Mozilla/5.0 (${platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v('chrome')} Safari/537.36`;
      return kind === 'gcp-console' ? `${ua},gzip(gfe)` : kind === 'portal' ? `${ua} Edg/${v('chrome')}` : ua;
    }
    case 'gcs-java':
      return `gcloud-java/${v('gjava')} Google-API-Java-Client/2.7.0 Google-HTTP-Java-Client/1.45.0 (gzip),gzip(gfe)`;
    case 'storage-explorer':
      return `Microsoft Azure Storage Explorer, ${v('explorer')}, ${os === 'mac' ? 'darwin' : 'win32'}, azcopy-node, 2.0.0, ${os === 'mac' ? 'darwin' : 'win32'}, AzCopy/${v('azcopy')} azsdk-go-azblob/v1.4.0 (go1.22.5; ${os === 'mac' ? 'darwin' : 'Windows_NT'})`;
    case 'azcopy':
      return `AzCopy/${v('azcopy')} azsdk-go-azblob/v1.4.0 (go1.22.5; linux)`;
    case 'azure-python':
      return `azsdk-python-storage-blob/${v('azpy')} Python/3.11.9 (Linux-6.8.0-1015-azure-x86_64-with-glibc2.35)`;
    case 'azure-net':
      return `azsdk-net-Storage.Blobs/${v('aznet')} (.NET 8.0.8; Microsoft Windows 10.0.20348)`;
    case 'curl':
      return 'curl/8.5.0';
    case 'python-requests':
      return 'python-requests/2.32.3';
  }
}
