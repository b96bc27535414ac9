const SECRET_WORD = '(credentials?|secrets?|passwords?|passwd|tokens?|api[-_]?keys?|private[-_]?key)';
/** Suffixes that name an environment or a copy, as in `credentials-prod.json`, `secrets.bak.yaml`. */
const VARIANT = '([_.-](prod|production|dev|development|staging|stage|test|qa|local|live|backup|bak|old|new|\\d+))*';

const SECRET_PATTERNS: readonly RegExp[] = [
  /(^|\/)\.env(\.(?!example$|sample$|template$|dist$)[\w-]+)?$/i,
  /(^|[/_.-])id_(rsa|dsa|ecdsa|ed25519)$/i,
  /\.(key|p12|pfx|jks|keystore|ppk|kdbx|ovpn)$/i,
  /(^|\/)(credentials|secrets?)(\.[\w-]+)?$/i,
  new RegExp(`(^|[/_.-])${SECRET_WORD}${VARIANT}\\.(json|ya?ml|txt|csv|ini|conf|cfg|xml|properties|env)$`, 'i'),
  new RegExp(`(^|\\/)[\\w.-]*[_.-]${SECRET_WORD}\\.(json|ya?ml|txt|csv|ini|conf|cfg|xml|properties|env)$`, 'i'),
  /(^|\/)\.(aws|docker|kube|gnupg)\//i,
  /(^|\/)\.ssh\/(?!known_hosts$|authorized_keys$|[\w.-]+\.pub$)/i,
  /(^|\/)(terraform\.tfstate(\.backup)?|[\w-]*\.tfvars|kubeconfig|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.htpasswd|htpasswd|shadow|wp-config\.php)$/i,
  /(^|[/_.-])service[-_]?account[\w.-]*\.json$/i,
];

/** A PEM file named as a public certificate or chain (`ca-bundle.pem`, `fullchain.pem`, `cert.pem`) holds no secret, unless the name says key. */
const PUBLIC_PEM = /(^|[/_.-])(ca|ca-?bundle|ca-?certs?|cacert|fullchain|chain|certs?|certificate|bundle|root|intermediate)([_.-][\w-]*)?\.pem$/i;
const KEY_WORD = /key|priv|secret|credential|id_/i;

/** True when an object key looks like it holds credentials or keys (.env, id_rsa, *.pem, credentials.json, tfstate, ...). */
export function isSecretObjectKey(key: string): boolean {
  if (/\.pem$/i.test(key)) {
    const name = key.slice(key.lastIndexOf('/') + 1);
    return KEY_WORD.test(name) || !PUBLIC_PEM.test(name);
  }
  return SECRET_PATTERNS.some((p) => p.test(key));
}
