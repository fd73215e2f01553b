package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCLI_versionPrintsRelctlAndAVersion(t *testing.T) {
	h := newHarness(t)
	out := h.mustRelctl(exitOK, "version")
	if !regexp.MustCompile(`^relctl \S+\n$`).MatchString(out) {
		t.Fatalf("version printed %q", out)
	}
}

func TestCLI_applyOfAMissingPlanFileNamesItAndWritesNothing(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	missing := filepath.Join(t.TempDir(), "no-such-plan.json")
	for _, cmd := range []string{"apply", "show"} {
		code, _, errOut := h.relctl(cmd, missing)
		if code != exitError || !strings.Contains(errOut, missing) {
			t.Errorf("%s of a missing plan file exited %d:\n%s", cmd, code, errOut)
		}
	}
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("apply of a missing plan made %d registry writes", w)
	}
}

func TestCLI_applyOfAPlanFileFromAnotherFormatVersionIsRefused(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	planFile := filepath.Join(t.TempDir(), "plan.json")
	h.mustRelctl(exitOK, "plan", "--out", planFile)
	b, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	future := strings.Replace(string(b), `"format_version": "1"`, `"format_version": "99"`, 1)
	if future == string(b) {
		t.Fatalf("plan file has no format_version 1:\n%s", b)
	}
	if err := os.WriteFile(planFile, []byte(future), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"apply", "show"} {
		code, _, errOut := h.relctl(cmd, planFile)
		if code != exitError || !strings.Contains(errOut, "format_version") || !strings.Contains(errOut, "not supported") || !strings.Contains(errOut, planFile) {
			t.Errorf("%s of a format_version 99 plan exited %d:\n%s", cmd, code, errOut)
		}
	}
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("apply of a refused plan made %d registry writes", w)
	}
}

func TestCLI_GHTokenIsUsedWhenGitHubTokenIsUnset(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	delete(h.env, "GITHUB_TOKEN")
	h.env["GH_TOKEN"] = testToken
	h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if rs := h.releasesFor("alpha-v1.0.0"); len(rs) != 1 || rs[0].Draft {
		t.Fatalf("releases after apply with GH_TOKEN: %+v", rs)
	}
}

func TestCLI_withoutAGitHubTokenPlanSaysToSetGitHubToken(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	delete(h.env, "GITHUB_TOKEN")
	for _, args := range [][]string{{"plan"}, {"apply", "--auto-approve"}} {
		code, _, errOut := h.relctl(args...)
		if code != exitError || !strings.Contains(errOut, "set GITHUB_TOKEN") {
			t.Errorf("relctl %s without a token exited %d:\n%s", args[0], code, errOut)
		}
	}
	if n := len(h.gh.Log()); n != 0 {
		t.Errorf("%d GitHub requests without a token", n)
	}
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("%d registry writes without a GitHub token", w)
	}
}

func TestCLI_GitHubTokenWinsOverGHToken(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.env["GH_TOKEN"] = "ghs_stale_other_token"
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if rs := h.releasesFor("alpha-v1.0.0"); len(rs) != 1 || rs[0].Draft {
		t.Fatalf("releases after apply: %+v", rs)
	}
}
