package cosign

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sigstore/sigstore/pkg/signature/kms"
)

// A signing key is a cosign key file, env://VAR, or a reference to a key
// held elsewhere: a KMS key (awskms://, gcpkms://, azurekms://,
// hashivault://), served by sigstore's provider for the scheme once the
// binary registers it (a blank import of sigstore's
// pkg/signature/kms/<provider>, cmd/relctl/kms.go), or a cosign key pair in
// a Kubernetes secret (k8s://), which cosign's pkg/signature reads with
// client-go.
//
// Those providers bring the AWS, Google Cloud and Azure SDKs, Vault's
// client, gRPC and Kubernetes' client-go: more than half of what a first
// build compiles. They are linked only into builds with the "kms" tag
// (KMSBuildTag): relctl's release binaries, and `go build -tags kms`. A
// build without it refuses such a key with an error that says so
// (checkKeyProvider), when the spec is validated, before anything is pushed.

// KMSBuildTag is the build tag that links the KMS and Kubernetes key
// providers.
const KMSBuildTag = "kms"

// kmsKeySchemes are the KMS reference schemes of a "kms" build.
var kmsKeySchemes = []string{"awskms://", "azurekms://", "gcpkms://", "hashivault://"}

// isKeyProviderRef is true for a reference a key provider serves rather
// than a file, an env://VAR or an http(s) URL.
func isKeyProviderRef(ref string) bool {
	i := strings.Index(ref, "://")
	if i < 0 {
		return false
	}
	switch ref[:i] {
	case "env", "http", "https":
		return false
	}
	return true
}

// CheckKeyProvider returns an error naming the scheme of a key reference
// that a provider serves (awskms://, k8s://, …) when this binary has no
// provider for it. It makes no request. Files, env://VAR and http(s) URLs
// are not its business: it returns nil for them.
func CheckKeyProvider(ref string) error {
	if !isKeyProviderRef(ref) {
		return nil
	}
	return checkKeyProvider(ref)
}

// checkKeyProvider is CheckKeyProvider for a reference with a scheme.
func checkKeyProvider(ref string) error {
	scheme := ref[:strings.Index(ref, "://")+len("://")]
	supported := slices.Concat(kms.SupportedProviders(), secretKeySchemes)
	slices.Sort(supported)
	if slices.Contains(supported, scheme) {
		return nil
	}
	builtIn := strings.Join(supported, ", ")
	if builtIn == "" {
		builtIn = "none"
	}
	msg := fmt.Sprintf("no %s key provider is built into this binary (built in: %s)", strings.TrimSuffix(scheme, "://"), builtIn)
	if !kmsBuild && (slices.Contains(kmsKeySchemes, scheme) || scheme == "k8s://") {
		msg += "; this relctl was built without the KMS and Kubernetes key providers (awskms, gcpkms, azurekms, hashivault, k8s)," +
			" which relctl's release binaries and GitHub Action have: use one, or build from source with `go install -tags " + KMSBuildTag + " ./cmd/relctl`"
	}
	return errors.New(msg)
}
