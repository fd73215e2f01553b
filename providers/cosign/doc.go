// Package cosign signs chart manifests and release files with sigstore cosign,
// and verifies those signatures, in key mode (a cosign key pair, or a KMS key)
// and keyless mode (a short-lived Fulcio certificate bound to the workflow's
// OIDC identity).
//
// It owns the signature tag of a manifest (`<repository>:sha256-<hex>.sig`,
// one layer per signature, cosign's classic layout that GHCR supports) and the
// `cosign sign-blob` format of file signatures (a base64 signature, plus the
// PEM certificate in keyless mode). A *Signer satisfies state.SignatureReader.
//
// It never touches the chart manifest itself, never deletes or rewrites a
// signature already in the registry and never prompts on a terminal.
// Passwords and tokens come through Options.Getenv, registry credentials
// through relctl's one chain (oci.Credentials, the one chart pushes use);
// only what cosign's libraries read for themselves comes from the process
// (Sigstore's TUF cache under TUF_ROOT, SIGSTORE_* key overrides). No error it returns
// contains a password, a private key or an OIDC token.
//
// Signing uses cosign's building blocks (payload, static signature, mutate,
// ociremote, fulcio and rekor clients) rather than sign.SignCmd: SignCmd
// re-reads and re-decrypts the key on every call (scrypt: about a second
// each), ignores the caller's context and reads credentials from the process
// environment. The signature layers written are the ones SignCmd writes, and
// `cosign verify` accepts them.
package cosign
