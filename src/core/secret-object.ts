const SECRET_PATTERNS: readonly RegExp[] = [
  /(^|\/)\.env(\.[\w-]+)?$/i,
  /(^|\/)id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/i,
  /\.(pem|key|p12|pfx|jks|keystore|ppk|kdbx|ovpn)$/i,
  /(^|\/)(credentials|secrets?)(\.[\w-]+)?$/i,
  /(^|\/)[\w.-]*(credential|secret|password|passwd|token|apikey|api[-_]key)s?[\w.-]*\.(json|ya?ml|txt|csv|ini|conf|cfg|xml|properties|env)$/i,
  /(^|\/)\.(aws|ssh|docker|kube|gnupg)\//i,
  /(^|\/)(terraform\.tfstate(\.backup)?|\.tfvars|[\w-]+\.tfvars|kubeconfig|\.npmrc|\.pypirc|\.netrc|\.git-credentials|htpasswd|shadow|wp-config\.php)$/i,
  /(^|\/)service[-_]?account[\w.-]*\.json$/i,
];

/** True when an object key looks like it holds credentials or keys (.env, id_rsa, *.pem, credentials.json, tfstate, ...). */
export function isSecretObjectKey(key: string): boolean {
  return SECRET_PATTERNS.some((p) => p.test(key));
}
