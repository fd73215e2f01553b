//go:build !kms

package main

import (
	"strings"
	"testing"
)

// TestCLI_kmsKeyOnABuildWithoutKMSSaysHowToGetOne: `go run` and
// `go install` without -tags kms link no KMS provider. A spec whose key
// needs one is refused when it is validated and planned, naming the scheme
// and where a build with it comes from, before anything is pushed.
func TestCLI_kmsKeyOnABuildWithoutKMSSaysHowToGetOne(t *testing.T) {
	for _, key := range []string{
		"awskms:///alias/charts",
		"gcpkms://projects/acme/locations/global/keyRings/ci/cryptoKeys/charts",
		"azurekms://acme.vault.azure.net/charts",
		"hashivault://charts",
		"k8s://ci/cosign",
	} {
		scheme := key[:strings.Index(key, "://")]
		t.Run(scheme, func(t *testing.T) {
			h := newHarness(t)
			h.chart("alpha", "1.0.0")
			h.full("", "", "signing {\n  mode = \"key\"\n  key  = \""+key+"\"\n}\n")
			for _, cmd := range []string{"validate", "plan"} {
				code, out, errOut := h.relctl(cmd)
				if code != exitError {
					t.Fatalf("%s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", cmd, code, exitError, out, errOut)
				}
				for _, want := range []string{key, "no " + scheme + " key provider", "release binaries", "-tags kms"} {
					if !strings.Contains(errOut, want) {
						t.Errorf("%s: stderr does not say %q:\n%s", cmd, want, errOut)
					}
				}
			}
			if n := h.reg.Writes(); n != 0 {
				t.Errorf("the registry received %d writes", n)
			}
		})
	}
}
