package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relctl/relctl/providers/helm/helmtest"
)

// The real grafana charts (five, four repositories between them), their
// repositories pointed at loopback stand-ins serving stand-in charts.
func TestE2E_realGrafanaChartsResolvePublishAndStayInSync(t *testing.T) {
	h := newHarness(t)
	stand := map[string]*helmtest.Server{}
	serve := map[string][][2]string{
		"https://grafana.github.io/helm-charts": {{"alloy", "1.4.0"}, {"grafana-agent-operator", "0.5.1"}, {"rollout-operator", "0.40.0"},
			{"grafana", "10.1.0"}, {"loki-distributed", "0.80.6"}, {"mimir-distributed", "5.8.0"}, {"tempo-distributed", "1.61.3"}, {"oncall", "1.16.5"}},
		"https://charts.min.io/":             {{"minio", "4.1.0"}},
		"https://helm.min.io/":               {{"minio", "8.0.9"}},
		"https://charts.bitnami.com/bitnami": {{"memcached", "6.1.11"}},
	}
	var urls []string
	for u, charts := range serve {
		repo := helmtest.Start(helmtest.Options{Validator: helmtest.LastModified})
		t.Cleanup(repo.Close)
		for _, c := range charts {
			if err := repo.Add(helmtest.Chart(c[0], c[1], nil)); err != nil {
				t.Fatal(err)
			}
		}
		stand[u] = repo
		urls = append(urls, u, repo.URL())
	}
	// The longest URLs first: helm.min.io must not be read as a prefix.
	rewrite := strings.NewReplacer(urls...)
	src := filepath.Join("..", "..", "providers", "helm", "testdata", "grafana-helm-charts", "charts")
	names := []string{"enterprise-metrics", "grafana-sampling", "lgtm-distributed", "loki-distributed", "tempo-distributed"}
	for _, name := range names {
		copyTree(t, filepath.Join(src, name), filepath.Join(h.dir, "charts", name))
		y := string(mustRead(t, filepath.Join(h.dir, "charts", name, "Chart.yaml")))
		h.write("charts/"+name+"/Chart.yaml", rewrite.Replace(y))
	}
	h.registryOnly("")
	resetAll := func() {
		for _, r := range stand {
			r.ResetRequests()
		}
	}

	// The committed locks name the real repositories: out of sync now.
	out := h.mustRelctl(exitError, "plan")
	if !strings.Contains(out, "Chart.lock is out of date with Chart.yaml: run `helm dependency update`") || !strings.Contains(out, "2 blocked") {
		t.Fatalf("plan with stale locks:\n%s", out)
	}
	if code, _, errOut := h.relctl("validate"); code != exitError || !strings.Contains(errOut, "Chart.lock is out of date") {
		t.Errorf("validate exited %d: %s", code, errOut)
	}
	for _, name := range []string{"tempo-distributed", "grafana-sampling"} {
		os.Remove(filepath.Join(h.dir, "charts", name, "Chart.lock"))
	}
	resetAll()
	start := time.Now()
	h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	cold := time.Since(start)
	total := 0
	for u, r := range stand {
		total += len(r.Requests())
		if n := r.Count("/index.yaml", 0); n != 1 {
			t.Errorf("%s: %d index requests in one plan, want 1", u, n)
		}
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	deps := pullChart(t, h, "tempo-distributed", "1.61.3")
	for _, want := range []string{"minio@4.1.0", "grafana-agent-operator@0.5.1", "rollout-operator@0.40.0"} {
		if !deps[want] {
			t.Errorf("published tempo-distributed holds %v, want %s", deps, want)
		}
	}
	if deps := pullChart(t, h, "enterprise-metrics", "1.10.0"); !deps["memcached@6.1.11"] || !deps["minio@8.0.9"] || len(deps) != 2 {
		t.Errorf("published enterprise-metrics holds %v, want memcached (once, for three aliases) and minio 8.0.9", deps)
	}

	resetAll()
	start = time.Now()
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	warm := time.Since(start)
	for u, r := range stand {
		if got := r.Requests(); len(got) > 1 || r.Downloads() != 0 {
			t.Errorf("%s: a no-change plan made requests %v, want at most one 304", u, got)
		}
	}
	// The plan that found the stale locks had already fetched the other
	// charts' dependencies: this one revalidates those indexes and fetches
	// only what the two unlocked charts add.
	t.Logf("grafana charts (5 charts, 4 repositories): plan after removing the locks %d requests in %v; no-change plan at most 4 (304) in %v", total, cold, warm)
}

// TestE2E_manyChartsSharingDependenciesCostOneIndexRequest measures a plan
// over 40 charts sharing two dependencies of one repository: cold (empty
// cache) then warm. The counts are asserted; the times are logged (run with
// -v to read them).
func TestE2E_manyChartsSharingDependenciesCostOneIndexRequest(t *testing.T) {
	h := newHarness(t)
	repo := helmtest.Start(helmtest.Options{})
	t.Cleanup(repo.Close)
	for _, c := range [][2]string{{"common", "1.0.0"}, {"common", "1.2.0"}, {"redis", "17.3.0"}} {
		if err := repo.Add(helmtest.Chart(c[0], c[1], nil)); err != nil {
			t.Fatal(err)
		}
	}
	const n = 40
	for i := range n {
		name := "svc" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		h.chart(name, "1.0.0")
		h.write("charts/"+name+"/Chart.yaml", "apiVersion: v2\nname: "+name+"\nversion: 1.0.0\ndependencies:\n"+
			"  - name: common\n    version: ^1.0.0\n    repository: "+repo.URL()+"\n"+
			"  - name: redis\n    version: 17.x\n    repository: "+repo.URL()+"\n")
	}
	h.registryOnly("")

	start := time.Now()
	h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	cold := time.Since(start)
	coldReqs := repo.Requests()
	if len(coldReqs) != 3 {
		t.Errorf("cold plan of %d charts: chart repository requests %v, want the index and two archives", n, coldReqs)
	}
	repo.ResetRequests()
	start = time.Now()
	h.mustRelctl(exitChanges, "plan", "--detailed-exitcode")
	warm := time.Since(start)
	if got := repo.Requests(); len(got) != 1 || repo.Count("/index.yaml", http.StatusNotModified) != 1 {
		t.Errorf("warm plan: requests %v, want one 304", got)
	}
	t.Logf("plan of %d charts sharing 2 dependencies: cold %d requests, %v; warm 1 request (304), %v", n, len(coldReqs), cold, warm)
}
