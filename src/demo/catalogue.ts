/** First names used for synthetic people. */
export const FIRST_NAMES: readonly string[] = [
  'Alice', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Farah', 'George', 'Hana', 'Isaac', 'Julia', 'Kenji', 'Laura',
  'Marco', 'Nadia', 'Oliver', 'Priya', 'Quentin', 'Rosa', 'Samuel', 'Tomoko', 'Umar', 'Valerie', 'William', 'Yuki',
  'Zara', 'Aarav', 'Beatriz', 'Carlos', 'Divya', 'Elena', 'Felix', 'Grace', 'Hugo', 'Ingrid', 'Jonas', 'Keiko',
];

/** Last names used for synthetic people. */
export const LAST_NAMES: readonly string[] = [
  'Martin', 'Okafor', 'Tanaka', 'Schmidt', 'Nguyen', 'Patel', 'Fischer', 'Rossi', 'Kowalski', 'Johnson', 'Sato',
  'Dubois', 'Garcia', 'Andersson', 'Murphy', 'Silva', 'Cohen', 'Haddad', 'Yamamoto', 'Brown', 'Novak', 'Larsen',
  'Moreau', 'Ito', 'Walker', 'Kim', 'Mendes', 'Petrov', 'Hughes', 'Weber',
];

/** Ordinary clients a person or service uses, by provider. */
export const CLIENTS = {
  awsCli: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp',
  awsCliLinux: 'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#s3.sync',
  s3Console: 'S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.225-191.878.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard',
  boto3: 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
  javaSdk: 'aws-sdk-java/2.25.70 Linux/5.10.225-213.878.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS Java/17.0.12 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/adaptive hll/s3a',
  goSdk: 'aws-sdk-go-v2/1.30.5 os/linux lang/go#1.22.7 md/GOOS#linux md/GOARCH#amd64 api/s3#1.61.2',
  terraform: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.7 (+https://www.terraform.io) terraform-provider-aws/5.70.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.31.0 os/linux lang/go#1.22.7 md/GOOS#linux md/GOARCH#amd64 api/s3#1.63.3',
  browser: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  browserMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  gsutil: 'apitools Python/3.11.8 gsutil/5.30 (linux) analytics/enabled interactive/True command/cp google-cloud-sdk/497.0.0,gzip(gfe)',
  gcloudStorage: 'google-cloud-sdk gcloud/497.0.0 command/gcloud.storage.cp invocation-id/4b1f0c3e9a5d4f6e8c2b7a1d0e9f8c7b environment/None environment-version/None client-os/MACOSX client-os-ver/23.6.0 client-pltf-arch/arm interactive/True from-script/False python/3.12.6 term/xterm-256color (Macintosh; Intel Mac OS X 23.6.0),gzip(gfe)',
  gcsConsole: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36,gzip(gfe)',
  gcsPython: 'gcloud-python/2.18.2  gl-python/3.11.9 grpc/1.66.1 gax/2.21.0 gccl/2.18.2,gzip(gfe)',
  gcsJava: 'gcloud-java/2.43.1 Google-API-Java-Client/2.7.0 Google-HTTP-Java-Client/1.45.0 (gzip),gzip(gfe)',
  gcsGo: 'gcloud-golang-storage/1.43.0 google-api-go-client/0.5,gzip(gfe)',
  storageExplorer: 'Microsoft Azure Storage Explorer, 1.35.0, win32, azsdk-js-storageblob/12.24.0 (NODE-VERSION v18.18.2; Windows_NT 10.0.22631)',
  azurePortal: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
  azcopy: 'AzCopy/10.26.0 azsdk-go-azblob/v1.4.0 (go1.22.5; linux)',
  azureDotnet: 'azsdk-net-Storage.Blobs/12.22.1 (.NET 8.0.10; Ubuntu 22.04.4 LTS)',
  azurePython: 'azsdk-python-storage-blob/12.23.1 Python/3.11.9 (Linux-5.15.0-1073-azure-x86_64-with-glibc2.35)',
  azureCli: 'AZURECLI/2.65.0 (MSI) azsdk-python-storage-blob/12.16.0 Python/3.11.9 (Windows-10-10.0.22631-SP0)',
} as const;

/** Clients no ordinary identity in the dataset uses (the unusual-client incidents use them). */
export const UNUSUAL_CLIENTS = {
  rclone: 'rclone/v1.66.0',
  curl: 'curl/8.5.0',
  pythonRequests: 'python-requests/2.31.0',
  s3Browser: 'S3 Browser/11.6.7 https://s3browser.com',
  kaliCli: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython md/distrib#kali.2024 cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.sync',
} as const;

/** Office locations: time zone and the first octets of their ISPs' address space. */
export const LOCATIONS = {
  london: { timeZone: 'Europe/London', octets: [81, 86, 90, 92, 109, 151] },
  newYork: { timeZone: 'America/New_York', octets: [24, 50, 66, 68, 71, 73, 96, 98] },
  chicago: { timeZone: 'America/Chicago', octets: [67, 69, 75, 76, 99, 107] },
  sanFrancisco: { timeZone: 'America/Los_Angeles', octets: [50, 67, 73, 76, 98, 108] },
  tokyo: { timeZone: 'Asia/Tokyo', octets: [106, 110, 114, 126, 153, 180] },
  berlin: { timeZone: 'Europe/Berlin', octets: [79, 84, 87, 91, 93, 217] },
  singapore: { timeZone: 'Asia/Singapore', octets: [101, 116, 118, 175] },
} as const;

/** A named office location. */
export type LocationName = keyof typeof LOCATIONS;

/** First two octets of rented-server (VPS) ranges that the new-source-ip incidents come from. */
export const VPS_PREFIXES: readonly string[] = ['45.77', '45.32', '139.180', '159.223', '5.161', '167.99', '206.189'];
