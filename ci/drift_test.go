package ci

import (
	"context"
	"strings"
	"testing"
)

// A scheduled drift check keeps one issue: opened on the first drift,
// edited (not duplicated) while the drift changes, left alone while it
// does not, closed once in sync.
func TestReportDrift_keepsOneIssueInStepWithTheDrift(t *testing.T) {
	ctx := context.Background()
	srv, c := pullRequest(t, "release-bot")
	steps := []struct {
		drifted bool
		report  string
		did     string
	}{
		{true, "tag moved", "opened issue #"},
		{true, "tag moved", "already reports this drift"},
		{true, "tag moved; asset gone", "updated issue #"},
		{false, "", "closed issue #"},
		{false, "", ""},
	}
	for i, s := range steps {
		did, err := ReportDrift(ctx, c, s.drifted, s.report)
		if err != nil || !strings.Contains(did, s.did) || s.did == "" && did != "" {
			t.Fatalf("run %d: %q, %v; want %q", i+1, did, err, s.did)
		}
	}
	issues := srv.Issues("acme", "charts")
	if len(issues) != 1 || issues[0].State != "closed" || issues[0].Body != "tag moved; asset gone" || issues[0].Labels[0] != DriftLabel {
		t.Fatalf("issues = %+v; want one closed drift issue with the last report", issues)
	}
}
