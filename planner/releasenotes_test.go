package planner

import (
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
)

func TestRenderNotes_privateSigstoreVerifyCommandNamesTheTrustedRootFileNotItsPath(t *testing.T) {
	w := newWorld(config.SigningKeyless, true)
	w.spec.Signing.TrustedRoot = "/home/runner/work/charts/charts/sigstore/trusted_root.json"
	body, err := renderNotes(w.spec, w.spec.Charts[0], w.chart())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, " --trusted-root trusted_root.json ") {
		t.Errorf("the verify command does not pass the trusted root:\n%s", body)
	}
	if strings.Contains(body, "/home/runner") {
		t.Errorf("the notes show the releasing machine's path:\n%s", body)
	}

	// Sigstore's public instance needs no trusted root.
	w.spec.Signing.TrustedRoot = ""
	if body, err := renderNotes(w.spec, w.spec.Charts[0], w.chart()); err != nil || strings.Contains(body, "--trusted-root") {
		t.Errorf("without trusted_root: renderNotes = %v\n%s", err, body)
	}
}
