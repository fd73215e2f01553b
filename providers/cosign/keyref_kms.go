//go:build kms

package cosign

import (
	"context"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature"
)

// A "kms" build reads key references with cosign's own functions: KMS
// references through the providers the binary registers, k8s:// (and
// gitlab://) with the clients cosign links for them.

const kmsBuild = true

// secretKeySchemes are the schemes cosign's pkg/signature reads itself.
var secretKeySchemes = []string{"gitlab://", "k8s://"}

func signerVerifierFromKeyRef(ctx context.Context, ref string, pf cosignpkg.PassFunc) (signature.SignerVerifier, error) {
	return sigs.SignerVerifierFromKeyRef(ctx, ref, pf, nil)
}

func verifierFromKeyRef(ctx context.Context, ref string) (signature.Verifier, error) {
	return sigs.PublicKeyFromKeyRef(ctx, ref)
}
