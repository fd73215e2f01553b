package state

import (
	"context"

	"github.com/relctl/relctl/config"
)

// AttestationReader finds and verifies the attestations attached to a
// manifest: cosign's `sha256-<hex>.att` tag, and Sigstore bundles (referrers
// or under the referrers fallback tag) whose statement is not a signature.
type AttestationReader interface {
	VerifyAttestations(ctx context.Context, repository, manifestDigest string) (*AttestationState, error)
}

// AttestationState is what was found among the attestations of a manifest.
type AttestationState struct {
	// Count is the number of attestations found, valid or not, of any
	// predicate type.
	Count int
	// Verified are those whose signature verifies for the configured key
	// or identity and whose statement names the manifest, in the order
	// found.
	Verified []VerifiedAttestation
	// Reason says in a few words what was found ("no attestation", "2
	// attestations, 1 valid").
	Reason string
}

// VerifiedAttestation is one attestation that verifies.
type VerifiedAttestation struct {
	// Format is where it is stored: SignatureFormatLegacy (a layer of the
	// `.att` tag), SignatureFormatReferrer or SignatureFormatFallbackTag
	// (a Sigstore bundle).
	Format string
	// PredicateType is the statement's predicate type.
	PredicateType string
	// Statement is the in-toto statement signed (the DSSE payload).
	Statement []byte
}

// Kind is the signing.format kind of v's Format: config.FormatLegacy for
// the `.att` tag, config.FormatBundle for a Sigstore bundle wherever it is.
func (v VerifiedAttestation) Kind() config.SignatureFormat {
	if v.Format == SignatureFormatLegacy {
		return config.FormatLegacy
	}
	return config.FormatBundle
}

// Run is the CI run observing and applying, from the GitHub Actions
// environment; empty fields outside Actions. A provenance records it.
type Run struct {
	// ServerURL is GITHUB_SERVER_URL, Repository GITHUB_REPOSITORY,
	// WorkflowRef GITHUB_WORKFLOW_REF, RunID GITHUB_RUN_ID, RunAttempt
	// GITHUB_RUN_ATTEMPT.
	ServerURL, Repository, WorkflowRef, RunID, RunAttempt string
}
