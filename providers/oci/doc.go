// Package oci is relctl's adapter to OCI registries (GHCR and any registry
// speaking the distribution spec), built on oras-go v2.
//
// It owns the wire format of a published chart: the manifest helm itself
// would write for the same package (ManifestFor), the tag a version maps to
// (Tag), and the three registry operations relctl needs: Resolve a tag to a
// manifest digest, FetchChart the archive behind a digest, and Push a package.
// It also owns relctl's one registry credential chain (Credentials: every
// registry request relctl makes, cosign's included, takes its credential
// from it, in one documented order) and how registry failures read to a
// user: an unreachable host, refused credentials (wrapping
// state.ErrUnauthorized), an absent tag (wrapping state.ErrNotFound), a tag
// holding something other than a chart (state.NotAChartError).
//
// It never decides whether something should be pushed (that is the planner's
// job), never packages charts, never signs, never deletes or retags what a
// registry holds, and never writes credentials anywhere. Errors never contain
// a secret.
package oci
