// Package sigstoretest runs a private Sigstore deployment on loopback for
// tests: an OIDC issuer minting GitHub Actions-shaped tokens (and the
// Actions token request endpoint that hands them out), a Fulcio that
// certifies ephemeral keys for the identity in the token with an embedded
// SCT from a test certificate transparency log, and a Rekor that records
// hashedrekord and dsse entries in a Merkle tree and answers with signed entry
// timestamps and inclusion proofs. A trusted_root.json describing all three
// keys is written as cosign's --trusted-root expects it.
//
// Every check a verifier makes is real: the certificate chains to the
// test root, the SCT is signed over the precertificate, the entry
// timestamp and checkpoint are signed by the log key. Nothing here is
// meant for anything but tests and `relctl sandbox`.
package sigstoretest
