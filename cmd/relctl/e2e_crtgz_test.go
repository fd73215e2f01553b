package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/relctl/relctl/planner"
	"github.com/relctl/relctl/providers/github/githubtest"
)

// helmPackage packages charts/<name> as `helm package` does (chart-releaser
// runs it): chartutil.Save stamps the current time on every file, so the
// bytes differ from relctl's reproducible package of the same files.
func helmPackage(t *testing.T, h *harness, name string) []byte {
	t.Helper()
	ch, err := loader.Load(filepath.Join(h.dir, "charts", name))
	if err != nil {
		t.Fatal(err)
	}
	path, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// crSpec is relctl.hcl as relctl init writes it for a chart-releaser
// repository: <chart>-<version> tags and titles, notes left as they are.
func crSpec(h *harness) {
	h.full("", "  update_notes = false\n", `
release {
  tag   = "${chart.name}-${chart.version}"
  title = "${chart.name}-${chart.version}"
}
`+signingSpec("fail"))
}

// seedCRRelease publishes a release as chart-releaser does: tagged
// <chart>-<version>, the chart's description as notes, the .tgz alone.
func seedCRRelease(h *harness, chart, version string, tgz []byte) {
	tag := chart + "-" + version
	h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: tag, Name: tag, Body: "the " + chart + " chart",
		Assets: []githubtest.Asset{{Name: tag + ".tgz", Data: tgz}}})
}

// assetRoute is GitHub's endpoint for one release asset, which serves its
// bytes to a download.
const assetRoute = "GET /repos/{owner}/{repo}/releases/assets/{asset_id}"

func assetData(r githubtest.Release, name string) []byte {
	for _, a := range r.Assets {
		if a.Name == name {
			return a.Data
		}
	}
	return nil
}

// On a repository chart-releaser published, the releases' `helm package`
// archives are adopted by their chart files: the plan only adds (OCI
// pushes, signatures, assets), apply pushes and signs the release's own
// bytes, `relctl verify` finds the registry's chart layer and the
// release's .tgz one file, and the next plan is empty.
func TestE2E_chartReleaserReleasesAreAdoptedByContentAndOnlyAddedTo(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	crTgz := map[string][]byte{}
	for _, c := range [][2]string{{"podinfo", "1.2.0"}, {"redis", "0.3.1"}} {
		h.chart(c[0], c[1])
		crTgz[c[0]] = helmPackage(t, h, c[0])
		seedCRRelease(h, c[0], c[1], crTgz[c[0]])
	}
	crSpec(h)

	planFile := filepath.Join(t.TempDir(), "plan.json")
	h.gh.ResetLog()
	h.mustRelctl(exitChanges, "plan", "--detailed-exitcode", "--out", planFile)
	if n := h.gh.Count(assetRoute); n != 2 {
		t.Errorf("the first plan read %d release assets, want 2: each release's .tgz once", n)
	}
	p, err := readPlanFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Changes {
		if c.Action != planner.ActionCreate && c.Action != planner.ActionNoOp {
			t.Errorf("%s: %s (%s), want only additions", c.Address, c.Action, c.Reason)
		}
		switch {
		case c.Type == planner.TypeReleaseAsset && strings.HasSuffix(c.Name, ".tgz"):
			if c.Action != planner.ActionNoOp || !strings.Contains(c.Reason, "packaged by another tool; adopted") {
				t.Errorf("%s: %s %q, want the release's package adopted", c.Address, c.Action, c.Reason)
			}
		case c.Type == planner.TypeOCIChart:
			if c.Action != planner.ActionCreate || !strings.Contains(c.Reason, "carries (the same chart files, packaged by another tool)") {
				t.Errorf("%s: %s %q, want a push saying its bytes are the release's", c.Address, c.Action, c.Reason)
			}
		}
	}

	h.gh.ResetLog()
	h.mustRelctl(exitOK, "apply", "--auto-approve", planFile)
	client, err := registry.NewClient(registry.ClientOptPlainHTTP())
	if err != nil {
		t.Fatal(err)
	}
	for chart, version := range map[string]string{"podinfo": "1.2.0", "redis": "0.3.1"} {
		tag := chart + "-" + version
		res, err := client.Pull(h.reg.Host + "/acme/charts/" + chart + ":" + version)
		if err != nil {
			t.Fatalf("helm pull %s: %v", chart, err)
		}
		if !bytes.Equal(res.Chart.Data, crTgz[chart]) {
			t.Errorf("%s: the registry's chart layer is not the release's .tgz byte for byte", chart)
		}
		rel := h.releasesFor(tag)
		if len(rel) != 1 {
			t.Fatalf("%d releases for %s, want the one chart-releaser made", len(rel), tag)
		}
		if !bytes.Equal(assetData(rel[0], tag+".tgz"), crTgz[chart]) || rel[0].Body != "the "+chart+" chart" || rel[0].Name != tag {
			t.Errorf("%s: apply changed the published release (title %q, notes %q)", tag, rel[0].Name, rel[0].Body)
		}
		if assetData(rel[0], tag+".tgz.sig") == nil {
			t.Errorf("%s: no .tgz.sig was added; assets %v", tag, assetNames(rel[0]))
		}
	}

	out := h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "podinfo-1.2.0.tgz = the registry's chart layer") || !strings.Contains(out, "checks passed") {
		t.Errorf("verify output:\n%s", out)
	}
	h.gh.ResetLog()
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if n := h.gh.Count(assetRoute); n != 0 {
		t.Errorf("a plan after apply read %d release assets, want none: the registry now decides the bytes", n)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w, m := h.reg.Writes(), h.gh.Mutations(); w != 0 || m != 0 {
		t.Errorf("a second apply wrote %d times to the registry and %d to GitHub", w, m)
	}
}

// A release .tgz whose chart files are not the chart folder's is not
// adopted: it stays a blocked conflict that says so, and nothing is
// written.
func TestE2E_chartReleaserReleaseWithOtherChartFilesStaysBlocked(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("podinfo", "1.2.0")
	h.write("charts/podinfo/values.yaml", "replicas: 3\n")
	old := helmPackage(t, h, "podinfo")
	h.write("charts/podinfo/values.yaml", "replicas: 1\n")
	seedCRRelease(h, "podinfo", "1.2.0", old)
	crSpec(h)

	out := h.mustRelctl(exitError, "plan", "--detailed-exitcode")
	for _, want := range []string{`github_release_asset.podinfo["podinfo-1.2.0.tgz"]`, "asset has other content", "its chart files are not the local chart's"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	h.gh.ResetLog()
	h.mustRelctl(exitError, "apply", "--auto-approve")
	if w, m := h.reg.Writes(), h.gh.Mutations(); w != 0 || m != 0 {
		t.Errorf("a blocked apply wrote %d times to the registry and %d to GitHub", w, m)
	}
}
