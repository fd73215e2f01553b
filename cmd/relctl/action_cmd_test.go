package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// actionOutputs runs the action's command and returns its exit code, the
// step outputs it wrote, and its output.
func actionOutputs(t *testing.T, h *harness, command, args string) (int, map[string]string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "github_output")
	h.env["GITHUB_OUTPUT"] = out
	code, stdout, stderr := h.relctl("github-action", "--command", command, "--args", args)
	b, _ := os.ReadFile(out)
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			got[k] = v
		}
	}
	return code, got, stdout + stderr
}

func TestGitHubAction_planThenApplyReportWhatChangedAndWhatWasPublished(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0+build.7")
	h.chart("beta", "0.2.0")
	h.full("", "", fastRetry)
	h.env["RUNNER_TEMP"] = t.TempDir()
	h.env["GITHUB_SERVER_URL"] = "https://github.example.com"

	code, out, log := actionOutputs(t, h, "plan", "")
	if code != exitOK || out["has-changes"] != "true" || out["blocked"] != "false" {
		t.Fatalf("plan: exit %d, outputs %v\n%s", code, out, log)
	}
	if b, err := os.ReadFile(out["plan-json"]); err != nil || !strings.Contains(string(b), `"format_version": "1"`) {
		t.Fatalf("plan-json %q does not name the saved plan: %v", out["plan-json"], err)
	}
	if !strings.Contains(log, "oci_chart.alpha will be created") {
		t.Errorf("the log lacks the human plan:\n%s", log)
	}

	// A flag apply has and plan lacks reaches apply only; the log keeps
	// apply's progress.
	code, out, log = actionOutputs(t, h, "apply", "--parallelism 1 --auto-approve")
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, log)
	}
	if !strings.Contains(log, "Creation complete") {
		t.Errorf("the log lacks apply's progress:\n%s", log)
	}
	var pub []published
	if err := json.Unmarshal([]byte(out["published"]), &pub); err != nil {
		t.Fatalf("published = %q: %v", out["published"], err)
	}
	want := []published{
		{Chart: "alpha", Version: "1.0.0+build.7", Reference: h.reg.Host + "/acme/charts/alpha:1.0.0_build.7",
			Digest: resolve(t, h.reg, "alpha", "1.0.0_build.7"), Tag: "alpha-v1.0.0+build.7",
			ReleaseURL: "https://github.example.com/acme/charts/releases/tag/alpha-v1.0.0+build.7"},
		{Chart: "beta", Version: "0.2.0", Reference: h.reg.Host + "/acme/charts/beta:0.2.0",
			Digest: resolve(t, h.reg, "beta", "0.2.0"), Tag: "beta-v0.2.0",
			ReleaseURL: "https://github.example.com/acme/charts/releases/tag/beta-v0.2.0"},
	}
	if len(pub) != len(want) {
		t.Fatalf("published = %+v, want %+v", pub, want)
	}
	for i := range want {
		if pub[i] != want[i] {
			t.Errorf("published[%d] = %+v\nwant %+v", i, pub[i], want[i])
		}
	}
	for _, r := range h.gh.Releases("acme", "charts") {
		if r.Draft {
			t.Errorf("release %s left a draft", r.TagName)
		}
	}

	// Nothing left to do: no apply, nothing published.
	code, out, log = actionOutputs(t, h, "apply", "")
	if code != exitOK || out["has-changes"] != "false" || out["published"] != "[]" {
		t.Fatalf("second apply: exit %d, outputs %v\n%s", code, out, log)
	}

	// A template edited without a version bump is blocked: the step fails,
	// says so in its outputs, and publishes nothing.
	h.write("charts/beta/values.yaml", "replicas: 3\n")
	releases := len(h.gh.Releases("acme", "charts"))
	code, out, _ = actionOutputs(t, h, "apply", "")
	if code != exitError || out["blocked"] != "true" || out["published"] != "[]" {
		t.Fatalf("blocked apply: exit %d, outputs %v", code, out)
	}
	if n := len(h.gh.Releases("acme", "charts")); n != releases {
		t.Errorf("a blocked apply changed the releases: %d → %d", releases, n)
	}
}

func TestGitHubAction_refusesArgsTheCommandDoesNotHave(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.env["RUNNER_TEMP"] = t.TempDir()
	code, _, log := actionOutputs(t, h, "apply", "--comment")
	if code != exitError || !strings.Contains(log, "relctl apply has no flag --comment") {
		t.Fatalf("apply --comment: exit %d\n%s", code, log)
	}
	code, _, log = actionOutputs(t, h, "publish", "")
	if code != exitError || !strings.Contains(log, `command is "publish"`) {
		t.Fatalf("command publish: exit %d\n%s", code, log)
	}
	if n := h.reg.Writes(); n != 0 {
		t.Errorf("refused runs wrote %d times to the registry", n)
	}
}

func TestGitHubAction_driftSetsHasChanges(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.env["RUNNER_TEMP"] = t.TempDir()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	code, out, log := actionOutputs(t, h, "drift", "")
	if code != exitOK || out["has-changes"] != "false" {
		t.Fatalf("drift in sync: exit %d, outputs %v\n%s", code, out, log)
	}
	// Someone deletes an asset of the published release.
	for _, a := range h.releasesFor("alpha-v1.0.0")[0].Assets {
		if a.Name == "README.md" {
			req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%srepos/acme/charts/releases/assets/%d", h.gh.URL(), a.ID), nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusNoContent {
				t.Fatalf("delete asset: %v %v", resp, err)
			}
			resp.Body.Close()
		}
	}
	code, out, log = actionOutputs(t, h, "drift", "")
	if code != exitChanges || out["has-changes"] != "true" {
		t.Fatalf("drift after an asset was deleted: exit %d, outputs %v\n%s", code, out, log)
	}
}
