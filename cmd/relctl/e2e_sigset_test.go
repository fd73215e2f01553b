package main

import (
	"context"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/cosign"
	"github.com/relctl/relctl/providers/github/githubtest"
)

// A draft left holding a .tgz.sig that does not verify the package (another
// key's, or of other bytes) has it replaced by the next apply, before the
// release is published, and `relctl verify` then passes.
func TestE2E_draftWithASignatureFileThatDoesNotVerifyIsSignedAgainBeforePublishing(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.full("", "", signingSpec("fail"))

	// Another key's signature, as a stale run or a person left it.
	ctx := context.Background()
	otherDir := t.TempDir()
	otherKey, _, err := cosign.GenerateKeyPair(otherDir, []byte("other"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := cosign.New(ctx, cosign.Options{Signing: config.Signing{Mode: config.SigningKey, Key: otherKey},
		Getenv: func(k string) string { return map[string]string{"COSIGN_PASSWORD": "other"}[k] }})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.SignBlob(ctx, []byte("not the chart"))
	if err != nil {
		t.Fatal(err)
	}
	h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: "alpha-v1.0.0", Name: "alpha: v1.0.0", Draft: true,
		Assets: []githubtest.Asset{{Name: "alpha-1.0.0.tgz.sig", Data: foreign.Signature, ContentType: "text/plain"}}})

	out := h.mustRelctl(exitOK, "plan")
	if !strings.Contains(out, `release_asset.alpha["alpha-1.0.0.tgz.sig"] will be replaced`) || !strings.Contains(out, "not from one signing") {
		t.Errorf("plan does not replace the foreign .sig:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	rs := h.releasesFor("alpha-v1.0.0")
	if len(rs) != 1 || rs[0].Draft {
		t.Fatalf("releases after apply: %+v", rs)
	}
	out = h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "release signature") || strings.Contains(out, "FAIL") {
		t.Errorf("verify after the repair:\n%s", out)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}
