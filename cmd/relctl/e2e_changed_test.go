package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func (h *harness) git(args ...string) {
	h.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = h.dir
	cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		h.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// pullRequestBumpingBeta is a repository with charts alpha and beta under
// charts.only_changed, checked out on a branch that bumps beta.
func pullRequestBumpingBeta(t *testing.T) *harness {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.write("relctl.hcl", `registry {
  repository = "`+h.reg.Host+`/acme/charts"
}

charts {
  dir          = "charts"
  only_changed = true
}
`)
	h.git("init", "-q", "-b", "main")
	h.git("add", ".")
	h.git("commit", "-q", "-m", "charts")
	h.git("checkout", "-q", "-b", "bump-beta")
	h.write("charts/beta/Chart.yaml", "apiVersion: v2\nname: beta\ndescription: the beta chart\nversion: 0.2.1\nappVersion: \"1.0\"\n")
	h.git("commit", "-q", "-am", "beta 0.2.1")
	return h
}

func TestE2E_onlyChangedPlansTheChartsAPullRequestTouches(t *testing.T) {
	h := pullRequestBumpingBeta(t)

	code, _, errOut := h.relctl("plan")
	if code != exitError || !strings.Contains(errOut, "--base") {
		t.Fatalf("only_changed without a base exited %d:\n%s", code, errOut)
	}
	out := h.mustRelctl(exitOK, "plan", "--base", "main")
	if !strings.Contains(out, "oci_chart.beta") || strings.Contains(out, "oci_chart.alpha") || !strings.Contains(out, "Plan: 1 to create") {
		t.Fatalf("plan --base main:\n%s", out)
	}
	out = h.mustRelctl(exitOK, "plan", "--all")
	if !strings.Contains(out, "Plan: 2 to create") {
		t.Fatalf("plan --all:\n%s", out)
	}
}

func TestE2E_savedPlanOfChangedChartsAppliesWithoutRepeatingTheBase(t *testing.T) {
	h := pullRequestBumpingBeta(t)

	planFile := filepath.Join(t.TempDir(), "plan.json")
	h.mustRelctl(exitOK, "plan", "--base", "main", "--out", planFile)
	h.mustRelctl(exitOK, "apply", planFile)
	resolve(t, h.reg, "beta", "0.2.1")
	if n := h.reg.CountRequests("PUT"); n == 0 {
		t.Fatal("nothing was pushed")
	}
	// alpha was not in the plan, so it was not published.
	req := h.reg.Requests()
	for _, r := range req {
		if strings.Contains(r.Path, "/alpha/manifests/") && r.Method == "PUT" {
			t.Fatalf("alpha was pushed though the plan did not cover it")
		}
	}
}
