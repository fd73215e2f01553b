//go:build kms

package main

// The KMS providers cosign signs with when signing.key is a KMS reference
// (awskms://, gcpkms://, azurekms://, hashivault://). Each registers itself;
// providers/cosign passes the reference through to them. They are linked
// here, in the binary, so that the library stays free of cloud SDKs, and
// only with the "kms" build tag (providers/cosign's KMSBuildTag), so that
// `go run ./cmd/relctl` and `go install` compile without them: the cloud
// SDKs are more than a third of a first build. The release binaries
// (.goreleaser.yaml) are built with the tag.
import (
	_ "github.com/sigstore/sigstore/pkg/signature/kms/aws"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/azure"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/gcp"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
)
