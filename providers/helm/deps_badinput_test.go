package helm

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/helm/helmtest"
)

const commonYAML = "apiVersion: v2\nname: common\nversion: 2.0.0\n"

// Every bad input blocks the chart with a reason naming the chart and the
// dependency, and nothing is written (no archive, nothing in the folder).
func TestResolve_badInputsBlockTheChartNamingChartAndDependency(t *testing.T) {
	for _, tc := range []struct {
		name       string
		constraint string
		setup      func(repo *helmtest.Server)
		want       []string
	}{
		{"no version satisfies", "^3.0.0", func(*helmtest.Server) {},
			[]string{`no version satisfies "^3.0.0"`, "newest: 1.5.0, 1.0.0"}},
		{"unreachable after retries", "^1.0.0", func(repo *helmtest.Server) {
			repo.Inject(func(*http.Request) int { return http.StatusBadGateway })
		}, []string{"unreachable after 3 attempts", "502"}},
		{"digest differs from the index", "^1.0.0", func(repo *helmtest.Server) {
			repo.Replace("common", "1.5.0", helmtest.Chart("common", "1.5.0", map[string]string{"templates/extra.yaml": "evil: true\n"}))
		}, []string{"digest differs from the repository index"}},
		{"parent path in the archive", "2.0.0", func(repo *helmtest.Server) {
			repo.AddAs("common", "2.0.0", helmtest.Raw(map[string]string{"common/Chart.yaml": commonYAML, "common/../../evil": "x"}))
		}, []string{"unsafe archive", "outside the archive"}},
		{"absolute path in the archive", "2.0.0", func(repo *helmtest.Server) {
			repo.AddAs("common", "2.0.0", helmtest.Raw(map[string]string{"common/Chart.yaml": commonYAML, "/etc/evil": "x"}))
		}, []string{"unsafe archive", "absolute path"}},
		{"archive over the size cap", "2.0.0", func(repo *helmtest.Server) {
			repo.AddAs("common", "2.0.0", helmtest.Chart("common", "2.0.0", map[string]string{"files/big": randomish(1 << 20)}))
		}, []string{"larger than the 524288 byte limit"}},
		{"archive holds another chart", "2.0.0", func(repo *helmtest.Server) {
			repo.AddAs("common", "2.0.0", helmtest.Chart("uncommon", "2.0.0", nil))
		}, []string{`holds chart "uncommon", not "common"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := repoWith(t, helmtest.Options{}, "common@1.0.0", "common@1.5.0")
			tc.setup(repo)
			c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: \""+tc.constraint+"\"\n    repository: "+repo.URL()+"\n")
			why := mustBlock(t, newTestPackager(Options{MaxDependencyBytes: 512 << 10}), c)
			for _, want := range append([]string{"chart app", `dependency "common"`}, tc.want...) {
				if !strings.Contains(why, want) {
					t.Errorf("blocked %q, want it to say %q", why, want)
				}
			}
			if entries, _ := os.ReadDir(c.Dir); len(entries) != 3 {
				t.Errorf("the chart folder changed: %v", entries)
			}
			if _, err := os.Stat(filepath.Join(c.Dir, "Chart.lock")); err == nil {
				t.Errorf("a Chart.lock was written")
			}
		})
	}
}

// randomish is incompressible, so that a gzip archive holding it stays
// over the size cap.
func randomish(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return string(b)
}
