package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/cosign"
	"github.com/relctl/relctl/state"
)

const keySigning = `
signing {
  mode        = "key"
  key         = "cosign.key"
  tlog_upload = false
  on_failure  = "%s"
}
`

// withKey generates a cosign key pair in the spec folder.
func (h *harness) withKey() (pubPath string) {
	h.t.Helper()
	_, pub, err := cosign.GenerateKeyPair(h.dir, []byte("test-password"))
	if err != nil {
		h.t.Fatal(err)
	}
	h.env["COSIGN_PASSWORD"] = "test-password"
	return pub
}

func signingSpec(onFailure string) string {
	return strings.Replace(keySigning, "%s", onFailure, 1) + fastRetry
}

func TestE2E_keyModeSignsEveryChartOnceAndEverythingVerifies(t *testing.T) {
	h := newHarness(t)
	pub := h.withKey()
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.full("", "", signingSpec("fail"))
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	// cosign's own verification accepts the signature, with the public key.
	ctx := context.Background()
	verifier, err := sigs.PublicKeyFromKeyRef(ctx, pub)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(h.reg.Host+"/acme/charts/alpha:1.0.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	sigsFound, _, err := cosignpkg.VerifyImageSignatures(ctx, ref, &cosignpkg.CheckOpts{
		SigVerifier: verifier, IgnoreTlog: true, ClaimVerifier: cosignpkg.SimpleClaimVerifier,
		RegistryClientOpts: []ociremote.Option{},
	})
	if err != nil || len(sigsFound) != 1 {
		t.Fatalf("cosign VerifyImageSignatures: %d signatures, %v", len(sigsFound), err)
	}

	// The release carries the .tgz.sig, and it verifies against the
	// released bytes with the public key.
	rel := h.releasesFor("alpha-v1.0.0")[0]
	var tgz, sig []byte
	for _, a := range rel.Assets {
		switch a.Name {
		case "alpha-1.0.0.tgz":
			tgz = a.Data
		case "alpha-1.0.0.tgz.sig":
			sig = a.Data
		}
	}
	v, err := cosign.New(ctx, cosign.Options{Signing: config.Signing{Mode: config.SigningKey, Key: filepath.Join(h.dir, "cosign.key")}, VerifyOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.VerifyBlob(ctx, tgz, &state.BlobSignature{Signature: sig}); err != nil {
		t.Fatalf("the released .tgz.sig does not verify the released .tgz: %v", err)
	}
	if err := v.VerifyBlob(ctx, append(tgz, 0), &state.BlobSignature{Signature: sig}); err == nil {
		t.Fatal("the .tgz.sig verifies changed bytes")
	}
	if !strings.Contains(rel.Body, "cosign verify --key cosign.pub") {
		t.Errorf("release notes lack the key-mode verification command:\n%s", rel.Body)
	}

	// Signed once: the next plan and apply change nothing.
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	h.reg.ResetRequests()
	h.gh.ResetLog()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w, m := h.reg.Writes(), h.gh.Mutations(); w != 0 || m != 0 {
		t.Fatalf("second apply wrote %d times to the registry and %d to GitHub", w, m)
	}

	// A plan on a pull request has no COSIGN_PASSWORD: the public key
	// beside the key serves verification.
	delete(h.env, "COSIGN_PASSWORD")
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	out := h.mustRelctl(exitOK, "verify")
	for _, want := range []string{"signature", "release package", "release signature", "Verified: 12 checks passed."} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	h.mustRelctl(exitOK, "drift")
}

func TestE2E_badSigningInputFailsBeforeAnythingIsPublished(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(h *harness)
		want  string
	}{
		{"wrong COSIGN_PASSWORD", func(h *harness) { h.withKey(); h.env["COSIGN_PASSWORD"] = "not-it" }, "COSIGN_PASSWORD does not decrypt the key"},
		{"missing key file", func(h *harness) { h.env["COSIGN_PASSWORD"] = "x" }, "cosign.key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tc.setup(h)
			h.chart("alpha", "1.0.0")
			h.full("", "", signingSpec("fail"))
			code, out, errOut := h.relctl("apply", "--auto-approve")
			if code != exitError || !strings.Contains(errOut, tc.want) {
				t.Fatalf("apply exited %d, stderr lacks %q:\n%s", code, tc.want, errOut)
			}
			if strings.Contains(out+errOut, "not-it") {
				t.Fatal("the password leaked into the output")
			}
			if w, m := h.reg.Writes(), h.gh.Mutations(); w != 0 || m != 0 {
				t.Fatalf("bad signing input led to %d registry and %d GitHub writes", w, m)
			}
		})
	}
}

// refuseSignatures makes the registry refuse cosign's signature pushes, as a
// registry denying the .sig tag would.
func refuseSignatures(h *harness) func() {
	return h.reg.Inject(func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256-") {
			return http.StatusForbidden
		}
		return 0
	})
}

func TestE2E_signingFailureUnderFailStopsTheChartBeforeItsRelease(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.full("", "", signingSpec("fail"))
	refuseSignatures(h)
	code, _, errOut := h.relctl("apply", "--auto-approve")
	if code != exitError || !strings.Contains(errOut, "oci_signature.alpha") {
		t.Fatalf("apply exited %d:\n%s", code, errOut)
	}
	if n := len(h.releases()); n != 0 {
		t.Fatalf("%d releases created for a chart that could not be signed", n)
	}
}

func TestE2E_signingFailureUnderWarnPublishesUnsignedAndSaysSoUntilSigned(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.full("", "", signingSpec("warn"))
	remove := refuseSignatures(h)
	summary := filepath.Join(t.TempDir(), "summary.md")
	h.env["GITHUB_STEP_SUMMARY"] = summary
	h.env["GITHUB_SERVER_URL"] = "https://github.example.com"
	out := h.mustRelctl(exitOK, "apply", "--auto-approve")
	if !strings.Contains(out, "published UNSIGNED") || !strings.Contains(out, "published unsigned: alpha") {
		t.Fatalf("apply does not say the chart went unsigned:\n%s", out)
	}
	md, _ := os.ReadFile(summary)
	for _, want := range []string{"⚠️ UNSIGNED", "[alpha-v1.0.0](https://github.example.com/acme/charts/releases/tag/alpha-v1.0.0)", "> [!WARNING]"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("step summary lacks %q:\n%s", want, md)
		}
	}
	rs := h.releasesFor("alpha-v1.0.0")
	if len(rs) != 1 || rs[0].Draft || len(assetNames(rs[0])) != 4 {
		t.Fatalf("release %+v, want published without the .sig", rs)
	}
	remove()

	out = h.mustRelctl(exitChanges, "drift")
	if !strings.Contains(out, "UNSIGNED: alpha is published WITHOUT a valid signature") {
		t.Fatalf("drift does not say the chart is unsigned:\n%s", out)
	}
	code, out, _ := h.relctl("verify")
	if code != exitError || !strings.Contains(out, "FAILED") {
		t.Fatalf("verify of an unsigned chart exited %d:\n%s", code, out)
	}

	// The next apply signs it, and attaches the signature it lacked.
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "drift")
	h.mustRelctl(exitOK, "verify")
}

func TestE2E_keylessOutsideCIWithoutATokenSaysHowToProvideOneAndPublishesNothing(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", `
signing {
  mode = "keyless"
  identity {
    subject_regexp = "^https://github.com/acme/charts/"
  }
}
`+fastRetry)
	// A plan needs no token: it only verifies.
	h.mustRelctl(exitOK, "plan")
	code, _, errOut := h.relctl("apply", "--auto-approve")
	if code != exitError || !strings.Contains(errOut, "id-token: write") || !strings.Contains(errOut, "SIGSTORE_ID_TOKEN") {
		t.Fatalf("keyless apply without a token exited %d:\n%s", code, errOut)
	}
	if w, m := h.reg.Writes(), h.gh.Mutations(); w != 0 || m != 0 {
		t.Fatalf("keyless apply without a token wrote %d times to the registry, %d to GitHub", w, m)
	}
}

func TestE2E_keyFromTheEnvironmentSignsAndThePublicKeyAloneServesPlans(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	priv, err := os.ReadFile(filepath.Join(h.dir, "cosign.key"))
	if err != nil {
		t.Fatal(err)
	}
	// CI holds the private key as a secret; the repository holds only the
	// public key.
	if err := os.Remove(filepath.Join(h.dir, "cosign.key")); err != nil {
		t.Fatal(err)
	}
	h.chart("alpha", "1.0.0")
	h.full("", "", `
signing {
  mode        = "key"
  key         = "env://COSIGN_KEY"
  public_key  = "cosign.pub"
  tlog_upload = false
}
`+fastRetry)
	h.env["COSIGN_KEY"] = string(priv)
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if rel := h.releasesFor("alpha-v1.0.0")[0]; !strings.Contains(rel.Body, "cosign verify --key cosign.pub") {
		t.Errorf("release notes do not name the public key:\n%s", rel.Body)
	}

	// A pull request from a fork has neither the key nor its password.
	delete(h.env, "COSIGN_KEY")
	delete(h.env, "COSIGN_PASSWORD")
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	h.mustRelctl(exitOK, "verify")
	// apply signs, so it needs the key, and says which.
	code, _, errOut := h.relctl("apply", "--auto-approve")
	if code != exitError || !strings.Contains(errOut, "COSIGN_KEY") {
		t.Fatalf("apply without the key exited %d:\n%s", code, errOut)
	}
}
