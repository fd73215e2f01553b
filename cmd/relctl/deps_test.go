package main

import (
	"os/exec"
	"strings"
	"testing"
)

// linkedPackages lists what `go build` compiles into relctl, with the
// given build tags.
func linkedPackages(t *testing.T, tags string) []string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	args := []string{"list", "-deps"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	out, err := exec.Command(gobin, append(args, ".")...).Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}

// TestBinary_defaultBuildLinksNoCloudSDKOrKubernetes keeps the first
// `go run ./cmd/relctl` fast: the trees below are most of what it used to
// compile and download. The KMS providers come only with -tags kms
// (kms.go); the rest came in through a package imported for a few lines
// (helm's chartutil and helmpath, cosign's CLI and key-reference
// packages), now written out where they are used.
func TestBinary_defaultBuildLinksNoCloudSDKOrKubernetes(t *testing.T) {
	forbidden := []string{
		"k8s.io/",                            // client-go, api, apimachinery
		"github.com/aws/",                    // AWS KMS, ECR credential helper
		"github.com/Azure/",                  // Azure Key Vault, ACR
		"cloud.google.com/",                  // Google Cloud KMS
		"google.golang.org/api/",             // Google Cloud KMS
		"github.com/hashicorp/vault/",        // Vault transit
		"gitlab.com/",                        // gitlab:// keys
		"github.com/sigstore/cosign/v2/cmd/", // cosign's CLI: every registry credential helper
		"github.com/sigstore/sigstore/pkg/signature/kms/aws",
		"github.com/sigstore/sigstore/pkg/signature/kms/azure",
		"github.com/sigstore/sigstore/pkg/signature/kms/gcp",
		"github.com/sigstore/sigstore/pkg/signature/kms/hashivault",
		"github.com/sigstore/cosign/v2/pkg/signature", // k8s:// and gitlab:// keys
		"helm.sh/helm/v3/pkg/chartutil",
	}
	for _, p := range linkedPackages(t, "") {
		for _, f := range forbidden {
			if strings.HasPrefix(p, f) {
				t.Errorf("the default build links %s", p)
			}
		}
	}
}

// TestBinary_kmsBuildLinksEveryKeyProvider: what release binaries are
// built with (-tags kms) has the four KMS providers and cosign's reader of
// k8s:// keys.
func TestBinary_kmsBuildLinksEveryKeyProvider(t *testing.T) {
	linked := map[string]bool{}
	for _, p := range linkedPackages(t, "kms") {
		linked[p] = true
	}
	for _, want := range []string{
		"github.com/sigstore/sigstore/pkg/signature/kms/aws",
		"github.com/sigstore/sigstore/pkg/signature/kms/azure",
		"github.com/sigstore/sigstore/pkg/signature/kms/gcp",
		"github.com/sigstore/sigstore/pkg/signature/kms/hashivault",
		"github.com/sigstore/cosign/v2/pkg/cosign/kubernetes",
	} {
		if !linked[want] {
			t.Errorf("the kms build does not link %s", want)
		}
	}
}
