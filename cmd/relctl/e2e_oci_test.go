package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

func threeCharts(h *harness) {
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.chart("gamma", "3.1.4+build.7")
}

func TestE2E_firstApplyPushesEveryChartAndTheNextPlanHasNoChanges(t *testing.T) {
	h := newHarness(t)
	threeCharts(h)
	h.registryOnly("")

	out := h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "Plan: 3 to create, 0 to update, 0 to replace, 0 blocked.") {
		t.Fatalf("first plan:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	for _, ref := range [][2]string{{"alpha", "1.0.0"}, {"beta", "0.2.0"}, {"gamma", "3.1.4_build.7"}} {
		resolve(t, h.reg, ref[0], ref[1])
	}

	h.reg.ResetRequests()
	out = h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "No changes. Published charts match relctl.hcl.") {
		t.Fatalf("second plan:\n%s", out)
	}
	if got := h.reg.CountRequests(""); got > 2*3 {
		t.Errorf("a no-change plan made %d registry requests for 3 charts, want at most 6", got)
	}
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("second apply made %d registry writes, want 0", w)
	}
}

func TestE2E_pushedChartPulledBackWithHelmLoadsAndMatches(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	client, err := registry.NewClient(registry.ClientOptPlainHTTP())
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Pull(h.reg.Host + "/acme/charts/alpha:1.0.0")
	if err != nil {
		t.Fatalf("helm pull: %v", err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(res.Chart.Data))
	if err != nil {
		t.Fatalf("helm cannot load the pushed chart: %v", err)
	}
	if ch.Metadata.Name != "alpha" || ch.Metadata.Version != "1.0.0" || len(ch.Templates) != 1 {
		t.Fatalf("pulled chart = %s %s with %d templates", ch.Metadata.Name, ch.Metadata.Version, len(ch.Templates))
	}
	if !strings.Contains(string(ch.Templates[0].Data), "ConfigMap") {
		t.Fatalf("pulled template = %s", ch.Templates[0].Data)
	}
	var meta map[string]any
	if err := json.Unmarshal(res.Config.Data, &meta); err != nil || meta["name"] != "alpha" {
		t.Fatalf("config blob = %s (%v)", res.Config.Data, err)
	}
}

func TestE2E_contentChangedWithoutVersionBumpIsBlockedAndNothingIsPushed(t *testing.T) {
	h := newHarness(t)
	threeCharts(h)
	h.registryOnly("")
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	h.write("charts/beta/templates/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: changed\n")
	out := h.mustRelctl(exitError, "plan", "--detailed-exitcode")
	for _, want := range []string{
		"! oci_chart.beta",
		"version 0.2.0 is already published with other content",
		"bump the chart version",
		"Plan: 0 to create, 0 to update, 0 to replace, 1 blocked.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	h.reg.ResetRequests()
	code, _, errOut := h.relctl("apply", "--auto-approve")
	if code != exitError || !strings.Contains(errOut, "blocked") {
		t.Fatalf("apply of a blocked plan exited %d: %s", code, errOut)
	}
	if w := h.reg.Writes(); w != 0 {
		t.Fatalf("a blocked apply made %d registry writes", w)
	}

	// Bumping the version resolves it.
	h.write("charts/beta/Chart.yaml", "apiVersion: v2\nname: beta\ndescription: the beta chart\nversion: 0.2.1\nappVersion: \"1.0\"\n")
	out = h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "Plan: 1 to create, 0 to update, 0 to replace, 0 blocked.") {
		t.Fatalf("plan after bump:\n%s", out)
	}
}

func TestE2E_onConflictOverwriteReplacesTheTag(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("  on_conflict = \"overwrite\"\n")
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	before := resolve(t, h.reg, "alpha", "1.0.0")

	h.write("charts/alpha/values.yaml", "replicas: 3\n")
	out := h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "-/+ oci_chart.alpha") || !strings.Contains(out, "1 to replace") {
		t.Fatalf("plan:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	after := resolve(t, h.reg, "alpha", "1.0.0")
	if after == before {
		t.Fatalf("tag still at %s after overwrite", before)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
}

func TestE2E_versionPushedByHelmIsAdoptedAndNotRepushed(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	helmPush(t, h, "alpha")

	out := h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after helm push:\n%s", out)
	}
	out = h.mustRelctl(exitOK, "plan", "--json")
	if !strings.Contains(out, "adopted") {
		t.Fatalf("plan JSON does not say the chart was adopted:\n%s", out)
	}
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w := h.reg.Writes(); w != 0 {
		t.Fatalf("apply re-pushed a chart helm had pushed: %d writes", w)
	}
}

func TestE2E_savedPlanMadeStaleByAPushIsRefused(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	planFile := filepath.Join(t.TempDir(), "plan.json")
	h.mustRelctl(exitOK, "plan", "--out", planFile)

	out := h.mustRelctl(exitOK, "show", planFile)
	if !strings.Contains(out, "+ oci_chart.alpha") {
		t.Fatalf("show:\n%s", out)
	}
	raw, _ := os.ReadFile(planFile)
	if !strings.Contains(string(raw), `"format_version": "1"`) || strings.Contains(string(raw), testToken) {
		t.Fatalf("plan file lacks format_version or holds the token:\n%s", raw)
	}

	helmPush(t, h, "alpha") // someone else publishes in between
	h.reg.ResetRequests()
	code, _, errOut := h.relctl("apply", planFile)
	if code != exitError || !strings.Contains(errOut, "stale") || !strings.Contains(errOut, "oci_chart.alpha") {
		t.Fatalf("apply of a stale plan exited %d: %s", code, errOut)
	}
	if w := h.reg.Writes(); w != 0 {
		t.Fatalf("a refused stale plan made %d registry writes", w)
	}
}

func TestE2E_savedPlanIsAppliedWhenNothingChanged(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	planFile := filepath.Join(t.TempDir(), "plan.json")
	h.mustRelctl(exitOK, "plan", "--out", planFile)
	h.mustRelctl(exitOK, "apply", planFile)
	resolve(t, h.reg, "alpha", "1.0.0")

	// A chart edited after the plan makes it stale too.
	h.mustRelctl(exitOK, "plan", "--out", planFile)
	h.write("charts/alpha/values.yaml", "replicas: 2\n")
	code, _, errOut := h.relctl("apply", planFile)
	if code != exitError || !strings.Contains(errOut, "the spec or the charts changed") {
		t.Fatalf("apply after an edit exited %d: %s", code, errOut)
	}
}

func TestE2E_applyWithoutATerminalNeedsAutoApprove(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	code, _, errOut := h.relctl("apply")
	if code != exitError || !strings.Contains(errOut, "--auto-approve") {
		t.Fatalf("apply without a terminal exited %d: %s", code, errOut)
	}
	if w := h.reg.Writes(); w != 0 {
		t.Fatalf("unconfirmed apply wrote %d times", w)
	}
}

// helmPush pushes the chart as plain `helm package` + `helm push` would:
// other tar mtimes, so other archive bytes, and another manifest digest.
func helmPush(t *testing.T, h *harness, name string) {
	t.Helper()
	ch, err := loader.Load(filepath.Join(h.dir, "charts", name))
	if err != nil {
		t.Fatal(err)
	}
	path, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	client, err := registry.NewClient(registry.ClientOptPlainHTTP())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Push(data, h.reg.Host+"/acme/charts/"+name+":"+ch.Metadata.Version); err != nil {
		t.Fatalf("helm push: %v", err)
	}
}

func resolve(t *testing.T, reg *ocitest.Server, chart, tag string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodHead, "http://"+reg.Host+"/v2/acme/charts/"+chart+"/manifests/"+tag, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD %s:%s = %d", chart, tag, resp.StatusCode)
	}
	return resp.Header.Get("Docker-Content-Digest")
}
