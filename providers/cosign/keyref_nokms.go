//go:build !kms

package cosign

import (
	"context"
	"crypto"
	"fmt"

	"github.com/sigstore/cosign/v2/pkg/blob"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms"
)

// A build without the "kms" tag reads key references as cosign's
// pkg/signature does, without linking it (it links client-go for k8s://):
// a KMS reference goes to the provider registered for its scheme, anything
// else is a PEM file, env://VAR or http(s) URL.

const kmsBuild = false

var secretKeySchemes []string

// signerVerifierFromKeyRef is cosign's SignerVerifierFromKeyRef for a KMS
// reference (the only kind loadRemoteKey passes): the provider's signer,
// hashing with SHA-256.
func signerVerifierFromKeyRef(ctx context.Context, ref string, _ cosignpkg.PassFunc) (signature.SignerVerifier, error) {
	sv, err := kms.Get(ctx, ref, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("kms get: %w", err)
	}
	return sv, nil
}

// verifierFromKeyRef is cosign's PublicKeyFromKeyRef without k8s:// and
// gitlab://.
func verifierFromKeyRef(ctx context.Context, ref string) (signature.Verifier, error) {
	if isKeyProviderRef(ref) {
		return kms.Get(ctx, ref, crypto.SHA256)
	}
	raw, err := blob.LoadFileOrURL(ref)
	if err != nil {
		return nil, err
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("pem to public key: %w", err)
	}
	return signature.LoadVerifier(pub, crypto.SHA256)
}
