//go:build kms

package main

import (
	"slices"
	"testing"

	"github.com/sigstore/sigstore/pkg/signature/kms"
)

// TestKMSBuild_registersEveryKMSProvider: a binary built with -tags kms
// (the release binaries) serves each KMS scheme signing.key may name.
func TestKMSBuild_registersEveryKMSProvider(t *testing.T) {
	got := kms.SupportedProviders()
	for _, scheme := range []string{"awskms://", "azurekms://", "gcpkms://", "hashivault://"} {
		if !slices.Contains(got, scheme) {
			t.Errorf("no %s provider registered (registered: %v)", scheme, got)
		}
	}
}
