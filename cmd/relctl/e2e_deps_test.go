package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/relctl/relctl/providers/helm/helmtest"
)

// upstreamPush publishes a stand-in chart to <registry>/upstream, as
// another project's release would.
func upstreamPush(t *testing.T, h *harness, name, version string) {
	t.Helper()
	client, err := registry.NewClient(registry.ClientOptPlainHTTP())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Push(helmtest.Chart(name, version, nil), h.reg.Host+"/upstream/"+name+":"+version); err != nil {
		t.Fatalf("push upstream %s: %v", name, err)
	}
}

// pullChart pulls what relctl published, with helm's registry client, and
// returns its dependencies as name@version.
func pullChart(t *testing.T, h *harness, name, version string) map[string]bool {
	deps, _ := pullLoaded(t, h, name, version)
	return deps
}

func pullLoaded(t *testing.T, h *harness, name, version string) (map[string]bool, *chart.Chart) {
	t.Helper()
	client, err := registry.NewClient(registry.ClientOptPlainHTTP())
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Pull(h.reg.Host + "/acme/charts/" + name + ":" + version)
	if err != nil {
		t.Fatalf("helm pull %s: %v", name, err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(res.Chart.Data))
	if err != nil {
		t.Fatalf("helm cannot load %s: %v", name, err)
	}
	out := map[string]bool{}
	for _, d := range ch.Dependencies() {
		out[d.Name()+"@"+d.Metadata.Version] = true
	}
	if ch.Lock == nil {
		t.Errorf("%s %s carries no Chart.lock", name, version)
	}
	return out, ch
}

// render renders a chart as `helm install` does: dependencies processed
// (aliases, conditions), then the templates.
func render(t *testing.T, ch *chart.Chart) map[string]string {
	t.Helper()
	if err := chartutil.ProcessDependenciesWithMerge(ch, map[string]any{}); err != nil {
		t.Fatalf("process dependencies: %v", err)
	}
	vals, err := chartutil.ToRenderValues(ch, map[string]any{}, chartutil.ReleaseOptions{Name: "rel", Namespace: "default"}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatalf("render values: %v", err)
	}
	out, err := engine.Render(ch, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return out
}

// depsMonorepo: base (published by this spec), web depending on base
// through the spec's own registry, on common from a chart repository and on
// redis from another OCI repository.
func depsMonorepo(t *testing.T) (*harness, *helmtest.Server) {
	h := newHarness(t)
	repo := helmtest.Start(helmtest.Options{})
	t.Cleanup(repo.Close)
	if err := repo.Add(helmtest.Chart("common", "1.0.0", nil)); err != nil {
		t.Fatal(err)
	}
	upstreamPush(t, h, "redis", "17.3.0")
	h.chart("base", "0.3.0")
	h.chart("web", "1.0.0")
	h.write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\ndescription: the web chart\nversion: 1.0.0\nappVersion: \"1.0\"\ndependencies:\n"+
		"  - name: base\n    version: ~0.3.0\n    repository: oci://"+h.reg.Host+"/acme/charts\n"+
		"  - name: common\n    version: ^1.0.0\n    repository: "+repo.URL()+"\n"+
		"  - name: redis\n    alias: cache\n    version: 17.x\n    repository: oci://"+h.reg.Host+"/upstream\n")
	h.registryOnly("")
	spec := string(mustRead(t, filepath.Join(h.dir, "relctl.hcl")))
	h.write("relctl.hcl", spec+"\nretry {\n  attempts    = 2\n  min_backoff = \"10ms\"\n  max_backoff = \"20ms\"\n}\n")
	return h, repo
}

func TestE2E_dependenciesFromHTTPOCIAndASiblingPublishInOrderAndStayInSync(t *testing.T) {
	h, repo := depsMonorepo(t)

	out := h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	for _, want := range []string{"+ oci_chart.web", "dependencies:", "base 0.3.0 (sibling charts/base", "common 1.0.0 (http " + repo.URL(), "redis as cache 17.3.0 (oci oci://" + h.reg.Host + "/upstream/redis:17.3.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if js := h.mustRelctl(exitOK, "plan", "--json"); !strings.Contains(js, `"dependencies": "base 0.3.0 (sibling charts/base, sha256:`) {
		t.Errorf("plan --json lacks the dependencies of oci_chart.web:\n%s", js)
	}
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	// base was pushed (its manifest PUT) before web.
	var order []string
	for _, r := range h.reg.Requests() {
		if r.Method == http.MethodPut && strings.Contains(r.Path, "/manifests/") {
			order = append(order, r.Path)
		}
	}
	if len(order) != 2 || !strings.Contains(order[0], "/base/") || !strings.Contains(order[1], "/web/") {
		t.Errorf("manifest pushes in order %v, want base then web", order)
	}
	deps, web := pullLoaded(t, h, "web", "1.0.0")
	for _, want := range []string{"base@0.3.0", "common@1.0.0", "redis@17.3.0"} {
		if !deps[want] {
			t.Errorf("published web holds %v, want %s", deps, want)
		}
	}
	// helm renders the dependencies' resources from the pulled chart, the
	// aliased one under its alias.
	rendered := render(t, web)
	for _, want := range []string{"web/charts/base/templates/configmap.yaml", "web/charts/common/templates/configmap.yaml", "web/charts/cache/templates/configmap.yaml"} {
		if !strings.Contains(rendered[want], "kind: ConfigMap") {
			t.Errorf("rendered %s = %q; rendered files: %d", want, rendered[want], len(rendered))
		}
	}

	// A plan with nothing changed: one (conditional) index request, and
	// the published chart's dependencies still listed.
	repo.ResetRequests()
	if js := h.mustRelctl(exitOK, "plan", "--json", "--detailed-exitcode"); !strings.Contains(js, `"dependencies": "base 0.3.0`) {
		t.Errorf("a no-change plan --json lacks the dependencies:\n%s", js)
	}
	if got := repo.Requests(); len(got) > 1 || repo.Downloads() != 0 {
		t.Errorf("a no-change plan made chart repository requests %v, want at most one 304", got)
	}

	// Upstream publishes a newer matching common: no false conflict.
	if err := repo.Add(helmtest.Chart("common", "1.1.0", nil)); err != nil {
		t.Fatal(err)
	}
	out = h.mustRelctl(exitOK, "plan", "--json", "--detailed-exitcode")
	var plan struct {
		Changes []struct {
			Address string   `json:"address"`
			Actions []string `json:"actions"`
			Reason  string   `json:"reason"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	found := false
	for _, c := range plan.Changes {
		if c.Address == "oci_chart.web" {
			found = true
			if c.Actions[0] != "no-op" || !strings.Contains(c.Reason, "bump the chart version to take common 1.1.0") {
				t.Errorf("oci_chart.web after upstream moved: %v %q", c.Actions, c.Reason)
			}
		}
	}
	if !found {
		t.Fatalf("no oci_chart.web in %s", out)
	}
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("apply after an upstream release made %d registry writes", w)
	}
}

func TestE2E_aDependentOfAChartThatFailedIsNotPublished(t *testing.T) {
	h, _ := depsMonorepo(t)
	remove := h.reg.Inject(func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/acme/charts/base/manifests/") {
			return http.StatusBadRequest
		}
		return 0
	})
	code, _, errOut := h.relctl("apply", "--auto-approve")
	if code != exitError || !strings.Contains(errOut, "its dependency base failed") {
		t.Fatalf("apply exited %d:\n%s", code, errOut)
	}
	for _, r := range h.reg.Requests() {
		if r.Method == http.MethodPut && strings.Contains(r.Path, "/acme/charts/web/manifests/") {
			t.Fatalf("web was pushed although base failed")
		}
	}
	remove()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	pullChart(t, h, "web", "1.0.0")
}

func TestE2E_siblingCycleBlocksThePlanAndValidateNamesIt(t *testing.T) {
	h := newHarness(t)
	h.chart("a", "1.0.0")
	h.chart("b", "1.0.0")
	h.write("charts/a/Chart.yaml", "apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies:\n  - name: b\n    version: 1.0.0\n    repository: file://../b\n")
	h.write("charts/b/Chart.yaml", "apiVersion: v2\nname: b\nversion: 1.0.0\ndependencies:\n  - name: a\n    version: 1.0.0\n    repository: file://../a\n")
	h.registryOnly("")
	out := h.mustRelctl(exitError, "plan")
	if !strings.Contains(out, "a → b → a") || !strings.Contains(out, "2 blocked") {
		t.Errorf("plan:\n%s", out)
	}
	code, _, errOut := h.relctl("validate")
	if code != exitError || !strings.Contains(errOut, "a → b → a") {
		t.Errorf("validate exited %d: %s", code, errOut)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
