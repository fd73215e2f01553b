package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestE2E_planCommentIsPostedOnceAndEditedOnEveryPush(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.gh.SeedPull("acme", "charts", "abc", 12, "Bump alpha")
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"action":"synchronize","pull_request":{"number":12}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	h.env["GITHUB_EVENT_PATH"] = event
	h.env["GITHUB_ACTIONS"] = "true" // the emulator's token is a workflow's GITHUB_TOKEN
	// Someone else's comment that starts with the marker is not relctl's.
	forged := "<!-- relctl:plan -->\nLooks fine to me."
	h.gh.SeedCommentBy("acme", "charts", 12, "mallory", forged)

	_, _, errOut := relctlAt(h, false, "", "plan", "--comment")
	if !strings.Contains(errOut, "commented the plan on #12") {
		t.Fatalf("first plan: %s", errOut)
	}
	h.chart("beta", "0.2.0") // the next push adds a chart
	_, _, errOut = relctlAt(h, false, "", "plan", "--comment")
	if !strings.Contains(errOut, "updated the plan comment on #12") {
		t.Fatalf("second plan: %s", errOut)
	}
	_, _, errOut = relctlAt(h, false, "", "plan", "--comment")
	if !strings.Contains(errOut, "is current") {
		t.Fatalf("third plan: %s", errOut)
	}
	issues := h.gh.Issues("acme", "charts")
	if len(issues) != 0 {
		t.Fatalf("plan comments opened issues: %+v", issues)
	}
	comments := h.gh.Comments("acme", "charts", 12)
	if len(comments) != 2 || comments[0] != forged || !strings.Contains(comments[1], "`oci_chart.beta`") || !strings.HasPrefix(comments[1], "<!-- relctl:plan -->") {
		t.Fatalf("comments on #12: %q", comments)
	}

	// Outside a pull request the plan still runs; the comment is a warning.
	h.env["GITHUB_EVENT_PATH"] = ""
	code, _, errOut := relctlAt(h, false, "", "plan", "--comment")
	if code != exitOK || !strings.Contains(errOut, "GITHUB_EVENT_PATH is not set") {
		t.Fatalf("plan --comment outside a pull request exited %d: %s", code, errOut)
	}
}
