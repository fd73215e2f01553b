package main

// The KMS providers cosign signs with when signing.key is a KMS reference
// (awskms://, gcpkms://, azurekms://, hashivault://). Each registers itself;
// providers/cosign passes the reference through to them. They are linked
// here, in the binary, so that the library stays free of cloud SDKs.
import (
	_ "github.com/sigstore/sigstore/pkg/signature/kms/aws"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/azure"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/gcp"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
)
