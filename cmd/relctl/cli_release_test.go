package main

import (
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
)

func TestCLI_nonAtomicApplyPublishesEachCompleteChartWhenAnotherFails(t *testing.T) {
	h := newHarness(t)
	threeCharts(h)
	h.full("", "", fastRetry+"\nrelease {\n  atomic = false\n}\n")
	// GitHub refuses the second release creation: that chart fails.
	remove := h.gh.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 2, Status: 422})
	code, out, errOut := h.relctl("apply", "--auto-approve", "--parallelism", "1")
	if code != exitError {
		t.Fatalf("apply with a failing chart exited %d\n%s\n%s", code, out, errOut)
	}
	rels := h.releases()
	if len(rels) != 2 {
		t.Fatalf("%d releases, want 2 (the failed chart has none): %+v", len(rels), rels)
	}
	have := map[string]bool{}
	for _, r := range rels {
		have[strings.SplitN(r.TagName, "-v", 2)[0]] = true
		if r.Draft {
			t.Errorf("%s is a draft: without atomic a complete chart publishes at once", r.TagName)
		}
		if len(r.Assets) != 4 {
			t.Errorf("%s: assets %v", r.TagName, assetNames(r))
		}
	}
	var failed string
	for _, c := range []string{"alpha", "beta", "gamma"} {
		if !have[c] {
			failed = c
		}
	}
	if failed == "" {
		t.Fatalf("no chart lacks a release: %+v", rels)
	}
	if !strings.Contains(errOut, "github_release."+failed) {
		t.Errorf("stderr does not name github_release.%s:\n%s", failed, errOut)
	}
	if strings.Contains(out, "Apply complete!") {
		t.Errorf("a failed apply says it completed:\n%s", out)
	}
	remove()

	h.gh.ResetLog()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if n := h.gh.Count("POST /repos/{owner}/{repo}/releases"); n != 1 {
		t.Errorf("the second apply created %d releases, want 1 (only %s)", n, failed)
	}
	rels = h.releases()
	if len(rels) != 3 {
		t.Fatalf("%d releases after the second apply, want 3", len(rels))
	}
	for _, r := range rels {
		if r.Draft || len(r.Assets) != 4 {
			t.Errorf("%s: draft=%t assets=%v", r.TagName, r.Draft, assetNames(r))
		}
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}
