package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
)

// The failure: with one GitHub write in two dropped (alternately
// before GitHub saw it and after it acted), an atomic apply of several
// charts used to fail and leave every chart a draft. Each dropped write is
// now re-observed, adopted when it landed and sent again when it did not:
// one run publishes every chart, with no duplicate release or asset.
func TestE2E_oneGitHubWriteInTwoDroppedCompletesAnAtomicApplyInOneRun(t *testing.T) {
	h := newHarness(t)
	charts := []string{"alpha", "beta", "delta", "gamma"}
	for _, c := range charts {
		h.chart(c, "1.0.0")
	}
	h.full("", "", fastRetry)
	for _, route := range []string{"/repos/{owner}/{repo}/releases", "/repos/{owner}/{repo}/releases/{release_id}/assets"} {
		for n := 1; n <= 40; n += 2 {
			f := githubtest.Fault{Method: "POST", PathPattern: route, Nth: n, DropUnprocessed: true}
			if n%4 == 3 {
				f = githubtest.Fault{Method: "POST", PathPattern: route, Nth: n, ProcessThenDrop: true}
			}
			h.gh.Inject(f)
		}
	}
	h.gh.ResetLog()
	// One chart at a time, so that "one in two" holds for each write's
	// own attempts too: concurrent charts could draw several drops in a
	// row for one write and exhaust any finite budget.
	out := h.mustRelctl(exitOK, "apply", "--auto-approve", "--parallelism", "1")
	if !strings.Contains(out, "Releases published: alpha, beta, delta, gamma.") {
		t.Errorf("apply output lacks the four publications:\n%s", out)
	}
	if n := h.gh.Count("POST /repos/{owner}/{repo}/releases"); n < 6 {
		t.Fatalf("only %d creates were sent: the dropped connections did not happen", n)
	}
	rels := h.releases()
	if len(rels) != len(charts) {
		t.Fatalf("%d releases, want %d (one per chart, no duplicate draft)", len(rels), len(charts))
	}
	for _, r := range rels {
		if r.Draft || len(r.Assets) != 4 {
			t.Errorf("%s: draft=%t assets=%v, want published with 4 assets", r.TagName, r.Draft, assetNames(r))
		}
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}

// Atomic guarantees what the README says: every chart's draft is complete
// before any is published; publication goes in name order and stops at the
// first failure; the output names the releases already public and those
// left as drafts, and the next apply publishes the rest.
func TestE2E_atomicPublishStoppedByAFailureSaysWhichReleasesArePublic(t *testing.T) {
	h := newHarness(t)
	for _, c := range []string{"gamma", "alpha", "beta"} {
		h.chart(c, "1.0.0")
	}
	h.full("", "", fastRetry)
	// The second publication is refused. Drafts are published several at
	// once, in name order, the last alone and last: the second to reach
	// GitHub is alpha's or beta's, and gamma's is never started.
	remove := h.gh.Inject(githubtest.Fault{Method: "PATCH", PathPattern: "/repos/{owner}/{repo}/releases/{release_id}", Nth: 2, Status: 403})
	code, out, _ := h.relctl("apply", "--auto-approve")
	if code != exitError {
		t.Fatalf("apply exited %d through a refused publication:\n%s", code, out)
	}
	published, refused := "alpha", "beta"
	if strings.Contains(out, "Releases published before the failure: beta.") {
		published, refused = "beta", "alpha"
	}
	for _, want := range []string{
		"Releases published before the failure: " + published + ".",
		"Releases left as complete drafts, not published: " + refused + ", gamma. The next apply publishes them.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	for tag, draft := range map[string]bool{published + "-v1.0.0": false, refused + "-v1.0.0": true, "gamma-v1.0.0": true} {
		rs := h.releasesFor(tag)
		if len(rs) != 1 || rs[0].Draft != draft || len(rs[0].Assets) != 4 {
			t.Errorf("%s: %d release(s), want one complete, draft=%t", tag, len(rs), draft)
		}
	}
	remove()

	// The JSON result of the next run names what it published.
	var res struct {
		Success   bool     `json:"success"`
		Published []string `json:"published"`
		Drafts    []string `json:"drafts"`
	}
	if err := json.Unmarshal([]byte(h.mustRelctl(exitOK, "apply", "--auto-approve", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Success || strings.Join(res.Published, ",") != refused+",gamma" || len(res.Drafts) != 0 {
		t.Errorf("next apply: %+v, want %s and gamma published", res, refused)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}
