package helm

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/helm/helmtest"
)

// sharingCharts writes n charts that all depend on common and redis from
// one repository.
func sharingCharts(t testing.TB, n int, repoURL string) []config.Chart {
	root := t.TempDir()
	var out []config.Chart
	for i := range n {
		out = append(out, depChart(t, root, fmt.Sprintf("svc%02d", i), "1.0.0",
			"  - name: common\n    version: ^1.0.0\n    repository: "+repoURL+"\n"+
				"  - name: redis\n    version: 17.x\n    repository: "+repoURL+"\n"))
	}
	return out
}

func packageAll(t testing.TB, p *Packager, charts []config.Chart) {
	t.Helper()
	var wg sync.WaitGroup
	for _, c := range charts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mustPackage(t, p, c)
		}()
	}
	wg.Wait()
}

func TestFetch_chartsSharingARepositoryFetchItsIndexAndEachArchiveOnce(t *testing.T) {
	for _, v := range []helmtest.Validator{helmtest.ETag, helmtest.LastModified} {
		repo := repoWith(t, helmtest.Options{Validator: v}, "common@1.0.0", "common@1.1.0", "redis@17.3.0")
		charts := sharingCharts(t, 12, repo.URL())
		cache := t.TempDir()

		start := time.Now()
		packageAll(t, newTestPackager(Options{CacheDir: cache}), charts)
		cold := time.Since(start)
		if got := repo.Requests(); len(got) != 3 || repo.Count("/index.yaml", 200) != 1 ||
			repo.Count("/charts/common-1.1.0.tgz", 200) != 1 || repo.Count("/charts/redis-17.3.0.tgz", 200) != 1 {
			t.Fatalf("validator %d, cold: 12 charts made requests %v, want one index and one of each archive", v, got)
		}

		// A second run (a new Packager: a new process) revalidates the
		// index and downloads nothing.
		repo.ResetRequests()
		start = time.Now()
		packageAll(t, newTestPackager(Options{CacheDir: cache}), charts)
		warm := time.Since(start)
		if got := repo.Requests(); len(got) != 1 || repo.Count("/index.yaml", http.StatusNotModified) != 1 {
			t.Fatalf("validator %d, warm: requests %v, want a single 304 for the index", v, got)
		}
		t.Logf("12 charts sharing 2 dependencies: cold %d requests in %v, warm 1 request (304) in %v", 3, cold, warm)
	}
}

func TestFetch_aNewUpstreamReleaseIsSeenThroughTheCache(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0")
	charts := sharingCharts(t, 1, repo.URL())[:1]
	if err := repo.Add(helmtest.Chart("redis", "17.3.0", nil)); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	mustPackage(t, newTestPackager(Options{CacheDir: cache}), charts[0])
	if err := repo.Add(helmtest.Chart("common", "1.2.0", nil)); err != nil {
		t.Fatal(err)
	}
	pkg := mustPackage(t, newTestPackager(Options{CacheDir: cache}), charts[0])
	if pkg.Dependencies[0].Version != "1.2.0" {
		t.Errorf("after upstream published common 1.2.0 the cached index still gave %s", pkg.Dependencies[0].Version)
	}
}

func TestFetch_transientFailuresAreRetried(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0")
	var mu sync.Mutex
	failures := 2
	repo.Inject(func(r *http.Request) int {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/index.yaml" && failures > 0 {
			failures--
			return http.StatusServiceUnavailable
		}
		return 0
	})
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: "+repo.URL()+"\n")
	mustPackage(t, newTestPackager(Options{}), c)
	if n := repo.Count("/index.yaml", 503); n != 2 {
		t.Errorf("%d failed index requests, want 2 before the success", n)
	}
}

func TestFetch_cancelledContextIsAnErrorNotABlock(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0")
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: "+repo.URL()+"\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newTestPackager(Options{}).Package(ctx, c); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("error %v, want the cancellation", err)
	}
}

func TestFetch_repositoryCredentialsNeverLandInTheCache(t *testing.T) {
	repo := repoWith(t, helmtest.Options{Username: "ada", Password: "s3cret-in-url"}, "common@1.0.0")
	withCreds := strings.Replace(repo.URL(), "http://", "http://ada:s3cret-in-url@", 1)
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: "+withCreds+"\n")
	cache := t.TempDir()
	pkg := mustPackage(t, newTestPackager(Options{CacheDir: cache}), c)
	if strings.Contains(fmt.Sprint(pkg.Dependencies), "s3cret") {
		t.Errorf("the password shows in the dependencies: %v", pkg.Dependencies)
	}
	err := filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, _ := os.ReadFile(p); strings.Contains(string(b), "s3cret") || strings.Contains(p, "s3cret") {
			t.Errorf("%s holds the password", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
