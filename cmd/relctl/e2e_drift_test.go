package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestE2E_driftIssueIsOpenedOnceKeptCurrentAndClosedWhenInSync(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "drift", "--issue")
	if n := len(h.gh.Issues("acme", "charts")); n != 0 {
		t.Fatalf("%d issues opened while in sync", n)
	}

	// Someone deletes an asset of the published release.
	rel := h.releasesFor("alpha-v1.0.0")[0]
	var readme int64
	for _, a := range rel.Assets {
		if a.Name == "README.md" {
			readme = a.ID
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%srepos/acme/charts/releases/assets/%d", h.gh.URL(), readme), nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete asset: %v %v", resp, err)
	}
	resp.Body.Close()

	for range 2 { // a schedule runs drift again and again
		code, out, errOut := h.relctl("drift", "--issue")
		if code != exitChanges || !strings.Contains(out, `github_release_asset.alpha["README.md"]`) || !strings.Contains(errOut, "Drift issue:") {
			t.Fatalf("drift exited %d:\n%s\n%s", code, out, errOut)
		}
	}
	issues := h.gh.Issues("acme", "charts")
	if len(issues) != 1 || issues[0].State != "open" || issues[0].Labels[0] != "relctl-drift" || !strings.Contains(issues[0].Body, "`github_release_asset.alpha[\"README.md\"]`") {
		t.Fatalf("issues after two drift runs: %+v", issues)
	}

	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "drift", "--issue")
	issues = h.gh.Issues("acme", "charts")
	if len(issues) != 1 || issues[0].State != "closed" || len(issues[0].Comments) != 1 {
		t.Fatalf("issue once in sync again: %+v", issues)
	}
}
